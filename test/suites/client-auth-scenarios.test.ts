// The auth scenarios as data: which runs the CLI selects for them, the context they hand the client
// (the official suite's field names), and what `client --list` says. The checks themselves are
// proven both ways in client-breaks.test.ts and client-fixture.test.ts.
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scenarioList, selectScenarios } from '../../cli/client.ts';
import { AUTH_SCENARIO_ALIASES, AUTH_SCENARIO_NAMES, AUTHORIZED_SCENARIOS, SCENARIOS, hostScenario, scenario } from '../../suites/client/index.ts';

describe('auth scenarios', () => {
  it('run for the client-auth checks only: --skip client-auth/** leaves them out, --only client-auth/** runs nothing else', () => {
    const all = selectScenarios([], [], []).map((s) => s.name);
    expect(AUTH_SCENARIO_NAMES.every((n) => all.includes(n))).toBe(true);
    expect(selectScenarios([], ['client-auth/**'], []).filter((s) => s.auth)).toEqual([]);
    const auth = selectScenarios(['client-auth/**'], [], []);
    expect(auth.length).toBe(AUTH_SCENARIO_NAMES.length);
    expect(auth.every((s) => s.auth && s.transports.join() === 'http')).toBe(true);
    expect(selectScenarios(['client-auth/step-up'], [], []).map((s) => s.name)).toEqual(['auth/scope-step-up']);
  });

  it('carry credentials in MCP_CONFORMANCE_CONTEXT under the official suite\'s names', () => {
    expect(scenario('auth/pre-registration')!.context).toEqual({ client_id: 'pre-registered-client', client_secret: 'pre-registered-secret' });
    expect(scenario('auth/client-credentials-basic')!.context).toEqual({ client_id: 'conformance-test-client', client_secret: 'conformance-test-secret' });
    const jwt = scenario('auth/client-credentials-jwt')!.context!;
    expect(Object.keys(jwt).sort()).toEqual(['client_id', 'private_key_pem', 'signing_algorithm']);
    expect(jwt.signing_algorithm).toBe('ES256');
    expect(createPrivateKey(String(jwt.private_key_pem)).asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    // The rest need no context beyond the scenario name.
    expect(SCENARIOS.filter((s) => s.auth && s.context).map((s) => s.name).sort()).toEqual(['auth/client-credentials-basic', 'auth/client-credentials-jwt', 'auth/cross-app-access-complete-flow', 'auth/enterprise-managed-authorization', 'auth/pre-registration', 'auth/pre-registration-server-migration', 'auth/wif-jwt-bearer']);
  });

  it('cross-app access: the context names the enterprise IdP and holds an ID token of it for the IdP client, as the official suite passes them', async () => {
    const hosted = await hostScenario(scenario('auth/cross-app-access-complete-flow')!, '2025-11-25', 'http');
    try {
      const ctx = { ...scenario('auth/cross-app-access-complete-flow')!.context, ...hosted.context };
      expect(Object.keys(ctx).sort()).toEqual(['client_id', 'client_secret', 'idp_client_id', 'idp_id_token', 'idp_issuer', 'idp_token_endpoint']);
      const idToken = JSON.parse(Buffer.from(String(ctx.idp_id_token).split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      expect([idToken.iss, idToken.aud]).toEqual([ctx.idp_issuer, ctx.idp_client_id]);
      expect(ctx.idp_token_endpoint).toBe(`${String(ctx.idp_issuer)}/token`);
    } finally {
      await hosted.close();
    }
  });

  it('workload identity federation: the context holds the official suite\'s three workload JWTs, the valid one for the AS', async () => {
    const sc = scenario('auth/wif-jwt-bearer')!;
    const hosted = await hostScenario(sc, '2025-11-25', 'http');
    try {
      const ctx = { ...sc.context, ...hosted.context };
      expect(Object.keys(ctx).sort()).toEqual(['client_id', 'expired_jwt', 'valid_jwt', 'wrong_audience_jwt']);
      const claims = (jwt: unknown) => JSON.parse(Buffer.from(String(jwt).split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      expect(claims(ctx.wrong_audience_jwt).aud).toBe('https://wrong.example');
      expect(Number(claims(ctx.expired_jwt).exp)).toBeLessThan(Date.now() / 1000);
      expect(claims(ctx.valid_jwt).iss).toBe('https://idp.conformance-test.local');
    } finally {
      await hosted.close();
    }
  });

  it('apply by revision: PRM discovery from 2025-06-18, the back-compat pair at 2025-03-26 only, iss validation at 2026-07-28', () => {
    expect(scenario('auth/metadata-default')!.revisions).toEqual(['2025-06-18', '2025-11-25', '2026-07-28']);
    expect(scenario('auth/2025-03-26-oauth-endpoint-fallback')!.revisions).toEqual(['2025-03-26']);
    for (const n of ['supported', 'not-advertised', 'supported-missing', 'wrong-issuer', 'unexpected', 'normalized']) expect(scenario(`auth/iss-${n}`)!.revisions).toEqual(['2026-07-28']);
    expect(SCENARIOS.filter((s) => s.auth).every((s) => !s.revisions.includes('2024-11-05'))).toBe(true);
  });

  it('DPoP: auth/dpop and auth/dpop-nonce run by name, with DPoP at the AS and the MCP server (nonces in the second), judged by the dpop checks alone', () => {
    for (const n of ['auth/dpop', 'auth/dpop-nonce']) {
      expect(selectScenarios([], [], [n]).map((s) => s.name)).toEqual([n]);
      const sc = scenario(n)!;
      expect(sc.revisions).toEqual(['2025-11-25', '2026-07-28']);
      const nonce = n === 'auth/dpop-nonce';
      expect([sc.auth!.authorizationServer?.dpop, sc.auth!.resource?.dpop]).toEqual([{ requireNonce: nonce }, { requireNonce: nonce }]);
      expect(AUTHORIZED_SCENARIOS).not.toContain(n);
    }
    expect(selectScenarios(['client-auth/dpop-rs-nonce'], [], []).map((s) => s.name)).toEqual(['auth/dpop-nonce']);
  });

  it('earlier names select the scenario now under the official name', () => {
    for (const [old, now] of Object.entries(AUTH_SCENARIO_ALIASES)) {
      expect(scenario(old)).toBeUndefined();
      expect(selectScenarios([], [], [old]).map((s) => s.name)).toEqual([now]);
    }
    expect(selectScenarios([], [], ['auth/iss-mismatch']).map((s) => s.name)).toEqual(['auth/iss-wrong-issuer']);
  });

  it('are listed by client --list with their context', () => {
    const list = scenarioList();
    for (const n of AUTH_SCENARIO_NAMES) expect(list).toMatch(new RegExp(`^${n}\\n`, 'm'));
    expect(list).toContain('context {"client_id":"pre-registered-client","client_secret":"pre-registered-secret"}');
  });
});
