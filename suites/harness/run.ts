// Runs one check at one revision and turns whatever happened into a CheckResult: the check's
// own verdict, a timeout, a crash of the target or of the body, a budget cut. Always cleans up.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { specUrl, type Revision } from '../../schema/index.ts';
import { checkResult, verdictForFailure, type CheckMeta, type CheckResult, type MessageViolation, type Verdict, type WireEntry } from '../../reports/model.ts';
import { TimeoutError, type ViolationReport } from '../../mock-server/index.ts';
import type { RunConfig } from './config.ts';
import { CheckContext, CheckOutcome, compactEntry } from './context.ts';
import { gateClient } from './client-context.ts';
import { stderrNote } from './stderr-gist.ts';
import { applyCrossTalk } from './crosstalk.ts';
import { transportMismatch } from './meta.ts';

export type CheckBody = (t: CheckContext) => Promise<void> | void;

export interface CheckDef {
  meta: CheckMeta;
  body: CheckBody;
}

const MAX_VIOLATIONS = 20;
const WIRE_ENTRY_MAX_CHARS = 64 * 1024;

/** `lifecycle/initialize-result` + `2025-11-25` → `wire/lifecycle_initialize-result@2025-11-25.jsonl` */
export function wireLogPath(id: string, rev: Revision | null): string {
  return `wire/${id.replace(/[^A-Za-z0-9._-]+/g, '_')}@${rev ?? 'any'}.jsonl`;
}

function excerpt(msg: unknown, max = 300): string {
  const text = typeof msg === 'string' ? msg : (JSON.stringify(msg) ?? String(msg));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** One row per (type, pointer, cause), counting the messages that had it: one defect repeated is one row. */
function collectViolations(t: CheckContext): MessageViolation[] {
  const rows = new Map<string, MessageViolation & { count: number }>();
  const add = (v: MessageViolation) => {
    const k = JSON.stringify([v.dir, v.type ?? '', v.pointer, v.message]);
    const row = rows.get(k);
    if (row) row.count++;
    else if (rows.size < MAX_VIOLATIONS) rows.set(k, { ...v, count: 1 });
  };
  {
    for (const v of t.violations()) {
      // Only what the target sent: our own deliberately broken messages are not its fault, nor
      // its answers to messages the revision does not have (the batch probe). (An error answer to
      // unreadable input with "id": null is valid: see the error-response-null-id schema patch; one
      // without id is judged, at SHOULD where the schema leaves id optional.)
      if (v.dir !== 'recv' || t.answersOutsideRevision(v.message)) continue;
      const type = v.classified.schemaType ?? v.classified.kind;
      for (const x of v.violations) add({ dir: 'recv', type, pointer: x.pointer, message: x.message, excerpt: excerpt(v.message), ...(x.level ? { level: x.level } : {}) });
    }
  }
  for (const e of t.wire.entries) {
    if (e.dir === 'recv' && e.raw !== undefined && e.note?.startsWith('not JSON')) {
      add({ dir: 'recv', type: 'not JSON', pointer: '', message: e.note, excerpt: excerpt(e.raw) });
    }
  }
  return [...rows.values()];
}

function writeWire(path: string, entries: readonly WireEntry[], dropped: number): void {
  const lines = entries.map((e) => JSON.stringify(compactEntry(e, WIRE_ENTRY_MAX_CHARS)));
  if (dropped) lines.push(JSON.stringify({ t: entries.at(-1)?.t ?? 0, dir: 'recv', note: `${dropped} more entries dropped (log cap)` }));
  writeFileSync(path, lines.length ? `${lines.join('\n')}\n` : '');
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' && !err.message.includes(err.name) ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}

interface Outcome {
  verdict: Verdict;
  message: string;
  evidence?: WireEntry[];
}

const TIMED_OUT = Symbol('timed out');
const STOPPED = Symbol('stopped');

export function stopRequested(cfg: Pick<RunConfig, 'stopFile'>): boolean {
  return cfg.stopFile !== null && existsSync(cfg.stopFile);
}

/** Runs a check's body at one revision against the configured target. Never throws. */
export async function runCheck(def: CheckDef, rev: Revision, cfg: RunConfig): Promise<CheckResult> {
  const started = performance.now();
  const { meta } = def;
  const t = new CheckContext(meta, rev, cfg);
  let outcome: Outcome;
  const remaining = cfg.deadline === null ? Infinity : cfg.deadline - Date.now();
  const budgetCut = remaining < cfg.checkTimeoutMs;
  const limit = Math.min(cfg.checkTimeoutMs, remaining);

  if (stopRequested(cfg)) {
    outcome = { verdict: 'not-verified', message: 'not run: the run was interrupted' };
  } else if (limit <= 0) {
    outcome = { verdict: 'not-verified', message: 'not run: the run budget was exhausted' };
  } else if (meta.side === 'server' && transportMismatch(meta.transports, cfg.target.kind)) {
    outcome = { verdict: 'not-applicable', message: transportMismatch(meta.transports, cfg.target.kind)! };
  } else {
    let timer: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT | typeof STOPPED>((r) => {
      timer = setTimeout(() => r(TIMED_OUT), limit);
      if (cfg.stopFile !== null) poll = setInterval(() => stopRequested(cfg) && r(STOPPED), 200);
    });
    const work = (async () => {
      if (meta.requires) await (meta.side === 'client' ? gateClient(t, meta.requires) : t.gate(meta.requires));
      await def.body(t);
    })();
    try {
      const r = await Promise.race([work, timeout]);
      if (r === STOPPED) {
        work.catch(() => {});
        outcome = { verdict: 'not-verified', message: 'cut short: the run was interrupted', evidence: t.evidence() };
      } else if (r === TIMED_OUT) {
        work.catch(() => {}); // it will reject once its connections are closed below
        // Only a requirement about answering is broken by a target too slow to answer (or a machine too loaded).
        outcome = budgetCut
          ? { verdict: 'not-verified', message: `cut short: the run budget ran out after ${Math.round(limit)} ms`, evidence: t.evidence() }
          : { verdict: meta.timely ? verdictForFailure(meta.level) : 'not-verified', message: `the check did not finish within ${limit} ms (the target stopped answering)`, evidence: t.evidence() };
      } else {
        const worst = t.findings.find((f) => f.verdict === 'warn') ?? t.findings[0];
        outcome = worst ? { verdict: worst.verdict, message: worst.message, evidence: worst.evidence } : { verdict: 'pass', message: '' };
      }
    } catch (err) {
      if (err instanceof CheckOutcome) {
        const verdict = err.kind === 'fail' ? verdictForFailure(meta.level) : err.kind;
        outcome = { verdict, message: err.message };
        if (err.evidence) outcome.evidence = err.evidence;
      } else {
        // An exception the body did not classify: a timeout, a closed connection, a crash.
        // A write that failed because the server exited: give its exit a moment to be reported.
        if (/EPIPE|ECONNRESET|not running/.test(String((err as { code?: unknown }).code ?? '') + errorText(err))) await new Promise((r) => setTimeout(r, 300));
        const said = stderrNote(t.stderr());
        const gone = t.connections.map((c) => c.client.peer).find((p) => p.closed && p.closeReason !== 'closed locally');
        const timedOut = err instanceof TimeoutError;
        const why = timedOut
          ? `timed out: ${err.message}`
          : CheckContext.isWireError(err)
            ? errorText(err)
            : gone
              ? `the server went away (${gone.closeReason}) during the check: ${errorText(err)}`
              : `unexpected error: ${errorText(err)}`;
        // A request left unanswered (a slow tool, a loaded machine) says nothing about a requirement
        // that is not about answering: not verified, unless the check declares itself timely.
        const verdict = timedOut && !meta.timely ? 'not-verified' : verdictForFailure(meta.level);
        outcome = { verdict, message: said ? `${why} (${said})` : why, evidence: t.evidence() };
      }
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
      await t.close();
    }
  }

  let wireLog: string | null = null;
  if (cfg.outDir) {
    wireLog = wireLogPath(meta.id, rev);
    try {
      mkdirSync(join(cfg.outDir, 'wire'), { recursive: true });
      writeWire(join(cfg.outDir, wireLog), t.wire.entries, t.wire.dropped);
    } catch {
      wireLog = null;
    }
  }
  const page = t.cited ?? meta.spec[rev];
  const result = checkResult(meta, rev, {
    verdict: outcome.verdict,
    message: outcome.message,
    // An absolute URL cites a page outside the MCP spec (host checks cite Claude's documentation).
    specUrl: page ? (/^https?:\/\//.test(page) ? page : specUrl(rev, page)) : null,
    durationMs: Math.round(performance.now() - started),
    wireLog,
  });
  const violations = collectViolations(t);
  if (violations.length) result.violations = violations;
  if (outcome.evidence?.length && outcome.verdict !== 'pass') result.evidence = outcome.evidence;
  // Answers to other connections' ids: not this check's to judge; transport/cross-talk reports them.
  const strayCount = t.strayCount();
  applyCrossTalk(result, t.wire.entries, strayCount, (e) => compactEntry(e, 1_000));
  return result;
}

/** Revisions a check runs at: the run's revisions that the check applies to. */
export function revisionsFor(def: CheckDef, cfg: Pick<RunConfig, 'revisions'>): Revision[] {
  return cfg.revisions.filter((r) => def.meta.revisions.includes(r));
}
