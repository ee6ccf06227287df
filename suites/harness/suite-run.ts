// Runs suites as vitest tests (the CLI's engine): one vitest test per check and revision, whose
// results the reports room's reporter collects; the run-level results are added here
// (schema/valid-messages, transport/cross-talk, budget and interruption notes). Nothing is written
// here: the CLI adds what it knows (host verdicts, a baseline) and writes every file once.
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Reporter, Vitest } from 'vitest/node';
import { MODULE_EXT, PROJECT_ROOT, specUrl, type Revision } from '../../schema/index.ts';
import { countVerdicts, type CheckResult, type Results } from '../../reports/model.ts';
import type { Mode, ProgressStream } from '../../reports/index.ts';
import { notRunResult, validMessagesResults } from './aggregate.ts';
import { withCrossTalk } from './crosstalk.ts';
import { DEFAULT_CONCURRENCY } from './config.ts';
import { definedChecks } from './check.ts';
import { selected } from './config.ts';
import { revisionsFor, type CheckDef } from './run.ts';
import type { RunConfig } from './config.ts';

export interface SuiteRunOptions {
  /** stopFile is set by runSuites (under outDir) when null. */
  cfg: RunConfig & { outDir: string };
  /** Test file globs relative to the project root (default: the server suites). */
  include?: string[];
  target: Results['target'];
  /** Problems found before the run (they go to results.errors). */
  errors?: string[];
  progress?: ProgressStream | false;
  /** Worker processes and checks at a time in each (default: from cfg.concurrency, see vitestConcurrency). */
  maxWorkers?: number;
  maxConcurrency?: number;
  /** Aborting cancels the run; the results so far are still written. */
  signal?: AbortSignal;
  /** Which side is under test (default 'server'); client runs add no schema/valid-messages. */
  mode?: Mode;
  /** The checks the run should report (see loadServerChecks): any that never report become not-verified. */
  expected?: readonly CheckDef[];
}

// The installed package runs the compiled .js suites; a checkout the .ts sources.
export const SERVER_SUITES = [`suites/server/**/*${MODULE_EXT}`];
/** Files under suites/server starting with `_` are no suites (a folder's `_index.ts`, for tests; helpers live in suites/kit/); suites/server/index lists the suites. */
const SUITE_EXCLUDE = [`**/_*${MODULE_EXT}`, `suites/server/index${MODULE_EXT}`, '**/*.d.ts', '**/node_modules/**'];

/**
 * The checks the server suites define: imports every suite file of the list (suites/server/index.ts,
 * handed in by the CLI: the harness does not import the suites that import it); nothing runs.
 */
export async function loadServerChecks(modules: Record<string, () => Promise<unknown>>): Promise<CheckDef[]> {
  for (const [name, load] of Object.entries(modules)) {
    const before = new Set(definedChecks());
    await load();
    const file = `suites/server/${name}${MODULE_EXT}`;
    for (const d of definedChecks()) if (!before.has(d) && !fileOf.has(d)) fileOf.set(d, file);
  }
  return definedChecks().filter((d) => d.meta.side === 'server');
}

/** The suite file that defined each check loaded by loadServerChecks. */
const fileOf = new Map<CheckDef, string>();

/**
 * The suite files holding at least one selected check (project-relative), so a run with --only
 * collects only those: every file costs a module graph and its connections in a worker.
 * Undefined when some selected check's file is unknown (then run them all).
 */
export function suiteFilesFor(checks: readonly CheckDef[], sel: Pick<RunConfig, 'only' | 'skip'>): string[] | undefined {
  const files = new Set<string>();
  for (const d of checks) {
    if (!selected(d.meta.id, sel)) continue;
    const f = fileOf.get(d);
    if (!f) return undefined;
    files.add(f);
  }
  return [...files].sort();
}

const BUDGET_NOTE = 'not run: the run budget was exhausted';

/** Adds what only the whole run can say, and recounts. */
export function finishResults(
  results: Results,
  revisions: readonly Revision[],
  extra: { errors?: string[]; budgetExhausted?: boolean; interrupted?: boolean; validMessages?: boolean; expected?: readonly CheckDef[]; cfg?: Pick<RunConfig, 'only' | 'skip' | 'revisions'>; concurrency?: number } = {},
): Results {
  let checks: CheckResult[] = results.checks.filter((c) => c.id !== 'schema/valid-messages' && c.id !== 'transport/cross-talk');
  // Every selected check appears, even one the run never got to (cut before vitest collected it).
  if (extra.expected && extra.cfg) {
    const seen = new Set(checks.map((c) => `${c.id}@${c.revision}`));
    const why = extra.interrupted ? 'not run: the run was interrupted' : extra.budgetExhausted ? BUDGET_NOTE : 'not run: the check never reported (see errors)';
    for (const def of extra.expected) {
      if (!selected(def.meta.id, extra.cfg)) continue;
      for (const rev of revisionsFor(def, extra.cfg)) {
        if (seen.has(`${def.meta.id}@${rev}`)) continue;
        const page = def.meta.spec[rev];
        checks.push(notRunResult(def.meta.id, def.meta.title, def.meta.level, rev, why, def.meta.requirement, page ? specUrl(rev, page) : null));
      }
    }
    checks.sort((a, b) => a.id.localeCompare(b.id) || String(a.revision).localeCompare(String(b.revision)));
  }
  if (extra.budgetExhausted) {
    checks = checks.map((c) => (c.verdict === 'not-verified' && /^(not run|did not finish|skipped)/.test(c.message) ? { ...c, message: BUDGET_NOTE } : c));
  }
  const ran = checks.some((c) => c.verdict !== 'not-verified' || !c.message.startsWith('not run'));
  if (ran && extra.validMessages !== false) {
    checks.push(...validMessagesResults(checks, revisions));
    // One finding for a server that answers on other clients' streams, however many checks saw it.
    checks = withCrossTalk(checks, { revisions, transport: results.target.transport, concurrency: extra.concurrency ?? DEFAULT_CONCURRENCY });
  }
  const errors = [...(extra.errors ?? []), ...results.errors];
  if (extra.budgetExhausted) errors.push('the run budget was exhausted: checks that had not finished are not-verified');
  if (extra.interrupted) errors.push('the run was interrupted: checks that had not finished are not-verified');
  const counts = countVerdicts(checks);
  return { ...results, checks, counts, errors };
}

/**
 * Vitest's file cache of transformed modules (content-hashed, written atomically, so concurrent
 * runs share it): measured on a one-check run, 4.4 → 3.0 s of CPU, most of a run's start-up being
 * vite transforming the suites afresh. Off where the folder cannot be written (a read-only install).
 */
function moduleCache(): { fsModuleCache: boolean; fsModuleCachePath?: string } {
  const dir = join(PROJECT_ROOT, 'node_modules', '.cache', 'mcp-conform', 'vitest');
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return { fsModuleCache: true, fsModuleCachePath: dir };
  } catch {
    return { fsModuleCache: false };
  }
}

/** N checks at a time → worker processes (at most 2: the machine's cores) × checks in each. */
export function vitestConcurrency(n: number): { workers: number; perWorker: number } {
  const workers = Math.max(1, Math.min(2, n));
  return { workers, perWorker: Math.max(1, Math.floor(n / workers)) };
}

/** Runs the suites against cfg.target; resolves with the finished results (the caller writes them; wire logs are in cfg.outDir/wire). */
export async function runSuites(opts: SuiteRunOptions): Promise<{ results: Results; interrupted: boolean; budgetExhausted: boolean }> {
  const { startVitest } = await import('vitest/node');
  const { ConformReporter } = await import('../../reports/index.ts');
  const cfg: RunConfig & { outDir: string } = { ...opts.cfg, stopFile: opts.cfg.stopFile ?? join(resolve(opts.cfg.outDir), '.stop') };
  mkdirSync(resolve(cfg.outDir), { recursive: true });
  rmSync(cfg.stopFile as string, { force: true });
  let budgetExhausted = false;
  let interrupted = false;
  const reporter = new ConformReporter({
    mode: opts.mode ?? 'server',
    target: opts.target,
    revisions: cfg.revisions,
    progress: opts.progress ?? process.stdout,
  });
  // startVitest resolves only when the run is over; a second reporter hands over the instance
  // as soon as it exists, so the budget and Ctrl-C can cancel the run.
  let vitest: Vitest | undefined;
  let pendingCancel = false;
  const cancel = (why: 'budget' | 'signal') => {
    if (why === 'budget') budgetExhausted = true;
    else interrupted = true;
    // Checks see the stop file and end as not-verified; vitest then finishes the run normally.
    writeFileSync(cfg.stopFile as string, why);
    if (why === 'signal') return;
    if (vitest) void vitest.cancelCurrentRun('keyboard-input');
    else pendingCancel = true;
  };
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const ours = Object.fromEntries(signals.map((sig) => [sig, new Set(process.listeners(sig))]));
  const handle: Reporter = {
    onInit(v) {
      vitest = v;
      // Vitest's own SIGINT/SIGTERM handlers exit the process at once; ours cancel the run so the
      // results still get written (and the caller's handler kills the servers).
      for (const sig of signals) for (const l of process.listeners(sig)) if (!ours[sig]?.has(l)) process.off(sig, l);
      if (pendingCancel) void v.cancelCurrentRun('keyboard-input');
    },
  };
  // Checks cut themselves short at the deadline; this is the backstop should one not.
  const backstop = cfg.deadline === null ? undefined : setTimeout(() => cancel('budget'), Math.max(0, cfg.deadline - Date.now()) + 10_000);
  const onAbort = () => cancel('signal');
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort);
  const exitCode = process.exitCode;
  // The workers' children (the servers under test) carry this scope's marker: whatever of them
  // is left when the run ends, or was orphaned by a worker that died, is ended below.
  const { openScope } = await import('../../mock-server/index.ts');
  const procScope = openScope();
  const split = vitestConcurrency(cfg.concurrency ?? DEFAULT_CONCURRENCY);
  try {
    await startVitest(
      'test',
      [],
      {
        config: false,
        root: PROJECT_ROOT,
        include: opts.include ?? SERVER_SUITES,
        exclude: SUITE_EXCLUDE,
        watch: false,
        reporters: [reporter, handle],
        pool: 'forks',
        isolate: false,
        maxWorkers: opts.maxWorkers ?? split.workers,
        maxConcurrency: opts.maxConcurrency ?? split.perWorker,
        // --concurrency 1: one check at a time, one after the other (no two sessions overlap).
        sequence: { concurrent: split.workers * split.perWorker > 1 },
        provide: { mcpConform: cfg },
        env: procScope.env,
        passWithNoTests: true,
        experimental: moduleCache(),
        testTimeout: cfg.checkTimeoutMs + 15_000,
        hookTimeout: 30_000,
        teardownTimeout: 5_000,
      },
      { logLevel: 'error', server: { watch: null } },
    );
  } finally {
    clearTimeout(backstop);
    opts.signal?.removeEventListener('abort', onAbort);
    process.exitCode = exitCode; // vitest sets it for failed tests; the CLI decides
    rmSync(cfg.stopFile as string, { force: true });
    await procScope.end(1_000);
  }
  if (!reporter.results) throw new Error('the run ended without results (vitest did not finish the run)');
  const results = finishResults(reporter.results, cfg.revisions, {
    errors: opts.errors ?? [],
    budgetExhausted: budgetExhausted || (cfg.deadline !== null && Date.now() >= cfg.deadline),
    interrupted,
    validMessages: (opts.mode ?? 'server') === 'server',
    concurrency: cfg.concurrency ?? DEFAULT_CONCURRENCY,
    ...(opts.expected ? { expected: opts.expected, cfg } : {}),
  });
  return { results, interrupted, budgetExhausted: results.errors.some((e) => e.startsWith('the run budget')) };
}
