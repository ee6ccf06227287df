import { afterEach, describe, expect, it } from 'vitest';
import {
  completion,
  createMemoryPair,
  createMockServer,
  expectRequest,
  logs,
  MockClient,
  notify,
  on,
  Peer,
  prompt,
  resource,
  resourceTemplate,
  RpcError,
  serverRequest,
  tool,
  type MockServer,
} from '../../mock-server/index.ts';
import type { Revision } from '../../schema/index.ts';

const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function track(s: MockServer): MockServer {
  servers.push(s);
  return s;
}

async function legacyClient(server: MockServer, opts: ConstructorParameters<typeof MockClient>[1] = {}) {
  const [a, b] = createMemoryPair();
  await server.connect(b);
  const client = new MockClient(a, { requestTimeoutMs: 2000, ...opts });
  await client.start();
  return client;
}

const modernMeta = (extra: Record<string, unknown> = {}, caps: Record<string, unknown> = {}) => ({
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': caps,
  ...extra,
});

async function modernPeer(server: MockServer) {
  const [a, b] = createMemoryPair();
  await server.connect(b);
  const peer = new Peer(a, { role: 'client', revision: '2026-07-28', requestTimeoutMs: 2000 });
  await peer.start();
  return peer;
}

const echo = tool('echo', {
  description: 'Echoes',
  inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
  outputSchema: { type: 'object', properties: { echoed: { type: 'string' } }, required: ['echoed'] },
  annotations: { readOnlyHint: true, title: 'Echo' },
  title: 'Echo tool',
  handler: (args) => ({ structuredContent: { echoed: String(args.message) } }),
});

describe('MockServer, stateful revisions', () => {
  it('negotiates the version: the client’s when served, else the newest served', async () => {
    const server = track(createMockServer({ revisions: ['2024-11-05', '2025-03-26', '2025-06-18'] }, echo));
    const c1 = await legacyClient(server, { protocolVersion: '2025-03-26' });
    expect((await c1.initialize()).ok && c1.initializeResult?.protocolVersion).toBe('2025-03-26');
    const c2 = await legacyClient(server, { protocolVersion: '2025-11-25' });
    expect((await c2.initialize()).ok && c2.initializeResult?.protocolVersion).toBe('2025-06-18');
    const c3 = await legacyClient(server, { protocolVersion: '1999-01-01' });
    await c3.initialize();
    expect(c3.initializeResult?.protocolVersion).toBe('2025-06-18');
    expect(server.sessions.size).toBe(3);
    for (const s of server.sessions) expect(s.peer.violations).toEqual([]);
  });

  it('answers only ping before initialize, and a second initialize with an error', async () => {
    const server = track(createMockServer({}, echo));
    const c = await legacyClient(server);
    expect(await c.request('tools/list')).toMatchObject({ ok: false, error: { code: -32600 } });
    expect(await c.request('ping')).toMatchObject({ ok: true, result: {} });
    await c.initialize();
    expect((await c.initialize()).ok).toBe(false);
  });

  it('fits tool definitions and results to the revision', async () => {
    const server = track(createMockServer({}, echo));
    for (const [rev, hasOutput, hasAnnotations] of [
      ['2024-11-05', false, false],
      ['2025-03-26', false, true],
      ['2025-06-18', true, true],
      ['2025-11-25', true, true],
    ] as [Revision, boolean, boolean][]) {
      const c = await legacyClient(server, { protocolVersion: rev });
      await c.initialize();
      const list = await c.request<{ tools: Record<string, unknown>[] }>('tools/list');
      const t = list.ok ? list.result.tools[0]! : {};
      expect('outputSchema' in t, rev).toBe(hasOutput);
      expect('annotations' in t, rev).toBe(hasAnnotations);
      const call = await c.request('tools/call', { name: 'echo', arguments: { message: 'hi' } });
      expect(call.ok && 'structuredContent' in call.result, rev).toBe(hasOutput);
      expect(call).toMatchObject({ ok: true, result: { content: [{ type: 'text', text: '{"echoed":"hi"}' }] } });
      expect(c.peer.violations, rev).toEqual([]);
    }
    expect(server.problems).toEqual([]);
  });

  it('unknown tool is -32602; invalid arguments are isError from 2025-11-25, -32602 before', async () => {
    const server = track(createMockServer({}, echo));
    const c = await legacyClient(server);
    await c.initialize();
    expect(await c.request('tools/call', { name: 'nope', arguments: {} })).toMatchObject({ ok: false, error: { code: -32602 } });
    expect(await c.request('tools/call', { name: 'echo', arguments: { message: 3 } })).toMatchObject({ ok: true, result: { isError: true } });
    const old = await legacyClient(server, { protocolVersion: '2025-06-18' });
    await old.initialize();
    expect(await old.request('tools/call', { name: 'echo', arguments: {} })).toMatchObject({ ok: false, error: { code: -32602 } });
  });

  it('paginates with opaque cursors and rejects invalid ones', async () => {
    const tools = Array.from({ length: 7 }, (_, i) => tool(`t${i}`, { result: `r${i}` }));
    const server = track(createMockServer({ pageSize: 3 }, tools));
    const c = await legacyClient(server);
    await c.initialize();
    const names: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await c.request<{ tools: { name: string }[]; nextCursor?: string }>('tools/list', cursor ? { cursor } : {});
      if (!r.ok) throw new Error('list failed');
      names.push(...r.result.tools.map((t) => t.name));
      cursor = r.result.nextCursor;
      if (!cursor) break;
    }
    expect(names).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
    expect(await c.request('tools/list', { cursor: 'bogus' })).toMatchObject({ ok: false, error: { code: -32602 } });
  });

  it('reads resources and templates; not found is -32002', async () => {
    const server = track(
      createMockServer(
        {},
        resource('test://a', { name: 'a', text: 'A' }),
        resourceTemplate('test://item/{id}', { name: 'item', text: 'item {{vars.id}}', complete: { id: ['one', 'two', 'three'] } }),
      ),
    );
    const c = await legacyClient(server);
    await c.initialize();
    expect(await c.request('resources/read', { uri: 'test://a' })).toMatchObject({ ok: true, result: { contents: [{ uri: 'test://a', text: 'A' }] } });
    expect(await c.request('resources/read', { uri: 'test://item/42' })).toMatchObject({ ok: true, result: { contents: [{ text: 'item 42' }] } });
    expect(await c.request('resources/read', { uri: 'test://zzz' })).toMatchObject({ ok: false, error: { code: -32002, data: { uri: 'test://zzz' } } });
    const comp = await c.request('completion/complete', { ref: { type: 'ref/resource', uri: 'test://item/{id}' }, argument: { name: 'id', value: 't' } });
    expect(comp).toMatchObject({ ok: true, result: { completion: { values: ['two', 'three'], total: 2, hasMore: false } } });
  });

  it('filters logs by logging/setLevel and sends resources/updated only to subscribers', async () => {
    const server = track(
      createMockServer(
        {},
        resource('test://w', 'w'),
        tool('go', { result: 'ok' }),
        logs([{ level: 'debug', data: 'dbg' }, { level: 'error', data: 'err' }], { during: 'tools/call' }),
        notify('notifications/resources/updated', { uri: 'test://w' }, { after: 'tools/call' }),
      ),
    );
    const c = await legacyClient(server);
    await c.initialize();
    expect(c.serverCapabilities).toMatchObject({ logging: {}, resources: { subscribe: true }, tools: {} });
    await c.request('tools/call', { name: 'go' });
    await new Promise((r) => setTimeout(r, 30));
    expect(c.peer.received.filter((m) => m.method === 'notifications/message').map((m) => (m.params as { data: string }).data)).toEqual(['dbg', 'err']);
    expect(c.peer.received.some((m) => m.method === 'notifications/resources/updated')).toBe(false);
    await c.request('logging/setLevel', { level: 'warning' });
    await c.request('resources/subscribe', { uri: 'test://w' });
    await c.request('tools/call', { name: 'go' });
    await c.peer.waitFor((m) => m.method === 'notifications/resources/updated', 1000, { includePast: true });
    expect(c.peer.received.filter((m) => m.method === 'notifications/message').length).toBe(3);
  });

  it('gets prompts with arguments and completes them', async () => {
    const server = track(
      createMockServer(
        {},
        prompt('greet', {
          description: 'Greets',
          arguments: [{ name: 'who', required: true }],
          messages: [{ role: 'user', content: { type: 'text', text: 'Hello {{arguments.who}}' } }],
        }),
        completion({ type: 'ref/prompt', name: 'greet' }, 'who', ['world', 'wonder', 'x']),
      ),
    );
    const c = await legacyClient(server);
    await c.initialize();
    expect(await c.request('prompts/get', { name: 'greet', arguments: { who: 'Ann' } })).toMatchObject({ ok: true, result: { messages: [{ content: { text: 'Hello Ann' } }] } });
    expect(await c.request('prompts/get', { name: 'greet' })).toMatchObject({ ok: false, error: { code: -32602 } });
    expect(await c.request('completion/complete', { ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'who', value: 'w' } })).toMatchObject({
      ok: true,
      result: { completion: { values: ['world', 'wonder'] } },
    });
    expect(c.peer.violations).toEqual([]);
  });

  it('sends server requests on triggers and records the client’s replies', async () => {
    const replies: unknown[] = [];
    const server = track(
      createMockServer(
        {},
        tool('ask', {
          asks: { who: { method: 'elicitation/create', params: { message: 'Name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } } } },
          result: 'Hi {{input.who.content.name}}',
        }),
        serverRequest('roots/list', undefined, { after: 'initialized' }, { onReply: (r) => replies.push(r) }),
      ),
    );
    const c = await legacyClient(server, {
      capabilities: { roots: {}, elicitation: {} },
      handlers: { 'elicitation/create': () => ({ action: 'accept', content: { name: 'Bo' } }), 'roots/list': () => ({ roots: [{ uri: 'file:///x' }] }) },
    });
    await c.initialize();
    expect(await c.request('tools/call', { name: 'ask', arguments: {} })).toMatchObject({ ok: true, result: { content: [{ text: 'Hi Bo' }] } });
    await new Promise((r) => setTimeout(r, 30));
    expect(replies).toEqual([{ roots: [{ uri: 'file:///x' }] }]);
    expect(server.clientReplies.map((r) => r.method).sort()).toEqual(['elicitation/create', 'roots/list']);
    // Without the capability the server does not ask; the tool reports an internal error.
    const bare = await legacyClient(server);
    await bare.initialize();
    expect(await bare.request('tools/call', { name: 'ask', arguments: {} })).toMatchObject({ ok: false, error: { code: -32603 } });
  });

  it('announces list changes after use() and lets handlers override methods', async () => {
    const server = track(createMockServer({}, echo));
    const c = await legacyClient(server);
    await c.initialize();
    server.use(tool('extra', { result: 'x' }), on('tools/call', () => { throw new RpcError(-32000, 'down'); }, { name: 'echo' }));
    await c.peer.waitFor((m) => m.method === 'notifications/tools/list_changed', 1000, { includePast: true });
    const list = await c.request<{ tools: { name: string }[] }>('tools/list');
    expect(list.ok && list.result.tools.map((t) => t.name)).toEqual(['extra', 'echo']);
    expect(await c.request('tools/call', { name: 'echo', arguments: { message: 'a' } })).toMatchObject({ ok: false, error: { code: -32000 } });
    server.resetHandlers();
    expect(await c.request('tools/call', { name: 'echo', arguments: { message: 'a' } })).toMatchObject({ ok: true });
  });

  it('verifies expectations', async () => {
    const server = track(createMockServer({}, echo, expectRequest({ method: 'tools/call', params: { name: 'echo' }, within: 5000 }), expectRequest({ method: 'prompts/list' })));
    const c = await legacyClient(server);
    await c.initialize();
    await c.request('tools/call', { name: 'echo', arguments: { message: 'x' } });
    const v = server.verify();
    expect(v.map((r) => r.met)).toEqual([true, false]);
    expect(() => server.assertExpectations()).toThrow(/prompts\/list/);
  });
});

describe('MockServer, 2026-07-28 stateless', () => {
  it('answers server/discover and decorates every result', async () => {
    const server = track(createMockServer({ serverInfo: { name: 'm', version: '1' }, pageSize: 1 }, echo, tool('two', { result: '2' })));
    const p = await modernPeer(server);
    const d = await p.request('server/discover', { _meta: modernMeta() });
    expect(d).toMatchObject({ ok: true, result: { resultType: 'complete', supportedVersions: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'], ttlMs: 0, cacheScope: 'public', _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'm' } } } });
    const l = await p.request<{ nextCursor: string }>('tools/list', { _meta: modernMeta() });
    expect(l).toMatchObject({ ok: true, result: { resultType: 'complete', tools: [{ name: 'echo' }] } });
    const l2 = await p.request('tools/list', { _meta: modernMeta(), cursor: l.ok ? l.result.nextCursor : '' });
    expect(l2).toMatchObject({ ok: true, result: { tools: [{ name: 'two' }] } });
    expect(await p.request('tools/call', { _meta: modernMeta(), name: 'echo', arguments: { message: 'm' } })).toMatchObject({ ok: true, result: { resultType: 'complete', structuredContent: { echoed: 'm' } } });
    expect(p.violations).toEqual([]);
  });

  it('rejects unsupported versions, missing _meta, removed methods; not found is -32602', async () => {
    const server = track(createMockServer({ revisions: ['2026-07-28'] }, echo, resource('test://a', 'A')));
    const p = await modernPeer(server);
    expect(await p.request('tools/list', { _meta: modernMeta({ 'io.modelcontextprotocol/protocolVersion': '1900-01-01' }) })).toMatchObject({
      ok: false,
      error: { code: -32022, data: { supported: ['2026-07-28'], requested: '1900-01-01' } },
    });
    expect(await p.request('tools/list', {})).toMatchObject({ ok: false, error: { code: -32602 } });
    expect(await p.request('ping', { _meta: modernMeta() })).toMatchObject({ ok: false, error: { code: -32601 } });
    expect(await p.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } })).toMatchObject({ ok: false, error: { code: -32022 } });
    expect(await p.request('resources/read', { _meta: modernMeta(), uri: 'test://none' })).toMatchObject({ ok: false, error: { code: -32602, data: { uri: 'test://none' } } });
    expect(await p.request('tools/list', { _meta: modernMeta({ 'io.modelcontextprotocol/logLevel': 'loud' }) })).toMatchObject({ ok: false, error: { code: -32602 } });
  });

  it('asks for input with input_required and completes on the retry', async () => {
    const server = track(
      createMockServer(
        { revisions: ['2026-07-28'] },
        tool('ask', {
          asks: { who: { method: 'elicitation/create', params: { mode: 'form', message: 'Name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } } } },
          handler: async (_a, ctx) => {
            const roots = await ctx.listRoots();
            return `Hi ${String((ctx.input.who as { content: { name: string } }).content.name)} with ${roots.roots.length} roots`;
          },
        }),
      ),
    );
    const p = await modernPeer(server);
    const caps = { elicitation: {}, roots: {} };
    expect(await p.request('tools/call', { _meta: modernMeta({}, {}), name: 'ask', arguments: {} })).toMatchObject({ ok: false, error: { code: -32021, data: { requiredCapabilities: { elicitation: {} } } } });
    const r1 = await p.request<{ requestState: string; inputRequests: Record<string, unknown> }>('tools/call', { _meta: modernMeta({}, caps), name: 'ask', arguments: {} });
    expect(r1).toMatchObject({ ok: true, result: { resultType: 'input_required', inputRequests: { who: { method: 'elicitation/create' } } } });
    if (!r1.ok) return;
    const r2 = await p.request<{ requestState: string }>('tools/call', {
      _meta: modernMeta({}, caps),
      name: 'ask',
      arguments: {},
      requestState: r1.result.requestState,
      inputResponses: { who: { action: 'accept', content: { name: 'Al' } } },
    });
    expect(r2).toMatchObject({ ok: true, result: { resultType: 'input_required', inputRequests: { roots: { method: 'roots/list' } } } });
    if (!r2.ok) return;
    const r3 = await p.request('tools/call', { _meta: modernMeta({}, caps), name: 'ask', arguments: {}, requestState: r2.result.requestState, inputResponses: { roots: { roots: [] } } });
    expect(r3).toMatchObject({ ok: true, result: { resultType: 'complete', content: [{ text: 'Hi Al with 0 roots' }] } });
    // A tampered or misplaced requestState is rejected.
    expect(await p.request('tools/call', { _meta: modernMeta({}, caps), name: 'ask', arguments: { x: 1 }, requestState: r2.result.requestState })).toMatchObject({ ok: false, error: { code: -32602 } });
    expect(p.violations).toEqual([]);
    // inputResponses that is no InputResponses object is a protocol error, not a missing answer
    // (the test peer records these requests of its own as violations: they are meant to be invalid).
    for (const inputResponses of ['not an object', { roots: 'not a result' }]) {
      expect(await p.request('tools/call', { _meta: modernMeta({}, caps), name: 'ask', arguments: {}, requestState: r2.result.requestState, inputResponses })).toMatchObject({ ok: false, error: { code: -32602 } });
    }
  });

  it('opens listen streams: acknowledgement first, tagged notifications, graceful close', async () => {
    const server = track(createMockServer({ revisions: ['2026-07-28'] }, echo, resource('test://w', 'w')));
    const p = await modernPeer(server);
    const listen = p.request('subscriptions/listen', { _meta: modernMeta(), notifications: { toolsListChanged: true, promptsListChanged: true, resourceSubscriptions: ['test://w'] } }, { id: 'L1', timeoutMs: 5000 });
    const ack = await p.waitFor((m) => m.method === 'notifications/subscriptions/acknowledged', 1000, { includePast: true });
    expect(ack.params).toEqual({ _meta: { 'io.modelcontextprotocol/subscriptionId': 'L1' }, notifications: { toolsListChanged: true, resourceSubscriptions: ['test://w'] } });
    server.use(tool('new', { result: 'n' }));
    const lc = await p.waitFor((m) => m.method === 'notifications/tools/list_changed', 1000, { includePast: true });
    expect(lc.params).toEqual({ _meta: { 'io.modelcontextprotocol/subscriptionId': 'L1' } });
    await server.sessions.values().next().value!.deliver('notifications/resources/updated', { uri: 'test://w' }, undefined, false);
    await p.waitFor((m) => m.method === 'notifications/resources/updated', 1000, { includePast: true });
    await server.close();
    expect(await listen).toMatchObject({ ok: true, result: { resultType: 'complete', _meta: { 'io.modelcontextprotocol/subscriptionId': 'L1' } } });
    expect(p.violations).toEqual([]);
  });

  it('logs only for requests that set a level', async () => {
    const server = track(createMockServer({ revisions: ['2026-07-28'] }, tool('go', { result: 'ok' }), logs([{ level: 'info', data: 'i' }, { level: 'error', data: 'e' }], { during: 'tools/call' })));
    const p = await modernPeer(server);
    await p.request('tools/call', { _meta: modernMeta(), name: 'go' });
    await p.request('tools/call', { _meta: modernMeta({ 'io.modelcontextprotocol/logLevel': 'warning' }), name: 'go' });
    await new Promise((r) => setTimeout(r, 20));
    expect(p.received.filter((m) => m.method === 'notifications/message').map((m) => (m.params as { data: string }).data)).toEqual(['e']);
  });

  it('serves both eras on one connection', async () => {
    const server = track(createMockServer({}, echo));
    const c = await legacyClient(server);
    await c.initialize();
    expect(await c.request('tools/list', { _meta: modernMeta() })).toMatchObject({ ok: true, result: { resultType: 'complete' } });
    expect(await c.request('tools/list')).toMatchObject({ ok: true, result: { tools: [{ name: 'echo' }] } });
    const l = await c.request('tools/list');
    expect(l.ok && 'resultType' in l.result).toBe(false);
  });
});
