// --format and --baseline, shared by `server`, `client` and `fuzz`: which report files a run
// writes besides results.json, and a file of expected failures that decides the exit code.
import type { Command } from 'commander';
import { applyBaseline, BaselineError, exitCodeFor, loadBaseline, REPORT_FORMATS, writeAll, type Baseline, type ReportFormat, type Results } from '../reports/index.ts';

export interface ReportFlags {
  format: string;
  baseline?: string;
}

export interface ReportPlan {
  formats: ReportFormat[];
  baseline?: Baseline;
}

/** Thrown for a bad --format or --baseline; each command turns it into its usage error (exit 2). */
export class ReportOptionError extends Error {}

export function addReportOptions(cmd: Command): Command {
  return cmd
    .option('--format <list>', `report files to write besides results.json, comma-separated (${REPORT_FORMATS.filter((f) => f !== 'json').join(', ')})`, 'json')
    .option('--baseline <file>', 'YAML file of expected failures (the official suite\'s format; our ids and globs too): listed failures exit 0, new failures and stale entries exit 1');
}

export function formatsFrom(text: string): ReportFormat[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of list) if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new ReportOptionError(`unknown format "${f}" (known: ${REPORT_FORMATS.join(', ')})`);
  return list.includes('json') ? (list as ReportFormat[]) : ['json', ...(list as ReportFormat[])];
}

/** Reads the flags before anything starts, so a typo costs nothing. */
export async function planReports(flags: ReportFlags): Promise<ReportPlan> {
  const formats = formatsFrom(flags.format);
  if (flags.baseline === undefined) return { formats };
  try {
    return { formats, baseline: await loadBaseline(flags.baseline) };
  } catch (err) {
    if (err instanceof BaselineError) throw new ReportOptionError(err.message);
    throw new ReportOptionError(`cannot read the baseline ${flags.baseline}: ${(err as Error).message}`);
  }
}

/** Applies the baseline, writes every report (results.json again, with the baseline outcome) and gives the exit code. */
export async function finishReports(results: Results, outDir: string, plan: ReportPlan): Promise<{ results: Results; paths: string[]; exit: 0 | 1 }> {
  const final = plan.baseline ? applyBaseline(results, plan.baseline).results : results;
  const paths = await writeAll(final, outDir, plan.formats);
  return { results: final, paths, exit: exitCodeFor(final) };
}
