// Requests/s of the mock server over Streamable HTTP (JSON responses, one session, tools/call
// with schema validation both ways) vs a bare node:http JSON echo server, same client loop, same
// process, same run. Prints both rates and their ratio.
//   node bin/run.js bench/mock.ts [--seconds 2] [--rounds 3] [--concurrency 16]
// bench/speed.ts imports mockBench() and prints its ratio among the others.
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createMockServer, serveMockHttp, tool } from '../mock-server/index.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) || dflt : dflt;
};
let seconds = 2;
let concurrency = 16;

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };

/** One POST over a keep-alive agent (node:http: far cheaper per request than fetch). */
function post(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `concurrency` loops of POSTs for `seconds`; returns completed requests per second. */
async function measure(url: string, headers: Record<string, string>, body: (i: number) => string, check: (text: string) => boolean): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const u = new URL(url);
  let done = 0;
  let bad = 0;
  const until = performance.now() + seconds * 1000;
  let i = 0;
  const loop = async () => {
    while (performance.now() < until) {
      const res = await post(agent, u, headers, body(i++));
      if (res.status !== 200 || !check(res.text)) bad++;
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const rate = done / ((performance.now() - t0) / 1000);
  agent.destroy();
  if (bad) throw new Error(`${bad} of ${done} answers were wrong`);
  return rate;
}

const call = (i: number) => JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${i}` } } });

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  close(): Promise<void>;
}

async function mockTarget(): Promise<Target> {
  const server = createMockServer(
    { serverInfo: { name: 'bench', version: '1' } },
    tool('echo', {
      inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
      handler: (args) => String(args.message),
    }),
  );
  const served = await serveMockHttp(server, { responseMode: 'json' });
  const agent = new Agent({ keepAlive: true });
  const u = new URL(served.url);
  const init = await post(agent, u, HEADERS, JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }));
  const headers = { ...HEADERS, 'mcp-session-id': String(init.headers['mcp-session-id']) };
  await post(agent, u, headers, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  agent.destroy();
  return { name: 'mcp-conform mock (Streamable HTTP, tools/call, validated)', url: served.url, headers, close: () => served.close() };
}

async function bareTarget(): Promise<Target> {
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number; params: { arguments: { message: string } } };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: msg.params.arguments.message }] } }));
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    name: 'bare node:http JSON echo',
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    headers: HEADERS,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface MockBenchResult {
  /** Medians, requests per second. */
  bare: number;
  mock: number;
  rounds: { bare: number[]; mock: number[] };
  names: { bare: string; mock: string };
}

/** The mock server vs a bare node:http echo: a warm-up, then `rounds` alternating rounds of `secs` each. */
export async function mockBench(opts: { seconds?: number; rounds?: number; concurrency?: number } = {}): Promise<MockBenchResult> {
  seconds = opts.seconds ?? 2;
  concurrency = opts.concurrency ?? 16;
  const rounds = opts.rounds ?? 3;
  const ok = (t: string) => t.includes('"text":"m');
  const targets: Target[] = [];
  const rates: number[][] = [[], []];
  try {
    targets.push(await bareTarget(), await mockTarget());
    // Warm-up (JIT, validator compilation), then alternate rounds so load changes hit both alike.
    for (const t of targets) await measure(t.url, t.headers, call, ok);
    for (let r = 0; r < rounds; r++) for (const [i, t] of targets.entries()) rates[i]!.push(await measure(t.url, t.headers, call, ok));
  } finally {
    for (const t of targets) await t.close();
  }
  return { bare: median(rates[0]!), mock: median(rates[1]!), rounds: { bare: rates[0]!, mock: rates[1]! }, names: { bare: targets[0]!.name, mock: targets[1]!.name } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rounds = arg('rounds', 3);
  const secs = arg('seconds', 2);
  const conc = arg('concurrency', 16);
  const r = await mockBench({ seconds: secs, rounds, concurrency: conc });
  console.log(`${r.names.bare}: ${Math.round(r.bare)} req/s (rounds: ${r.rounds.bare.map(Math.round).join(', ')})`);
  console.log(`${r.names.mock}: ${Math.round(r.mock)} req/s (rounds: ${r.rounds.mock.map(Math.round).join(', ')})`);
  console.log(`ratio mock/bare: ${(r.mock / r.bare).toFixed(2)} (median of ${rounds} alternating rounds of ${secs} s, ${conc} requests in flight)`);
}
