// Enterprise-managed authorization (cross-app access, an extension): token exchange for an ID-JAG,
// then the JWT bearer grant at the MCP server's authorization server.
import { revisionsFrom } from '../../../schema/index.ts';
import { describeAuthRecord, ID_JAG_TYPE, ID_TOKEN_TYPE, JWT_BEARER_GRANT, TOKEN_EXCHANGE_GRANT } from '../../../mock-server/index.ts';
import type { ClientRun } from '../../harness/index.ts';
import { type CheckScope, clientCheck, cite } from '../../kit/index.ts';
import { XAA_CLIENT, XAA_SCENARIOS } from '../auth-scenarios.ts';
import { mcpRecs, of, json, bearerOf, mcpUrl, authEvidence, authRuns, originOf } from './common.ts';

const XAA_SPEC = cite(revisionsFrom('2025-11-25'), 'basic/authorization#mcp-authorization-extensions');

/** The JWT's payload and header, unverified (the mock verified what it accepted). */
function decodeJwt(jwt: string | undefined): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const [h, p] = (jwt ?? '').split('.');
  try {
    const header = json(Buffer.from(h ?? '', 'base64url').toString('utf8'));
    const payload = json(Buffer.from(p ?? '', 'base64url').toString('utf8'));
    return header && payload ? { header, payload } : undefined;
  } catch {
    return undefined;
  }
}

/** The XAA run's token exchanges (at the IdP) and JWT bearer grants (at the MCP server's AS); not applicable without an exchange. */
function xaaRequests(t: CheckScope, run: ClientRun) {
  const exchanges = of(run, 'token').filter((r) => r.params.grant_type === TOKEN_EXCHANGE_GRANT);
  if (exchanges.length === 0) t.notApplicable('the client made no token exchange at the enterprise IdP: it does not implement enterprise-managed authorization (an optional extension)');
  const prm = json(of(run, 'prm').find((r) => r.status === 200)?.responseBody ?? '');
  const asIssuer = Array.isArray(prm?.authorization_servers) && typeof prm.authorization_servers[0] === 'string' ? prm.authorization_servers[0] : undefined;
  return { exchanges, bearers: of(run, 'token').filter((r) => r.params.grant_type === JWT_BEARER_GRANT), asIssuer, resource: typeof prm?.resource === 'string' ? prm.resource : mcpUrl(run) };
}

clientCheck(
  {
    id: 'client-auth/xaa-token-exchange',
    title: 'enterprise-managed authorization: the ID token is exchanged at the IdP for an ID-JAG for the MCP server\'s AS',
    level: 'MUST',
    requirement:
      'Enterprise-managed authorization (an MCP authorization extension): the MCP Client makes a Token Exchange (RFC 8693) request to the IdP\'s token endpoint with requested_token_type urn:ietf:params:oauth:token-type:id-jag and the ID Token as subject_token (subject_token_type urn:ietf:params:oauth:token-type:id_token); audience MUST be the issuer identifier of the Resource Authorization Server; resource is OPTIONAL and if set MUST be the Resource Identifier of the MCP Server.',
    spec: XAA_SPEC,
    scenarios: XAA_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, XAA_SCENARIOS);
    for (const run of runs) {
      const { exchanges, asIssuer, resource } = xaaRequests(t, run);
      const e = exchanges[0]!;
      const p = e.params;
      const problems: string[] = [];
      if (p.requested_token_type !== ID_JAG_TYPE) problems.push(`requested_token_type ${JSON.stringify(p.requested_token_type ?? null)}, not ${ID_JAG_TYPE}`);
      if (p.subject_token_type !== ID_TOKEN_TYPE) problems.push(`subject_token_type ${JSON.stringify(p.subject_token_type ?? null)}, not ${ID_TOKEN_TYPE}`);
      const idToken = decodeJwt(p.subject_token);
      if (!idToken || idToken.payload.iss !== originOf(e.url)) problems.push(`a subject_token that is not the IdP's ID token (${idToken ? `iss ${JSON.stringify(idToken.payload.iss)}` : 'no JWT'})`);
      if (asIssuer !== undefined && p.audience !== asIssuer) problems.push(`audience ${JSON.stringify(p.audience ?? null)}, not the issuer of the MCP server's authorization server (${asIssuer})`);
      if (p.resource !== undefined && p.resource !== resource) problems.push(`resource ${JSON.stringify(p.resource)}, not the MCP server (${resource})`);
      if (problems.length) return t.fail(`the token exchange at the IdP (${e.url}) had ${problems.join('; ')}`, authEvidence([e]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/xaa-jwt-bearer',
    title: 'enterprise-managed authorization: the ID-JAG is presented to the MCP server\'s AS as a JWT bearer grant, with the client\'s credentials there',
    level: 'MUST',
    requirement:
      'Enterprise-managed authorization (an MCP authorization extension): the MCP Client presents the ID-JAG to the Resource Authorization Server\'s token endpoint using grant_type urn:ietf:params:oauth:grant-type:jwt-bearer and the ID-JAG as the assertion (RFC 7523 §2.1: the assertion parameter MUST contain a single JWT), authenticating with its credentials as registered with the Resource Authorization Server, and uses the access token with the MCP server.',
    spec: XAA_SPEC,
    scenarios: XAA_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, XAA_SCENARIOS);
    for (const run of runs) {
      const { exchanges, bearers } = xaaRequests(t, run);
      const jag = exchanges.map((r) => (r.status === 200 ? json(r.responseBody)?.access_token : undefined)).find((x): x is string => typeof x === 'string');
      if (!jag) return t.notVerified(`the IdP issued no ID-JAG (${describeAuthRecord(exchanges[0]!)}): see client-auth/xaa-token-exchange`, authEvidence(exchanges));
      const b = bearers[0];
      if (!b) return t.fail('the client got an ID-JAG from the IdP but never presented it to the MCP server\'s authorization server (no grant_type jwt-bearer request)', authEvidence(exchanges));
      if (b.params.assertion !== jag) return t.fail(`the JWT bearer grant's assertion is not the ID-JAG the IdP issued (${decodeJwt(b.params.assertion)?.header.typ ?? 'no JWT'})`, authEvidence([exchanges[0]!, b]));
      if (originOf(b.url) === originOf(exchanges[0]!.url)) return t.fail(`the JWT bearer grant went to the IdP (${b.url}), not to the MCP server's authorization server`, authEvidence([b]));
      if (b.clientAuth !== 'client_secret_basic' || b.clientId !== XAA_CLIENT.client_id) return t.fail(`the JWT bearer grant authenticated ${b.clientId ? `as ${b.clientId} ` : ''}with ${b.clientAuth ?? 'nothing'}; the client is registered at the AS as ${XAA_CLIENT.client_id} with client_secret_basic`, authEvidence([b]));
      const ok = bearers.find((r) => r.status === 200);
      if (!ok) return t.fail(`the authorization server refused the JWT bearer grant (${describeAuthRecord(b)})`, authEvidence(bearers));
      if (!mcpRecs(run).some((r) => r.seq > ok.seq && r.status < 400 && bearerOf(r) !== undefined)) return t.fail('the client got an access token for the ID-JAG but never got through to the MCP server with it', authEvidence([ok, ...mcpRecs(run).filter((r) => r.seq > ok.seq).slice(0, 3)]));
    }
  },
);
