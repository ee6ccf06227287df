// The vitest reporter that collects a run of conformance checks into Results (it writes nothing:
// the CLI finishes the results and writes every file once). The harness runs each check as a
// vitest test and puts its CheckResult on `task.meta.mcpConform`, the one way a verdict travels;
// this collects them. A test without one that failed, timed out or never finished still becomes a 'not-verified'
// CheckResult plus a line in Results.errors, so a crashed harness cannot hide a check.
import { readFileSync } from 'node:fs';
import type { Reporter, SerializedError, TestCase, TestModule, TestRunEndReason } from 'vitest/node';
import { isRevision, specUrl, type Revision } from '../schema/index.ts';
import { checkLabel, compareChecks, checkKey, oneLine } from './common.ts';
import { shouldColor, type ColorStream } from './color.ts';
import { checkResult, countVerdicts, RESULTS_FORMAT, RESULTS_FORMAT_VERSION, type CheckResult, type Mode, type Results, type Verdict } from './model.ts';
import { progressLine } from './summary.ts';
import type { CheckHint } from './vitest-meta.ts';

export interface ProgressStream extends ColorStream {
  write(chunk: string): unknown;
  /** When present, finished checks go here instead of as lines (the live display, reports/progress.ts). */
  onCheck?(check: CheckResult): void;
}

export interface ConformReporterOptions {
  mode: Mode;
  target: Results['target'];
  /** Revisions the run was asked to test. */
  revisions: Revision[];
  /** A line per finished check goes here; false for none. Default process.stdout. */
  progress?: ProgressStream | false;
  /** Colour the progress lines; default: when the stream is a TTY and NO_COLOR is unset. */
  color?: boolean;
  tool?: Results['tool'];
}

function packageTool(): Results['tool'] {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name?: string; version?: string };
    return { name: pkg.name ?? 'mcp-conform', version: pkg.version ?? '0.0.0' };
  } catch {
    return { name: 'mcp-conform', version: '0.0.0' };
  }
}

/** One line for an error vitest reports: `Name: message` (first line), or its stack's first line. */
export function errorText(err: SerializedError | undefined): string {
  if (!err) return 'unknown error';
  const msg = oneLine(err.message || err.stack || 'unknown error', 500);
  return err.name && err.name !== 'Error' && !msg.startsWith(err.name) ? `${err.name}: ${msg}` : msg;
}

const ID_IN_NAME = /([a-z0-9][\w.-]*(?:\/[\w.-]+)+)(?:\s*\[(\d{4}-\d{2}-\d{2})\])?/i;

/** A check id and revision guessed from a test's name (`tools/call-unknown-tool [2025-11-25]`). */
export function idFromName(name: string): { id: string; revision: Revision | null } | null {
  const m = ID_IN_NAME.exec(name);
  if (!m?.[1]) return null;
  const rev = m[2];
  return { id: m[1], revision: rev && isRevision(rev) ? rev : null };
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

/** The first error of a suite (or module) around the test: a failed beforeAll and the like. */
function ancestorError(tc: TestCase): SerializedError | undefined {
  for (let p: TestCase['parent'] = tc.parent; ; p = p.parent) {
    const err = p.errors()[0];
    if (err) return err;
    if (p.type === 'module') return undefined;
  }
}

/** A CheckResult for a test that did not record one. */
function synthesize(tc: TestCase, message: string): CheckResult {
  const hint: CheckHint | undefined = tc.meta().mcpConformCheck;
  const durationMs = Math.round((tc.diagnostic()?.duration ?? 0) * 1000) / 1000;
  if (hint) {
    const page = hint.revision ? hint.check.spec[hint.revision] : undefined;
    return checkResult(hint.check, hint.revision, { verdict: 'not-verified', message, specUrl: hint.revision && page ? specUrl(hint.revision, page) : null, durationMs });
  }
  const guess = idFromName(tc.name) ?? idFromName(tc.fullName);
  const id = guess?.id ?? `harness/${slug(`${tc.module.relativeModuleId} ${tc.fullName}`)}`;
  return checkResult({ id, title: tc.fullName, level: 'MUST', requirement: '' }, guess?.revision ?? null, { verdict: 'not-verified', message, durationMs });
}

const VERDICTS: ReadonlySet<string> = new Set<Verdict>(['pass', 'fail', 'warn', 'info', 'not-applicable', 'not-verified']);

/**
 * What is wrong with a harness's CheckResult, if anything. The harness builds it with one typed
 * function and the tests validate whole results.json files against the schema; a full ajv
 * validation here cost about 1.2 s of CPU per run (compiling results.schema.json) for that.
 */
function malformedMeta(meta: unknown): string | undefined {
  if (typeof meta !== 'object' || meta === null) return 'not an object';
  const m = meta as Record<string, unknown>;
  for (const key of ['id', 'title', 'message', 'requirement'] as const) if (typeof m[key] !== 'string') return `${key} is not a string`;
  if (typeof m.verdict !== 'string' || !VERDICTS.has(m.verdict)) return `verdict ${JSON.stringify(m.verdict)} is not a verdict`;
  if (m.level !== 'MUST' && m.level !== 'SHOULD' && m.level !== 'MAY') return `level ${JSON.stringify(m.level)} is not a level`;
  for (const key of ['revision', 'specUrl', 'wireLog'] as const) if (m[key] !== null && typeof m[key] !== 'string') return `${key} is neither a string nor null`;
  if (typeof m.durationMs !== 'number') return 'durationMs is not a number';
  return undefined;
}

export interface Converted {
  check?: CheckResult;
  error?: string;
}

/** The CheckResult of one finished (or unfinished) test case, and a run error if something went wrong. */
export function convertTestCase(tc: TestCase, reason?: TestRunEndReason): Converted {
  const meta = tc.meta();
  const result = tc.result();
  const where = `${tc.module.relativeModuleId} › ${tc.fullName}`;
  const errs = result.state === 'failed' || result.state === 'passed' ? (result.errors ?? []) : [];
  const errText = errs.map(errorText).join('; ') || 'failed without an error';

  let malformed: string | undefined;
  if (meta.mcpConform !== undefined) {
    const problem = malformedMeta(meta.mcpConform);
    if (!problem) {
      const check = meta.mcpConform;
      // A verdict the harness decided stands; a test that then failed anyway (an afterEach
      // hook, teardown) is a harness problem worth seeing, not a different verdict.
      if (result.state === 'failed' && check.verdict === 'pass') {
        return { check, error: `${checkLabel(check)}: recorded pass, but the test failed: ${errText}` };
      }
      return { check };
    }
    malformed = `malformed mcpConform meta (${problem})`;
  }

  switch (result.state) {
    case 'failed': {
      const message = malformed ? `harness error: ${malformed}` : `harness error: ${errText}`;
      return { check: synthesize(tc, message), error: `${where}: ${malformed ?? errText}` };
    }
    case 'passed':
      if (malformed) return { check: synthesize(tc, `harness error: ${malformed}`), error: `${where}: ${malformed}` };
      // A plain test that is not a check (no result, no hint): nothing to report.
      if (!meta.mcpConformCheck) return {};
      return { check: synthesize(tc, 'harness error: the check finished without recording a result'), error: `${where}: finished without recording a result` };
    case 'skipped': {
      // A test that was meant to run but was skipped because its suite's setup failed is a
      // check that did not run, even when nothing but its name says which check it is.
      const setupError = tc.options.mode === 'run' ? ancestorError(tc) : undefined;
      if (!meta.mcpConformCheck && !malformed && !setupError) return {};
      const note = result.note ? `: ${result.note}` : '';
      const message = setupError
        ? `not run: setup failed: ${errorText(setupError)}`
        : reason === 'interrupted'
          ? 'not run: the run was interrupted'
          : `skipped${note}`;
      return { check: synthesize(tc, message), ...(malformed ? { error: `${where}: ${malformed}` } : {}) };
    }
    case 'pending':
    default:
      if (!meta.mcpConformCheck && !malformed) return {};
      return { check: synthesize(tc, 'did not finish: the run ended first') };
  }
}

/** Every check of a finished (or interrupted) run, and the problems of the run itself. */
export function collectChecks(
  testModules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<SerializedError> = [],
  reason: TestRunEndReason = 'passed',
): { checks: CheckResult[]; errors: string[] } {
  const checks: CheckResult[] = [];
  const errors: string[] = [];
  let unfinished = 0;
  for (const mod of testModules) {
    for (const err of mod.errors()) errors.push(`${mod.relativeModuleId}: ${errorText(err)}`);
    for (const suite of mod.children.allSuites()) {
      for (const err of suite.errors()) errors.push(`${mod.relativeModuleId} › ${suite.fullName}: ${errorText(err)}`);
    }
    for (const tc of mod.children.allTests()) {
      const state = tc.result().state;
      if (state === 'pending' || (reason === 'interrupted' && state === 'skipped' && tc.options.mode === 'run')) unfinished++;
      const { check, error } = convertTestCase(tc, reason);
      if (check) checks.push(check);
      if (error) errors.push(error);
    }
  }
  for (const err of unhandledErrors) errors.push(`unhandled error: ${errorText(err)}`);
  if (reason === 'interrupted') errors.push(`run interrupted${unfinished ? `: ${unfinished} test(s) did not finish` : ''}`);

  checks.sort(compareChecks);
  const seen = new Set<string>();
  for (const c of checks) {
    const key = checkKey(c);
    if (seen.has(key)) errors.push(`${checkLabel(c)}: more than one result recorded`);
    seen.add(key);
  }
  return { checks, errors };
}

/**
 * Use as `reporters: [new ConformReporter({ mode, target, revisions })]`. On every run end —
 * passed, failed or interrupted — it sets `results` (what the tests recorded, counted).
 */
export class ConformReporter implements Reporter {
  /** The results of the last run, once it ended. */
  results: Results | undefined;
  private readonly options: ConformReporterOptions;
  private readonly tool: Results['tool'];
  private startedAt = new Date().toISOString();

  constructor(options: ConformReporterOptions) {
    this.options = options;
    this.tool = options.tool ?? packageTool();
  }

  onTestRunStart(): void {
    this.startedAt = new Date().toISOString();
    this.results = undefined;
  }

  onTestCaseResult(testCase: TestCase): void {
    const stream: ProgressStream | false = this.options.progress === undefined ? process.stdout : this.options.progress;
    if (!stream) return;
    const { check } = convertTestCase(testCase);
    if (!check) return;
    if (stream.onCheck) return stream.onCheck(check);
    stream.write(`${progressLine(check, { color: this.options.color ?? shouldColor(stream) })}\n`);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const { checks, errors } = collectChecks(testModules, unhandledErrors, reason);
    this.results = {
      format: RESULTS_FORMAT,
      formatVersion: RESULTS_FORMAT_VERSION,
      tool: this.tool,
      mode: this.options.mode,
      target: this.options.target,
      revisions: [...this.options.revisions],
      startedAt: this.startedAt,
      endedAt: new Date().toISOString(),
      counts: countVerdicts(checks),
      checks,
      errors,
    };
  }
}

// So vitest can load it by path too: `reporters: [['./reports/vitest-reporter.ts', options]]`.
export default ConformReporter;
