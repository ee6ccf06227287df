// The server auth checks (suites/server/auth.ts), proven both ways on the protected fixture: all
// pass on the correct server (tokens minted as --auth mock mints them), and each break fails
// exactly its check. Then bad input (a malformed metadata document, an unreachable issuer, a
// redirect to a foreign host: clear verdicts naming the URL, within the timeout), an unprotected
// server (not applicable), and the SDK's bearer-auth middleware and metadata router.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definedChecks, runChecks, runConfig, type AuthRunConfig, type CheckDef, type TargetSpec } from '../../suites/harness/index.ts';
import { mintMockTokens, parseChallenges } from '../../suites/harness/auth.ts';
import type { CheckResult } from '../../reports/model.ts';
import { PROJECT_ROOT, type Revision } from '../../schema/index.ts';
import { referenceServer, serveAuthorizationServer, serveHttp, serveMockHttp, serveProtectedMock, type StreamableHttpHandler } from '../../mock-server/index.ts';
import { startSdkAuthServer } from '../fixtures/servers/sdk-auth-server.ts';
import '../../suites/server/auth.ts';
import { AUTH_BREAKS, AUTH_VARIANT_BREAKS, startAuthFixture, type AuthBreak, type AuthFixtureOptions } from '../fixtures/servers/auth-fixture.ts';

const defs: CheckDef[] = definedChecks().filter((d) => d.meta.id.startsWith('auth/'));
const REVS: Revision[] = ['2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'];
const timeouts = { requestTimeoutMs: 3_000, checkTimeoutMs: 15_000, quietMs: 150 };
const show = (rs: CheckResult[]) => rs.map((r) => `${r.id} [${r.revision}] ${r.verdict}: ${r.message}`).join('\n');
const bad = (r: CheckResult) => r.verdict !== 'pass' && r.verdict !== 'not-applicable';

async function runOn(target: TargetSpec, auth: AuthRunConfig | undefined, revisions = REVS, only?: string[]): Promise<CheckResult[]> {
  const ds = only ? defs.filter((d) => only.includes(d.meta.id)) : defs;
  return runChecks(ds, runConfig(target, revisions, { ...timeouts, ...(auth ? { auth } : {}) }), { concurrency: 6 });
}

async function runAgainst(o: AuthFixtureOptions, revisions = REVS, only?: string[]): Promise<CheckResult[]> {
  const f = await startAuthFixture(o);
  try {
    return await runOn(f.target, f.auth, revisions, only);
  } finally {
    await f.close();
  }
}

describe('auth checks on the correct protected server', () => {
  it('every check passes at every revision it claims (none left not-applicable but where the spec says so)', async () => {
    const results = await runAgainst({});
    expect(show(results.filter(bad))).toBe('');
    const passed = new Set(results.filter((r) => r.verdict === 'pass').map((r) => r.id));
    expect(defs.map((d) => d.meta.id).filter((id) => !passed.has(id))).toEqual([]);
  });

  it('without --auth mock tokens the token checks are not verified, saying why', async () => {
    const f = await startAuthFixture({});
    try {
      const results = await runOn(f.target, { authorization: f.auth.authorization as string }, ['2025-11-25']);
      const nv = results.filter((r) => r.verdict === 'not-verified').map((r) => r.id).sort();
      expect(nv).toEqual(['auth/expired-token', 'auth/insufficient-scope', 'auth/wrong-audience', 'auth/wrong-issuer', 'auth/wrong-signature']);
      for (const r of results.filter((x) => x.verdict === 'not-verified')) expect(r.message).toMatch(/--auth mock/);
      expect(show(results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn'))).toBe('');
    } finally {
      await f.close();
    }
  });
});

/** Checks that cannot be exercised once another requirement is broken (they end not-verified or fail with it). */
const DEPENDENTS: Partial<Record<string, string[]>> = {
  'auth/missing-token': ['auth/challenge', 'auth/challenge-scope', 'auth/prm-document', 'auth/authorization-servers-resolve', 'auth/no-offline-access-scope'],
  // No resource_metadata and no well-known document: nothing to fetch; the mock leaves resource_metadata out of its 403 too.
  'auth/challenge': ['auth/prm-document', 'auth/authorization-servers-resolve', 'auth/insufficient-scope', 'auth/no-offline-access-scope'],
  'auth/prm-document': [],
  // Every token refused: the flawed-token checks cannot tell.
  'auth/valid-token-accepted': ['auth/expired-token', 'auth/wrong-signature', 'auth/wrong-issuer', 'auth/wrong-audience', 'auth/insufficient-scope', 'auth/no-data-before-authorization', 'auth/insufficient-scope-single-challenge'],
  // No 403 insufficient_scope at all: no challenge to follow.
  'auth/insufficient-scope': ['auth/insufficient-scope-single-challenge'],
};

/** Revisions where a break cannot show: 2026-07-28 has no sessions to use without a token. */
const UNAFFECTED: Partial<Record<string, Revision[]>> = { 'auth/no-data-before-authorization': ['2026-07-28'] };

describe('each break fails exactly its check', () => {
  it('every check has a break', () => {
    expect(defs.map((d) => d.meta.id).filter((id) => !(AUTH_BREAKS as readonly string[]).includes(id))).toEqual([]);
  });
  const breaks: [AuthBreak, string][] = [...AUTH_BREAKS.map((b): [AuthBreak, string] => [b, b]), ...Object.entries(AUTH_VARIANT_BREAKS).map(([b, id]): [AuthBreak, string] => [b as AuthBreak, id])];
  for (const [b, id] of breaks) {
    it(b, async () => {
      const results = await runAgainst({ break: b });
      const mine = results.filter((r) => r.id === id);
      const level = defs.find((d) => d.meta.id === id)?.meta.level;
      expect(mine.length).toBeGreaterThan(0);
      // It fails (warns, for a SHOULD) at some revision, and passes at none.
      expect(show(mine.filter((r) => r.verdict === (level === 'SHOULD' ? 'warn' : 'fail'))), show(mine)).not.toBe('');
      expect(mine.filter((r) => r.verdict === 'pass').map((r) => r.revision), show(mine)).toEqual(UNAFFECTED[b] ?? []);
      const allowed = new Set([id, ...(DEPENDENTS[b] ?? [])]);
      expect(show(results.filter((r) => bad(r) && !allowed.has(r.id)))).toBe('');
    });
  }
});

/** The correct fixture behind a proxy whose 401 challenge names `resourceMetadata` as the metadata URL. */
async function viaGateway(resourceMetadata: string, only: string[]): Promise<CheckResult[]> {
  const f = await startAuthFixture({});
  const gateway = await serveHttp(async (r) => {
    const res = await fetch(f.url, { method: r.method, headers: r.headers, ...(r.method === 'POST' ? { body: await r.text() } : {}), signal: AbortSignal.timeout(5_000) });
    const headers = new Headers(res.headers);
    if (res.status === 401) headers.set('www-authenticate', `Bearer resource_metadata="${resourceMetadata}"`);
    return new Response(await res.text(), { status: res.status, headers });
  });
  try {
    return await runOn({ kind: 'http', url: `${gateway.url}/mcp`, headers: { authorization: f.auth.authorization as string } }, f.auth, ['2025-11-25'], only);
  } finally {
    await gateway.close();
    await f.close();
  }
}

describe('bad input: a clear verdict naming the URL, never a hang', () => {
  it('a malformed metadata document fails auth/prm-document naming it', async () => {
    const results = await runAgainst({ resource: { prmOverrides: { authorization_servers: 'not-a-list' } } }, ['2025-11-25'], ['auth/prm-document']);
    expect(results.map((r) => r.verdict)).toEqual(['fail']);
    expect(results[0]?.message).toMatch(/\/\.well-known\/oauth-protected-resource\/mcp has no authorization_servers/);
  });

  it('metadata that is not JSON fails auth/prm-document naming its URL', async () => {
    const notJson = await serveHttp(async () => new Response('<html>nope</html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    try {
      const rs = await viaGateway(`${notJson.url}/prm`, ['auth/prm-document']);
      expect(rs.map((r) => r.verdict)).toEqual(['fail']);
      expect(rs[0]?.message).toContain(`${notJson.url}/prm: HTTP 200, not JSON`);
    } finally {
      await notJson.close();
    }
  });

  it('an unreachable issuer is not verified, naming the issuer and the URL', async () => {
    const t0 = Date.now();
    const results = await runAgainst({ resource: { authorizationServers: ['http://127.0.0.1:9/tenant'] } }, ['2025-11-25'], ['auth/authorization-servers-resolve']);
    expect(results.map((r) => r.verdict)).toEqual(['not-verified']);
    expect(results[0]?.message).toMatch(/cannot reach authorization server metadata: http:\/\/127\.0\.0\.1:9\/tenant \(cannot fetch http:\/\/127\.0\.0\.1:9\/\.well-known\/oauth-authorization-server\/tenant/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('a resource_metadata URL that redirects to a foreign host is not followed: not verified, naming both URLs', async () => {
    const redirector = await serveHttp(async () => new Response(null, { status: 302, headers: { location: 'http://foreign.mcp-conform.invalid/prm' } }));
    try {
      const rs = await viaGateway(`${redirector.url}/prm`, ['auth/prm-document']);
      expect(rs.map((r) => r.verdict)).toEqual(['not-verified']);
      expect(rs[0]?.message).toContain(`${redirector.url}/prm redirects (HTTP 302) to another host, http://foreign.mcp-conform.invalid/prm: not followed`);
    } finally {
      await redirector.close();
    }
  });

  it('a metadata URL that never answers is not verified within the timeout', async () => {
    const silent = await serveHttp(() => new Promise<Response>(() => {}));
    const t0 = Date.now();
    try {
      const rs = await viaGateway(`${silent.url}/prm`, ['auth/prm-document']);
      expect(rs.map((r) => r.verdict)).toEqual(['not-verified']);
      expect(rs[0]?.message).toContain(`cannot fetch ${silent.url}/prm: no answer within ${timeouts.requestTimeoutMs} ms`);
      expect(Date.now() - t0).toBeLessThan(timeouts.requestTimeoutMs + 5_000);
    } finally {
      await silent.close();
    }
  });
});

it('a server that does not require authorization: every auth check is not applicable, saying so (the sessions it opened are ended)', async () => {
  const s = await serveMockHttp(referenceServer(), {});
  try {
    const results = await runOn({ kind: 'http', url: s.url }, undefined, ['2025-11-25']);
    expect(results.length).toBe(defs.filter((d) => d.meta.revisions.includes('2025-11-25')).length);
    for (const r of results) expect(r.verdict, show([r])).toBe('not-applicable');
    expect(results.find((r) => r.id === 'auth/missing-token')?.message).toMatch(/does not require authorization: a request without a token was answered HTTP 200/);
    expect((s.handler as unknown as StreamableHttpHandler).sessions.size).toBe(0);
  } finally {
    await s.close();
  }
});

describe('WWW-Authenticate parsing', () => {
  it('reads several challenges, quoted and bare values, escapes', () => {
    expect(parseChallenges('Basic realm="x", Bearer resource_metadata="https://a/b", scope="r w", error=invalid_token, error_description="say \\"hi\\""')).toEqual([
      { scheme: 'Basic', params: { realm: 'x' } },
      { scheme: 'Bearer', params: { resource_metadata: 'https://a/b', scope: 'r w', error: 'invalid_token', error_description: 'say "hi"' } },
    ]);
    expect(parseChallenges('Bearer')).toEqual([{ scheme: 'Bearer', params: {} }]);
  });
});

// Every cited page and anchor exists in that revision's spec.
const SPEC = process.env.MCP_SPEC_DIR ?? join(PROJECT_ROOT, '..', 'shared', 'mcp-spec');
const slug = (h: string) => h.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
// Skipped only without the spec pages (no ../shared and no MCP_SPEC_DIR): nothing to check against.
describe.skipIf(!existsSync(SPEC))('spec citations', () => {
  it.each(defs.map((d) => [d.meta.id, d] as const))('%s', (_id, d) => {
    for (const [rev, ref] of Object.entries(d.meta.spec) as [Revision, string][]) {
      const [page, anchor] = ref.split('#') as [string, string];
      const file = [join(SPEC, rev, 'docs', `${page}.mdx`), join(SPEC, rev, 'docs', page, 'index.mdx')].find(existsSync);
      expect(file, `${rev}: ${page}`).toBeDefined();
      const anchors = readFileSync(file as string, 'utf8').split('\n').filter((l) => /^#{2,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, '').trim()));
      expect(anchors, `${rev}: ${ref}`).toContain(anchor);
    }
    expect(/\bMUST\b/.test(d.meta.requirement) || /\bSHOULD\b/.test(d.meta.requirement)).toBe(true);
  });
});

describe('a real peer: the official SDK bearer-auth middleware and metadata router, trusting the suite\'s authorization server', () => {
  it('passes every server auth check (tokens minted as --auth mock mints them)', async () => {
    const as = await serveAuthorizationServer({});
    const sdk = await startSdkAuthServer({ issuer: as.issuer, jwksUri: as.as.endpoints.jwks, oauthMetadata: as.as.metadata() });
    try {
      const tokens = await mintMockTokens(as.as, sdk.url, 'mcp:read');
      const authorization = `Bearer ${tokens.valid}`;
      const auth: AuthRunConfig = { authorization, mock: { issuer: as.issuer, jwksUri: as.as.endpoints.jwks, audience: sdk.url, scope: 'mcp:read', tokens } };
      const revs: Revision[] = ['2025-03-26', '2025-06-18', '2025-11-25'];
      const results = await runOn({ kind: 'http', url: sdk.url, headers: { authorization } }, auth, revs);
      expect(show(results.filter(bad))).toBe('');
      const passed = new Set(results.filter((r) => r.verdict === 'pass').map((r) => r.id));
      // (SDK v1 serves no 2026-07-28: the checks of that revision alone are not run here.)
      expect(defs.filter((d) => d.meta.revisions.some((r) => revs.includes(r))).map((d) => d.meta.id).filter((id) => !passed.has(id))).toEqual([]);
    } finally {
      await sdk.close();
      await as.close();
    }
  });

  it('needing two scopes, it names both in its one 403 challenge (the 2026-07-28 check: the bearer gate answers before any MCP handling)', async () => {
    const as = await serveAuthorizationServer({});
    const sdk = await startSdkAuthServer({ issuer: as.issuer, jwksUri: as.as.endpoints.jwks, oauthMetadata: as.as.metadata(), requiredScopes: ['mcp:read', 'mcp:write'] });
    try {
      const scope = 'mcp:read mcp:write';
      const tokens = await mintMockTokens(as.as, sdk.url, scope);
      const authorization = `Bearer ${tokens.valid}`;
      const auth: AuthRunConfig = { authorization, mock: { issuer: as.issuer, jwksUri: as.as.endpoints.jwks, audience: sdk.url, scope, tokens } };
      const results = await runOn({ kind: 'http', url: sdk.url, headers: { authorization } }, auth, ['2026-07-28'], ['auth/insufficient-scope-single-challenge']);
      expect(results.map((r) => r.verdict), show(results)).toEqual(['pass']);
    } finally {
      await sdk.close();
      await as.close();
    }
  });
});

describe('a 2025-03-26-style protected server (the mock with --auth-same-origin: no PRM, a bare Bearer challenge)', () => {
  it('passes the token checks at 2025-03-26; at 2025-06-18 it lacks the resource_metadata challenge and the metadata document', async () => {
    const s = await serveProtectedMock(referenceServer(), { sameOrigin: true });
    try {
      const tokens = await mintMockTokens(s.as, s.url, undefined);
      const authorization = `Bearer ${tokens.valid}`;
      const auth: AuthRunConfig = { authorization, mock: { issuer: s.issuer, jwksUri: s.as.endpoints.jwks, audience: s.url, tokens } };
      const results = await runOn({ kind: 'http', url: s.url, headers: { authorization } }, auth, ['2025-03-26', '2025-06-18']);
      const at = (rev: string) => Object.fromEntries(results.filter((r) => r.revision === rev).map((r) => [r.id, r.verdict]));
      expect(Object.values(at('2025-03-26')).every((v) => v === 'pass'), show(results)).toBe(true);
      const later = at('2025-06-18');
      expect(later['auth/challenge']).toBe('fail');
      expect(later['auth/prm-document']).toBe('fail');
      expect(later['auth/authorization-servers-resolve']).toBe('not-verified');
      for (const id of ['auth/missing-token', 'auth/malformed-token', 'auth/expired-token', 'auth/wrong-signature', 'auth/wrong-issuer', 'auth/wrong-audience', 'auth/no-data-before-authorization']) expect(later[id], id).toBe('pass');
    } finally {
      await s.close();
    }
  });
});
