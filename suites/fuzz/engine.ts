// The fuzz loop. Sequences of steps run as a fast-check property (fc.asyncProperty + fc.check
// with a seed), so a failing sequence shrinks to a minimal one and replays from seed and path.
//
// One oracle per finding: the property fails when any oracle not yet found is violated; from the
// first failure on it is narrowed to that oracle, so shrinking keeps the same defect. The finding
// is then reproduced on a fresh session (its evidence), that oracle is retired and a new property
// run (next seed) looks for the others, until every oracle has a finding or the runs or the time
// budget are used up.
import fc from 'fast-check';
import type { Revision } from '../../schema/index.ts';
import type { WireEntry } from '../../reports/index.ts';
import { runSteps, type OracleViolation, type RunRecord } from './execute.ts';
import { SEQUENCE_ORACLES, type OracleId } from './oracles.ts';
import { SessionPool, type FuzzSession, type SessionSource, type TargetFactory } from './session.ts';
import { sequenceArbitrary, type FuzzStep, type StepContext } from './steps.ts';
import { listTools, selectTools, type CallToolsMode, type ToolSelection } from './tools.ts';
import { formatToolPlan, type RevisionToolPlan, type ToolPlan } from '../harness/tool-policy.ts';
import { runModel } from './model.ts';
import type { Finding, ModelCommandJson } from './finding.ts';

export type { Finding, SessionSource };

export interface FuzzOptions {
  /** Revision asked for (the target may negotiate another known one). */
  revision: Revision;
  /** Most property runs in total (default 200). */
  runs?: number;
  seed?: number;
  /** Wall-clock budget for the whole fuzz session, shrinking included (default 60 000 ms). */
  timeBudgetMs?: number;
  /** Longest wait for one reply (default 2 000 ms). */
  requestTimeoutMs?: number;
  /** Longest message sequence of one run (default 8). */
  maxSteps?: number;
  callTools?: CallToolsMode;
  /** Share of the budget for the model-based phase (default 0.3; 0 turns it off). */
  modelShare?: number;
  /** Only these oracles. */
  oracles?: readonly OracleId[];
  /** Keep a spare session starting in the background (default true). */
  spare?: boolean;
  /** At most this many findings per oracle, each for another kind of step (default 3). */
  maxFindingsPerOracle?: number;
  /** Sizes of the 'huge-string' and 'deep-nesting' rules. */
  hugeStringLength?: number;
  nestingDepth?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface FuzzReport {
  target: string;
  transport: TargetFactory['transport'];
  /** The revision fuzzed at (negotiated). */
  revision: Revision;
  findings: Finding[];
  /** How often each oracle had something to judge (0: not verified). */
  exercised: Record<OracleId, number>;
  /** Oracles that were run (the others were left out by options or did not apply). */
  ran: OracleId[];
  runs: number;
  messages: number;
  durationMs: number;
  sessionsStarted: number;
  /**
   * The tools called and not called, with why (`allowed`: the reason for each called one);
   * `plan` is the same as printed before the first call and kept in results.json.
   */
  tools: { called: string[]; skipped: { name: string; why: string }[]; allowed?: { name: string; why: string }[]; plan?: ToolPlan };
  notes: string[];
  errors: string[];
  /** The target could not be reached or initialized: exit code 3. */
  unreachable?: string;
  stderr?: string;
}

export const DEFAULTS = { runs: 200, seed: 0, timeBudgetMs: 60_000, requestTimeoutMs: 2_000, maxSteps: 8, modelShare: 0.3, maxFindingsPerOracle: 3 } as const;

function zeroCounts(): Record<OracleId, number> {
  return { 'stays-alive': 0, 'one-response-per-request': 0, 'valid-responses': 0, 'error-codes': 0, 'tool-call-protocol-errors': 0, 'stateful-model': 0, cancellation: 0 };
}

/** What each oracle had to judge in one run. */
function countExercised(rec: RunRecord, counts: Record<OracleId, number>): void {
  counts['stays-alive']++;
  for (const s of rec.steps) {
    if (s.expect.reply === 'response' || s.expect.reply === 'none') counts['one-response-per-request']++;
    if (s.expect.mustError || s.expect.reply === 'null-id-error' || s.expect.reply === 'error-any-id') counts['error-codes']++;
    if (s.expect.toolCall) counts['tool-call-protocol-errors']++;
  }
  counts['valid-responses'] += rec.evidence.filter((e) => e.dir === 'recv' && e.msg !== undefined).length;
}

export interface PreparedTarget {
  pool: SessionPool;
  revision: Revision;
  capabilities: Record<string, unknown>;
  tools: ToolSelection;
  /** Why nothing was listed (no tools capability, tools/list failed), for the plan. */
  toolsNote?: string;
}

/** Starts the pool, initializes once, lists the tools. Throws (unreachable target) on failure. */
export async function prepareTarget(factory: TargetFactory, opts: FuzzOptions): Promise<PreparedTarget> {
  const timeout = opts.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  const pool = new SessionPool(factory, { revision: opts.revision, requestTimeoutMs: timeout, spare: opts.spare ?? true });
  let first: FuzzSession;
  try {
    first = await pool.acquire();
  } catch (err) {
    await pool.close();
    throw err;
  }
  let listed: Awaited<ReturnType<typeof listTools>> = [];
  let toolsNote: string | undefined = first.serverCapabilities.tools ? undefined : 'the server does not declare the tools capability';
  if (first.serverCapabilities.tools) {
    try {
      listed = await listTools(first, Math.max(timeout, 5_000));
    } catch (err) {
      toolsNote = `tools/list failed, no tool calls: ${(err as Error).message}`;
    }
  }
  pool.release(first, first.alive);
  const tools = selectTools(listed, opts.callTools ?? 'safe', first.revision);
  return { pool, revision: first.revision, capabilities: first.serverCapabilities, tools, ...(toolsNote ? { toolsNote } : {}) };
}

/** A report with nothing in it yet. */
function emptyReport(factory: TargetFactory, revision: Revision): FuzzReport {
  return {
    target: factory.description,
    transport: factory.transport,
    revision,
    findings: [],
    exercised: zeroCounts(),
    ran: [],
    runs: 0,
    messages: 0,
    durationMs: 0,
    sessionsStarted: 0,
    tools: { called: [], skipped: [] },
    notes: [],
    errors: [],
  };
}

/** Fuzzes a server target: message sequences, then the model-based phase. */
/** Runs the fuzzing; whatever happens, the pool is closed and the report says how it ended. */
async function runToEnd(report: FuzzReport, pool: SessionPool, started: number, run: () => Promise<void>): Promise<FuzzReport> {
  try {
    await run();
  } catch (err) {
    report.errors.push(`fuzzing stopped: ${(err as Error).stack ?? String(err)}`);
  } finally {
    report.sessionsStarted = pool.started;
    await pool.close();
  }
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

export async function fuzzServer(factory: TargetFactory, opts: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const budget = opts.timeBudgetMs ?? DEFAULTS.timeBudgetMs;
  const deadline = Date.now() + budget;
  const timeout = opts.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  const seed = opts.seed ?? DEFAULTS.seed;
  const wanted = new Set<OracleId>(opts.oracles ?? [...SEQUENCE_ORACLES, 'stateful-model', 'cancellation']);
  const report = emptyReport(factory, opts.revision);

  let prepared: PreparedTarget;
  try {
    prepared = await prepareTarget(factory, opts);
  } catch (err) {
    report.unreachable = `cannot fuzz ${factory.description}: ${(err as Error).message}`;
    report.durationMs = Math.round(performance.now() - started);
    return report;
  }
  const { pool } = prepared;
  report.revision = prepared.revision;
  const policy = opts.callTools ?? 'safe';
  const at: RevisionToolPlan = { revision: prepared.revision, listed: prepared.tools.listed.length, call: prepared.tools.allowed, skip: prepared.tools.skipped, ...(prepared.toolsNote ? { note: prepared.toolsNote } : {}) };
  const plan: ToolPlan = { policy: Array.isArray(policy) ? policy.join(',') : policy, revisions: [at] };
  report.tools = { called: prepared.tools.callable.map((t) => t.name), skipped: prepared.tools.skipped, allowed: prepared.tools.allowed, plan };
  if (prepared.revision !== opts.revision) report.notes.push(`asked for ${opts.revision}, the target negotiated ${prepared.revision}`);
  log(`fuzzing ${factory.description} at ${prepared.revision}`);
  // Before the first call: which tools it will call and why (openWorldHint excluded: fuzz/tools.ts).
  for (const line of formatToolPlan(plan)) log(line);

  return runToEnd(report, pool, started, async () => {
    const modelShare = opts.modelShare ?? DEFAULTS.modelShare;
    const modelWanted = modelShare > 0 && (wanted.has('stateful-model') || wanted.has('cancellation')) && prepared.revision < '2026-07-28';
    const sequenceDeadline = modelWanted ? Date.now() + (deadline - Date.now()) * (1 - modelShare) : deadline;
    const ctx: StepContext = {
      rev: prepared.revision,
      receiver: 'server',
      transport: factory.transport,
      capabilities: prepared.capabilities,
      tools: prepared.tools.callable,
      excludeMethods: ['initialize'],
      ...(opts.hugeStringLength !== undefined ? { hugeStringLength: opts.hugeStringLength } : {}),
      ...(opts.nestingDepth !== undefined ? { nestingDepth: opts.nestingDepth } : {}),
    };
    const sequenceOracles = SEQUENCE_ORACLES.filter((o) => wanted.has(o) && (o !== 'tool-call-protocol-errors' || prepared.capabilities.tools));
    report.ran.push(...sequenceOracles);
    const runsTotal = opts.runs ?? DEFAULTS.runs;
    const modelRuns = modelWanted ? Math.max(5, Math.round(runsTotal * modelShare)) : 0;
    const sequenceRuns = Math.max(1, runsTotal - modelRuns);
    const found = await fuzzSequences(pool, ctx, {
      oracles: sequenceOracles,
      seed,
      runs: sequenceRuns,
      deadline: sequenceDeadline,
      requestTimeoutMs: timeout,
      maxSteps: opts.maxSteps ?? DEFAULTS.maxSteps,
      report,
      log,
      ...(opts.maxFindingsPerOracle !== undefined ? { maxFindingsPerOracle: opts.maxFindingsPerOracle } : {}),
    });
    report.findings.push(...found);

    if (modelWanted && Date.now() < deadline - 500) {
      const modelOracles = (['stateful-model', 'cancellation'] as const).filter((o) => wanted.has(o));
      report.ran.push(...modelOracles);
      const m = await runModel(pool, {
        revision: prepared.revision,
        tools: prepared.tools.callable,
        capabilities: prepared.capabilities,
        oracles: modelOracles,
        seed,
        runs: modelRuns,
        deadline,
        requestTimeoutMs: timeout,
        log,
      });
      report.findings.push(...m.findings);
      report.exercised['stateful-model'] += m.runs;
      report.exercised.cancellation += m.cancellations;
      report.runs += m.runs;
      report.messages += m.messages;
      report.notes.push(...m.notes);
    }
  });
}

/**
 * Fuzzes a client target (client mode): the fuzzer is the server, sending the client fuzzed
 * server→client messages. The model-based phase and the tool-call oracle are server-only.
 */
export async function fuzzClient(factory: TargetFactory, opts: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const deadline = Date.now() + (opts.timeBudgetMs ?? DEFAULTS.timeBudgetMs);
  const timeout = opts.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  const wanted = new Set<OracleId>(opts.oracles ?? SEQUENCE_ORACLES);
  const report = emptyReport(factory, opts.revision);
  const pool = new SessionPool(factory, { revision: opts.revision, requestTimeoutMs: timeout, spare: opts.spare ?? true });
  let first: FuzzSession;
  try {
    first = await pool.acquire();
  } catch (err) {
    report.unreachable = `cannot fuzz ${factory.description}: ${(err as Error).message}`;
    await pool.close();
    report.durationMs = Math.round(performance.now() - started);
    return report;
  }
  report.revision = first.revision;
  const capabilities = first.serverCapabilities;
  pool.release(first, first.alive);
  log(`fuzzing ${factory.description} at ${report.revision}; client capabilities: ${Object.keys(capabilities).join(', ') || 'none'}`);
  return runToEnd(report, pool, started, async () => {
    const ctx: StepContext = {
      rev: report.revision,
      receiver: 'client',
      transport: factory.transport,
      capabilities,
      tools: [],
      ...(opts.hugeStringLength !== undefined ? { hugeStringLength: opts.hugeStringLength } : {}),
      ...(opts.nestingDepth !== undefined ? { nestingDepth: opts.nestingDepth } : {}),
    };
    const oracles = SEQUENCE_ORACLES.filter((o) => wanted.has(o) && o !== 'tool-call-protocol-errors');
    report.ran.push(...oracles);
    report.findings.push(
      ...(await fuzzSequences(pool, ctx, {
        oracles,
        seed: opts.seed ?? DEFAULTS.seed,
        runs: opts.runs ?? DEFAULTS.runs,
        deadline,
        requestTimeoutMs: timeout,
        maxSteps: opts.maxSteps ?? DEFAULTS.maxSteps,
        report,
        log,
        receiver: 'client',
        ...(opts.maxFindingsPerOracle !== undefined ? { maxFindingsPerOracle: opts.maxFindingsPerOracle } : {}),
      })),
    );
  });
}

export interface SequenceFuzzOptions {
  oracles: readonly OracleId[];
  seed: number;
  runs: number;
  /** Epoch ms. */
  deadline: number;
  requestTimeoutMs: number;
  maxSteps: number;
  report: Pick<FuzzReport, 'exercised' | 'runs' | 'messages' | 'notes' | 'errors'>;
  log: (line: string) => void;
  /** Findings of one oracle with different step categories (likely different defects), at most (default 3). */
  maxFindingsPerOracle?: number;
  /** Judge nothing: every run passes, nothing shrinks (measures the loop itself: bench/fuzz.ts). */
  observeOnly?: boolean;
  /** Who receives the messages (default server). */
  receiver?: 'server' | 'client';
}

/** The sequence phase: one fast-check property run per finding, until runs or time run out. */
export async function fuzzSequences(pool: SessionSource, ctx: StepContext, o: SequenceFuzzOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const maxPer = o.maxFindingsPerOracle ?? DEFAULTS.maxFindingsPerOracle;
  const found = new Map<OracleId, number>();
  /** `oracle|category` of every finding so far: the same defect is not reported twice. */
  const retired = new Set<string>();
  const sig = (v: OracleViolation) => `${v.oracle}|${v.category ?? 'run'}`;
  const open = (oracle: OracleId) => o.oracles.includes(oracle) && (found.get(oracle) ?? 0) < maxPer;
  const judged = (oracle: OracleId, category: string) => open(oracle) && !retired.has(`${oracle}|${category}`);
  const arbitrary = sequenceArbitrary(ctx, o.maxSteps);
  let runsLeft = o.runs;
  const notes = new Set<string>();
  const slowTools = new Set<string>();
  for (let k = 0; o.oracles.some(open) && runsLeft > 0 && Date.now() < o.deadline - 200; k++) {
    const seed = o.seed + k;
    let focus: string | undefined;
    let lastFailure: { rec: RunRecord; violation: OracleViolation } | undefined;
    const property = fc.asyncProperty(arbitrary, async (steps) => {
      const session = await pool.acquire();
      const f = focus;
      const rec = await runSteps(session, steps, {
        requestTimeoutMs: o.requestTimeoutMs,
        judged: f ? (oracle, category) => `${oracle}|${category}` === f : judged,
        receiver: o.receiver ?? 'server',
        slowTools,
      });
      rec.slowTools.forEach((t) => slowTools.add(t));
      o.report.runs++;
      o.report.messages += rec.steps.length;
      countExercised(rec, o.report.exercised);
      rec.notes.forEach((n) => notes.add(n.replace(/^step \d+ /, '')));
      const relevant = o.observeOnly ? [] : rec.violations.filter((v) => (f ? sig(v) === f : judged(v.oracle, v.category ?? 'run')));
      // Reused while it answers: a restart per failing run would make shrinking crawl (a Node
      // server takes 0.3–2 s of CPU to start); a dead or stalled target is replaced.
      pool.release(session, rec.alive);
      if (relevant.length === 0) return true;
      const v = relevant[0] as OracleViolation;
      focus ??= sig(v);
      lastFailure = { rec, violation: v };
      return false;
    });
    const details = await fc.check(property, {
      seed,
      numRuns: runsLeft,
      plugins: [fc.interruptAfterTimeLimit(Math.max(1, o.deadline - Date.now()))],
    });
    runsLeft -= details.numRuns;
    if (details.errorInstance && !focus) {
      o.report.errors.push(`the fuzz property threw: ${String((details.errorInstance as Error)?.stack ?? details.errorInstance)}`);
      break;
    }
    if (!details.failed || !focus || !details.counterexample) break;
    const signature: string = focus;
    const [oracleText, category] = signature.split('|') as [OracleId, string];
    const oracle: OracleId = oracleText;
    const steps = (details.counterexample as unknown as [FuzzStep[]])[0];
    o.log(`found ${oracle} (${category}) after ${details.numRuns} run(s), shrunk ${details.numShrinks} time(s) to ${steps.length} message(s); reproducing on a fresh session`);
    // The evidence: the shrunk sequence once more, on a session nothing else has touched.
    let rec: RunRecord | undefined;
    const same = (oracleId: OracleId, c: string) => `${oracleId}|${c}` === signature;
    for (let attempt = 0; attempt < 2 && !rec?.violations.some((v) => sig(v) === signature); attempt++) {
      try {
        const fresh = await pool.fresh(true);
        rec = await runSteps(fresh, steps, { requestTimeoutMs: o.requestTimeoutMs, judged: same, receiver: o.receiver ?? 'server' });
        pool.release(fresh, false);
      } catch (err) {
        o.report.errors.push(`reproducing the ${oracle} finding failed: ${(err as Error).message}`);
        break;
      }
    }
    const again = rec?.violations.find((v) => sig(v) === signature);
    const shown = again ? (rec as RunRecord) : (lastFailure?.rec ?? rec);
    findings.push({
      oracle,
      category,
      message: (again ?? lastFailure?.violation)?.message ?? 'violated',
      kind: 'sequence',
      seed,
      path: details.counterexamplePath ?? '',
      steps: shown?.steps ?? steps,
      evidence: shown?.evidence ?? [],
      reproduced: again !== undefined,
      numRuns: details.numRuns,
      numShrinks: details.numShrinks,
    });
    retired.add(signature);
    found.set(oracle, (found.get(oracle) ?? 0) + 1);
  }
  o.report.notes.push(...[...notes].slice(0, 20));
  return findings;
}
