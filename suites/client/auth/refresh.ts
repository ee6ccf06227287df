// Refresh tokens (2026-07-28): the refresh_token grant type, offline_access, no refresh assumed.
import { clientCheck } from '../../kit/index.ts';
import { type A, of, json, authEvidence, authRuns, asMetadataOf, registeredMetadata, strings } from './common.ts';

const OFFLINE_SCENARIOS = ['auth/offline-access-scope', 'auth/offline-access-not-supported'];
const scopesOf = (r: A) => (r.params.scope ?? '').split(' ').filter(Boolean);

clientCheck(
  {
    id: 'client-auth/refresh-grant-type',
    title: 'a client that wants refresh tokens registers the refresh_token grant type',
    level: 'SHOULD',
    requirement: 'MCP Clients that desire refresh tokens SHOULD include refresh_token in their grant_types client metadata.',
    spec: { '2026-07-28': 'basic/authorization#refresh-tokens' },
    scenarios: ['auth/offline-access-scope'],
  },
  (t) => {
    const { runs } = authRuns(t, ['auth/offline-access-scope']);
    let wanted = 0;
    for (const run of runs) {
      const asked = of(run, 'authorize', 'token').find((r) => scopesOf(r).includes('offline_access') || r.params.grant_type === 'refresh_token');
      if (!asked) continue;
      wanted++;
      const meta = registeredMetadata(run).get(asked.params.client_id ?? asked.clientId ?? '');
      if (!meta) continue; // pre-registered: its metadata is outside the run
      const grants = strings(meta.doc.grant_types) ?? ['authorization_code'];
      if (!grants.includes('refresh_token')) return t.fail(`the client asked for a refresh token (${asked.params.grant_type === 'refresh_token' ? 'a refresh_token grant' : 'scope offline_access'}), but its ${meta.how === 'dcr' ? 'registration request' : 'client ID metadata document'} lists grant_types ${JSON.stringify(grants)} without refresh_token`, authEvidence([meta.record, asked]));
    }
    if (wanted === 0) t.notApplicable('the client did not ask for a refresh token (no offline_access scope, no refresh_token grant)');
  },
);

clientCheck(
  {
    id: 'client-auth/offline-access-when-listed',
    title: 'offline_access is asked for only when the AS lists it in scopes_supported',
    level: 'MAY',
    requirement: 'MCP Clients that desire refresh tokens MAY add offline_access to the scope parameter of the authorization and token requests when the Authorization Server metadata contains it in scopes_supported.',
    spec: { '2026-07-28': 'basic/authorization#refresh-tokens' },
    scenarios: OFFLINE_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, OFFLINE_SCENARIOS);
    for (const run of runs) {
      const listed = strings(asMetadataOf(run)?.scopes_supported) ?? [];
      if (listed.includes('offline_access')) continue;
      const asked = of(run, 'authorize', 'token').find((r) => scopesOf(r).includes('offline_access'));
      if (asked) return t.fail(`scenario ${run.scenario}: the AS metadata's scopes_supported (${listed.join(' ') || 'none'}) has no offline_access, yet the client asked for it`, authEvidence([asked]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/no-refresh-assumed',
    title: 'no refresh with a refresh token the authorization server never issued',
    level: 'MUST',
    requirement: 'MCP Clients that desire refresh tokens MUST NOT assume refresh tokens will be issued; the AS retains discretion.',
    spec: { '2026-07-28': 'basic/authorization#refresh-tokens' },
    scenarios: OFFLINE_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, OFFLINE_SCENARIOS);
    for (const run of runs) {
      const issued = new Set(of(run, 'token').map((r) => json(r.responseBody)?.refresh_token).filter((x): x is string => typeof x === 'string'));
      const bad = of(run, 'token').find((r) => r.params.grant_type === 'refresh_token' && !issued.has(r.params.refresh_token ?? ''));
      if (bad) return t.fail(`scenario ${run.scenario}: the client sent a refresh_token grant with a refresh token the authorization server never issued (${issued.size ? `it issued ${issued.size}` : 'it issued none'})`, authEvidence([...of(run, 'token').filter((r) => r.seq < bad.seq).slice(-2), bad]));
    }
  },
);
