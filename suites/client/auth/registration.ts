// Client registration: pre-registered credentials, client ID metadata documents (CIMD), dynamic
// registration (its metadata and a refused registration).
import { describeAuthRecord, OFFICIAL_CIMD_PLACEHOLDER } from '../../../mock-server/index.ts';
import type { ClientRun } from '../../harness/index.ts';
import { AUTHORIZED_SCENARIOS, PRE_REGISTERED, PRM_REVISIONS } from '../auth-scenarios.ts';
import { clientCheck, exitSummary as exitSummaryOf, authPage, cite } from '../../kit/index.ts';
import { type A, of, json, authEvidence, authRuns, RETRY_LIMIT, asMetadataOf, registeredMetadata, strings } from './common.ts';

const REGISTRATION_PAGE = 'basic/authorization/client-registration';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A URL-formatted client_id (a client ID metadata document's URL). */
const isUrlId = (id: string | undefined): id is string => !!id && /^https?:\/\//i.test(id);

/** The client_ids a run's authorization and token requests were made as. */
function clientIdsUsed(run: ClientRun): { id: string; record: A }[] {
  return of(run, 'authorize', 'token')
    .map((r) => ({ id: r.params.client_id ?? r.clientId ?? '', record: r }))
    .filter((x) => x.id !== '');
}

clientCheck(
  {
    id: 'client-auth/pre-registration-used',
    title: 'pre-registered client information is used first',
    level: 'SHOULD',
    requirement:
      'MCP clients SHOULD support an option for static client credentials such as those supplied by a pre-registration flow; clients supporting all options SHOULD use pre-registered client information for the server if the client has it available (before client ID metadata documents or dynamic registration).',
    spec: { '2025-11-25': 'basic/authorization#preregistration', '2026-07-28': `${REGISTRATION_PAGE}#pre-registration` },
    scenarios: ['auth/pre-registration'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/pre-registration']);
    for (const run of runs) {
      const given = PRE_REGISTERED.client_id;
      const registered = of(run, 'register');
      const other = clientIdsUsed(run).find((x) => x.id !== given);
      if (registered.length || other) {
        const how = registered.length ? 'registered dynamically' : `used the client_id ${other!.id}${isUrlId(other!.id) ? ' (a client ID metadata document)' : ''}`;
        return t.fail(`the client had pre-registered credentials (context.client_id ${given}), yet ${how} instead`, authEvidence([...registered, ...(other ? [other.record] : [])]));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-auth/cimd-used',
    title: 'a client ID metadata document is used when the AS supports it (before dynamic registration)',
    level: 'SHOULD',
    requirement:
      'MCP clients SHOULD support OAuth Client ID Metadata Documents; clients supporting all options SHOULD use Client ID Metadata Documents if the authorization server indicates that it supports them (client_id_metadata_document_supported), and Dynamic Client Registration only as a fallback.',
    spec: { '2025-11-25': 'basic/authorization#client-registration-approaches', '2026-07-28': `${REGISTRATION_PAGE}#client-id-metadata-documents` },
    scenarios: ['auth/basic-cimd'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/basic-cimd']);
    for (const run of runs) {
      const first = of(run, 'authorize', 'register')[0];
      if (!first) continue; // completes-flow says it never got there
      if (first.endpoint === 'register') return t.fail('the AS metadata had client_id_metadata_document_supported: true, yet the client registered dynamically instead of using a client ID metadata document URL as its client_id', authEvidence([first]));
      const id = first.params.client_id;
      if (!isUrlId(id)) return t.fail(`the AS supports client ID metadata documents, yet the client's authorization request used the client_id ${JSON.stringify(id ?? null)} (no metadata document URL)`, authEvidence([first]));
    }
  },
);

/** Scenarios whose AS does not advertise client ID metadata documents (and offers dynamic registration). */
const NO_CIMD_SCENARIOS = ['auth/token-endpoint-auth-basic', 'auth/token-endpoint-auth-post', 'auth/token-endpoint-auth-none', 'auth/offline-access-scope', 'auth/offline-access-not-supported', 'auth/authorization-server-migration'];

clientCheck(
  {
    id: 'client-auth/cimd-capability-checked',
    title: 'no client ID metadata document URL with an AS that does not advertise support (dynamic registration instead)',
    level: 'SHOULD',
    requirement:
      'MCP clients SHOULD check for the client_id_metadata_document_supported capability and MAY fall back to Dynamic Client Registration or pre-registration if unavailable; clients SHOULD use Dynamic Client Registration as a fallback if the authorization server supports it (registration_endpoint).',
    spec: { '2025-11-25': 'basic/authorization#discovery', '2026-07-28': `${REGISTRATION_PAGE}#advertising-cimd-support` },
    scenarios: NO_CIMD_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, NO_CIMD_SCENARIOS);
    for (const run of runs) {
      if (asMetadataOf(run)?.client_id_metadata_document_supported === true) continue;
      const url = clientIdsUsed(run).find((x) => isUrlId(x.id));
      if (url) return t.fail(`scenario ${run.scenario}: the AS metadata does not advertise client_id_metadata_document_supported, yet the client used the client ID metadata document URL ${url.id} as its client_id`, authEvidence([url.record]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/cimd-document',
    title: 'the client ID metadata document: an https URL with a path, client_id, client_name and redirect_uris, client_id equal to the URL',
    level: 'MUST',
    requirement:
      'Clients MUST host their metadata document at an HTTPS URL; the client_id URL MUST use the "https" scheme and contain a path component; the metadata document MUST include at least client_id, client_name and redirect_uris; clients MUST ensure the client_id value in the metadata matches the document URL exactly.',
    spec: { '2025-11-25': 'basic/authorization#implementation-requirements', '2026-07-28': `${REGISTRATION_PAGE}#implementation-requirements` },
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    let seen = 0;
    let placeholder = 0;
    const notes: string[] = [];
    for (const run of runs) {
      const docs = registeredMetadata(run);
      for (const id of new Set(clientIdsUsed(run).map((x) => x.id).filter(isUrlId))) {
        seen++;
        const u = new URL(id);
        const used = clientIdsUsed(run).find((x) => x.id === id)!.record;
        if (u.protocol !== 'https:') {
          if (!LOOPBACK_HOSTS.has(u.hostname)) return t.fail(`scenario ${run.scenario}: the client ID metadata document URL ${id} is not https`, authEvidence([used]));
          notes.push(`${id}: http on loopback, accepted by the test's authorization server (a deployed client's URL must be https)`);
        }
        if (u.pathname === '/' || u.pathname === '') return t.fail(`scenario ${run.scenario}: the client ID metadata document URL ${id} has no path component`, authEvidence([used]));
        if (id === OFFICIAL_CIMD_PLACEHOLDER) {
          placeholder++;
          continue;
        }
        const fetched = of(run, 'cimd-fetch').filter((r) => r.url === id);
        if (fetched.length === 0) continue; // the AS refused it before fetching (its reason is in the evidence of completes-flow)
        const served = docs.get(id);
        if (!served) {
          const f = fetched[0]!;
          return t.fail(`scenario ${run.scenario}: the client ID metadata document ${id} was not served as a JSON object (${f.reason ?? `HTTP ${f.status}`})`, authEvidence(fetched));
        }
        const d = served.doc;
        const missing = ['client_id', 'client_name', 'redirect_uris'].filter((k) => d[k] === undefined);
        if (missing.length) return t.fail(`scenario ${run.scenario}: the client ID metadata document ${id} lacks ${missing.join(', ')}`, authEvidence([served.record]));
        if (d.client_id !== id) return t.fail(`scenario ${run.scenario}: the client ID metadata document's client_id ${JSON.stringify(d.client_id)} is not its URL ${id} exactly`, authEvidence([served.record]));
        if (typeof d.client_name !== 'string' || !strings(d.redirect_uris)) return t.fail(`scenario ${run.scenario}: the client ID metadata document ${id} has a client_name that is no string or redirect_uris that are no list of strings`, authEvidence([served.record]));
      }
    }
    if (seen === 0) t.notApplicable('the client used no client ID metadata document (no URL-formatted client_id)');
    if (placeholder === seen) t.notVerified(`the client used only the official conformance suite's placeholder URL ${OFFICIAL_CIMD_PLACEHOLDER}, which serves no document (accepted unfetched, as the official suite does): nothing to judge`);
    if (notes.length) t.note([...new Set(notes)].join('; '));
  },
);

clientCheck(
  {
    id: 'client-auth/redirect-uri-registered',
    title: 'authorization requests use a redirect URI the client registered, on localhost or https',
    level: 'MUST',
    requirement: 'MCP clients MUST have redirect URIs registered with the authorization server; all redirect URIs MUST be either localhost or use HTTPS.',
    spec: {
      ...cite(PRM_REVISIONS, authPage('open-redirection', 'basic/authorization/security-considerations')),
      '2025-06-18': 'basic/authorization#open-redirection',
      '2025-03-26': 'basic/authorization#security-considerations',
    },
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    let seen = 0;
    for (const run of runs) {
      const reg = registeredMetadata(run);
      for (const a of of(run, 'authorize')) {
        const ru = a.params.redirect_uri;
        if (ru === undefined) continue;
        seen++;
        let u: URL | undefined;
        try {
          u = new URL(ru);
        } catch {
          u = undefined;
        }
        if (!u || (u.protocol === 'http:' && !LOOPBACK_HOSTS.has(u.hostname))) return t.fail(`scenario ${run.scenario}: the redirect URI ${ru} is neither localhost nor https`, authEvidence([a]));
        const r = reg.get(a.params.client_id ?? '');
        if (!r) continue; // pre-registered: the registration is outside the run
        const list = strings(r.doc.redirect_uris) ?? [];
        if (!list.includes(ru)) return t.fail(`scenario ${run.scenario}: the authorization request's redirect_uri ${ru} is not one the client registered (${r.how === 'dcr' ? 'dynamic registration' : 'client ID metadata document'}: ${list.join(', ') || 'none'})`, authEvidence([r.record, a]));
      }
    }
    if (seen === 0) t.notVerified('the client sent no authorization request with a redirect_uri in these scenarios');
  },
);

clientCheck(
  {
    id: 'client-auth/dcr-application-type',
    title: 'dynamic registration names an appropriate application_type ("native" for localhost redirect URIs)',
    level: 'MUST',
    requirement:
      'MCP clients MUST specify an appropriate application_type during Dynamic Client Registration; native applications (desktop applications, mobile apps, CLI tools, and locally-hosted web applications accessed via localhost) SHOULD use application_type: "native".',
    spec: { '2026-07-28': `${REGISTRATION_PAGE}#application-type-and-redirect-uri-constraints` },
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    let seen = 0;
    for (const run of runs) {
      for (const r of of(run, 'register')) {
        const d = json(r.body);
        if (!d) continue;
        seen++;
        const at = d.application_type;
        if (at === undefined) return t.fail(`scenario ${run.scenario}: the registration request has no application_type (under OpenID Connect it defaults to "web", which conflicts with native redirect URIs)`, authEvidence([r]));
        const local = (strings(d.redirect_uris) ?? []).every((x) => /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/i.test(x) || !/^https?:/i.test(x));
        if (at !== 'native' && at !== 'web') return t.fail(`scenario ${run.scenario}: application_type ${JSON.stringify(at)} is neither "native" nor "web"`, authEvidence([r]));
        if (at === 'web' && local) return t.fail(`scenario ${run.scenario}: application_type "web" with localhost redirect URIs (${(strings(d.redirect_uris) ?? []).join(', ')}): a locally run client is "native"`, authEvidence([r]));
      }
    }
    if (seen === 0) t.notApplicable('the client registered no client dynamically');
  },
);

clientCheck(
  {
    id: 'client-auth/registration-failure-handled',
    title: 'a refused dynamic registration is handled: a few retries at most, no authorization without a client_id, and the client ends',
    level: 'MUST',
    requirement:
      'MCP clients MUST be prepared to handle registration failures due to redirect URI constraints when authorization servers implement OIDC. When a registration request is rejected, clients SHOULD surface a meaningful error to the user or developer. Clients MAY retry registration with an adjusted application_type or with redirect URIs that conform to the authorization server\'s requirements.',
    spec: { '2026-07-28': `${REGISTRATION_PAGE}#application-type-and-redirect-uri-constraints` },
    scenarios: ['auth/registration-refused'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/registration-refused']);
    for (const run of runs) {
      const regs = of(run, 'register');
      if (regs.length === 0) t.notVerified(`the client never tried dynamic registration in auth/registration-refused (${exitSummaryOf(run)})`);
      const used = of(run, 'authorize', 'token').find((r) => r.params.client_id ?? r.clientId);
      if (used) return t.fail(`every registration was refused, yet the client went on as ${used.params.client_id ?? used.clientId} (${describeAuthRecord(used)})`, authEvidence([...regs.slice(-2), used]));
      if (regs.length > RETRY_LIMIT) return t.fail(`every registration was refused (invalid_redirect_uri) and the client tried ${regs.length} times; a few (≤ ${RETRY_LIMIT}) is the limit here`, authEvidence(regs.slice(-3)));
      if (run.process.timedOut) return t.fail(`after the refused registration the client was still running at the scenario timeout (${regs.length} registration request(s)): the failure was not handled`, authEvidence(regs));
    }
  },
);
