// basic/lifecycle: initialization, version negotiation, capability negotiation.
import { isRevision, STATEFUL_REVISIONS, validate } from '../../schema/index.ts';
import { check, CheckContext } from '../harness/index.ts';
import { cite } from '../kit/index.ts';

const page = (anchor: string) => cite(STATEFUL_REVISIONS, `basic/lifecycle#${anchor}`);

/** A protocol version no server supports: a newer client's. */
export const UNKNOWN_VERSION = '2099-01-01';

check(
  {
    id: 'lifecycle/initialize-result',
    title: 'initialize is answered with a valid InitializeResult',
    level: 'MUST',
    requirement: 'The server MUST respond with its own capabilities and information.',
    spec: page('initialization'),
  },
  async (t) => {
    const c = await t.connect();
    const reply = await c.initialize();
    const result = t.expectResult(reply, 'initialize');
    const v = validate(t.revision, 'InitializeResult', result);
    t.expect(v.valid, `the initialize result is not a valid InitializeResult: ${v.errors.map((e) => `${e.pointer || '/'} ${e.message}`).join('; ')}`, reply);
  },
);

check(
  {
    id: 'lifecycle/server-info',
    title: 'initialize result names the server (serverInfo.name, serverInfo.version)',
    level: 'MUST',
    requirement: 'The server MUST respond with its own capabilities and information.',
    spec: page('initialization'),
  },
  async (t) => {
    const c = await t.connect();
    const reply = await c.initialize();
    const info: unknown = (t.expectResult(reply, 'initialize') as { serverInfo?: unknown }).serverInfo;
    if (typeof info !== 'object' || info === null) return t.fail('the initialize result has no serverInfo object', reply);
    const { name, version } = info as { name?: unknown; version?: unknown };
    t.expect(typeof name === 'string' && name !== '', 'serverInfo.name is missing or empty', reply);
    t.expect(typeof version === 'string', 'serverInfo.version is missing', reply);
  },
);

/** Opens a connection, asks for `version`, returns the version answered (or the error reply). */
async function negotiate(t: Parameters<Parameters<typeof check>[1]>[0], version: string) {
  const c = await t.connect({ protocolVersion: version });
  await c.start();
  return c.initialize();
}

check(
  {
    id: 'lifecycle/version-same',
    title: 'a supported protocol version is answered with the same version',
    level: 'MUST',
    requirement: 'If the server supports the requested protocol version, it MUST respond with the same version.',
    spec: page('version-negotiation'),
  },
  async (t) => {
    const reply = await negotiate(t, t.revision);
    const answered = t.expectResult(reply, 'initialize').protocolVersion;
    if (answered === t.revision) return;
    // It answered another version, so it claims to support that one: asked for it, it must echo it.
    if (!isRevision(answered)) return t.fail(`asked for ${t.revision}, the server answered ${JSON.stringify(answered)}, which is no MCP revision`, reply);
    const again = await negotiate(t, answered);
    const second = t.expectResult(again, 'initialize').protocolVersion;
    t.expect(second === answered, `the server answered ${answered} when asked for ${t.revision}, but asked for ${answered} it answered ${JSON.stringify(second)}`, again);
    t.notApplicable(`the server does not support ${t.revision} (it answered ${answered})`);
  },
);

check(
  {
    id: 'lifecycle/version-unknown',
    title: 'an unsupported protocol version is answered with a version the server supports',
    level: 'MUST',
    requirement: 'Otherwise, the server MUST respond with another protocol version it supports.',
    spec: page('version-negotiation'),
  },
  async (t) => {
    const reply = await negotiate(t, UNKNOWN_VERSION);
    const answered = t.expectResult(reply, `initialize with protocolVersion ${UNKNOWN_VERSION}`).protocolVersion;
    t.expect(answered !== UNKNOWN_VERSION, `the server accepted the unknown protocol version ${UNKNOWN_VERSION} instead of offering one it supports`, reply);
    if (!isRevision(answered)) return t.fail(`the server answered protocolVersion ${JSON.stringify(answered)}, which is no MCP revision`, reply);
    const again = await negotiate(t, answered);
    const echoed = t.expectResult(again, `initialize with protocolVersion ${answered}`).protocolVersion;
    t.expect(echoed === answered, `the server offered ${answered}, but asked for ${answered} it answered ${JSON.stringify(echoed)}: it does not support what it offered`, again);
  },
);

check(
  {
    id: 'lifecycle/version-unknown-latest',
    title: 'the version offered for an unsupported one is the latest the server supports',
    level: 'SHOULD',
    requirement: 'This SHOULD be the latest version supported by the server.',
    spec: page('version-negotiation'),
  },
  async (t) => {
    const own = await negotiate(t, t.revision);
    if (!own.ok || own.result.protocolVersion !== t.revision) return t.notApplicable(`the server does not support ${t.revision}`);
    const reply = await negotiate(t, UNKNOWN_VERSION);
    if (!reply.ok) return t.notVerified('initialize with an unknown version was answered with an error (see lifecycle/version-unknown)', reply);
    const offered = reply.result.protocolVersion;
    t.expect(typeof offered === 'string' && offered >= t.revision, `asked for an unknown version the server offered ${JSON.stringify(offered)}, older than ${t.revision}, which it supports`, reply);
  },
);

// Capability → a request that works when it is declared; for features a server "supports" by
// offering items, also: items listed only when declared (`items`: the list a result carries).
const PROBES: { capability: string; method: string; params: Record<string, unknown>; items?: string }[] = [
  { capability: 'tools', method: 'tools/list', params: {}, items: 'tools' },
  { capability: 'resources', method: 'resources/list', params: {}, items: 'resources' },
  { capability: 'prompts', method: 'prompts/list', params: {}, items: 'prompts' },
  // Logging is declared by servers that *emit* log messages; answering setLevel alone is no claim.
  { capability: 'logging', method: 'logging/setLevel', params: { level: 'info' } },
];

check(
  {
    id: 'lifecycle/capabilities-honoured',
    title: 'declared capabilities work; tools, resources and prompts are served only when declared',
    level: 'MUST',
    requirement:
      'Capabilities establish which optional protocol features will be available during the session. Servers that support tools (resources, prompts) MUST declare the tools (resources, prompts) capability; servers that emit log message notifications MUST declare the logging capability. (A server that lists no tools, resources or prompts does not support them: nothing requires it to refuse the list request.)',
    spec: page('capability-negotiation'),
  },
  async (t) => {
    const c = await t.session();
    const caps = c.serverCapabilities as Record<string, unknown>;
    const declared = (name: string) => caps[name] !== undefined && caps[name] !== null;
    for (const p of PROBES) {
      const reply = await c.request(p.method, p.params);
      if (declared(p.capability)) {
        if (!reply.ok) t.fail(`the server declares the ${p.capability} capability, but ${p.method} was answered with error ${reply.error.code} ${JSON.stringify(reply.error.message)}`, reply);
      } else if (reply.ok && p.items) {
        // The MUST binds servers that support the feature: listing items shows it; an empty list does not.
        const listed = Array.isArray(reply.result[p.items]) ? (reply.result[p.items] as unknown[]).length : 0;
        if (listed > 0 || typeof reply.result.nextCursor === 'string') t.fail(`the server does not declare the ${p.capability} capability, yet ${p.method} lists ${listed} item(s)${listed ? '' : ' and a next page'}`, reply);
        else t.note(`${p.method} was answered with an empty list without the ${p.capability} capability declared: no support shown, and no refusal required`);
      }
    }
    const logs = c.peer.received.filter((m) => m.method === 'notifications/message');
    t.expect(declared('logging') || logs.length === 0, 'the server sent notifications/message without declaring the logging capability', logs);
  },
);

check(
  {
    id: 'lifecycle/no-requests-before-initialized',
    title: 'no requests other than ping from the server before notifications/initialized',
    level: 'SHOULD',
    requirement: 'The server SHOULD NOT send requests other than pings and logging before receiving the initialized notification.',
    spec: page('initialization'),
  },
  async (t) => {
    const c = await t.connect({ capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: {} } });
    t.expectResult(await c.initialize({ sendInitialized: false }), 'initialize');
    await t.expectSilence(c, 'the server sent a request before the initialized notification', (m) => typeof m.method === 'string' && Object.hasOwn(m, 'id') && m.method !== 'ping', t.quietMs * 2);
  },
);

check(
  {
    id: 'lifecycle/request-before-initialize',
    title: 'a request before initialize is still answered, and initialize works after it',
    level: 'MUST',
    requirement: 'The initialization phase MUST be the first interaction between client and server; a request sent before it is still a JSON-RPC request, which is answered with a result or an error.',
    spec: page('initialization'),
    // About being answered at all: a request left unanswered breaks it.
    timely: true,
  },
  async (t) => {
    const c = await t.connect();
    // Served or refused (by JSON-RPC error, or by HTTP status where the transport wants a session first),
    // either is an answer; no answer at all is the failure.
    await c.request('tools/list', {}).catch((err: unknown) => {
      if (!CheckContext.httpRefusal(err)) throw err;
    });
    t.expectResult(await c.initialize(), 'initialize after an early request');
  },
);
