// Runs checks without vitest: for the tool's own tests (fixture both-ways matrix) and for any
// caller that wants results as values. Same runCheck, same verdicts as under the CLI.
import type { Revision } from '../../schema/index.ts';
import type { CheckResult } from '../../reports/index.ts';
import { selected, type RunConfig } from './config.ts';
import { revisionsFor, runCheck, type CheckDef } from './run.ts';
import { closeSharedSessions } from './session-pool.ts';

export interface RunChecksOptions {
  /** Checks run at the same time (each has its own connections); default 4. */
  concurrency?: number;
  onResult?: (r: CheckResult) => void;
}

/** Runs each selected check at each applicable revision; results in definition order. */
export async function runChecks(defs: readonly CheckDef[], given: RunConfig, opts: RunChecksOptions = {}): Promise<CheckResult[]> {
  // The checks see how many run at a time (one at a time: no session shared; context.ts).
  const n = Math.max(1, opts.concurrency ?? given.concurrency ?? 4);
  const cfg: RunConfig = { ...given, concurrency: n };
  const jobs: { def: CheckDef; rev: Revision }[] = [];
  for (const def of defs) {
    if (!selected(def.meta.id, cfg)) continue;
    for (const rev of revisionsFor(def, cfg)) jobs.push({ def, rev });
  }
  const results: CheckResult[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) {
      const job = jobs[i]!;
      const r = await runCheck(job.def, job.rev, cfg);
      results[i] = r;
      opts.onResult?.(r);
    }
  };
  try {
    await Promise.all(Array.from({ length: n }, worker));
  } finally {
    // Nothing of the run stays open: the sessions read-only checks shared.
    await closeSharedSessions();
  }
  return results;
}
