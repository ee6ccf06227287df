// `mcp-conform report`: re-renders a saved results.json (other formats, a baseline, another
// --fail-on) without running anything, and `report merge` combines the results of shards
// (`server --shard i/n`) into one results.json, as if one run had made them.
import { existsSync, statSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { REVISIONS, type Revision } from '../schema/index.ts';
import type { Results } from '../reports/index.ts';
import { EXIT, UsageError, interruptible, type ServerRunIo } from './common.ts';
import { addGateOptions, exitFor, gated, planReports, ReportOptionError, writeBaselineFile, type ReportPlan } from './report-options.ts';

export interface ReportCommandOptions {
  format?: string;
  out?: string;
  baseline?: string;
  failOn?: string;
  writeBaseline?: string;
}

async function plan(o: ReportCommandOptions, exactFormats: boolean): Promise<ReportPlan> {
  try {
    return await planReports(
      {
        format: o.format ?? (exactFormats ? '' : 'json'),
        ...(o.baseline !== undefined ? { baseline: o.baseline } : {}),
        ...(o.failOn !== undefined ? { failOn: o.failOn } : {}),
        ...(o.writeBaseline !== undefined ? { writeBaseline: o.writeBaseline } : {}),
      },
      { exactFormats },
    );
  } catch (err) {
    if (err instanceof ReportOptionError) throw new UsageError(err.message);
    throw err;
  }
}

/** A results.json path, or a results folder holding one. */
export function resultsFile(path: string): string {
  const p = resolve(path);
  return existsSync(p) && statSync(p).isDirectory() ? join(p, 'results.json') : p;
}

/** Reads and validates a results.json; anything wrong with it is a usage error (exit 2). */
export async function loadResults(path: string): Promise<Results> {
  const file = resultsFile(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
  }
  const { validateResults } = await import('../reports/index.ts');
  const v = validateResults(value);
  if (!v.valid) {
    const first = v.errors[0];
    throw new UsageError(`${file} is not an mcp-conform results file (${first ? `${first.pointer || '/'}: ${first.message}` : 'invalid'})`);
  }
  // A baseline applied by the run that wrote it says nothing about the one applied now.
  const { baseline: _b, ...rest } = value as Results;
  return { ...rest, checks: rest.checks.map(({ expected: _e, stale: _s, ...c }) => c) };
}

/** Prints the summary, writes the plan's files into outDir, and gives the exit code. */
async function render(results: Results, outDir: string, p: ReportPlan, io: ServerRunIo): Promise<number> {
  const { printSummary, writeAll } = await import('../reports/index.ts');
  const final = gated(results, p);
  const paths = p.formats.length ? await writeAll(final, outDir, p.formats) : [];
  if (p.writeBaseline) paths.push(await writeBaselineFile(final, p.writeBaseline));
  printSummary(final, io.out);
  if (paths.length) io.err.write(`written: ${paths.join(', ')}\n`);
  return exitFor(final, p);
}

export async function runReportCommand(file: string, o: ReportCommandOptions, io: ServerRunIo): Promise<number> {
  const p = await plan(o, true);
  const results = await loadResults(file);
  return render(results, resolve(o.out ?? dirname(resultsFile(file))), p, io);
}

const AGGREGATES = new Set(['schema/valid-messages', 'transport/cross-talk']);

/**
 * The results of several runs of one target (shards) as one: their checks together, the
 * run-wide checks (schema/valid-messages, transport/cross-talk) and host verdicts computed again
 * over all of them, the earliest start and the latest end, every error.
 */
export async function mergeResults(parts: readonly Results[], sources: readonly string[] = []): Promise<Results> {
  const first = parts[0];
  if (!first) throw new UsageError('report merge needs at least one results folder');
  const name = (i: number) => sources[i] ?? `part ${i + 1}`;
  parts.forEach((r, i) => {
    if (r.mode !== first.mode) throw new UsageError(`${name(i)} is a ${r.mode} run, ${name(0)} a ${first.mode} run: only runs of one mode merge`);
  });
  const errors: string[] = [];
  const descriptions = [...new Set(parts.map((r) => r.target.description))];
  if (descriptions.length > 1) errors.push(`merged runs of different targets: ${descriptions.join('; ')}`);
  const seen = new Map<string, number>();
  const checks: Results['checks'] = [];
  parts.forEach((r, i) => {
    for (const c of r.checks) {
      if (AGGREGATES.has(c.id)) continue;
      const key = c.revision ? `${c.id}@${c.revision}` : c.id;
      const before = seen.get(key);
      if (before !== undefined) {
        errors.push(`${key} is in ${name(before)} and ${name(i)}: the first is kept (did the shards overlap?)`);
        continue;
      }
      seen.set(key, i);
      checks.push(c);
    }
  });
  for (const r of parts) for (const e of r.errors) if (!errors.includes(e)) errors.push(e);
  const revisions = REVISIONS.filter((rev: Revision) => parts.some((r) => r.revisions.includes(rev)));
  const untested = parts.flatMap((r) => r.untested ?? []).filter((u, i, all) => !revisions.includes(u.revision) && all.findIndex((x) => x.revision === u.revision) === i);
  const { countVerdicts, sortChecks } = await import('../reports/index.ts');
  // In the order one run would have written them (its reporter sorts by id, then revision).
  checks.splice(0, checks.length, ...sortChecks(checks));
  const { finishResults, DEFAULT_CONCURRENCY } = await import('../suites/harness/index.ts');
  const startedAt = parts.map((r) => r.startedAt).sort()[0] as string;
  const endedAt = parts.map((r) => r.endedAt).sort().at(-1) as string;
  const toolPlan = parts.find((r) => r.toolPlan)?.toolPlan;
  const stderr = parts.map((r) => r.target.stderr).find(Boolean);
  let merged: Results = {
    format: first.format,
    formatVersion: first.formatVersion,
    tool: first.tool,
    mode: first.mode,
    target: { description: descriptions.join(' + '), transport: first.target.transport, ...(stderr ? { stderr } : {}) },
    revisions,
    ...(untested.length ? { untested } : {}),
    startedAt,
    endedAt,
    counts: countVerdicts(checks),
    checks,
    errors: [],
    ...(toolPlan ? { toolPlan } : {}),
  };
  // Recomputed from the merged checks, as the run would have (finishResults adds them back
  // only for server runs that ran something, and recounts). The shards' concurrency is not
  // recorded: cross-talk is judged as at the default.
  merged = finishResults(merged, revisions, { errors, validMessages: first.mode === 'server', concurrency: DEFAULT_CONCURRENCY });
  // Host verdicts of our profiles are judged again over every check (shard 1 ran the host
  // checks, the others the checks they look at); any other host entry is kept as it was.
  const hosts = parts.flatMap((r) => r.hosts ?? []).filter((h, i, all) => all.findIndex((x) => x.host === h.host) === i);
  if (hosts.length) {
    const { hostVerdict, isHostId, withAuthBacking, PROFILES } = await import('../suites/hosts/index.ts');
    // The OAuth host rules (shard 1) rest on the auth checks (any shard): made to agree with them first.
    const ours = hosts.flatMap((h) => (isHostId(h.host) ? [PROFILES[h.host]] : []));
    const checks = withAuthBacking(merged.checks, ours);
    if (checks.some((c, i) => c !== merged.checks[i])) merged = { ...merged, checks, counts: countVerdicts(checks) };
    merged = { ...merged, hosts: hosts.map((h) => (isHostId(h.host) ? hostVerdict(PROFILES[h.host], checks) : h)) };
  }
  return merged;
}

export async function runMergeCommand(dirs: string[], o: ReportCommandOptions, io: ServerRunIo): Promise<number> {
  const p = await plan(o, false);
  if (dirs.length === 0) throw new UsageError('report merge needs the results folders (or results.json files) of the shards');
  // Shards of `matrix --shard i/n`: folders holding a matrix.json.
  if (dirs.every((d) => existsSync(join(resolve(d), 'matrix.json')))) return mergeMatrixFolders(dirs, o, io);
  const parts: Results[] = [];
  for (const d of dirs) parts.push(await loadResults(d));
  const merged = await mergeResults(parts, dirs);
  const outDir = resolve(o.out ?? './mcp-conform-results');
  // The wire logs go along: each check's wireLog is relative to the results folder.
  for (const d of dirs) {
    const wire = join(dirname(resultsFile(d)), 'wire');
    if (existsSync(wire) && resolve(wire) !== join(outDir, 'wire')) await cp(wire, join(outDir, 'wire'), { recursive: true, force: true });
  }
  io.err.write(`merged ${parts.length} results (${dirs.join(', ')})\n`);
  return render(merged, outDir, p, io);
}

/** `report merge` of matrix shards: one matrix over their targets, their target folders copied along. */
async function mergeMatrixFolders(dirs: string[], o: ReportCommandOptions, io: ServerRunIo): Promise<number> {
  if ((o.format !== undefined && o.format !== 'json') || o.baseline !== undefined || o.writeBaseline !== undefined) {
    throw new UsageError('merging matrix shards writes matrix.json, matrix.md and matrix.html: --format, --baseline and --write-baseline do not apply');
  }
  const failOn = o.failOn ?? 'never';
  if (failOn !== 'must' && failOn !== 'should' && failOn !== 'never') throw new UsageError(`--fail-on must be must, should or never, not "${failOn}"`);
  const { isMatrix, matrixFails, mergeMatrices, renderMatrixSummary } = await import('../reports/index.ts');
  const { writeMatrix } = await import('./matrix.ts');
  const parts = [];
  for (const d of dirs) {
    const file = join(resolve(d), 'matrix.json');
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
    if (!isMatrix(value)) throw new UsageError(`${file} is not an mcp-conform matrix file`);
    parts.push(value);
  }
  const merged = mergeMatrices(parts);
  const outDir = resolve(o.out ?? './mcp-conform-results');
  // Each target's folder (results, report.html, wire logs) goes along: the matrix links into it.
  for (const [i, m] of parts.entries()) {
    for (const t of m.targets) {
      const from = join(resolve(dirs[i] as string), t.slug);
      if (existsSync(from) && from !== join(outDir, t.slug)) await cp(from, join(outDir, t.slug), { recursive: true, force: true });
    }
  }
  const paths = await writeMatrix(merged, outDir);
  io.out.write(renderMatrixSummary(merged));
  io.err.write(`merged ${parts.length} matrices (${dirs.join(', ')})\nwritten: ${paths.join(', ')}\n`);
  return matrixFails(merged, failOn) ? EXIT.mustFailed : EXIT.ok;
}

export function registerReport(program: Command): void {
  const report = program
    .command('report')
    .description('re-render a saved results.json (other formats, a baseline, another --fail-on); merge shard results')
    .usage('[options] RESULTS   |   report merge [options] DIR…')
    .argument('<results>', 'a results.json, or the folder holding one')
    // `report merge … --out X`: the options after `merge` are merge's, not report's.
    .enablePositionalOptions()
    .option('--format <list>', 'report files to write, comma-separated (json, summary, junit, markdown, html, official); none by default: the summary is printed')
    .option('-o, --out <dir>', 'folder for the files (default: the folder of the results file)');
  addGateOptions(report)
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing fails under --fail-on (default must) and the baseline, 1 something does, 2 usage error or unreadable results.\n' +
        'Examples:\n  mcp-conform report mcp-conform-results --format markdown,html\n' +
        '  mcp-conform report results.json --fail-on should\n' +
        '  mcp-conform report results.json --write-baseline conformance-baseline.yml\n' +
        '  mcp-conform report merge shard-1 shard-2 --out merged --format junit,html',
    )
    .action(async (file: string, o: ReportCommandOptions, cmd: Command) => {
      await interruptible(cmd, (io) => runReportCommand(file, o, io));
    });
  const merge = report
    .command('merge')
    .description('combine the results of shards (server --shard i/n) into one results.json and reports, or matrix shards (matrix --shard i/n) into one matrix')
    .argument('<dirs...>', 'results folders (or results.json files) of the shards; or the output folders of matrix shards')
    .option('--format <list>', 'report files to write besides results.json, comma-separated (summary, junit, markdown, html, official)', 'json')
    .option('-o, --out <dir>', 'folder for the merged results.json, reports and wire logs', './mcp-conform-results');
  addGateOptions(merge).action(async (dirs: string[], o: ReportCommandOptions, cmd: Command) => {
    await interruptible(cmd, (io) => runMergeCommand(dirs, o, io));
  });
}


