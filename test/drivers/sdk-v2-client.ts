// A client driver for the official TypeScript SDK v2 client (`@modelcontextprotocol/client`), the
// dual-era client (2026-07-28 by `server/discover`, else the 2025 initialize handshake), over
// Streamable HTTP or stdio, with its OAuth support in the auth scenarios:
//
//   mcp-conform client -- node bin/run.js test/drivers/sdk-v2-client.ts            (HTTP: URL appended)
//   mcp-conform client -- node bin/run.js test/drivers/sdk-v2-client.ts --stdio {server}
//
// As test/drivers/sdk-client.ts does for v1, it does what an application built on the SDK does:
// connect with `versionNegotiation: { mode: 'auto' }` (the SDK's opt-in to 2026-07-28; a dual-era
// application's setting), list tools (the SDK walks nextCursor itself), call each tool with
// arguments that fit its schema (asking for progress, with the scenario's request timeout), answer
// roots/sampling/elicitation as the scripted user of common.ts (the SDK routes 2026-07-28
// input_required requests to the same handlers), refetch tools on list_changed, then close (DELETE
// the session on HTTP). In an `auth/…` scenario it authorizes as sdk-auth-client.ts does for v1:
// an OAuthClientProvider (headless-provider.ts) whose "browser" reads code and iss from Location,
// handed to transport.finishAuth(); ClientCredentialsProvider / PrivateKeyJwtProvider with the
// context's credentials. Anything the SDK does on the wire is the SDK's behaviour, not the driver's.
import {
  Client,
  ClientCredentialsProvider,
  CrossAppAccessProvider,
  DpopSession,
  PrivateKeyJwtProvider,
  ProtocolError,
  SSEClientTransport,
  SdkHttpError,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type OAuthClientProvider,
  type Tool,
  type Transport,
  requestJwtAuthorizationGrant,
} from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { callArguments, driverContext, elicitationAnswer, log, parseTarget, ROOTS, samplingAnswer, type Target, runDriver } from './common.ts';
import { HeadlessProvider } from './headless-provider.ts';

const ctx = driverContext();
// A test may shorten the default request timeout (the broken-stream call waits for it in full).
if (!('requestTimeoutMs' in ctx.context) && Number(process.env.SDK_V2_DRIVER_TIMEOUT_MS) > 0) ctx.requestTimeoutMs = Number(process.env.SDK_V2_DRIVER_TIMEOUT_MS);
const target: Target = parseTarget(process.argv.slice(2));
const isAuth = ctx.scenario.startsWith('auth/');
const roots = [...ROOTS];
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const SECOND_ROOT = { uri: 'file:///tmp/mcp-conform-root-2', name: 'a root the user added' };
const OFFICIAL_CIMD_PLACEHOLDER = 'https://conformance-test.local/client-metadata.json';
const REDIRECT = 'http://127.0.0.1:9/callback'; // never contacted: the code is read from Location
let refetches = 0;

function authProvider(): OAuthClientProvider {
  const c = ctx.context;
  const str = (k: string) => (typeof c[k] === 'string' ? c[k] : '');
  // Enterprise-managed authorization (SEP-990): the SDK's CrossAppAccessProvider, its ID-JAG got
  // from the enterprise IdP by the SDK's own RFC 8693 token exchange, with the context's ID token.
  if (typeof c.idp_id_token === 'string' && typeof c.client_id === 'string') {
    return new CrossAppAccessProvider({
      clientId: c.client_id,
      clientSecret: str('client_secret'),
      assertion: async (x) =>
        (await requestJwtAuthorizationGrant({ tokenEndpoint: str('idp_token_endpoint'), audience: x.authorizationServerUrl, resource: x.resourceUrl, idToken: str('idp_id_token'), clientId: str('idp_client_id'), ...(x.scope ? { scope: x.scope } : {}), fetchFn: x.fetchFn })).jwtAuthGrant,
    });
  }
  if (ctx.scenario.includes('client-credentials') && typeof c.client_id === 'string') {
    if (typeof c.private_key_pem === 'string') return new PrivateKeyJwtProvider({ clientId: c.client_id, privateKey: c.private_key_pem, algorithm: String(c.signing_algorithm ?? 'ES256') });
    return new ClientCredentialsProvider({ clientId: c.client_id, clientSecret: String(c.client_secret ?? '') });
  }
  const given = typeof c.client_id === 'string' ? { client_id: c.client_id, ...(typeof c.client_secret === 'string' ? { client_secret: c.client_secret } : {}) } : undefined;
  const p = new HeadlessProvider(REDIRECT, { client_name: 'mcp-conform-sdk-v2-driver' }, given);
  // As for v1: the SDK uses a client ID metadata document only at an https URL the application
  // hosts; the driver names the official suite's placeholder (the mock accepts it unfetched).
  p.clientMetadataUrl = OFFICIAL_CIMD_PLACEHOLDER;
  // DPoP (SEP-1932) is the application's opt-in (provider.dpop(), one session for the client's
  // life); the driver opts in in the DPoP scenarios only, so the others see it as before.
  if (ctx.scenario.startsWith('auth/dpop')) {
    const session = DpopSession.create();
    return Object.assign(p, { dpop: () => session });
  }
  return p;
}
const auth = isAuth ? authProvider() : undefined;

function newClient(): Client {
  const client = new Client(
    { name: 'mcp-conform-sdk-v2-driver', version: '1.0.0' },
    {
      capabilities: { roots: { listChanged: true }, sampling: { tools: {} }, elicitation: { form: {}, url: {} } },
      versionNegotiation: { mode: 'auto' },
      listChanged: {
        tools: {
          onChanged: (error) => {
            refetches++;
            if (error) log('tools refetch failed:', String(error));
          },
        },
      },
    },
  );
  client.setRequestHandler('roots/list', () => {
    const answer = { roots: [...roots] };
    // context.roots.change: the user adds a root after the first listing; the application tells the SDK.
    if (isRecord(ctx.context.roots) && ctx.context.roots.change === true && roots.length === ROOTS.length) {
      roots.push(SECOND_ROOT);
      setImmediate(() => void client.sendRootsListChanged().catch((err: unknown) => log('roots/list_changed failed:', String(err))));
    }
    return answer;
  });
  client.setRequestHandler('sampling/createMessage', (req) => {
    // context.sampling.action reject: the user says no (client/sampling#error-handling: -1).
    if (isRecord(ctx.context.sampling) && ctx.context.sampling.action === 'reject') throw new ProtocolError(-1, 'User rejected sampling request');
    return samplingAnswer(req.params as Parameters<typeof samplingAnswer>[0]) as never;
  });
  client.setRequestHandler('elicitation/create', (req) => elicitationAnswer(req.params as Record<string, unknown>, ctx));
  return client;
}

let transport: Transport | undefined;
let client = newClient();

/** The user agent: follows the authorization URL once; code and iss come back in Location. */
async function consent(): Promise<void> {
  if (!(auth instanceof HeadlessProvider) || !auth.authorizationUrl) throw new Error('unauthorized, and no authorization URL to follow');
  const u = auth.authorizationUrl;
  auth.authorizationUrl = undefined;
  const r = await fetch(u, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
  await r.body?.cancel();
  const loc = r.headers.get('location');
  const params = loc ? new URL(loc).searchParams : undefined;
  if (!params?.get('code')) throw new Error(`the authorization endpoint gave no code (HTTP ${r.status}${loc ? `, ${loc}` : ''})`);
  // The SDK leaves state to the application ("compare it to your stored value before calling
  // finishAuth"): the state it stored is the one in the authorization URL it opened.
  if (params.get('state') !== u.searchParams.get('state')) throw new Error('the authorization response carries another state: not redeeming its code');
  if (!(transport instanceof StreamableHTTPClientTransport)) throw new Error('authorization over Streamable HTTP only');
  // The preferred form: the SDK reads code and iss (RFC 9207) from the callback parameters.
  await transport.finishAuth(params);
}

/** Runs `op`; on UnauthorizedError authorizes and tries again (a few times at most). */
async function authorized<T>(what: string, op: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!auth || !(err instanceof UnauthorizedError) || attempt >= 3) throw err;
      log(`${what}: unauthorized; authorizing`);
      await consent();
    }
  }
}

async function connect(): Promise<void> {
  const opts = { timeout: ctx.requestTimeoutMs };
  if (target.kind === 'stdio') {
    transport = new StdioClientTransport({ command: target.command, args: target.args, stderr: 'inherit' });
    await client.connect(transport, opts);
    return;
  }
  const url = new URL(target.url);
  try {
    await authorized('connect', async () => {
      // A transport that failed to connect cannot be started again: a new one (same provider, same tokens).
      if (transport) {
        await client.close().catch(() => {});
        client = newClient();
      }
      transport = new StreamableHTTPClientTransport(url, auth ? { authProvider: auth } : {});
      await client.connect(transport, opts);
    });
  } catch (err) {
    // The SDK's documented backwards compatibility: a 4xx to the POST means an HTTP+SSE server.
    const status = err instanceof SdkHttpError ? (err.data as { status?: number } | undefined)?.status : undefined;
    if (auth || (status !== 400 && status !== 404 && status !== 405)) throw err;
    log(`Streamable HTTP refused (${status}); falling back to HTTP+SSE`);
    await client.close().catch(() => {});
    client = newClient();
    transport = new SSEClientTransport(url);
    await client.connect(transport, opts);
  }
}

async function main(): Promise<number> {
  await connect();
  log('connected:', client.getProtocolEra() ?? '?', client.getNegotiatedProtocolVersion() ?? '?');
  let failures = 0;
  const caps = client.getServerCapabilities() ?? {};
  if (ctx.scenario === 'cache-ttl') {
    // Two rounds of listings and a read (the second after context.cache.waitMs), through whatever cache the SDK keeps; a tool call; resources listed twice.
    const cache = isRecord(ctx.context.cache) ? ctx.context.cache : {};
    for (const uri of ['test://cache/a', 'test://cache/b']) {
      if (uri.endsWith('b')) await new Promise((r) => setTimeout(r, typeof cache.waitMs === 'number' ? cache.waitMs : 1000));
      await client.listTools();
      if (caps.prompts) await client.listPrompts();
      if (caps.resources) await client.readResource({ uri });
    }
    await client.callTool({ name: 'add_numbers', arguments: { a: 2, b: 3 } });
    if (caps.resources) for (let i = 0; i < 2; i++) await client.listResources();
    await client.close();
    return 0;
  }
  if (ctx.scenario === 'resource-not-found-legacy-code' && caps.resources) {
    // Read every listed resource first; one of them is answered with -32002.
    const { resources } = await client.listResources();
    for (const r of resources) await client.readResource({ uri: r.uri }).catch((err: unknown) => log(`resources/read ${r.uri} failed:`, String(err)));
  }
  if (caps.tools) {
    const { tools } = await authorized('tools/list', () => client.listTools(undefined, { timeout: ctx.requestTimeoutMs }));
    const seen = new Set<string>();
    for (const tool of tools as Tool[]) {
      if (seen.has(tool.name)) continue;
      seen.add(tool.name);
      try {
        const result = await authorized(`tools/call ${tool.name}`, () =>
          client.callTool({ name: tool.name, arguments: callArguments(ctx, tool, tools) }, { timeout: ctx.requestTimeoutMs, onprogress: (p) => log('progress', p) }),
        );
        log(`${tool.name}:`, result.isError ? 'tool error' : 'ok');
      } catch (err) {
        failures++;
        log(`${tool.name} failed:`, String(err));
      }
    }
    // Let a list_changed refetch (debounced by the SDK) finish before closing.
    await new Promise((r) => setTimeout(r, refetches === 0 && ctx.scenario === 'list-changed' ? 600 : 50));
  }
  if (!isAuth && caps.prompts) await client.listPrompts().catch((err: unknown) => log('prompts/list failed:', String(err)));
  if (!isAuth && caps.resources) await client.listResources().catch((err: unknown) => log('resources/list failed:', String(err)));
  if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch((err: unknown) => log('DELETE failed:', String(err)));
  await client.close();
  log(`done (${failures} failed call(s))`);
  return 0;
}

runDriver(main);
