// The results data model shared by the harness (suites/), the reporter and every writer.
// results.json is this, serialized; its JSON Schema is reports/results.schema.json.
import type { Revision } from '../schema/index.ts';
// One recorded message: the peer engine writes the wire log, so mock-server owns its shape.
import type { WireEntry } from '../mock-server/index.ts';

export type { WireEntry };

export const RESULTS_FORMAT = 'mcp-conform/results';
export const RESULTS_FORMAT_VERSION = 1;

/** Requirement level from the spec sentence: MUST → fail, SHOULD → warn, MAY → info. */
export type Level = 'MUST' | 'SHOULD' | 'MAY';

export type Verdict =
  | 'pass'
  | 'fail' // a MUST was broken
  | 'warn' // a SHOULD was broken
  | 'info' // a MAY was not done
  | 'not-applicable' // the target lacks the capability / revision the check needs
  | 'not-verified'; // the check could not exercise the requirement (say why in message)

/** auth-server: an OAuth authorization server (mcp-conform auth-server). */
export type Mode = 'server' | 'client' | 'fuzz' | 'auth-server';

/** Check metadata, as data: what test262 keeps in its front matter. */
export interface CheckMeta {
  /** Stable id, `area/name`, e.g. `tools/call-unknown-tool`. */
  id: string;
  /** One-line title. */
  title: string;
  level: Level;
  /** The requirement sentence the check enforces, in the spec's words. */
  requirement: string;
  /** Spec page + anchor per revision, relative to the revision root, e.g. `server/tools#error-handling`. */
  spec: Partial<Record<Revision, string>>;
  /** Revisions the check applies to (defaults to the keys of `spec`). */
  revisions: Revision[];
  /** Capability the check needs, as a dotted path: `server.tools`, `client.sampling`, `server.resources.subscribe`. */
  requires?: string;
  /**
   * The requirement is itself about answering (at all, or promptly): a request left unanswered
   * within the timeouts breaks it. Otherwise a timeout leaves the check not verified.
   */
  timely?: boolean;
  /** The check only reads (listings, gets, errors for bad input): it may run on a session shared with other such checks. */
  shared?: boolean;
  /** The transports it is about (a server check): on any other target it is not applicable, before anything is sent. */
  transports?: CheckTransport[];
  /** Which side is under test. */
  side: 'server' | 'client';
}

/** A transport a check can be about: stdio, Streamable HTTP, the legacy HTTP+SSE. */
export type CheckTransport = 'stdio' | 'http' | 'sse';

export interface CheckResult {
  id: string;
  title: string;
  level: Level;
  revision: Revision | null;
  verdict: Verdict;
  /** One-line reason (why it failed, why not applicable…); empty on a plain pass. */
  message: string;
  requirement: string;
  specUrl: string | null;
  durationMs: number;
  /** Path of the check's wire log, relative to the output folder. */
  wireLog: string | null;
  /** The messages that prove a failure. */
  evidence?: WireEntry[];
  /** Schema violations in messages the target sent during the check (see schema/valid-messages), grouped. */
  violations?: MessageViolation[];
  /** Answers to ids that another connection sent, set aside during the check (see transport/cross-talk). */
  crossTalk?: { count: number; first: WireEntry };
  /** Set by applyBaseline: a failing check the baseline lists (the verdict stays as it is). */
  expected?: boolean;
  /** Set by applyBaseline: a check the baseline lists as failing that did not fail (a stale entry). */
  stale?: boolean;
}

export interface MessageViolation {
  /** recv: the target sent it. */
  dir: 'send' | 'recv';
  /** JSON Pointer into the message. */
  pointer: string;
  message: string;
  /** The offending message, shortened (the first one, when grouped). */
  excerpt: string;
  /** The schema type the message was validated as (CallToolResult, JSONRPCNotification…). */
  type?: string;
  /** How many messages had this (type, pointer, message): one row per defect, not per message. */
  count?: number;
  /** schema/valid-messages: where the messages were, as check results of this file and their wire logs. */
  at?: { check: string; revision: Revision | null; wireLog: string | null; count: number }[];
  /** Set when the rule broken is a SHOULD (absent: MUST). */
  level?: 'SHOULD';
}

export interface HostVerdict {
  host: string;
  works: boolean;
  /** "works with X" or "does not work with X because …". */
  summary: string;
  failingChecks: string[];
}

export interface Counts {
  total: number;
  passed: number;
  failed: number;
  warned: number;
  info: number;
  notApplicable: number;
  notVerified: number;
}

export interface Results {
  format: typeof RESULTS_FORMAT;
  formatVersion: typeof RESULTS_FORMAT_VERSION;
  tool: { name: string; version: string };
  mode: Mode;
  target: { description: string; transport: 'stdio' | 'http' | 'sse' | 'memory' | 'command'; stderr?: string };
  revisions: Revision[];
  /** Revisions the run meant to test but could not (the version probe failed), with the reason. */
  untested?: { revision: Revision; reason: string }[];
  startedAt: string;
  endedAt: string;
  counts: Counts;
  checks: CheckResult[];
  hosts?: HostVerdict[];
  /** Problems of the run itself (target crashed, budget exhausted…). */
  errors: string[];
  /** Present when an expected-failures baseline was applied (see applyBaseline). */
  baseline?: BaselineOutcome;
  /** Which listed tools the run would call, and why (server and fuzz runs; optional: older results lack it). */
  toolPlan?: ToolPlan;
}

/** The tool-calling plan printed before the first call (suites/harness/tool-policy.ts decides). */
export interface ToolPlan {
  /** The --call-tools value: safe, additive, all, none, or comma-separated name globs. */
  policy: string;
  revisions: RevisionToolPlan[];
}

export interface ToolDecision {
  name: string;
  why: string;
}

export interface RevisionToolPlan {
  revision: string;
  /** Tools the server listed at that revision. */
  listed: number;
  /** Tools that may be called, each with why. */
  call: ToolDecision[];
  /** Tools that will not be called, each with why and how to opt in. */
  skip: ToolDecision[];
  /** Why no tool was listed: no tools capability, the listing failed, calls disabled… */
  note?: string;
}

/** What comparing a run with an expected-failures baseline found; entries are quoted as written. */
export interface BaselineOutcome {
  /** The baseline file, as given. */
  source: string;
  /** Failing checks (`id` or `id@revision`) the baseline does not list. */
  newFailures: string[];
  /** Entries whose checks failed, as listed. */
  expectedFailures: string[];
  /** Entries whose checks ran and did not fail: the baseline must be updated. */
  staleEntries: string[];
  /** Entries that matched no check of this run (tolerated, like an absent check). */
  unmatchedEntries: string[];
  /** Whether a warn (SHOULD) counted as a failure, as in the official suite. */
  warningsFail: boolean;
}

export function verdictForFailure(level: Level): Verdict {
  return level === 'MUST' ? 'fail' : level === 'SHOULD' ? 'warn' : 'info';
}

/** What a CheckResult says besides the check's metadata: its verdict and the rest of its row. */
export interface CheckOutcome {
  verdict: Verdict;
  message: string;
  specUrl?: string | null;
  durationMs?: number;
  wireLog?: string | null;
}

/**
 * The one place a CheckResult is made (the harness, the reporter for a check that recorded none,
 * the run-level checks), so every row of results.json has its fields in the same order.
 */
export function checkResult(check: Pick<CheckMeta, 'id' | 'title' | 'level' | 'requirement'>, revision: Revision | null, outcome: CheckOutcome): CheckResult {
  return {
    id: check.id,
    title: check.title,
    level: check.level,
    revision,
    verdict: outcome.verdict,
    message: outcome.message,
    requirement: check.requirement,
    specUrl: outcome.specUrl ?? null,
    durationMs: outcome.durationMs ?? 0,
    wireLog: outcome.wireLog ?? null,
  };
}

/** The one count of verdicts (results.json's `counts`). */
export function countVerdicts(checks: readonly CheckResult[]): Counts {
  const c: Counts = { total: checks.length, passed: 0, failed: 0, warned: 0, info: 0, notApplicable: 0, notVerified: 0 };
  for (const r of checks) {
    if (r.verdict === 'pass') c.passed++;
    else if (r.verdict === 'fail') c.failed++;
    else if (r.verdict === 'warn') c.warned++;
    else if (r.verdict === 'info') c.info++;
    else if (r.verdict === 'not-applicable') c.notApplicable++;
    else c.notVerified++;
  }
  return c;
}

/** What fails the exit code (--fail-on): a broken MUST (the default), a broken SHOULD too, or nothing. */
export type FailOn = 'must' | 'should' | 'never';

export const FAIL_ON: readonly FailOn[] = ['must', 'should', 'never'];

/**
 * 0 = no MUST failed, 1 = a MUST failed. (2 usage error and 3 unreachable target are the CLI's.)
 * With a baseline applied: 1 = a failure the baseline does not list, or a stale baseline entry
 * (whether a warning counts was decided when the baseline was applied).
 * failOn 'should' also fails on a warn verdict; 'never' is always 0.
 */
export function exitCodeFor(results: Pick<Results, 'checks' | 'baseline'>, failOn: FailOn = 'must'): 0 | 1 {
  if (failOn === 'never') return 0;
  if (results.baseline) {
    return results.baseline.newFailures.length > 0 || results.baseline.staleEntries.length > 0 ? 1 : 0;
  }
  return results.checks.some((c) => c.verdict === 'fail' || (failOn === 'should' && c.verdict === 'warn')) ? 1 : 0;
}
