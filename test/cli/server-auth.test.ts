// `mcp-conform server --url … --auth mock`: the suite's own authorization server on a fixed port,
// a protected server set up to trust it (issuer and JWKS URL, as a user configures theirs), and
// the auth/* checks through the CLI; plus the usage errors of the auth options, and --auth oauth
// getting a token from a protected mock's own authorization server (setUpAuth, in-process).
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { remoteKeys } from '../../mock-server/auth/index.ts';
import { setUpAuth, UsageError, type ServerCommandOptions } from '../../cli/server.ts';
import { startAuthFixture } from '../fixtures/servers/auth-fixture.ts';
import { referenceServer, serveProtectedMock, type AuthServerOptions } from '../../mock-server/index.ts';
import { readResults, runCli } from './server-helpers.ts';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('--auth mock through the CLI', () => {
  it('prints the issuer and JWKS to trust; a server trusting them passes every auth check (2025-11-25 and 2026-07-28)', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const f = await startAuthFixture({ issuer, keys: remoteKeys(`${issuer}/jwks`) });
    try {
      const run = await runCli(['--url', f.url, '--auth', 'mock', '--auth-issuer-port', String(port), '--only', 'auth', '--revision', '2025-11-25,2026-07-28', '--timeout', '3000'], { timeoutMs: 90_000 });
      expect(run.stderr).toContain(`must trust issuer ${issuer} (JWKS ${issuer}/jwks`);
      const results = readResults(run);
      const verdicts = Object.fromEntries(results.checks.map((c) => [c.id, c.verdict]));
      expect(verdicts).toEqual(Object.fromEntries(Object.keys(verdicts).map((id) => [id, 'pass'])));
      expect(Object.keys(verdicts)).toContain('auth/wrong-audience');
      expect(Object.keys(verdicts)).toContain('auth/insufficient-scope');
      // A check in a worker process gets a token with chosen scopes from the CLI's authorization server.
      expect(Object.keys(verdicts)).toContain('auth/insufficient-scope-single-challenge');
      expect(run.code).toBe(0);
    } finally {
      await f.close();
    }
  }, 120_000);
});

describe('auth options: usage errors', () => {
  const base: ServerCommandOptions = { revision: 'all', only: [], skip: [], out: 'x', timeout: '5000', env: [], header: [] };
  const http = { kind: 'http' as const, url: 'http://127.0.0.1:1/mcp' };
  const usage = async (o: Partial<ServerCommandOptions>, target: Parameters<typeof setUpAuth>[1] = http) => {
    const err = await setUpAuth({ ...base, ...o }, target, undefined, 1_000, () => {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  };
  it('rejects a mix, a non-HTTP target, an unknown mode, a stray port and stray oauth options', async () => {
    expect(await usage({ authToken: 'a', auth: 'mock' })).toMatch(/choose one of --auth-token, --auth/);
    expect(await usage({ authToken: 'a' }, { kind: 'stdio', command: 'x', args: [] })).toMatch(/--auth-token applies to --url/);
    expect(await usage({ auth: 'magic' })).toMatch(/--auth must be mock or oauth/);
    expect(await usage({ auth: 'mock', authClientId: 'c', authBrowser: true })).toMatch(/--auth-client-id, --auth-browser apply to --auth oauth only/);
    expect(await usage({ auth: 'oauth', authClientSecret: 's' })).toMatch(/--auth-client-secret needs --auth-client-id/);
    expect(await usage({ authIssuerPort: '9000' })).toMatch(/--auth-issuer-port applies to --auth mock only/);
    expect(await usage({ authToken: '' })).toMatch(/is empty/);
  });
  it('--auth-token and --auth-header put the Authorization on every request of the target', async () => {
    const a = await setUpAuth({ ...base, authToken: 'tok' }, { ...http, headers: { Authorization: 'old' } }, undefined, 1_000, () => {});
    expect(a.target).toEqual({ ...http, headers: { authorization: 'Bearer tok' } });
    expect(a.auth).toEqual({ authorization: 'Bearer tok' });
    const b = await setUpAuth({ ...base, authHeader: 'DPoP xyz' }, http, undefined, 1_000, () => {});
    expect(b.auth).toEqual({ authorization: 'DPoP xyz' });
  });

  it('--auth mock on a port in use is a usage error naming it; against a server it cannot reach it says so and still mints', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      expect(await usage({ auth: 'mock', authIssuerPort: String(port) })).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}.*--auth-issuer-port`));
    } finally {
      await new Promise((r) => busy.close(r));
    }
    const lines: string[] = [];
    const free = await freePort();
    const a = await setUpAuth({ ...base, auth: 'mock', authIssuerPort: String(free) }, http, undefined, 1_000, (l) => lines.push(l));
    try {
      expect(lines.join('\n')).toContain(`must trust issuer http://127.0.0.1:${free} (JWKS http://127.0.0.1:${free}/jwks`);
      expect(lines.join('\n')).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1\/mcp/);
      expect(a.auth?.mock?.audience).toBe(http.url);
      expect(a.auth?.mock?.tokens.insufficientScope).toBeUndefined(); // no challenge, no scope to leave out
      expect(a.target).toEqual({ ...http, headers: { authorization: a.auth?.authorization } });
      const jwks = await fetch(`http://127.0.0.1:${free}/jwks`, { signal: AbortSignal.timeout(3_000) });
      expect(jwks.status).toBe(200);
    } finally {
      await a.close();
    }
  });
});

describe('--auth oauth: a token from the server\'s own authorization server', () => {
  const base: ServerCommandOptions = { revision: 'all', only: [], skip: [], out: 'x', timeout: '5000', env: [], header: [], auth: 'oauth' };
  /** The token setUpAuth got, tried on the protected mock: initialize answered 200. */
  async function tokenWorks(as: AuthServerOptions, o: Partial<ServerCommandOptions> = {}, resource: { requiredScopes?: string[] } = {}, sameOrigin = false) {
    const s = await serveProtectedMock(referenceServer(), { host: '127.0.0.1', authorizationServer: as, resource, ...(sameOrigin ? { sameOrigin } : {}) });
    const lines: string[] = [];
    try {
      const a = await setUpAuth({ ...base, ...o }, { kind: 'http', url: s.url }, '2025-11-25', 3_000, (l) => lines.push(l));
      const authorization = a.auth?.authorization;
      const r = await fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } } }),
        signal: AbortSignal.timeout(5_000),
      });
      await r.body?.cancel();
      await a.close();
      return { status: r.status, said: lines.join('\n'), grants: s.log.of('token').map((x) => x.params.grant_type) };
    } finally {
      await s.close();
    }
  }

  it('client credentials when the authorization server offers them (a confidential client registered for it)', async () => {
    const r = await tokenWorks({}, {}, { requiredScopes: ['mcp:read'] });
    expect(r.said).toMatch(/--auth oauth: a token from http:\/\/127\.0\.0\.1:\d+ for http:\/\/127\.0\.0\.1:\d+\/mcp \(scope mcp:read\) by client credentials/);
    expect(r.status).toBe(200);
    expect(r.grants).toEqual(['client_credentials']);
  });

  it('else the authorization code grant with PKCE through the loopback redirect', async () => {
    const r = await tokenWorks({ grantTypes: ['authorization_code', 'refresh_token'] });
    expect(r.said).toMatch(/by authorization code \(dynamic client registration, PKCE S256\)/);
    expect(r.status).toBe(200);
    expect(r.grants).toEqual(['authorization_code']);
  });

  it('a 2025-03-26 server (no Protected Resource Metadata): its origin is the authorization server', async () => {
    const r = await tokenWorks({ grantTypes: ['authorization_code'] }, {}, {}, true);
    expect(r.said).toMatch(/a token from (http:\/\/127\.0\.0\.1:\d+) for \1\/mcp by authorization code/);
    expect(r.status).toBe(200);
  });

  it('no token to be had: said, and the run goes on without one', async () => {
    const r = await tokenWorks({ grantTypes: ['authorization_code'], registration: false, clientIdMetadataDocuments: false });
    expect(r.said).toMatch(/--auth oauth: no token \(from http:\/\/127\.0\.0\.1:\d+: authorization code: no way to get a client.*\); the checks that need one are not verified/);
    expect(r.status).toBe(401);
  });
});
