// The mock authorization server and the protected mock MCP server driven by a real peer: the
// official SDK v1 client's OAuth (authorization code + PKCE with dynamic registration, client ID
// metadata documents, client credentials with a secret and with private_key_jwt), following the
// headless consent redirect, then calling tools/list with the token.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair } from 'jose';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { ClientCredentialsProvider, PrivateKeyJwtProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { ROOT } from '../helpers/transpile.ts';
import { HeadlessProvider } from '../drivers/headless-provider.ts';
import { followAuthorization, referenceServer, serveHttp, serveProtectedMock, spawnTracked, stopChild, type ProtectedMockOptions, type ServedProtectedMock } from '../../mock-server/index.ts';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const REDIRECT = 'http://127.0.0.1:9/callback'; // never contacted: the test reads the code from Location


/** The user agent: follows the authorization URL once and reads the code from the redirect. */
async function consent(url: URL, expectIss: string): Promise<string> {
  const back = await followAuthorization(url);
  expect(back.status).toBe(302);
  expect(back.location!.startsWith(`${REDIRECT}?`)).toBe(true);
  expect(back.iss).toBe(expectIss);
  expect(back.state).toBe(url.searchParams.get('state'));
  expect(back.code).toBeTruthy();
  return back.code!;
}

async function serve(o: ProtectedMockOptions = {}): Promise<ServedProtectedMock> {
  const s = await serveProtectedMock(referenceServer(), o);
  cleanup.push(() => s.close());
  return s;
}

async function connectWith(url: string, provider: OAuthClientProvider): Promise<Client> {
  const client = new Client({ name: 'sdk-auth-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  cleanup.push(() => client.close());
  return client;
}

/** The full interactive flow: 401 → discovery → registration → consent → token → tools/list. */
async function authorizeAndList(s: ServedProtectedMock, provider: HeadlessProvider): Promise<string[]> {
  const transport = new StreamableHTTPClientTransport(new URL(s.url), { authProvider: provider });
  const first = new Client({ name: 'sdk-auth-test', version: '1.0.0' });
  await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  expect(provider.authorizationUrl).toBeDefined();
  const code = await consent(provider.authorizationUrl!, s.issuer);
  await transport.finishAuth(code);
  const client = await connectWith(s.url, provider);
  const { tools } = await client.listTools();
  return tools.map((t) => t.name);
}

describe('mock OAuth with the official SDK client', () => {
  it('authorization code + PKCE with dynamic client registration, then tools/list', { timeout: 30_000 }, async () => {
    const s = await serve({ resource: { scopesSupported: ['mcp:tools'] } });
    const provider = new HeadlessProvider(REDIRECT, { client_name: 'sdk-auth-test' });
    expect(await authorizeAndList(s, provider)).toContain('echo');
    const log = s.log.records;
    // The 401 challenge, then PRM discovery on the MCP server, AS metadata, DCR, authorize, token.
    const first401 = log.find((r) => r.side === 'rs' && r.endpoint === 'mcp' && r.status === 401)!;
    expect(first401.responseHeaders['www-authenticate']).toBe(`Bearer resource_metadata="${new URL(s.url).origin}/.well-known/oauth-protected-resource/mcp"`);
    expect(s.log.of('prm').some((r) => r.status === 200)).toBe(true);
    expect(s.log.of('as-metadata', 'oidc-metadata').some((r) => r.status === 200)).toBe(true);
    const reg = s.log.of('register');
    expect(reg.map((r) => r.status)).toEqual([201]);
    const authz = s.log.of('authorize')[0]!;
    expect(authz.params).toMatchObject({ response_type: 'code', code_challenge_method: 'S256', resource: s.url, scope: 'mcp:tools' });
    const tok = s.log.of('token')[0]!;
    expect(tok).toMatchObject({ status: 200, clientAuth: 'none' });
    expect(tok.params).toMatchObject({ grant_type: 'authorization_code', resource: s.url });
    // Every MCP request after the token carried it, and was let through.
    const after = log.filter((r) => r.side === 'rs' && r.endpoint === 'mcp' && r.seq > tok.seq);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => r.status < 400 && r.tokenClaims?.aud === s.url)).toBe(true);
  });

  it('refreshes an expired token with the refresh token and keeps going', { timeout: 30_000 }, async () => {
    // The first token is issued already expired (no sleeping on a loaded machine).
    const s = await serve({ authorizationServer: { faults: [{ kind: 'bad-token', flaw: 'expired', nth: 1 }] } });
    const provider = new HeadlessProvider(REDIRECT, { client_name: 'sdk-auth-test' });
    // The SDK sees 401 invalid_token with the first token, refreshes, and retries.
    expect(await authorizeAndList(s, provider)).toContain('echo');
    const tokens = s.log.of('token');
    expect(tokens.map((r) => [r.params.grant_type, r.status])).toEqual([
      ['authorization_code', 200],
      ['refresh_token', 200],
    ]);
    const refused = s.log.records.filter((r) => r.side === 'rs' && r.status === 401 && r.seq > tokens[0]!.seq && r.seq < tokens[1]!.seq);
    expect(refused.map((r) => r.reason)).toEqual([expect.stringMatching(/invalid token: .*exp/)]);
  });

  it('uses a client ID metadata document (http loopback in test mode)', { timeout: 30_000 }, async () => {
    let docUrl = '';
    const doc = await serveHttp(async () => new Response(JSON.stringify({ client_id: docUrl, client_name: 'cimd client', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }), { headers: { 'content-type': 'application/json' } }));
    cleanup.push(() => doc.close());
    docUrl = `${doc.url}/client.json`;
    const s = await serve({ authorizationServer: { allowInsecureClientIdUrls: true, registration: false } });
    // The SDK insists on an https client ID URL; the headless flow drives the AS directly with the http one.
    const provider = new HeadlessProvider(REDIRECT, { client_name: 'sdk-auth-test' });
    provider.info = { client_id: docUrl };
    expect(await authorizeAndList(s, provider)).toContain('echo');
    expect(s.log.of('cimd-fetch').map((r) => r.status)).toEqual([200]);
    expect(s.log.of('register')).toEqual([]);
  });

  it('client credentials with a secret (ClientCredentialsProvider)', { timeout: 30_000 }, async () => {
    const s = await serve({ authorizationServer: { clients: [{ client_id: 'svc', client_secret: 's3cret', grant_types: ['client_credentials'] }] } });
    const provider = new ClientCredentialsProvider({ clientId: 'svc', clientSecret: 's3cret', expectedIssuer: s.issuer });
    const client = await connectWith(s.url, provider);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect(s.log.of('token').map((r) => [r.status, r.params.grant_type, r.clientAuth])).toEqual([[200, 'client_credentials', 'client_secret_basic']]);
  });

  it('client credentials with private_key_jwt (PrivateKeyJwtProvider)', { timeout: 30_000 }, async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const s = await serve({ authorizationServer: { clients: [{ client_id: 'jwt-svc', jwks: { keys: [jwk] }, token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'] }] } });
    const provider = new PrivateKeyJwtProvider({ clientId: 'jwt-svc', privateKey: (await exportJWK(privateKey)) as Record<string, unknown>, algorithm: 'ES256', expectedIssuer: s.issuer });
    const client = await connectWith(s.url, provider);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect(s.log.of('token').map((r) => [r.status, r.clientAuth])).toEqual([[200, 'private_key_jwt']]);
  });

  it('2025-03-26 back-compat: no PRM, the AS on the MCP server origin', { timeout: 30_000 }, async () => {
    const s = await serve({ sameOrigin: true });
    expect(new URL(s.issuer).origin).toBe(new URL(s.url).origin);
    const provider = new HeadlessProvider(REDIRECT, { client_name: 'sdk-auth-test' });
    expect(await authorizeAndList(s, provider)).toContain('echo');
    expect(s.log.records.filter((r) => r.url.includes('oauth-protected-resource')).every((r) => r.status === 404)).toBe(true);
    expect(s.log.of('as-metadata').some((r) => r.status === 200)).toBe(true);
  });
  it('2025-03-26 back-compat: no metadata at all, the default /authorize, /token, /register', { timeout: 30_000 }, async () => {
    const s = await serve({ sameOrigin: true, authorizationServer: { metadata: [] } });
    const provider = new HeadlessProvider(REDIRECT, { client_name: 'sdk-auth-test' });
    expect(await authorizeAndList(s, provider)).toContain('echo');
    const origin = new URL(s.url).origin;
    expect(s.log.records.filter((r) => r.side === 'as' && r.status < 400).map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['POST /register', 'GET /authorize', 'POST /token']);
    expect(s.log.of('authorize')[0]!.url.startsWith(`${origin}/authorize?`)).toBe(true);
  });
});

describe('mock OAuth with mcp-remote (a client that runs its own callback server)', () => {
  it('registers, is sent through headless consent to its callback, and connects with the token', { timeout: 60_000 }, async () => {
    const s = await serve();
    const home = mkdtempSync(join(tmpdir(), 'mcp-remote-home-'));
    const child = spawnTracked(process.execPath, [join(ROOT, 'node_modules/mcp-remote/dist/client.js'), s.url], {
      cwd: ROOT,
      env: { ...process.env, HOME: home, MCP_REMOTE_CONFIG_DIR: join(home, 'cfg'), BROWSER: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanup.push(() => stopChild(child));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let err = '';
    // It prints the authorization URL on the line after "Please authorize this client by visiting:".
    const authUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no authorization URL; stderr: ${err}`)), 30_000);
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /Please authorize this client by visiting:\s*(?:\[\d+\]\s*)?(http\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const back = await followAuthorization(authUrl, { deliver: true });
    expect(back).toMatchObject({ status: 302, iss: s.issuer, delivered: 200 });
    expect(await exited).toBe(0);
    expect(s.log.of('register').map((r) => r.status)).toEqual([201]);
    const tok = s.log.of('token').find((r) => r.status === 200)!;
    expect(tok.params.grant_type).toBe('authorization_code');
    expect(s.log.records.some((r) => r.side === 'rs' && r.endpoint === 'mcp' && r.status === 200 && r.seq > tok.seq)).toBe(true);
  });
});
