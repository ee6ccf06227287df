// Throughput of the fuzz loop (generate a sequence, send it, wait for the replies and the barrier
// ping, judge it) in messages per second, next to the raw round-trip rate of the same transport
// measured in the same run: against an in-memory mock server and against a stdio echo process.
//
//   node bin/run.js bench/fuzz.ts [--seconds 5]
// bench/speed.ts imports fuzzBench() and prints its ratios among the others.
import { pathToFileURL } from 'node:url';
import { createMockServer, tool } from '../mock-server/index.ts';
import { fuzzSequences, memoryFactory, SessionPool, targetFactory, type FuzzReport, type StepContext, type TargetFactory } from '../suites/fuzz/index.ts';

let seconds = 5;

/** A stdio server that answers every request with an empty result (initialize with a handshake result). */
const ECHO = `
let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    let m; try { m = JSON.parse(line); } catch { continue; }
    if (!m || typeof m.method !== 'string' || !('id' in m)) continue;
    const result = m.method === 'initialize' ? { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'echo', version: '0' } } : {};
    process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }) + '\\n');
  }
});
process.stdin.on('end', () => process.exit(0));
`;

function memoryTarget(): TargetFactory {
  return memoryFactory(() =>
    createMockServer(
      { serverInfo: { name: 'bench', version: '0' } },
      tool('echo', { inputSchema: { type: 'object', properties: { message: { type: 'string' } } }, annotations: { readOnlyHint: true }, handler: (a) => ({ content: [{ type: 'text', text: String(a.message) }] }) }),
    ),
  );
}

function echoTarget(): TargetFactory {
  return targetFactory({ kind: 'stdio', command: process.execPath, args: ['-e', ECHO] }, 'stdio echo process');
}

/** Round trips per second: sequential pings, and pings 8 at a time (how the fuzz loop pipelines). */
async function rawRates(factory: TargetFactory): Promise<{ sequential: number; pipelined: number }> {
  const pool = new SessionPool(factory, { revision: '2025-11-25', requestTimeoutMs: 5_000, spare: false });
  try {
    const s = await pool.acquire();
    let n = 0;
    let end = performance.now() + seconds * 500;
    const t0 = performance.now();
    while (performance.now() < end) {
      await s.peer.request('ping', undefined, { id: `b-${n++}` });
    }
    const sequential = n / ((performance.now() - t0) / 1000);
    let m = 0;
    end = performance.now() + seconds * 500;
    const t1 = performance.now();
    while (performance.now() < end) {
      await Promise.all(Array.from({ length: 8 }, () => s.peer.request('ping', undefined, { id: `p-${m++}` })));
    }
    const pipelined = m / ((performance.now() - t1) / 1000);
    return { sequential, pipelined };
  } finally {
    await pool.close();
  }
}

async function fuzzRate(factory: TargetFactory): Promise<{ rate: number; runs: number; messages: number }> {
  const pool = new SessionPool(factory, { revision: '2025-11-25', requestTimeoutMs: 1_000, spare: false });
  try {
    const first = await pool.acquire();
    pool.release(first, true);
    const ctx: StepContext = { rev: '2025-11-25', receiver: 'server', transport: factory.transport, capabilities: first.serverCapabilities, tools: [], excludeMethods: ['initialize'] };
    const report: Pick<FuzzReport, 'exercised' | 'runs' | 'messages' | 'notes' | 'errors'> = {
      exercised: { 'stays-alive': 0, 'one-response-per-request': 0, 'valid-responses': 0, 'error-codes': 0, 'tool-call-protocol-errors': 0, 'stateful-model': 0, cancellation: 0 },
      runs: 0,
      messages: 0,
      notes: [],
      errors: [],
    };
    // Warm-up: compile the arbitraries and validators outside the measurement.
    await fuzzSequences(pool, ctx, { oracles: ['stays-alive'], seed: 99, runs: 20, deadline: Date.now() + 30_000, requestTimeoutMs: 1_000, maxSteps: 8, report, log: () => {}, observeOnly: true });
    report.runs = 0;
    report.messages = 0;
    const t0 = performance.now();
    await fuzzSequences(pool, ctx, { oracles: ['stays-alive'], seed: 1, runs: 1_000_000, deadline: Date.now() + seconds * 1000, requestTimeoutMs: 1_000, maxSteps: 8, report, log: () => {}, observeOnly: true });
    const secs = (performance.now() - t0) / 1000;
    if (report.errors.length) throw new Error(report.errors.join('; '));
    return { rate: report.messages / secs, runs: report.runs, messages: report.messages };
  } finally {
    await pool.close();
  }
}

export interface FuzzBenchRow {
  target: string;
  /** Raw round trips per second, one ping at a time and 8 in flight. */
  sequential: number;
  pipelined: number;
  /** Fuzz-loop messages per second. */
  fuzz: number;
  runs: number;
}

/** The fuzz loop and the raw round trip of the same transport, in-memory and over stdio, `secs` per measurement. */
export async function fuzzBench(secs = 5): Promise<FuzzBenchRow[]> {
  seconds = secs;
  const out: FuzzBenchRow[] = [];
  for (const [name, make] of [
    ['in-memory mock server', memoryTarget],
    ['stdio echo process', echoTarget],
  ] as const) {
    const raw = await rawRates(make());
    const fuzz = await fuzzRate(make());
    out.push({ target: name, sequential: raw.sequential, pipelined: raw.pipelined, fuzz: fuzz.rate, runs: fuzz.runs });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const secs = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 5;
  const rows: string[][] = [['target', 'raw round trips/s (sequential)', 'raw messages/s (8 in flight)', 'fuzz loop messages/s', 'fuzz / sequential', 'fuzz / pipelined']];
  for (const r of await fuzzBench(secs)) {
    rows.push([r.target, r.sequential.toFixed(0), r.pipelined.toFixed(0), `${r.fuzz.toFixed(0)} (${r.runs} runs)`, `${(r.fuzz / r.sequential).toFixed(2)}×`, `${(r.fuzz / r.pipelined).toFixed(2)}×`]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  console.log(`\n${secs} s per measurement; the fuzz loop generates each sequence from the schema, sends it, waits for the replies and a barrier ping, and judges every reply (schema validation included).`);
}
