// Every speed ratio of issue 15, each measured in this run on this machine (no figure is stored):
// mcp-conform vs the official suite (@modelcontextprotocol/conformance 0.1.16) on one
// server-everything over Streamable HTTP (wall, per row, --revision 2025-11-25 alone); npm start
// and --only lifecycle vs their goals; the client suite on the official SDK client vs the official
// suite's client suite on the same client; the fuzz loop vs the raw round trip (bench/fuzz.ts);
// the mock vs a bare node:http echo (bench/mock.ts); peak RSS of a full run. Then where the time
// goes: CPU in our processes vs the target vs waiting, from /proc (bench/proc.ts).
//
//   node bin/run.js bench/speed.ts [--quick] [--profile] [--keep] [--seconds N] [--official-dir DIR] [--fail-on-miss] [--runs LIST]
//   npm run bench:speed -- --quick
//
// --quick: CI-sized: the official suite once, ours at --revision 2025-11-25 only, --only lifecycle
// (no full npm start, no client suites), fuzz/mock 1 s per measurement.
// --profile: also runs npm start and the full server-everything run under the V8 profiler
// (bench/cpuprof-preload.cjs) and prints our CPU's top self time by module (bench/cpuprofile.ts).
// The official suite needs Node >= 22: it is installed once with a Node 22 from npm into
// node_modules/.cache/mcp-conform/official-0.1.16 (or --official-dir). Exit 0 unless the bench
// itself breaks; --fail-on-miss exits 1 when a goal is missed. --runs measures only some parts
// (everything, start, lifecycle, client, fuzz, mock), e.g. --runs start,lifecycle.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { endOwnProcesses, spawnTracked, stopChild } from '../mock-server/index.ts';
import { byRoom, selfTimeByModule, type CpuProfile } from './cpuprofile.ts';
import { fuzzBench } from './fuzz.ts';
import { mockBench } from './mock.ts';
import { measureRun, type Measured } from './proc.ts';

// (import.meta.url, not .dirname: bin/run.js's bundle keeps only the former naming this file.)
const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
if (flag('help')) {
  console.log(`usage: node bin/run.js bench/speed.ts [--quick] [--profile] [--keep] [--seconds N] [--official-dir DIR] [--fail-on-miss]
  --quick         CI-sized subset: the official suite once, ours at --revision 2025-11-25, --only lifecycle, fuzz/mock 1 s
  --profile       also run npm start and the full server-everything run under the V8 profiler; print our CPU by module
  --keep          keep the temporary folder (results, logs, profiles)
  --seconds N     seconds per fuzz/mock measurement (default 3; 1 with --quick)
  --official-dir  where the official suite and its Node 22 are installed (default node_modules/.cache/mcp-conform/official-0.1.16)
  --fail-on-miss  exit 1 when a goal is missed (default: exit 0; 2 when the bench itself fails)
  --runs LIST     only these parts, comma-separated: everything, start, lifecycle, client, fuzz, mock (default: all)`);
  process.exit(0);
}
const QUICK = flag('quick');
const PROFILE = flag('profile');
const SECONDS = Number(opt('seconds')) || (QUICK ? 1 : 3);
const PARTS = ['everything', 'start', 'lifecycle', 'client', 'fuzz', 'mock'] as const;
const RUNS = new Set<string>(opt('runs')?.split(',').map((x) => x.trim()) ?? PARTS);
for (const r of RUNS) {
  if (!(PARTS as readonly string[]).includes(r)) {
    console.error(`--runs: unknown part "${r}" (one of ${PARTS.join(', ')})`);
    process.exit(2);
  }
}
const part = (p: (typeof PARTS)[number]) => RUNS.has(p);
const OFFICIAL_VERSION = '0.1.16';
// The Node 22 the official suite runs on (it needs >= 22; we run on 20): pinned as the package is.
const NODE22_VERSION = '22.23.3';
const OFFICIAL_DIR = resolve(opt('official-dir') ?? join(ROOT, 'node_modules/.cache/mcp-conform', `official-${OFFICIAL_VERSION}`));
const TMP = mkdtempSync(join(tmpdir(), 'mcp-conform-speed-'));
const NODE = process.execPath;
const CLI = join(ROOT, 'bin/mcp-conform.js');
const SDK_CLIENT = join(ROOT, 'test/drivers/sdk-client.ts');

const log = (s: string) => process.stderr.write(`${s}\n`);
const sec = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const mb = (b: number) => `${Math.round(b / 1e6)} MB`;

// ---- helpers -----------------------------------------------------------------------------------

/** Runs a command to completion (output discarded unless it fails), ended after timeoutMs. */
async function run(command: string, args: string[], opts: { cwd?: string; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  const child = spawnTracked(command, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output = (output + d).slice(-4000)));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output = (output + d).slice(-4000)));
  const timer = setTimeout(() => void stopChild(child, 1_000), opts.timeoutMs);
  const code = await new Promise<number | null>((r) => {
    child.once('exit', (c) => r(c));
    child.once('error', () => r(null));
  });
  clearTimeout(timer);
  return { code, output };
}

interface Official {
  node: string;
  bin: string;
}

/** The official suite and a Node 22 to run it: installed from npm once, then reused. */
async function official(): Promise<Official | string> {
  const node = join(OFFICIAL_DIR, 'node_modules/.bin/node');
  const bin = join(OFFICIAL_DIR, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
  if (!existsSync(node) || !existsSync(bin)) {
    log(`installing @modelcontextprotocol/conformance@${OFFICIAL_VERSION} and node@${NODE22_VERSION} into ${OFFICIAL_DIR} (once) …`);
    mkdirSync(OFFICIAL_DIR, { recursive: true });
    if (!existsSync(join(OFFICIAL_DIR, 'package.json'))) {
      const r = await run('npm', ['init', '-y'], { cwd: OFFICIAL_DIR, timeoutMs: 60_000 });
      if (r.code !== 0) return `npm init failed: ${r.output.trim()}`;
    }
    const r = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `node@${NODE22_VERSION}`, `@modelcontextprotocol/conformance@${OFFICIAL_VERSION}`], { cwd: OFFICIAL_DIR, timeoutMs: 600_000 });
    if (r.code !== 0 || !existsSync(node) || !existsSync(bin)) return `npm install failed (exit ${r.code}): ${r.output.trim().split('\n').slice(-3).join(' / ')}`;
  }
  return { node, bin };
}

/** Checks in an official-suite output folder: the entries of every checks.json under it. */
function officialChecks(dir: string): { checks: number; scenarios: number } {
  let checks = 0;
  let scenarios = 0;
  const walk = (d: string) => {
    for (const e of existsSync(d) ? readdirSync(d, { withFileTypes: true }) : []) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'checks.json') {
        scenarios++;
        try {
          const j: unknown = JSON.parse(readFileSync(p, 'utf8'));
          checks += Array.isArray(j) ? j.length : 0;
        } catch {
          // an unreadable file counts as a scenario without checks
        }
      }
    }
  };
  walk(dir);
  return { checks, scenarios };
}

interface OurCounts {
  total: number;
  passed: number;
  failed: number;
  warned: number;
  notVerified: number;
  revisions: string[];
}

function ourCounts(dir: string): OurCounts | undefined {
  try {
    const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { counts: OurCounts; revisions?: unknown[] };
    const revisions = (r.revisions ?? []).map((x) => (typeof x === 'string' ? x : String((x as { revision?: string }).revision ?? '?')));
    return { ...r.counts, revisions };
  } catch {
    return undefined;
  }
}

const countsText = (c: OurCounts | undefined) => (c ? `${c.total} rows: ${c.passed} passed, ${c.failed} failed, ${c.warned} warned, ${c.notVerified} not verified` : 'no results.json');

/** server-everything over Streamable HTTP on a free loopback port. */
async function startEverything(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? ok(a.port) : fail(new Error('no port'))));
    });
  });
  const entry = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
  // It listens on every interface; we only ever talk to 127.0.0.1.
  const child = spawnTracked(NODE, [entry, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('server-everything did not start within 30 s')), 30_000);
    // Kept reading to the end: a full stderr pipe would stall the server.
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (/listening|running/i.test(d)) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      fail(new Error('server-everything exited at start'));
    });
  });
  return { url: `http://127.0.0.1:${port}/mcp`, pid: child.pid!, stop: () => stopChild(child, 1_000) };
}

// ---- the table -----------------------------------------------------------------------------------

interface Row {
  what: string;
  ours: string;
  theirs: string;
  /** ours / theirs (or / goal); undefined: not measured. */
  ratio?: number;
  goal?: { op: '<=' | '>='; value: number };
  note?: string;
}
const rows: Row[] = [];
const verdict = (r: Row) => (r.ratio === undefined || !Number.isFinite(r.ratio) ? 'n/a' : !r.goal ? '' : (r.goal.op === '<=' ? r.ratio <= r.goal.value : r.ratio >= r.goal.value) ? 'PASS' : 'MISS');

function printTable(): void {
  const cells = [['what', 'ours', 'theirs / goal', 'ratio', 'verdict (goal)']];
  for (const r of rows) {
    const v = verdict(r);
    cells.push([r.what, r.ours, r.theirs, r.ratio === undefined || !Number.isFinite(r.ratio) ? '—' : `${r.ratio.toFixed(2)}×`, r.goal ? `${v} (${r.goal.op === '<=' ? '≤' : '≥'} ${r.goal.value}×)${r.note ? ` ${r.note}` : ''}` : (r.note ?? v)]);
  }
  const w = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  for (const c of cells) console.log(c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(w[i]!))).join('  '));
}

interface Split {
  name: string;
  m: Measured;
}
const splits: Split[] = [];

function printSplits(): void {
  if (!splits.length) return;
  console.log('\nWhere the time goes (from /proc, sampled every 200 ms; waiting: wall not covered by CPU of either side; run queue: main threads runnable but not running, a busy machine):');
  const cells = [['run', 'wall', 'CPU ours', 'CPU target', 'unattributed', 'waiting', 'run queue ours/target', 'peak RSS / PSS ours', 'procs ours/target', 'sampler CPU']];
  for (const { name, m } of splits) {
    cells.push([name, sec(m.wallMs), sec(m.oursCpuMs), sec(m.targetCpuMs), sec(m.unattributedCpuMs), `${sec(m.waitingMs)} (${Math.round((100 * m.waitingMs) / m.wallMs)}%)`, `${sec(m.runQueueMs.ours)} / ${sec(m.runQueueMs.target)}`, `${mb(m.peakRssOurs)} / ${mb(m.peakPssOurs)}`, `${m.seen.ours}/${m.seen.target}`, sec(m.samplerCpuMs)]);
  }
  const w = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  for (const c of cells) console.log(c.map((x, i) => x.padEnd(w[i]!)).join('  '));
}

// ---- the runs ------------------------------------------------------------------------------------

/** One of our CLI runs, measured; its results folder is under TMP. */
async function ours(name: string, args: string[], opts: { timeoutMs: number; isTarget?: (cmd: string) => boolean; externalTarget?: number; env?: NodeJS.ProcessEnv }): Promise<{ m: Measured; counts: OurCounts | undefined; out: string }> {
  const out = join(TMP, name);
  const [sub, ...rest] = args;
  log(`… ${name}: mcp-conform ${args.join(' ')}`);
  const m = await measureRun(NODE, [CLI, sub!, '--out', out, ...rest], { cwd: ROOT, env: opts.env, timeoutMs: opts.timeoutMs, isTarget: opts.isTarget, externalTarget: opts.externalTarget, logPrefix: out });
  const counts = ourCounts(out);
  log(`  ${sec(m.wallMs)}, exit ${m.exitCode ?? m.signal}${m.timedOut ? ' (timed out)' : ''}, ${countsText(counts)}`);
  return { m, counts, out };
}

async function theirs(off: Official, name: string, args: string[], opts: { timeoutMs: number; isTarget?: (cmd: string) => boolean }): Promise<{ m: Measured; checks: number; scenarios: number }> {
  const out = join(TMP, name);
  log(`… ${name}: conformance ${args.join(' ')}`);
  const m = await measureRun(off.node, [off.bin, ...args, '-o', out], { cwd: TMP, timeoutMs: opts.timeoutMs, isTarget: opts.isTarget, logPrefix: out });
  const c = officialChecks(out);
  log(`  ${sec(m.wallMs)}, exit ${m.exitCode ?? m.signal}${m.timedOut ? ' (timed out)' : ''}, ${c.checks} checks in ${c.scenarios} scenarios`);
  return { m, ...c };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const isReference = (cmd: string) => cmd.includes('mock-server/reference/stdio');
const isSdkClient = (cmd: string) => cmd.includes('test/drivers/sdk-client');

const profileLines: string[] = [];

async function profiled(label: string, name: string, args: string[], opts: { timeoutMs: number; isTarget?: (cmd: string) => boolean; externalTarget?: number }): Promise<void> {
  const dir = join(TMP, `${name}-cpuprof`);
  mkdirSync(dir, { recursive: true });
  // Profiled in slices by bench/cpuprof-preload.cjs (in the CLI and its vitest workers only).
  const preload = join(ROOT, 'bench/cpuprof-preload.cjs');
  const env = { ...process.env, MCP_CONFORM_BENCH_CPUPROF_DIR: dir, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require=${preload}`.trim() };
  const r = await ours(name, args, { ...opts, env });
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const mine = files.filter((f) => r.m.oursPids.has(Number(f.split('.')[1])));
  const profiles = mine.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
  // The profiler's own slicing (its stop/start, the JSON it writes) is left out.
  const notProfiler = (x: { module: string }) => !x.module.startsWith('bench/cpuprof-preload.cjs');
  const self = selfTimeByModule(profiles, ROOT).filter(notProfiler);
  const charged = selfTimeByModule(profiles, ROOT, { caller: true }).filter(notProfiler);
  const fns = selfTimeByModule(profiles, ROOT, { caller: true, functions: true }).filter((x) => notProfiler(x) && x.module.includes(' ') && !x.module.startsWith('('));
  const total = self.reduce((a, x) => a + x.ms, 0);
  const pct = (ms: number) => `${((100 * ms) / total).toFixed(1)}%`;
  const list = (xs: Array<{ module: string; ms: number }>, n: number) => xs.slice(0, n).map((x) => `${x.module} ${pct(x.ms)}`).join(', ');
  profileLines.push(
    `\nOur CPU in ${label}, by self time (V8 profiler, main threads of ${new Set(mine.map((f) => f.split('.')[1])).size} of our ${r.m.seen.ours} processes; under the profiler: wall ${sec(r.m.wallMs)}, CPU ours ${sec(r.m.oursCpuMs)}, profiled non-idle ${sec(total)}):`,
    `  where it runs: ${list(byRoom(self), 10)}`,
    `  charged to the calling module of ours or package (Node internals, natives → their caller): ${list(charged, 12)}`,
    `  top functions of ours (charged as above): ${list(fns, 8)}`,
  );
}

/** Builds what a first run would build (bin/run.js bundles, tsx's cache) outside the measurements. */
async function warmUp(): Promise<void> {
  log('… warm-up (not measured): the reference server and SDK client bundles, the CLI');
  const runJs = join(ROOT, 'bin/run.js');
  await run(NODE, [runJs, join(ROOT, 'mock-server/reference/stdio.ts')], { cwd: ROOT, timeoutMs: 120_000 });
  await run(NODE, [runJs, SDK_CLIENT], { cwd: ROOT, timeoutMs: 120_000 }); // exits: no URL given
  await run(NODE, [CLI, 'server', '--list'], { cwd: ROOT, timeoutMs: 120_000 });
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  console.log(`bench/speed.ts${QUICK ? ' --quick' : ''}: ${new Date().toISOString()}, Node ${process.version}, ${cores} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const off = part('everything') || part('client') ? await official() : 'not asked for (--runs)';
  if (typeof off === 'string' && (part('everything') || part('client'))) log(`the official suite cannot run here: ${off}; its rows are not measured`);
  await warmUp();

  // -- server-everything over Streamable HTTP
  if (part('everything')) await everythingRuns(off);

  // -- npm start (the reference server over stdio) and --only lifecycle
  if (!QUICK && part('start')) {
    const start = await ours('npm-start', ['server', '--reference'], { timeoutMs: 1_200_000, isTarget: isReference });
    splits.push({ name: 'npm start (reference server, stdio)', m: start.m });
    rows.push({ what: 'npm start (server --reference): wall', ours: `${sec(start.m.wallMs)}, ${start.counts?.total ?? '?'} rows`, theirs: 'goal 15 s', ratio: start.m.wallMs / 15_000, goal: { op: '<=', value: 1 } });
    rows.push({ what: 'peak RSS of our process tree, npm start', ours: `${mb(start.m.peakRssOurs)} (PSS ${mb(start.m.peakPssOurs)})`, theirs: 'goal 300 MB', ratio: start.m.peakRssOurs / 300e6, goal: { op: '<=', value: 1 } });
  }
  if (part('lifecycle')) {
    const life = await ours('only-lifecycle', ['server', '--reference', '--only', 'lifecycle'], { timeoutMs: 300_000, isTarget: isReference });
    if (QUICK || !part('start')) splits.push({ name: '--reference --only lifecycle', m: life.m });
    rows.push({ what: 'server --reference --only lifecycle: wall', ours: `${sec(life.m.wallMs)}, ${life.counts?.total ?? '?'} rows`, theirs: 'goal 3 s', ratio: life.m.wallMs / 3_000, goal: { op: '<=', value: 1 } });
  }
  if (PROFILE && !QUICK && part('start')) await profiled('npm start', 'npm-start-profiled', ['server', '--reference'], { timeoutMs: 1_800_000, isTarget: isReference });

  // -- the client suites on the official SDK client (Streamable HTTP; the URL is appended by both)
  if (!QUICK && part('client')) {
    const client = await ours('ours-client', ['client', '--', NODE, join(ROOT, 'bin/run.js'), SDK_CLIENT], { timeoutMs: 1_200_000, isTarget: isSdkClient });
    splits.push({ name: 'client suite, official SDK client', m: client.m });
    let theirsText = 'official: not run';
    let ratio = NaN;
    if (typeof off !== 'string') {
      // The official suite's whole client suite ("all": every client scenario it has, run in parallel).
      const t = await theirs(off, 'official-client', ['client', '--command', `${NODE} ${join(ROOT, 'bin/run.js')} ${SDK_CLIENT}`, '--suite', 'all'], { timeoutMs: 1_200_000, isTarget: isSdkClient });
      theirsText = `official ${sec(t.m.wallMs)}, ${t.checks} checks in ${t.scenarios} scenarios`;
      ratio = client.m.wallMs / t.m.wallMs;
    }
    rows.push({ what: 'client suite, official SDK client (HTTP): wall', ours: `${sec(client.m.wallMs)}, ${client.counts?.total ?? '?'} rows`, theirs: theirsText, ratio, goal: { op: '<=', value: 1 } });
  }

  // -- in-process throughput: the fuzz loop and the mock
  if (part('fuzz')) {
    log(`… fuzz loop vs raw round trip (${SECONDS} s per measurement)`);
    for (const f of await fuzzBench(SECONDS)) {
      rows.push({ what: `fuzz loop vs raw round trip, ${f.target}`, ours: `${f.fuzz.toFixed(0)} msg/s`, theirs: `raw ${f.sequential.toFixed(0)} round trips/s`, ratio: f.fuzz / f.sequential, goal: { op: '>=', value: 0.3 } });
    }
  }
  if (part('mock')) {
    log(`… mock server vs bare node:http echo (${SECONDS} s rounds)`);
    const mock = await mockBench({ seconds: SECONDS, rounds: 3 });
    rows.push({ what: 'mock server (validated tools/call, HTTP) vs bare node:http echo', ours: `${Math.round(mock.mock)} req/s`, theirs: `bare ${Math.round(mock.bare)} req/s`, ratio: mock.mock / mock.bare, goal: { op: '>=', value: 0.5 } });
  }

  console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  printTable();
  printSplits();
  for (const l of profileLines) console.log(l);
  if (QUICK) console.log('\n--quick: no full server-everything run, no full npm start, no client suites.');
}

/** Ours vs the official suite on one server-everything over Streamable HTTP. */
async function everythingRuns(off: Official | string): Promise<void> {
  const everything = await startEverything();
  log(`server-everything (streamableHttp) at ${everything.url}`);
  let full: Awaited<ReturnType<typeof ours>> | undefined;
  try {
    const offRuns: Array<{ ms: number; checks: number; rss: number }> = [];
    if (typeof off !== 'string') {
      for (let i = 0; i < (QUICK ? 1 : 3); i++) {
        const r = await theirs(off, `official-server-${i + 1}`, ['server', '--url', everything.url], { timeoutMs: 300_000 });
        offRuns.push({ ms: r.m.wallMs, checks: r.checks, rss: r.m.peakRssTree });
      }
    }
    const offMs = offRuns.length ? median(offRuns.map((r) => r.ms)) : NaN;
    const offChecks = offRuns[0]?.checks ?? NaN;
    const offText = offRuns.length ? `official ${sec(offMs)} (median of ${offRuns.map((r) => sec(r.ms)).join(', ')}), ${offChecks} checks` : 'official: not run';
    if (!QUICK) {
      full = await ours('ours-http-all', ['server', '--url', everything.url], { timeoutMs: 900_000, externalTarget: everything.pid });
      splits.push({ name: 'server-everything HTTP, all revisions', m: full.m });
      const n = full.counts?.total ?? NaN;
      rows.push({ what: `server-everything HTTP, every revision (${full.counts?.revisions.length ?? '?'}): wall`, ours: `${sec(full.m.wallMs)}, ${n} rows`, theirs: offText, ratio: full.m.wallMs / offMs, goal: { op: '<=', value: 2 } });
      rows.push({ what: '  per check × revision row', ours: `${(full.m.wallMs / n).toFixed(0)} ms/row`, theirs: `official ${(offMs / offChecks).toFixed(0)} ms/check`, ratio: full.m.wallMs / n / (offMs / offChecks), goal: { op: '<=', value: 0.2 } });
    }
    const one = await ours('ours-http-2025-11-25', ['server', '--url', everything.url, '--revision', '2025-11-25'], { timeoutMs: 600_000, externalTarget: everything.pid });
    if (QUICK) splits.push({ name: 'server-everything HTTP, 2025-11-25', m: one.m });
    rows.push({ what: 'server-everything HTTP, --revision 2025-11-25: wall', ours: `${sec(one.m.wallMs)}, ${one.counts?.total ?? '?'} rows`, theirs: offText, ratio: one.m.wallMs / offMs, goal: { op: '<=', value: 1 } });
    const rssRun = full ?? one;
    const offRss = offRuns.length ? `official ${mb(Math.max(...offRuns.map((r) => r.rss)))}; ` : '';
    rows.push({ what: `peak RSS of our process tree, ${full ? 'full' : '2025-11-25'} server-everything run`, ours: `${mb(rssRun.m.peakRssOurs)} (PSS ${mb(rssRun.m.peakPssOurs)})`, theirs: `${offRss}goal 300 MB`, ratio: rssRun.m.peakRssOurs / 300e6, goal: { op: '<=', value: 1 } });
    if (PROFILE) await profiled('server-everything HTTP, all revisions', 'ours-http-all-profiled', ['server', '--url', everything.url], { timeoutMs: 900_000, externalTarget: everything.pid });
  } finally {
    await everything.stop();
  }
}

let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  console.error(`bench/speed.ts: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  if (rows.length) printTable();
} finally {
  await endOwnProcesses(1_000);
  if (flag('keep')) log(`kept: ${TMP}`);
  else rmSync(TMP, { recursive: true, force: true });
}
process.exitCode = failed ? 2 : flag('fail-on-miss') && rows.some((r) => verdict(r) === 'MISS') ? 1 : 0;
