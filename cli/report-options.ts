// --format, --baseline, --fail-on and --write-baseline, shared by `server`, `client`, `fuzz` and
// `report`: which report files a run writes besides results.json, a file of expected failures,
// what fails the exit code, and a baseline file written from the run's failures.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import {
  applyBaseline,
  BaselineError,
  exitCodeFor,
  FAIL_ON,
  loadBaseline,
  renderBaseline,
  REPORT_FORMATS,
  REPORTER_KINDS,
  writeAll,
  writeFileAtomic,
  type Baseline,
  type FailOn,
  type ReportFormat,
  type ReporterKind,
  type Results,
} from '../reports/index.ts';

export interface ReportFlags {
  format: string;
  baseline?: string;
  failOn?: string;
  writeBaseline?: string;
}

export interface ReportPlan {
  formats: ReportFormat[];
  baseline?: Baseline;
  /** Absent: 'must', or with a baseline its default (warnings count, as in the official suite). */
  failOn?: FailOn;
  writeBaseline?: string;
}

/** Thrown for a bad --format, --baseline or --fail-on; each command turns it into its usage error (exit 2). */
export class ReportOptionError extends Error {}

export const FAIL_ON_HELP = 'what fails the exit code: must (a MUST failed; the default), should (a SHOULD too; the default with --baseline), never (exit 0 whatever failed)';
export const WRITE_BASELINE_HELP = 'write the failures of this run (fail and warn) to FILE as a baseline, a reason placeholder per entry';

/** --baseline, --fail-on and --write-baseline (the `report` command has its own --format). */
export function addGateOptions(cmd: Command, baselineHelp = 'YAML file of expected failures (the official suite\'s format; our ids and globs too): listed failures exit 0, new failures and stale entries exit 1'): Command {
  return cmd
    .option('--baseline <file>', baselineHelp)
    .option('--fail-on <level>', FAIL_ON_HELP)
    .option('--write-baseline <file>', WRITE_BASELINE_HELP);
}

export function addReportOptions(cmd: Command): Command {
  cmd.option('--format <list>', `report files to write besides results.json, comma-separated (${REPORT_FORMATS.filter((f) => f !== 'json').join(', ')})`, 'json');
  return addGateOptions(cmd);
}

/** The listed formats, checked; with `json` added first unless `exact` (the report command writes only what is asked). */
export function formatsFrom(text: string, exact = false): ReportFormat[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of list) if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new ReportOptionError(`unknown format "${f}" (known: ${REPORT_FORMATS.join(', ')})`);
  if (exact) return [...new Set(list as ReportFormat[])];
  return list.includes('json') ? (list as ReportFormat[]) : ['json', ...(list as ReportFormat[])];
}

export const REPORTER_HELP = 'live output: compact (on a terminal one status line, counts by verdict, current area, elapsed; the default) or verbose (a line per check); not on a terminal always a line per check';

/** A --reporter value. */
export function reporterFrom(text: string | undefined): ReporterKind {
  if (text === undefined) return 'compact';
  if (!(REPORTER_KINDS as readonly string[]).includes(text)) throw new ReportOptionError(`--reporter must be one of ${REPORTER_KINDS.join(', ')}, not "${text}"`);
  return text as ReporterKind;
}

export function failOnFrom(text: string | undefined): FailOn | undefined {
  if (text === undefined) return undefined;
  if (!(FAIL_ON as readonly string[]).includes(text)) throw new ReportOptionError(`--fail-on must be one of ${FAIL_ON.join(', ')}, not "${text}"`);
  return text as FailOn;
}

/** Reads the flags before anything starts, so a typo costs nothing. */
export async function planReports(flags: ReportFlags, options: { exactFormats?: boolean } = {}): Promise<ReportPlan> {
  const plan: ReportPlan = { formats: formatsFrom(flags.format, options.exactFormats) };
  const failOn = failOnFrom(flags.failOn);
  if (failOn) plan.failOn = failOn;
  if (flags.writeBaseline !== undefined) {
    if (!flags.writeBaseline) throw new ReportOptionError('--write-baseline needs a file name');
    plan.writeBaseline = flags.writeBaseline;
  }
  if (flags.baseline === undefined) return plan;
  try {
    plan.baseline = await loadBaseline(flags.baseline);
    return plan;
  } catch (err) {
    if (err instanceof BaselineError) throw new ReportOptionError(err.message);
    throw new ReportOptionError(`cannot read the baseline ${flags.baseline}: ${(err as Error).message}`);
  }
}

/** The run's results with the plan's baseline applied (a warning counts unless --fail-on must or never). */
export function gated(results: Results, plan: ReportPlan): Results {
  if (!plan.baseline) return results;
  return applyBaseline(results, plan.baseline, { warningsFail: plan.failOn === undefined || plan.failOn === 'should' }).results;
}

/** The exit code of finished results under the plan (0 or 1). */
export function exitFor(results: Results, plan: Pick<ReportPlan, 'failOn'>): 0 | 1 {
  return exitCodeFor(results, plan.failOn ?? 'must');
}

/** Writes --write-baseline's file (its folder is created); returns its path. */
export async function writeBaselineFile(results: Results, file: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, renderBaseline(results));
  return file;
}

/** Applies the baseline, writes every report (results.json among them, the one time it is written) and gives the exit code. */
export async function finishReports(results: Results, outDir: string, plan: ReportPlan): Promise<{ results: Results; paths: string[]; exit: 0 | 1 }> {
  const final = gated(results, plan);
  const paths = await writeAll(final, outDir, plan.formats);
  if (plan.writeBaseline) paths.push(await writeBaselineFile(final, plan.writeBaseline));
  return { results: final, paths, exit: exitFor(final, plan) };
}
