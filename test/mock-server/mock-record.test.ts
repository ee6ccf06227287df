// Record and replay: a real server's session proxied and recorded (credentials redacted), then
// served back as a mock with ids rewritten; an unmatched request gets a clear error.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CassetteWriter,
  connectTarget,
  createMemoryPair,
  MockClient,
  readCassette,
  recordProxy,
  redact,
  referenceServer,
  ReplayServer,
  serveMockHttp,
  StdioClientTransport,
} from '../../mock-server/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EVERYTHING = `${ROOT}node_modules/@modelcontextprotocol/server-everything/dist/index.js`;
const CLI = `${ROOT}bin/mcp-conform.js`;
const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const tmp = () => mkdtempSync(join(tmpdir(), 'mock-record-'));

/** The same little session, against whatever the transport reaches. */
async function session(client: MockClient) {
  await client.start();
  const init = await client.initialize();
  const tools = await client.request('tools/list');
  const echo = await client.request('tools/call', { name: 'echo', arguments: { message: 'Bearer abcdefghijklmnop0123' } });
  const sum = await client.request('tools/call', { name: 'get-sum', arguments: { a: 1, b: 2 } }, { onprogress: () => {} });
  return { init, tools, echo, sum };
}

describe('record and replay', () => {
  it('redacts credentials and token-like values', () => {
    expect(
      redact({
        headers: { Authorization: 'Bearer abc.def.ghi', 'X-Api-Key': 'k', Accept: 'text/plain' },
        params: { token: 'secret', password: 'p', note: 'use Bearer abcdefghijklmnop please', jwt: 'eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl', key: 'sk-abcdefghijklmnopqrstuv' },
        list: ['ghp_abcdefghijklmnopqrstuvwxyz012345'],
      }),
    ).toEqual({
      headers: { Authorization: '[REDACTED]', 'X-Api-Key': '[REDACTED]', Accept: 'text/plain' },
      params: { token: '[REDACTED]', password: '[REDACTED]', note: 'use Bearer [REDACTED] please', jwt: '[REDACTED]', key: '[REDACTED]' },
      list: ['[REDACTED]'],
    });
  });

  it('records server-everything through a proxy and replays it with new ids', async () => {
    const file = join(tmp(), 'everything.jsonl');
    const writer = new CassetteWriter(file, { target: `stdio: node ${EVERYTHING} stdio` });
    const [front, clientSide] = createMemoryPair();
    const back = new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'] });
    const { closed } = await recordProxy(clientSide, back, writer);
    const live = await session(new MockClient(front, { requestTimeoutMs: 15_000 }));
    expect(live.init.ok && live.echo.ok && live.sum.ok).toBe(true);
    await front.close();
    expect(await closed).toMatch(/client/);

    const cassette = readCassette(file);
    expect(cassette.header).toMatchObject({ type: 'mcp-conform-cassette', version: 1 });
    expect(cassette.entries.filter((e) => e.dir === 'c2s').length).toBeGreaterThanOrEqual(5);
    // The token-like argument was redacted in the recording, in both directions.
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('abcdefghijklmnop0123');
    expect(text).toContain('Bearer [REDACTED]');

    const replay = new ReplayServer(cassette);
    const [a, b] = createMemoryPair();
    await replay.connect(b);
    const client = new MockClient(a, { requestTimeoutMs: 5_000, clientInfo: { name: 'another-client', version: '9' } });
    cleanup.push(() => client.close());
    // Different ids than recorded: a few requests first.
    await client.start();
    await client.peer.request('ping', undefined, { id: 'x-1' }).catch(() => {});
    const init = await client.initialize();
    expect(init).toMatchObject({ ok: true, result: { protocolVersion: live.init.ok ? live.init.result.protocolVersion : '' } });
    const tools = await client.request('tools/list', undefined, { id: 'custom-id' });
    expect(tools.id).toBe('custom-id');
    expect(tools.ok && tools.result).toEqual(live.tools.ok && live.tools.result);
    const echo = await client.request('tools/call', { name: 'echo', arguments: { message: 'Bearer [REDACTED]' } });
    expect(echo.ok).toBe(true);
    const unmatched = await client.request('tools/call', { name: 'get-sum', arguments: { a: 5, b: 5 } });
    expect(unmatched).toMatchObject({ ok: false, error: { code: -32603, data: { method: 'tools/call', params: { name: 'get-sum', arguments: { a: 5, b: 5 } } } } });
    expect(unmatched.ok ? '' : unmatched.error.message).toMatch(/replay: no recorded tools\/call request matches these params \(\d recorded with other params\)/);
    expect(replay.unmatched).toHaveLength(2);
  }, 60_000);

  it('records over Streamable HTTP (--url) with its headers redacted', async () => {
    const served = await serveMockHttp(referenceServer());
    cleanup.push(() => served.close());
    const file = join(tmp(), 'http.jsonl');
    const target = { kind: 'http' as const, url: served.url, headers: { Authorization: 'Bearer live-token-123456789' } };
    const writer = new CassetteWriter(file, { target: served.url, headers: target.headers });
    const [front, clientSide] = createMemoryPair();
    await recordProxy(clientSide, connectTarget(target), writer);
    const client = new MockClient(front, { requestTimeoutMs: 10_000 });
    cleanup.push(() => client.close());
    await client.start();
    expect((await client.initialize()).ok).toBe(true);
    expect(await client.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 } })).toMatchObject({ ok: true, result: { structuredContent: { sum: 2 } } });
    const cassette = readCassette(file);
    expect(cassette.header.headers).toEqual({ Authorization: '[REDACTED]' });
    expect(readFileSync(file, 'utf8')).not.toContain('live-token');
  }, 60_000);

  it('mcp-conform mock --record -- CMD, then --replay FILE, over stdio', async () => {
    const file = join(tmp(), 'cli.jsonl');
    const rec = new MockClient(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mock', '--record', file, '--', process.execPath, EVERYTHING, 'stdio'], cwd: ROOT }), { requestTimeoutMs: 30_000 });
    const live = await session(rec);
    expect(live.sum.ok).toBe(true);
    await rec.close();
    const play = new MockClient(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mock', '--replay', file, '--stdio'], cwd: ROOT }), { requestTimeoutMs: 30_000 });
    cleanup.push(() => play.close());
    const replayed = await session(play);
    expect(replayed.tools.ok && replayed.tools.result).toEqual(live.tools.ok && live.tools.result);
    expect(replayed.sum.ok && replayed.sum.result).toEqual(live.sum.ok && live.sum.result);
  }, 90_000);
});
