// Our transports against real peers: the official SDK client against our servers, and our clients
// against @modelcontextprotocol/server-everything in its streamableHttp and sse modes.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  createSseHandler,
  createStreamableHttpHandler,
  serveHttp,
  SseClientTransport,
  stopChild,
  StreamableHttpClientTransport,
  trackChild,
  type Peer,
  type Transport,
} from '../../mock-server/index.ts';
import { groupGone } from '../helpers/processes.ts';
import { echoServer, initializedClient } from './transports-fixtures.ts';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function sdkClient(): Client {
  const c = new Client({ name: 'sdk-interop', version: '1.0.0' });
  cleanup.push(() => c.close());
  return c;
}

describe('SDK client against our servers', () => {
  for (const responseMode of ['json', 'sse'] as const) {
    it(`StreamableHTTPClientTransport talks to createStreamableHttpHandler (${responseMode})`, async () => {
      const peers: Peer[] = [];
      const handler = createStreamableHttpHandler({
        responseMode,
        onSession: async (t) => {
          const p = echoServer(t);
          peers.push(p);
          await p.start();
        },
      });
      const served = await serveHttp(handler);
      cleanup.push(() => served.close());
      const client = sdkClient();
      const transport = new StreamableHTTPClientTransport(new URL(`${served.url}/mcp`));
      await client.connect(transport);
      expect(client.getServerVersion()).toMatchObject({ name: 'echo' });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['echo']);
      const result = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
      expect(result.content).toEqual([{ type: 'text', text: 'hello' }]);
      expect(transport.sessionId).toBe([...handler.sessions.keys()][0]);
      // The SDK sends the negotiated version after initialize, and opens the GET stream we offer.
      const later = handler.exchanges.filter((x) => x.method === 'POST').slice(1);
      expect(later.map((x) => x.requestHeaders['mcp-protocol-version'])).toEqual(later.map(() => '2025-11-25'));
      expect(handler.exchanges.some((x) => x.method === 'GET' && x.status === 200 && x.contentType === 'text/event-stream')).toBe(true);
      expect(peers[0]!.violations).toEqual([]);
      await transport.terminateSession();
      expect(handler.sessions.size).toBe(0);
    });
  }

  it('SSEClientTransport talks to createSseHandler', async () => {
    const handler = createSseHandler({ onSession: async (t) => void (await echoServer(t).start()) });
    const served = await serveHttp(handler);
    cleanup.push(() => served.close());
    const client = sdkClient();
    await client.connect(new SSEClientTransport(new URL(`${served.url}/sse`)));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['echo']);
    expect(handler.sessions.size).toBe(1);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts server-everything in a mode on a free port; resolves once it says it listens. */
async function startEverything(mode: 'streamableHttp' | 'sse'): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['node_modules/@modelcontextprotocol/server-everything/dist/index.js', mode], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  trackChild(child);
  cleanup.push(async () => {
    const pid = child.pid!;
    await stopChild(child, 1_000);
    expect(await groupGone(pid)).toBe(true);
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server-everything ${mode} did not start: ${stderr}`)), 15_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/listening on port|running on port/i.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything exited with ${code}: ${stderr}`));
    });
  });
  return { port, child };
}

async function listTools(transport: Transport, version: string): Promise<{ client: Peer; names: string[] }> {
  const client = await initializedClient(transport, version);
  cleanup.push(() => client.close());
  const r = await client.request('tools/list');
  expect(r.ok).toBe(true);
  const tools = (r.ok ? r.result.tools : []) as Array<{ name: string }>;
  return { client, names: tools.map((t) => t.name) };
}

describe('our clients against server-everything', () => {
  it('Streamable HTTP: initialize, GET stream, tools/list, DELETE on close', async () => {
    const { port } = await startEverything('streamableHttp');
    const t = new StreamableHttpClientTransport({ url: `http://127.0.0.1:${port}/mcp`, getStream: true, requestTimeoutMs: 10_000 });
    const { client, names } = await listTools(t, '2025-11-25');
    expect(names).toContain('echo');
    expect(t.sessionId).toBeDefined();
    expect(client.violations).toEqual([]);
    await expect.poll(() => t.getStreamOpen).toBe(true);
    await client.close();
    expect(t.exchanges.at(-1)).toMatchObject({ method: 'DELETE', status: 200 });
  }, 30_000);

  it('legacy HTTP+SSE: endpoint event, POSTs, replies on the stream', async () => {
    const { port } = await startEverything('sse');
    const t = new SseClientTransport({ url: `http://127.0.0.1:${port}/sse`, requestTimeoutMs: 10_000 });
    const { client, names } = await listTools(t, '2024-11-05');
    expect(names).toContain('echo');
    expect(t.endpoint?.pathname).toBe('/message');
    expect(client.violations).toEqual([]);
  }, 30_000);
});
