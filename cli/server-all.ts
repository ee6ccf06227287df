// `mcp-conform server --config FILE --all`: every server of a host's config file, one after the
// other, each in its own results folder (<out>/<name>/), then a combined summary: the lines on
// the terminal and <out>/summary.json.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { countsText, type Counts, type HostVerdict, type Results } from '../reports/index.ts';
import type { TargetSpec } from '../mock-server/index.ts';
import { ConfigError, isBroken, resolveConfigOptions, type ListedEntry } from './config.ts';
import { EXIT, UsageError, type ServerCommandOptions, type ServerRunIo } from './common.ts';

type RunOne = (o: ServerCommandOptions, command: string[], io: ServerRunIo) => Promise<number>;

/** The options that name this one target, as if given on the command line. */
export function optionsForTarget(o: ServerCommandOptions, target: TargetSpec, out: string): { options: ServerCommandOptions; command: string[] } {
  const { config: _c, name: _n, all: _a, scope: _s, stdio: _st, url: _u, sse: _ss, cwd: _cwd, ...rest } = o;
  const base: ServerCommandOptions = { ...rest, out, env: [], header: [] };
  switch (target.kind) {
    case 'stdio': {
      const options: ServerCommandOptions = { ...base, stdio: true, env: Object.entries(target.env ?? {}).map(([k, v]) => `${k}=${v}`) };
      if (target.cwd) options.cwd = target.cwd;
      return { options, command: [target.command, ...target.args] };
    }
    case 'http':
    case 'sse': {
      const header = Object.entries(target.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
      return { options: target.kind === 'http' ? { ...base, url: target.url, header } : { ...base, sse: target.url, header }, command: [] };
    }
  }
}

export interface EntrySummary {
  name: string;
  scope?: string;
  project?: string;
  location: string;
  folder: string;
  exitCode: number;
  counts?: Counts;
  hosts?: HostVerdict[];
  errors: string[];
}

function readResults(folder: string): Results | undefined {
  try {
    return JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as Results;
  } catch {
    return undefined;
  }
}

function where(e: ListedEntry): string {
  return e.scope ? `${e.scope} scope${e.scope === 'local' && e.project ? ` of ${e.project}` : ''}` : e.location;
}

/** Runs every entry; resolves with the combined exit code. */
export async function runAllEntries(o: ServerCommandOptions, command: string[], io: ServerRunIo, runOne: RunOne): Promise<number> {
  if (o.name !== undefined) throw new UsageError('give either --name NAME or --all, not both');
  if (command.length) throw new UsageError(`unexpected arguments: ${command.join(' ')} (the servers come from --config)`);
  if (o.stdio || o.url || o.sse) throw new UsageError('--all tests the servers of --config; do not also give --stdio, --url or --sse');
  // Every entry would write the same file, the last one's failures winning.
  if (o.writeBaseline !== undefined) throw new UsageError('--write-baseline writes the failures of one server: give --name NAME, not --all (or run mcp-conform report <out>/<name> --write-baseline FILE)');
  let list: { entry: ListedEntry; slug: string | null }[];
  let notes: string[];
  try {
    const resolved = resolveConfigOptions({ config: o.config, all: true, scope: o.scope });
    if (!resolved) throw new UsageError('--all needs --config FILE');
    ({ entries: list, notes } = resolved);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const say = (line: string) => io.err.write(`${line}\n`);
  for (const n of notes) say(`mcp-conform: ${n}`);
  const outDir = resolve(o.out);
  const summaries: EntrySummary[] = [];
  for (const [i, { entry, slug }] of list.entries()) {
    if (io.signal?.aborted) break;
    const folder = join(outDir, slug ?? entry.name);
    say(`\n── ${i + 1}/${list.length}: "${entry.name}" (${where(entry)}) → ${folder}`);
    let exitCode: number;
    let problem: string | undefined;
    try {
      if (isBroken(entry)) throw new UsageError(entry.error);
      const one = optionsForTarget(o, entry.target, folder);
      exitCode = await runOne(one.options, one.command, io);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      say(`mcp-conform: ${err.message}`);
      problem = err.message;
      exitCode = EXIT.usage;
    }
    const r = problem === undefined ? readResults(folder) : undefined;
    const s: EntrySummary = { name: entry.name, location: entry.location, folder, exitCode, errors: problem === undefined ? (r?.errors ?? []) : [problem] };
    if (entry.scope) s.scope = entry.scope;
    if (entry.project) s.project = entry.project;
    if (r) s.counts = r.counts;
    if (r?.hosts) s.hosts = r.hosts;
    summaries.push(s);
  }

  const worst = (c: number) => summaries.some((s) => s.exitCode === c);
  const code = worst(EXIT.mustFailed) ? EXIT.mustFailed : worst(EXIT.usage) ? EXIT.usage : worst(EXIT.unreachable) ? EXIT.unreachable : io.signal?.aborted ? EXIT.interrupted : EXIT.ok;
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'summary.json');
  writeFileSync(file, `${JSON.stringify({ format: 'mcp-conform/summary', formatVersion: 1, config: resolve(o.config as string), exitCode: code, entries: summaries }, null, 2)}\n`);

  const lines = ['', `${summaries.length} of ${list.length} server(s) of ${resolve(o.config as string)}:`];
  for (const s of summaries) {
    const glyph = s.exitCode === EXIT.ok ? '✓' : '✗';
    const what = s.counts ? countsText(s.counts) : s.exitCode === EXIT.usage ? `not run: ${s.errors[0] ?? 'configuration error'}` : 'no results';
    const unreachable = s.exitCode === EXIT.unreachable ? ` — ${s.errors[0] ?? 'unreachable'}` : '';
    lines.push(`${glyph} ${s.name} (${s.scope ?? s.location}): ${what}${unreachable}`);
    for (const h of s.hosts ?? []) lines.push(`    ${h.works ? '✓' : '✗'} ${h.summary}`);
    lines.push(`    ${join(s.folder, 'results.json')}`);
  }
  io.out.write(`${lines.join('\n')}\n`);
  say(`summary: ${file}`);
  return code;
}
