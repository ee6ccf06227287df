// `mcp-conform matrix targets.yaml --out DIR`: the server (or client) suite against many targets,
// each in a child `mcp-conform server|client` process of its own with its own folder and budget,
// at most --jobs at a time; then one matrix.json, matrix.md and matrix.html over their results.
// A target that cannot be reached, whose run crashes or overruns its budget is a row saying so,
// never a failed matrix. --shard i/n takes every n-th slice of the targets (by their order).
import { existsSync, mkdirSync, readFileSync, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { isObject, PROJECT_ROOT, parseRevisionList, type Revision } from '../schema/index.ts';
import type { Matrix, MatrixRun, MatrixStatus, Results } from '../reports/index.ts';
import { EXIT, UsageError, interruptible, type ServerRunIo } from './common.ts';
import { parseShard, shardIds, shardLabel, type Shard } from './shard.ts';
import { VERSION } from './version.ts';

/** One process to start: a stdio target, a client under test, or the server behind a URL. */
export interface MatrixCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Absolute (relative ones are resolved against the targets file's folder). */
  cwd: string;
}

export interface MatrixEntry {
  name: string;
  slug: string;
  mode: 'server' | 'client';
  stdio?: MatrixCommand;
  url?: string;
  sse?: string;
  headers: Record<string, string>;
  config?: string;
  entry?: string;
  /** Started before a url/sse target is tested, stopped after (its port must accept connections first). */
  start?: MatrixCommand;
  /** `all` (server: every revision it speaks; client: auto), or a list. */
  revisions: Revision[] | 'all';
  /** Whole-run budget of the target's run, ms. */
  budgetMs: number;
  timeoutMs?: number;
  /** More options for the child run (e.g. --only lifecycle, --profile claude-code). */
  args: string[];
}

export const DEFAULT_BUDGET_MS = 600_000;
/** The child gets --budget; past it (plus this much for writing its reports) its tree is killed. */
export const BUDGET_GRACE_MS = 30_000;
const START_WAIT_MS = 30_000;

export class TargetsFileError extends UsageError {}

type Obj = Record<string, unknown>;
const isObj = isObject;

function strings(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' && typeof x !== 'number')) throw new Error(`${what} must be a list of strings`);
  return v.map(String);
}

function env(v: unknown, what: string): Record<string, string> {
  if (v === undefined) return {};
  if (!isObj(v)) throw new Error(`${what} must be a map of NAME: value`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

function command(v: unknown, what: string, baseDir: string): MatrixCommand {
  if (!isObj(v) || typeof v.command !== 'string' || !v.command) throw new Error(`${what} must be a map with command (and optional args, env, cwd)`);
  const known = new Set(['command', 'args', 'env', 'cwd']);
  const extra = Object.keys(v).filter((k) => !known.has(k));
  if (extra.length) throw new Error(`${what} has unknown key(s) ${extra.join(', ')}`);
  if (v.cwd !== undefined && typeof v.cwd !== 'string') throw new Error(`${what}.cwd must be a path`);
  return { command: v.command, args: strings(v.args, `${what}.args`), env: env(v.env, `${what}.env`), cwd: resolve(baseDir, (v.cwd as string | undefined) ?? '.') };
}

function positive(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${what} must be a positive number of milliseconds`);
  return v;
}

function httpUrl(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} must be a URL`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`${what} "${v}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${what} "${v}" is not an http(s) URL`);
  return v;
}

export function slugOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'target';
}

const ENTRY_KEYS = new Set(['name', 'mode', 'stdio', 'url', 'sse', 'headers', 'config', 'entry', 'start', 'revisions', 'budget', 'timeout', 'args']);

/**
 * The targets of a targets file (YAML or JSON): `targets:` (a list) and optional `defaults:`
 * (revisions, budget, timeout, args for every entry). Anything wrong is a TargetsFileError that
 * names the entry.
 */
export function parseTargets(text: string, file: string, baseDir = dirname(resolve(file))): MatrixEntry[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new TargetsFileError(`${file} is not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = isObj(doc) ? doc.targets : doc;
  if (!Array.isArray(list) || list.length === 0) throw new TargetsFileError(`${file}: expected "targets:" with a list of targets`);
  const defaults = isObj(doc) && isObj(doc.defaults) ? doc.defaults : {};
  if (isObj(doc)) {
    const extra = Object.keys(doc).filter((k) => k !== 'targets' && k !== 'defaults');
    if (extra.length) throw new TargetsFileError(`${file}: unknown top-level key(s) ${extra.join(', ')} (targets, defaults)`);
  }
  const out: MatrixEntry[] = [];
  list.forEach((raw: unknown, i) => {
    const label = isObj(raw) && typeof raw.name === 'string' ? `target ${i + 1} (${raw.name})` : `target ${i + 1}`;
    try {
      if (!isObj(raw)) throw new Error('must be a map');
      const extra = Object.keys(raw).filter((k) => !ENTRY_KEYS.has(k));
      if (extra.length) throw new Error(`unknown key(s) ${extra.join(', ')} (known: ${[...ENTRY_KEYS].join(', ')})`);
      if (typeof raw.name !== 'string' || !raw.name.trim()) throw new Error('needs a name');
      const mode = raw.mode ?? 'server';
      if (mode !== 'server' && mode !== 'client') throw new Error(`mode must be server or client, not ${JSON.stringify(mode)}`);
      const forms = (['stdio', 'url', 'sse', 'config'] as const).filter((k) => raw[k] !== undefined);
      if (forms.length !== 1) throw new Error(forms.length ? `has ${forms.join(' and ')}: give one of stdio, url, sse, config` : 'needs one of stdio, url, sse, config');
      if (mode === 'client' && forms[0] !== 'stdio') throw new Error('a client target is a command: give stdio (the client command; {url} or {server} in its args)');
      if (raw.entry !== undefined && forms[0] !== 'config') throw new Error('entry applies to config only');
      if (raw.start !== undefined && forms[0] !== 'url' && forms[0] !== 'sse') throw new Error('start applies to url and sse targets only');
      if (raw.headers !== undefined && forms[0] !== 'url' && forms[0] !== 'sse') throw new Error('headers apply to url and sse targets only');
      const revs = raw.revisions ?? defaults.revisions ?? 'all';
      let revisions: Revision[] | 'all';
      if (revs === 'all' || revs === 'auto') revisions = 'all';
      else {
        const text = Array.isArray(revs) ? revs.map(String).join(',') : String(revs);
        revisions = parseRevisionList(text);
      }
      const e: MatrixEntry = {
        name: raw.name.trim(),
        slug: slugOf(raw.name),
        mode,
        headers: env(raw.headers, 'headers'),
        revisions,
        budgetMs: positive(raw.budget ?? defaults.budget ?? DEFAULT_BUDGET_MS, 'budget'),
        args: [...strings(defaults.args, 'defaults.args'), ...strings(raw.args, 'args')],
      };
      const timeout = raw.timeout ?? defaults.timeout;
      if (timeout !== undefined) e.timeoutMs = positive(timeout, 'timeout');
      if (raw.stdio !== undefined) e.stdio = command(raw.stdio, 'stdio', baseDir);
      if (raw.url !== undefined) e.url = httpUrl(raw.url, 'url');
      if (raw.sse !== undefined) e.sse = httpUrl(raw.sse, 'sse');
      if (raw.config !== undefined) {
        if (typeof raw.config !== 'string') throw new Error('config must be a path');
        if (typeof raw.entry !== 'string') throw new Error('config needs entry: the name of the server in that file');
        e.config = resolve(baseDir, raw.config);
        e.entry = raw.entry;
      }
      if (raw.start !== undefined) e.start = command(raw.start, 'start', baseDir);
      if (out.some((x) => x.slug === e.slug)) throw new Error(`its name gives the folder "${e.slug}", as an earlier target's does: names must differ`);
      out.push(e);
    } catch (err) {
      throw new TargetsFileError(`${file}: ${label}: ${(err as Error).message}`);
    }
  });
  return out;
}

/** The child's arguments: `server|client … --out DIR/<slug> --format json,html …`. */
export function childArgs(t: MatrixEntry, outDir: string): string[] {
  const a: string[] = [t.mode, '--out', join(outDir, t.slug), '--format', 'json,html', '--budget', String(t.budgetMs)];
  if (t.timeoutMs !== undefined) a.push('--timeout', String(t.timeoutMs));
  if (t.revisions !== 'all') a.push('--revision', t.revisions.join(','));
  a.push(...t.args);
  if (t.stdio) {
    a.push('--cwd', t.stdio.cwd);
    for (const [k, v] of Object.entries(t.stdio.env)) a.push('--env', `${k}=${v}`);
    if (t.mode === 'server') a.push('--stdio');
    a.push('--', t.stdio.command, ...t.stdio.args);
  } else if (t.url || t.sse) {
    a.push(t.url ? '--url' : '--sse', (t.url ?? t.sse) as string);
    for (const [k, v] of Object.entries(t.headers)) a.push('--header', `${k}:${v}`);
  } else {
    a.push('--config', t.config as string, '--name', t.entry as string);
  }
  return a;
}

function describe(t: MatrixEntry): { description: string; transport: string } {
  if (t.stdio) return { description: [t.stdio.command, ...t.stdio.args].join(' '), transport: t.mode === 'client' ? 'client' : 'stdio' };
  if (t.url) return { description: t.url, transport: 'http' };
  if (t.sse) return { description: t.sse, transport: 'sse' };
  return { description: `${t.config} (${t.entry})`, transport: 'config' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once host:port of `url` accepts a TCP connection, or rejects after `ms`. */
async function waitForPort(url: string, ms: number, exited: () => string | null): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const s = connect({ host, port });
      const timer = setTimeout(() => (s.destroy(), done(false)), 1_000);
      s.once('connect', () => (clearTimeout(timer), s.destroy(), done(true)));
      s.once('error', () => (clearTimeout(timer), done(false)));
    });
    if (ok) return;
    const why = exited();
    if (why) throw new Error(`its start command ${why} before ${host}:${port} accepted connections`);
    if (Date.now() > until) throw new Error(`${host}:${port} did not accept connections within ${Math.round(ms / 1000)} s of its start command`);
    await sleep(200);
  }
}

function readResults(file: string): Results | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Results;
    return v && v.format === 'mcp-conform/results' && Array.isArray(v.checks) ? v : null;
  } catch {
    return null;
  }
}

/** The last lines of a log, for a row's reason. */
function tail(text: string, lines = 3): string {
  return text.trim().split('\n').filter(Boolean).slice(-lines).join(' / ').slice(0, 600);
}

export interface RunTargetOptions {
  outDir: string;
  signal?: AbortSignal;
  /** When the child's tree is killed; default budget + BUDGET_GRACE_MS (tests set it). */
  killAfterMs?: number;
}

/** Runs one target in its own `mcp-conform` child; never throws for the target's sake. */
export async function runTarget(t: MatrixEntry, o: RunTargetOptions): Promise<MatrixRun> {
  const { spawnTracked, stopChild } = await import('../mock-server/index.ts');
  const dir = join(o.outDir, t.slug);
  await rm(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  const { description, transport } = describe(t);
  const row = (status: MatrixStatus, reason: string, exitCode: number | null, results: Results | null): MatrixRun => ({
    name: t.name,
    slug: t.slug,
    mode: t.mode,
    description,
    transport,
    status,
    reason,
    exitCode,
    durationMs: Date.now() - t0,
    results,
    hasReport: existsSync(join(dir, 'report.html')),
    hasWire: existsSync(join(dir, 'wire')),
  });
  // run.log: the child's output, and the start command's, for a row that needs explaining.
  const log = createWriteStream(join(dir, 'run.log'));
  let logText = '';
  const toLog = (prefix: string) => (d: Buffer) => {
    const s = d.toString();
    logText = (logText + s).slice(-20_000);
    log.write(prefix ? s.replace(/^/gm, prefix) : s);
  };
  let server: ReturnType<typeof spawnTracked> | undefined;
  try {
    if (t.start) {
      let ended: string | null = null;
      server = spawnTracked(t.start.command, t.start.args, { cwd: t.start.cwd, env: { ...process.env, ...t.start.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      server.stdout?.on('data', toLog('[start] '));
      server.stderr?.on('data', toLog('[start] '));
      server.once('error', (err) => (ended = `failed to start (${err.message})`));
      server.once('exit', (code, sig) => (ended ??= `exited (${sig ?? `code ${code}`})`));
      try {
        await waitForPort((t.url ?? t.sse) as string, Math.min(START_WAIT_MS, t.budgetMs), () => ended);
      } catch (err) {
        return row('unreachable', `${(err as Error).message}${logText ? `: ${tail(logText)}` : ''}`, null, null);
      }
    }
    const bin = join(PROJECT_ROOT, 'bin', 'mcp-conform.js');
    const child = spawnTracked(process.execPath, [bin, ...childArgs(t, o.outDir)], { cwd: t.stdio?.cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    child.stdout?.on('data', toLog(''));
    child.stderr?.on('data', toLog(''));
    let killed: string | null = null;
    const kill = (why: string) => {
      if (killed) return;
      killed = why;
      void stopChild(child, 2_000);
    };
    const hardMs = o.killAfterMs ?? t.budgetMs + BUDGET_GRACE_MS;
    const timer = setTimeout(() => kill(`out of budget: killed after ${Math.round(hardMs / 1000)} s`), hardMs);
    const onAbort = () => kill('interrupted');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const code = await new Promise<number | null>((done) => {
      child.once('error', (err) => {
        toLog('')(Buffer.from(`${err.message}\n`));
        done(null);
      });
      child.once('exit', (c, sig) => done(c ?? (sig ? 128 : null)));
    });
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    await stopChild(child, 1_000); // whatever it left behind
    const results = readResults(join(dir, 'results.json'));
    if (killed) return row(killed === 'interrupted' ? 'error' : 'timeout', killed, code, results);
    if (code === EXIT.unreachable) {
      const why = results?.errors[0]?.replace(/^cannot reach the target: /, '') ?? tail(logText);
      // The transports word a target process that died (or never started) so: a crash, not silence.
      const crashed = /process exited|failed to start|spawn .*ENOENT|exited \(/.test(why);
      return row(crashed ? 'crashed' : 'unreachable', why, code, results);
    }
    if (!results || (code !== EXIT.ok && code !== EXIT.mustFailed)) {
      // A usage error prints `error: …` and then the help: the error is the reason.
      const said = /^(?:mcp-conform: |error: ).*$/m.exec(logText)?.[0] ?? tail(logText);
      return row('error', `exit ${code ?? 'unknown'}${said ? `: ${said}` : ''}`, code, results);
    }
    return row('tested', '', code, results);
  } finally {
    if (server) await stopChild(server, 2_000);
    await new Promise<void>((r) => log.end(r));
  }
}

/** Runs `fn` over `items`, at most `jobs` at a time; results in the items' order. */
export async function pool<T, R>(items: readonly T[], jobs: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return out;
}

/** Writes matrix.json, matrix.md and matrix.html into `outDir`; returns their paths. */
export async function writeMatrix(m: Matrix, outDir: string): Promise<string[]> {
  const { renderMatrixHtml, renderMatrixJson, renderMatrixMarkdown, writeFileAtomic } = await import('../reports/index.ts');
  mkdirSync(outDir, { recursive: true });
  const files: [string, string][] = [
    ['matrix.json', renderMatrixJson(m)],
    ['matrix.md', renderMatrixMarkdown(m)],
    ['matrix.html', renderMatrixHtml(m)],
  ];
  const paths: string[] = [];
  for (const [name, text] of files) {
    const p = join(outDir, name);
    await writeFileAtomic(p, text);
    paths.push(p);
  }
  return paths;
}

export interface MatrixCommandOptions {
  out: string;
  jobs: string;
  shard?: string;
  failOn: string;
}

export async function runMatrixCommand(file: string, o: MatrixCommandOptions, io: ServerRunIo): Promise<number> {
  const jobs = Number(o.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a positive number of targets, not "${o.jobs}"`);
  if (!['must', 'should', 'never'].includes(o.failOn)) throw new UsageError(`--fail-on must be must, should or never, not "${o.failOn}"`);
  const shard: Shard | undefined = o.shard === undefined ? undefined : parseShard(o.shard);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let targets = parseTargets(text, file);
  if (shard) {
    const mine = new Set(shardIds(targets.map((t) => t.slug), shard));
    targets = targets.filter((t) => mine.has(t.slug));
    io.err.write(`mcp-conform: ${shardLabel(shard)}: ${targets.length} of the targets (${targets.map((t) => t.name).join(', ') || 'none'})\n`);
  }
  const outDir = resolve(o.out);
  mkdirSync(outDir, { recursive: true });
  const startedAt = new Date().toISOString();
  io.err.write(`mcp-conform ${VERSION}: matrix of ${targets.length} target(s), ${Math.min(jobs, targets.length)} at a time, into ${outDir}\n`);
  const runs = await pool(targets, jobs, async (t) => {
    if (io.signal?.aborted) return runTargetSkipped(t);
    io.err.write(`  ${t.name}: started\n`);
    const r = await runTarget(t, { outDir, ...(io.signal ? { signal: io.signal } : {}) });
    io.err.write(`  ${t.name}: ${r.status}${r.reason ? ` (${r.reason.slice(0, 200)})` : ''} in ${Math.round(r.durationMs / 1000)} s\n`);
    return r;
  });
  const { buildMatrix, matrixFails, renderMatrixSummary } = await import('../reports/index.ts');
  const m = buildMatrix(runs, { tool: { name: 'mcp-conform', version: VERSION }, startedAt, endedAt: new Date().toISOString(), ...(shard ? { shard } : {}) });
  const paths = await writeMatrix(m, outDir);
  io.out.write(renderMatrixSummary(m));
  io.err.write(`written: ${paths.join(', ')}\n`);
  if (io.signal?.aborted) return EXIT.interrupted;
  return matrixFails(m, o.failOn as 'must' | 'should' | 'never') ? EXIT.mustFailed : EXIT.ok;
}

function runTargetSkipped(t: MatrixEntry): MatrixRun {
  const { description, transport } = describe(t);
  return { name: t.name, slug: t.slug, mode: t.mode, description, transport, status: 'error', reason: 'interrupted before it started', exitCode: null, durationMs: 0, results: null, hasReport: false, hasWire: false };
}

export function registerMatrix(program: Command): void {
  program
    .command('matrix')
    .description('run the server (or client) suite against many targets and write a compatibility matrix (json, md, html)')
    .usage('[options] TARGETS.yaml')
    .argument('<targets>', 'the targets file (YAML or JSON; see the README: Compatibility matrix)')
    .option('-o, --out <dir>', 'folder for matrix.json, matrix.md, matrix.html and one folder per target', './mcp-conform-matrix')
    .option('-j, --jobs <n>', 'targets tested at the same time', '2')
    .option('--shard <i/n>', 'test only the i-th of n parts of the targets (CI jobs side by side; combine with mcp-conform report merge)')
    .option('--fail-on <level>', 'exit 1 when a tested target has a failure of this level: must, should, or never', 'never')
    .addHelpText(
      'after',
      '\nEach target runs as its own `mcp-conform server` (or `client`) process with --out DIR/<slug of its name> --format json,html and\n' +
        'the target\'s budget (default 600000 ms; its process tree is killed 30 s after the budget runs out).\n' +
        'A target that is unreachable, crashes or runs out of budget is a row that says so, not a failure of the matrix.\n' +
        'Exit codes: 0 the matrix is written, 1 with --fail-on must|should: a tested target has such a failure,\n' +
        '2 usage error or a bad targets file, 130 interrupted.\n' +
        'Examples:\n  mcp-conform matrix examples/matrix/targets.yaml --out matrix --jobs 2\n' +
        '  mcp-conform matrix targets.yaml --shard 1/2 --out part-1   (then: mcp-conform report merge part-1 part-2 --out matrix)',
    )
    .action(async (file: string, o: MatrixCommandOptions, cmd: Command) => {
      await interruptible(cmd, (io) => runMatrixCommand(file, o, io));
    });
}
