// Each fault, shown to reach the client as described.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryPair,
  createMockServer,
  MockClient,
  parseFault,
  serveMockHttp,
  StdioClientTransport,
  TimeoutError,
  tool,
  withFaults,
  type FaultInput,
  type FaultKind,
} from '../../mock-server/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function mock() {
  return createMockServer({}, tool('echo', { inputSchema: { type: 'object' }, result: 'echo {{arguments.n}}' }));
}

/** A mock served through faults on an in-memory pair, and an initialized client. */
async function faulty(faults: FaultInput[], opts: { seed?: number; initialize?: boolean } = {}) {
  const server = mock();
  const fired: FaultKind[] = [];
  const [a, b] = createMemoryPair();
  await server.connect(withFaults(b, faults, { seed: opts.seed ?? 1, onfault: (k) => fired.push(k) }));
  const client = new MockClient(a, { requestTimeoutMs: 10_000 });
  await client.start();
  if (opts.initialize !== false) expect((await client.initialize()).ok).toBe(true);
  cleanup.push(() => client.close());
  return { server, client, fired };
}

const call = (client: MockClient, n: number, timeoutMs = 10_000) => client.request('tools/call', { name: 'echo', arguments: { n } }, { timeoutMs });

describe('message-level faults', () => {
  it('parses fault specs and rejects bad ones', () => {
    expect(parseFault('delay:ms=500,method=tools/call')).toEqual({ kind: 'delay', ms: 500, method: 'tools/call' });
    expect(parseFault('http-status:503,p=0.5')).toEqual({ kind: 'http-status', status: 503, p: 0.5 });
    expect(() => parseFault('teleport')).toThrow(/unknown fault "teleport"/);
    expect(() => parseFault('delay:ms=-1')).toThrow(/non-negative/);
    expect(() => parseFault('drop:colour=red')).toThrow(/unknown option "colour"/);
    expect(() => parseFault('malformed:direction=in')).toThrow(/incoming/);
  });

  it('delay: the response arrives late', async () => {
    const { client } = await faulty(['delay:ms=300,method=tools/call']);
    const t0 = performance.now();
    expect(await call(client, 1)).toMatchObject({ ok: true });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('drop: the request never gets an answer', async () => {
    const { client, fired } = await faulty(['drop:method=tools/call,nth=1']);
    await expect(call(client, 1, 300)).rejects.toBeInstanceOf(TimeoutError);
    expect(await call(client, 2)).toMatchObject({ ok: true });
    expect(fired).toEqual(['drop']);
  });

  it('disconnect: the connection closes instead of the answer', async () => {
    const { client } = await faulty(['disconnect:method=tools/call']);
    await expect(call(client, 1)).rejects.toThrow(/closed/);
    expect(client.peer.closed).toBe(true);
  });

  it('duplicate: the same response comes twice', async () => {
    const { client } = await faulty(['duplicate:method=tools/call']);
    const r = await call(client, 1);
    await client.peer.waitFor(() => client.peer.unsolicited.length > 0, 500).catch(() => {});
    await new Promise((res) => setTimeout(res, 20));
    expect(client.peer.unsolicited).toEqual([r.message]);
  });

  it('wrong-id: the response names an id nobody asked for', async () => {
    const { client } = await faulty(['wrong-id:method=tools/call']);
    await expect(call(client, 1, 300)).rejects.toBeInstanceOf(TimeoutError);
    expect(client.peer.unsolicited[0]).toMatchObject({ result: { content: [{ text: 'echo 1' }] } });
    expect(typeof client.peer.unsolicited[0]!.id).toBe('number');
  });

  it('malformed: half a message arrives (invalid JSON)', async () => {
    const { client } = await faulty(['malformed:method=tools/call']);
    await expect(call(client, 1, 300)).rejects.toBeInstanceOf(TimeoutError);
    expect(client.peer.wire.entries.some((e) => e.dir === 'recv' && e.note?.startsWith('not JSON'))).toBe(true);
  });

  it('oversized: a valid message padded to a large size', async () => {
    const { client } = await faulty(['oversized:bytes=2000000,method=tools/call']);
    const r = await call(client, 1, 5_000);
    expect(r.ok).toBe(true);
    expect(JSON.stringify(r.message).length).toBeGreaterThan(2_000_000);
  });

  it('reorder: responses arrive newest first', async () => {
    const { client } = await faulty(['reorder:count=3,method=tools/call']);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => call(client, n).then(() => order.push(n))));
    expect(order).toEqual([3, 2, 1]);
  });

  it('incoming faults and probability with a seed are reproducible', async () => {
    const pattern = async (seed: number) => {
      const details: string[] = [];
      const server = mock();
      const [a, b] = createMemoryPair();
      await server.connect(withFaults(b, ['drop:method=tools/call,p=0.5'], { seed, onfault: (_k, d) => details.push(d) }));
      const client = new MockClient(a);
      await client.start();
      await client.initialize();
      await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => call(client, i, 300).catch(() => undefined)));
      await client.close();
      return details;
    };
    const first = await pattern(42);
    expect(first).toEqual(await pattern(42));
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(8);
    expect(await pattern(7)).not.toEqual(first);
    const { client } = await faulty(['drop:direction=in,method=tools/call,nth=1']);
    await expect(call(client, 1, 300)).rejects.toBeInstanceOf(TimeoutError);
    expect(await call(client, 2)).toMatchObject({ ok: true });
  });

  it('stderr-noise: a stdio mock writes noise to stderr and still answers (CLI --fault)', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [`${ROOT}bin/mcp-conform.js`, 'mock', '--reference', '--stdio', '--fault', 'stderr-noise:count=4'], cwd: ROOT });
    const client = new MockClient(transport, { requestTimeoutMs: 20_000 });
    await client.start();
    cleanup.push(() => client.close());
    expect((await client.initialize()).ok).toBe(true);
    expect(await client.request('ping')).toMatchObject({ ok: true });
    expect(transport.stderr).toContain('debug noise line');
    expect(transport.stderr).toContain('stderr noise 1 is not a message');
  }, 60_000);
});

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'faults', version: '1' } } };

async function httpMock(faults: FaultInput[], responseMode: 'json' | 'sse' = 'json') {
  const served = await serveMockHttp(mock(), { faults, responseMode });
  cleanup.push(() => served.close());
  const post = (body: unknown, session?: string, signal?: AbortSignal) =>
    fetch(served.url, { method: 'POST', headers: { ...HEADERS, ...(session ? { 'mcp-session-id': session } : {}) }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
  const open = async () => {
    const r = await post(init);
    expect(r.status).toBe(200);
    await r.text();
    const session = r.headers.get('mcp-session-id')!;
    expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)).status).toBe(202);
    return session;
  };
  return { url: served.url, post, open };
}

const listTools = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list' });

describe('HTTP-level faults', () => {
  it('http-status: the chosen requests get 400, 404, 500 or 503', async () => {
    for (const status of [400, 404, 500, 503]) {
      const { post, open } = await httpMock([`http-status:status=${status},method=tools/list`]);
      const session = await open();
      const r = await post(listTools(2), session);
      expect(r.status).toBe(status);
      expect(await r.text()).toContain(`injected HTTP ${status}`);
      expect((await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, session)).status).toBe(200);
    }
  });

  it('expire-session: the session ends; this and later requests get 404', async () => {
    const { post, open } = await httpMock(['expire-session:method=tools/list,after=1']);
    const session = await open();
    expect((await post(listTools(2), session)).status).toBe(200);
    expect((await post(listTools(3), session)).status).toBe(404);
    expect((await post({ jsonrpc: '2.0', id: 4, method: 'ping' }, session)).status).toBe(404);
  });

  it('stuck-sse: an SSE stream opens and never sends', async () => {
    const { post, open } = await httpMock(['stuck-sse:method=tools/list']);
    const session = await open();
    const ctrl = new AbortController();
    const r = await post(listTools(2), session, ctrl.signal);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const reader = r.body!.getReader();
    const got = await Promise.race([reader.read().then(() => 'data'), new Promise((res) => setTimeout(() => res('nothing'), 500))]);
    expect(got).toBe('nothing');
    ctrl.abort();
  });

  it('slow-sse: SSE responses are paced chunk by chunk', async () => {
    const { post, open } = await httpMock(['slow-sse:ms=250,method=tools/list'], 'sse');
    const session = await open();
    const t0 = performance.now();
    const r = await post(listTools(2), session);
    const text = await r.text();
    expect(text).toContain('"tools"');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
  });
});
