import { describe, expect, it } from 'vitest';
import { groupGone } from '../helpers/processes.ts';
import { createMemoryPair, ErrorCode, Peer, RpcError, StdioClientTransport, TimeoutError } from '../../mock-server/index.ts';

function pair() {
  const [a, b] = createMemoryPair();
  const client = new Peer(a, { role: 'client', revision: '2025-11-25', requestTimeoutMs: 500 });
  const server = new Peer(b, { role: 'server', revision: '2025-11-25' });
  return { client, server };
}

describe('Peer', () => {
  it('correlates requests and responses, including ids 0 and ""', async () => {
    const { client, server } = pair();
    server.setRequestHandler('ping', () => ({}));
    for (const id of [0, '', 'x', 42]) {
      const r = await client.request('ping', undefined, { id });
      expect(r).toMatchObject({ ok: true, id, result: {} });
    }
  });

  it('answers unknown methods with -32601, invalid params with -32602, handler errors as given', async () => {
    const { client, server } = pair();
    server.setRequestHandler('tools/call', () => {
      throw new RpcError(ErrorCode.InvalidParams, 'Unknown tool');
    });
    expect(await client.request('nope/nope')).toMatchObject({ ok: false, error: { code: -32601 } });
    expect(await client.request('tools/call', {})).toMatchObject({ ok: false, error: { code: -32602 } });
    expect(await client.request('tools/call', { name: 'x' })).toMatchObject({ ok: false, error: { code: -32602, message: 'Unknown tool' } });
  });

  it('answers malformed JSON with -32700 and records schema violations', async () => {
    const { client, server } = pair();
    await client.send({ raw: '{not json' });
    const err = await client.waitFor((m) => m.id === null, 500, { includePast: true });
    expect(err).toMatchObject({ error: { code: ErrorCode.ParseError } });
    await client.send({ jsonrpc: '1.0', id: 5, method: 'ping' });
    await client.waitFor((m) => m.id === 5, 500, { includePast: true });
    expect(server.violations.some((v) => v.violations.some((x) => x.pointer === '/jsonrpc'))).toBe(true);
  });

  it('does not answer a cancelled request', async () => {
    const { client, server } = pair();
    server.setRequestHandler('tools/call', (_p, ctx) => new Promise((r) => ctx.signal.addEventListener('abort', () => r({ content: [] }))));
    const p = client.request('tools/call', { name: 'slow' }, { id: 9, timeoutMs: 300 });
    await client.notify('notifications/cancelled', { requestId: 9 });
    await expect(p).rejects.toBeInstanceOf(TimeoutError);
    expect(client.unsolicited).toHaveLength(0);
  });

  it('routes progress notifications to the requester', async () => {
    const { client, server } = pair();
    server.setRequestHandler('tools/call', async (_p, ctx) => {
      await ctx.peer.notify('notifications/progress', { progressToken: ctx.progressToken!, progress: 1, total: 2 });
      return { content: [] };
    });
    const seen: unknown[] = [];
    await client.request('tools/call', { name: 't' }, { onprogress: (p) => seen.push(p.progress) });
    expect(seen).toEqual([1]);
  });
});

describe('StdioClientTransport', () => {
  it('talks to a child process and kills its group on close', async () => {
    const script = `process.stdin.on('data', d => { for (const l of String(d).split('\\n')) if (l) { const m = JSON.parse(l); process.stdout.write(JSON.stringify({jsonrpc:'2.0', id:m.id, result:{}})+'\\n'); } }); console.error('hello from stderr'); require('child_process').spawn('sleep', ['60'], {stdio:'ignore'});`;
    const t = new StdioClientTransport({ command: process.execPath, args: ['-e', script] });
    const peer = new Peer(t, { role: 'client', revision: '2025-11-25' });
    await peer.start();
    expect(await peer.request('ping')).toMatchObject({ ok: true });
    const pid = t.pid!;
    await peer.close();
    expect(await groupGone(pid)).toBe(true);
    expect(t.stderr).toContain('hello from stderr');
  });
});
