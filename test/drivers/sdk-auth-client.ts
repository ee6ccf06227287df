// A client driver for the auth scenarios (`mcp-conform client --scenario auth/…`): the official
// TypeScript SDK's v1 Client over Streamable HTTP with the SDK's OAuth support, wired the way an
// application does it:
//
//   mcp-conform client --scenario auth/metadata-default -- node bin/run.js test/drivers/sdk-auth-client.ts
//
// - authorization code: an in-memory OAuthClientProvider; its "browser" fetches the authorization
//   URL without following the redirect and hands the code to transport.finishAuth() (consent is
//   headless in the scenarios); the client ID comes from MCP_CONFORMANCE_CONTEXT when it has one
//   (pre-registration), else the official suite's placeholder client ID metadata document URL when the
//   AS supports them, else the SDK registers dynamically;
// - client credentials: the SDK's ClientCredentialsProvider (client_secret) or PrivateKeyJwtProvider
//   (private_key_pem) with the context's credentials, as the official suite passes them.
// Whenever the SDK says UnauthorizedError (the first 401, a 403 insufficient_scope) the driver
// authorizes and retries, a few times at most. What goes over the wire is the SDK's doing.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { ClientCredentialsProvider, PrivateKeyJwtProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { argumentsFor, log, parseTarget, runDriver } from './common.ts';
import { HeadlessProvider } from './headless-provider.ts';

const OFFICIAL_CIMD_PLACEHOLDER = 'https://conformance-test.local/client-metadata.json';
const REDIRECT = 'http://127.0.0.1:9/callback'; // never contacted: the code is read from Location
const target = parseTarget(process.argv.slice(2));
if (target.kind !== 'http') throw new Error('the auth driver runs over Streamable HTTP only');
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as Record<string, unknown>;


function provider(): OAuthClientProvider {
  if (scenario.includes('client-credentials') && typeof context.client_id === 'string') {
    if (typeof context.private_key_pem === 'string') return new PrivateKeyJwtProvider({ clientId: context.client_id, privateKey: context.private_key_pem, algorithm: String(context.signing_algorithm ?? 'ES256') });
    return new ClientCredentialsProvider({ clientId: context.client_id, clientSecret: String(context.client_secret ?? '') });
  }
  const given = typeof context.client_id === 'string' ? { client_id: context.client_id, ...(typeof context.client_secret === 'string' ? { client_secret: context.client_secret } : {}) } : undefined;
  const p = new HeadlessProvider(REDIRECT, { client_name: 'mcp-conform-sdk-auth-driver' }, given);
  // The SDK uses a client ID metadata document only at an https URL the application hosts: like the
  // official suite's example client, the driver names that suite's placeholder (the mock accepts it unfetched).
  p.clientMetadataUrl = OFFICIAL_CIMD_PLACEHOLDER;
  return p;
}

const auth = provider();
const url = new URL(target.url);
let transport = new StreamableHTTPClientTransport(url, { authProvider: auth });
let client = new Client({ name: 'mcp-conform-sdk-auth-driver', version: '1.0.0' });

/** The user agent: follows the authorization URL once; the code comes back in Location. */
async function consent(): Promise<void> {
  const p = auth instanceof HeadlessProvider ? auth.authorizationUrl : undefined;
  if (!p || !(auth instanceof HeadlessProvider)) throw new Error('unauthorized, and no authorization URL to follow');
  auth.authorizationUrl = undefined;
  const r = await fetch(p, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
  await r.body?.cancel();
  const loc = r.headers.get('location');
  const code = loc ? new URL(loc).searchParams.get('code') : null;
  if (!code) throw new Error(`the authorization endpoint gave no code (HTTP ${r.status}${loc ? `, ${loc}` : ''})`);
  await transport.finishAuth(code);
}

/** Runs `op`; on UnauthorizedError authorizes and tries again (a few times at most). */
async function authorized<T>(what: string, op: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!(err instanceof UnauthorizedError) || attempt >= 3) throw err;
      log(`${what}: unauthorized; authorizing`);
      await consent();
    }
  }
}

async function main(): Promise<number> {
  await authorized('connect', async () => {
    // A transport that failed to connect cannot be started again: a new one (same provider, same tokens).
    await client.close().catch(() => {});
    transport = new StreamableHTTPClientTransport(url, { authProvider: auth });
    client = new Client({ name: 'mcp-conform-sdk-auth-driver', version: '1.0.0' });
    await client.connect(transport);
  });
  const { tools } = await authorized('tools/list', () => client.listTools());
  for (const tool of tools) {
    try {
      const r = await authorized(`tools/call ${tool.name}`, () => client.callTool({ name: tool.name, arguments: argumentsFor(tool.inputSchema) }));
      log(`${tool.name}:`, r.isError ? 'tool error' : 'ok');
    } catch (err) {
      log(`${tool.name} failed:`, String(err));
    }
  }
  await transport.terminateSession().catch(() => {});
  await client.close();
  return 0;
}

runDriver(main);
