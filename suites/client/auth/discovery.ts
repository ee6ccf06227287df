// basic/authorization, the client side: the flow as a whole, and discovery (the Protected Resource
// Metadata from the challenge or the well-known URLs, the authorization server metadata URLs in the
// spec's order, the issuer, 2025-03-26's metadata and default endpoints).
import { describeAuthRecord } from '../../../mock-server/index.ts';
import { asMetadataUrls, prmWellKnown, authPage, cite, clientCheck } from '../../kit/index.ts';
import { AUTHORIZED_SCENARIOS, PRM_REVISIONS, SCOPE_REVISIONS } from '../auth-scenarios.ts';
import { type A, recs, attempted, mcpRecs, of, pathOf, json, bearerOf, firstChallenge, mcpUrl, authEvidence, authRuns } from './common.ts';

clientCheck(
  {
    id: 'client-auth/completes-flow',
    title: 'on a 401 the client authorizes and gets through with the token',
    level: 'MUST',
    requirement: 'MCP clients MUST be able to parse WWW-Authenticate headers and respond appropriately to HTTP 401 Unauthorized responses from the MCP server (2025-03-26: follow the OAuth 2.1 flow with RFC 8414 metadata or the default endpoints).',
    spec: {
      ...cite(PRM_REVISIONS, authPage('protected-resource-metadata-discovery-requirements', 'basic/authorization/authorization-server-discovery')),
      '2025-06-18': 'basic/authorization#authorization-server-location',
      '2025-03-26': 'basic/authorization#authorization-flow-steps',
    },
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    const stuck: string[] = [];
    const evidence: A[] = [];
    for (const run of runs) {
      if (mcpRecs(run).some((r) => r.status < 400 && bearerOf(r) !== undefined)) continue;
      const last = recs(run).filter((r) => r.status >= 400 || r.endpoint !== 'mcp').slice(-3);
      stuck.push(`${run.scenario}: ${last.length ? last.map(describeAuthRecord).join('; ') : 'no request after the 401'}`);
      evidence.push(...last);
    }
    if (stuck.length) t.fail(`the client never got through to the MCP server with a token in ${stuck.length} of ${runs.length} scenario(s): ${stuck.join(' | ')}`, authEvidence(evidence));
  },
);

// ---------------------------------------------------------------- discovery

const METADATA_SCENARIOS = ['auth/metadata-default', 'auth/metadata-var1', 'auth/metadata-var2', 'auth/metadata-var3'];

clientCheck(
  {
    id: 'client-auth/prm-discovery',
    title: 'the PRM is found from the challenge, else at the well-known URLs in order',
    level: 'MUST',
    requirement:
      'MCP clients MUST support both discovery mechanisms and use the resource metadata URL from the parsed WWW-Authenticate headers when present; otherwise, they MUST fall back to constructing and requesting the well-known URIs in the order listed above (path-inserted, then root). (2025-06-18: MCP clients MUST use the resource_metadata of the challenge.)',
    spec: { ...cite(SCOPE_REVISIONS, authPage('protected-resource-metadata-discovery-requirements', 'basic/authorization/authorization-server-discovery')), '2025-06-18': 'basic/authorization#authorization-server-location' },
    scenarios: METADATA_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, METADATA_SCENARIOS);
    for (const run of runs) {
      const { params } = firstChallenge(run);
      const url = mcpUrl(run);
      const firstAs = recs(run).find((r) => r.side === 'as')?.seq ?? Infinity;
      const prm = recs(run).filter((r) => r.side === 'rs' && r.method === 'GET' && r.url.includes('/.well-known/oauth-protected-resource') && r.seq < firstAs);
      if (prm.length === 0) {
        if (!attempted(run)) continue; // completes-flow reports a client that gave up
        return t.fail(`scenario ${run.scenario}: the client never fetched the Protected Resource Metadata before going to an authorization server`, authEvidence(recs(run).slice(0, 6)));
      }
      const asked = prm.map((r) => r.url);
      if (params.resource_metadata) {
        if (asked[0] !== params.resource_metadata) return t.fail(`scenario ${run.scenario}: the challenge named resource_metadata ${params.resource_metadata}, but the client first fetched ${asked[0]}`, authEvidence(prm));
        continue;
      }
      if (!url) continue;
      const order = prmWellKnown(url);
      const ok = asked.every((a, i) => a === order[i]);
      if (!ok) return t.fail(`scenario ${run.scenario}: with no resource_metadata in the challenge the client fetched ${asked.join(', ')}; the order is ${order.join(', then ')}`, authEvidence(prm));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/as-metadata-discovery',
    title: 'the authorization server metadata URLs are tried in the spec\'s order',
    level: 'MUST',
    requirement:
      'MCP clients MUST attempt multiple well-known endpoints: for issuer URLs with path components, OAuth 2.0 metadata with path insertion, then OpenID Connect with path insertion, then OpenID Connect path appending; without a path, OAuth 2.0 metadata, then OpenID Connect. (2025-06-18: MCP clients MUST follow RFC 8414 — the OAuth 2.0 URL first.)',
    spec: { ...cite(SCOPE_REVISIONS, authPage('authorization-server-metadata-discovery', 'basic/authorization/authorization-server-discovery')), '2025-06-18': 'basic/authorization#server-metadata-discovery' },
    scenarios: METADATA_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, METADATA_SCENARIOS);
    for (const run of runs) {
      const prmDoc = json(of(run, 'prm').find((r) => r.status === 200)?.responseBody ?? '');
      const issuer = Array.isArray(prmDoc?.authorization_servers) ? prmDoc.authorization_servers[0] : undefined;
      if (typeof issuer !== 'string') continue;
      const order = asMetadataUrls(issuer);
      const tried: A[] = [];
      for (const r of recs(run)) {
        if (r.method !== 'GET' || !/\/\.well-known\/(oauth-authorization-server|openid-configuration)/.test(r.url)) continue;
        tried.push(r);
        if (r.status === 200) break;
      }
      if (tried.length === 0) continue; // no AS discovery at all: completes-flow says so
      const urls = tried.map((r) => r.url);
      const expected = t.revision === '2025-06-18' ? order.slice(0, 1) : order;
      const bad = t.revision === '2025-06-18' ? urls[0] !== expected[0] : !urls.every((u, i) => u === order[i]);
      if (bad) return t.fail(`scenario ${run.scenario} (issuer ${issuer}): the client tried ${urls.join(', ')}; the order is ${expected.join(', then ')}`, authEvidence(tried));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/metadata-issuer-validated',
    title: 'authorization server metadata naming another issuer is not used',
    level: 'MUST',
    requirement:
      'After retrieving a metadata document, MCP clients MUST validate it as required by RFC 8414 Section 3.3: the issuer value in the document MUST be identical to the issuer identifier used to construct the well-known URL. If they differ, the client MUST NOT use the metadata.',
    spec: { '2026-07-28': 'basic/authorization/authorization-server-discovery#authorization-server-metadata-discovery' },
    scenarios: ['auth/metadata-issuer-mismatch'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/metadata-issuer-mismatch']);
    for (const run of runs) {
      const read = of(run, 'as-metadata', 'oidc-metadata').filter((r) => r.status === 200);
      if (read.length === 0) t.notVerified('the client never read the authorization server metadata in auth/metadata-issuer-mismatch');
      const used = of(run, 'register', 'authorize', 'token');
      if (used.length) return t.fail(`the metadata at ${read[0]!.url} names the issuer https://honest.example, not the one its URL was built from, yet the client used it (${describeAuthRecord(used[0]!)})`, authEvidence([read[0]!, ...used.slice(0, 3)]));
    }
  },
);

const LEGACY_SCENARIOS = ['auth/2025-03-26-oauth-metadata-backcompat', 'auth/2025-03-26-oauth-endpoint-fallback'];

clientCheck(
  {
    id: 'client-auth/legacy-metadata-discovery',
    title: '2025-03-26: metadata at the authorization base URL first, then the default endpoints',
    level: 'MUST',
    requirement: 'The authorization base URL MUST be determined from the MCP server URL by discarding any existing path component; clients MUST first attempt to discover endpoints via the metadata document (/.well-known/oauth-authorization-server) before falling back to the default paths /authorize, /token, /register.',
    spec: { '2025-03-26': 'basic/authorization#fallbacks-for-servers-without-metadata-discovery' },
    scenarios: LEGACY_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, LEGACY_SCENARIOS);
    for (const run of runs) {
      const url = mcpUrl(run);
      if (!url || !attempted(run)) continue;
      const base = new URL(url).origin;
      const oauth = recs(run).filter((r) => ['authorize', 'token', 'register'].includes(r.endpoint));
      const first = oauth[0];
      if (!first) continue; // completes-flow says it never got there
      const meta = recs(run).find((r) => r.method === 'GET' && r.url === `${base}/.well-known/oauth-authorization-server`);
      if (!meta || meta.seq > first.seq) return t.fail(`scenario ${run.scenario}: the client went to ${describeAuthRecord(first)} without first requesting ${base}/.well-known/oauth-authorization-server`, authEvidence(recs(run).filter((r) => r.seq <= first.seq)));
      const elsewhere = oauth.find((r) => !r.url.startsWith(`${base}/`) || !['/authorize', '/token', '/register'].includes(pathOf(r.url)));
      if (elsewhere) return t.fail(`scenario ${run.scenario}: an OAuth request went to ${elsewhere.url}, not to the default endpoint of the authorization base URL ${base}`, authEvidence([elsewhere]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/prm-resource-match',
    title: 'PRM whose resource is another server is not used',
    level: 'MUST',
    requirement:
      'MCP clients MUST use OAuth 2.0 Protected Resource Metadata (RFC 9728) for authorization server discovery; RFC 9728 §3.3: if the resource value of the metadata is not identical to the resource the client asked about, the client MUST NOT use the metadata.',
    spec: cite(PRM_REVISIONS, authPage('overview')),
    scenarios: ['auth/resource-mismatch'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/resource-mismatch']);
    for (const run of runs) {
      const used = of(run, 'authorize', 'token', 'register');
      if (used.length) return t.fail(`the PRM named resource https://other.example/mcp, yet the client went on to the authorization server it listed (${describeAuthRecord(used[0]!)})`, authEvidence([...of(run, 'prm'), ...used]));
    }
  },
);
