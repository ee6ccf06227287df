// Sends one sequence of steps to a session and judges what came back against every oracle.
// Frames are pipelined (sent back to back), then a ping with our own id acts as a barrier: a
// target that processes frames in order has answered everything before it by the time it
// answers the ping. Replies are told apart by id; errors with a null id (frames whose id could
// not be read) are counted against the steps that may cause one.
import { classify, ErrorCode, isObject, type Direction, type Revision } from '../../schema/index.ts';
import type { WireEntry } from '../../reports/index.ts';
import { documentedToolCallCodes, type OracleId } from './oracles.ts';
import { OWN_ID_PREFIX, type FuzzSession } from './session.ts';
import { concretize, frameOf, type FuzzStep } from './steps.ts';
import { stderrGist } from '../harness/stderr-gist.ts';

export interface OracleViolation {
  oracle: OracleId;
  message: string;
  /** Index of the step it concerns, when one. */
  step?: number;
  /** That step's category ('run' when the violation concerns the run as a whole). */
  category?: string;
}

/** Which (oracle, step category) pairs still matter. */
export type Judged = (oracle: OracleId, category: string) => boolean;

export interface RunRecord {
  /** The steps as sent (fresh ids in place). */
  steps: FuzzStep[];
  /** What was sent and received, times relative to the run's start: the evidence. */
  evidence: WireEntry[];
  violations: OracleViolation[];
  /** The target was alive and answering at the end. */
  alive: boolean;
  /** Observations that are not violations (a tool call still running at the deadline…). */
  notes: string[];
  /** Tools whose calls got no answer within the timeout (long-running, or stuck). */
  slowTools: string[];
  durationMs: number;
}

export interface RunOptions {
  requestTimeoutMs: number;
  /** Longest wait for the barrier ping before the target counts as stalled (default max(3 × timeout, 5 s)). */
  stallTimeoutMs?: number;
  /**
   * How long to keep listening for stray replies after everything expected arrived. Default: on
   * an ordered channel (stdio, in-memory) no timer, one turn of the event loop (what the target
   * wrote before answering the barrier ping has arrived by then); elsewhere (HTTP, SSE: replies
   * travel apart) 2 ms.
   */
  graceMs?: number;
  /** Oracles whose violations matter; a reply only they would judge is not waited for. */
  active?: ReadonlySet<OracleId>;
  /** Finer than `active`: which oracle and step category pairs matter (both must agree). */
  judged?: Judged;
  /** Tools known to run past the timeout: their calls are judged if answered, but not waited for. */
  slowTools?: ReadonlySet<string>;
  /** Who the target is (decides the direction replies are validated in). */
  receiver?: 'server' | 'client';
}

const key = (id: unknown) => JSON.stringify(id) ?? 'undefined';
const isResponse = (m: Record<string, unknown>) => typeof m.method !== 'string' && (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error'));
const isOwn = (id: unknown) => typeof id === 'string' && id.startsWith(OWN_ID_PREFIX);
const hasNullId = (m: Record<string, unknown>) => !Object.hasOwn(m, 'id') || m.id === null;
const short = (v: unknown, max = 200) => {
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return text.length > max ? `${text.slice(0, max)}…` : text;
};
const ms = (t: number) => Math.round(t * 10) / 10;
const codeOf = (m: Record<string, unknown>) => (isObject(m.error) ? m.error.code : undefined);

function toolName(s: FuzzStep): string {
  const params = isObject(s.message) ? s.message.params : undefined;
  return isObject(params) && typeof params.name === 'string' ? params.name : '';
}

/** Whether every frame of the text is JSON (on stdio each line is a frame of its own). */
function parses(raw: string, lines: boolean): boolean {
  const frames = lines ? raw.split('\n').filter((l) => l.trim() !== '') : [raw];
  return frames.every((f) => {
    try {
      JSON.parse(f);
      return true;
    } catch {
      return false;
    }
  });
}

/** Makes a frame a stdio line: raw frames get the newline the transport leaves to us. */
function framed(step: FuzzStep, stdio: boolean): unknown {
  const f = frameOf(step);
  if (!stdio || step.message !== undefined) return f;
  const raw = (f as { raw: string | Uint8Array }).raw;
  return { raw: typeof raw === 'string' ? `${raw}\n` : new Uint8Array([...raw, 10]) };
}

function sentEntry(step: FuzzStep, t: number, i: number): WireEntry {
  const e: WireEntry = { t, dir: 'send', note: `step ${i + 1}: ${step.label}` };
  if (step.message !== undefined) e.msg = step.message;
  else if (step.raw !== undefined) e.raw = step.raw;
  else e.raw = Buffer.from(step.rawBase64 ?? '', 'base64').toString('utf8');
  return e;
}

/** Sends `steps` on the session, waits for the replies, and applies the oracles. */
export async function runSteps(session: FuzzSession, template: readonly FuzzStep[], opts: RunOptions): Promise<RunRecord> {
  const started = performance.now();
  const timeout = opts.requestTimeoutMs;
  const stdio = session.conn.lines === true;
  const ordered = stdio || session.conn.ordered === true;
  const grace = opts.graceMs ?? (ordered ? 0 : 2);
  const active = opts.active;
  const on = (o: OracleId, category = 'run') => (!active || active.has(o)) && (!opts.judged || opts.judged(o, category));
  const t0 = session.now();
  const inboxFrom = session.inbox.length;
  const malformedFrom = session.malformed.length;
  const evidence: WireEntry[] = [];
  const notes: string[] = [];
  const violations: OracleViolation[] = [];
  const slowTools = new Set<string>();
  const steps = template.map((s) => concretize(s));
  /** Steps an HTTP error status answered (Streamable HTTP may refuse a bad POST that way). */
  const httpRefused = new Set<number>();

  let sendFailure: string | undefined;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as FuzzStep;
    if (!session.alive) break;
    const notesFrom = session.notes.length;
    evidence.push(sentEntry(step, ms(session.now() - t0), i));
    try {
      await session.transport.send(framed(step, stdio));
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) httpRefused.add(i);
      else {
        sendFailure = `sending step ${i + 1} failed: ${(err as Error).message}`;
        break;
      }
    }
    if (session.notes.slice(notesFrom).some((n) => /: HTTP 4\d\d\b/.test(n.note))) httpRefused.add(i);
  }

  // The barrier: our own ping, answered after everything before it by an in-order target.
  const answered = sendFailure === undefined && (await session.ping(opts.stallTimeoutMs ?? Math.max(3 * timeout, 5_000)));
  const barrierAt = session.now();
  const replies = () => session.inbox.slice(inboxFrom).filter((r) => isResponse(r.msg) && !isOwn(r.msg.id));
  const byId = () => {
    const m = new Map<string, Record<string, unknown>[]>();
    for (const r of replies()) if (!hasNullId(r.msg)) m.set(key(r.msg.id), [...(m.get(key(r.msg.id)) ?? []), r.msg]);
    return m;
  };
  // Replies to requests may lag behind the barrier (async handlers): wait for them up to the
  // timeout, unless no active oracle would judge their absence.
  const waitedFor = steps
    .map((s, i) => ({ s, i }))
    .filter(({ s, i }) => {
      const c = s.category ?? 'step';
      if (s.expect.toolCall && opts.slowTools?.has(toolName(s))) return false;
      return s.expect.reply === 'response' && !httpRefused.has(i) && (on('one-response-per-request', c) || (s.expect.mustError && on('error-codes', c)) || (s.expect.toolCall && on('tool-call-protocol-errors', c)));
    });
  if (answered) {
    await session.until(() => {
      const ids = byId();
      return waitedFor.every(({ s }) => ids.has(key(s.expect.id)));
    }, barrierAt + timeout);
    // A fixed wait here cost more than the rest of a run on an ordered channel (bench/fuzz.ts).
    if (grace > 0) await session.until(() => false, session.now() + grace);
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const alive = answered && session.alive;

  // ---- what came back
  const got = session.inbox.slice(inboxFrom);
  for (const r of got) evidence.push({ t: ms(r.t - t0), dir: 'recv', msg: r.msg });
  for (const m of session.malformed.slice(malformedFrom)) evidence.push({ t: ms(m.t - t0), dir: 'recv', raw: m.raw, note: 'not JSON' });
  evidence.sort((a, b) => a.t - b.t);

  // ---- stays-alive
  if (!alive) {
    // The connection may close a moment before the process's exit status is known.
    if (session.conn.exited && session.conn.exited() === undefined) await session.until(() => session.conn.exited?.() !== undefined, session.now() + 300);
    const why = sendFailure ?? session.conn.exited?.() ?? (session.closedReason ? `the connection closed (${session.closedReason})` : undefined) ?? `it stopped answering: our ping got no answer within ${opts.stallTimeoutMs ?? Math.max(3 * timeout, 5_000)} ms`;
    const lastStderr = stderrGist(session.stderr()).join(' | ');
    violations.push({ oracle: 'stays-alive', message: `after ${steps.length} message(s): ${why}${lastStderr ? ` (last stderr: ${short(lastStderr, 300)})` : ''}` });
    if (lastStderr) evidence.push({ t: ms(session.now() - t0), dir: 'recv', note: `stderr: ${short(lastStderr, 1000)}` });
  }

  // ---- valid-responses: everything the target sent, results against their request's method
  const receiver = opts.receiver ?? 'server';
  const direction: Direction = receiver === 'server' ? 'server-to-client' : 'client-to-server';
  const methodOf = new Map<string, string>();
  for (const s of steps) if (s.expect.method && s.expect.id !== undefined) methodOf.set(key(s.expect.id), s.expect.method);
  const rev: Revision = session.revision;
  for (const r of got) {
    const m = r.msg;
    const c = classify(rev, m, { direction, requestMethod: (id) => (isOwn(id) ? (String(id).includes('initialize') ? 'initialize' : 'ping') : methodOf.get(key(id))) });
    // An error answering a frame whose id could not be read carries a null id (JSON-RPC 2.0 §5).
    // SHOULD-level findings (an error without id where the schema allows it) are not oracle violations.
    const bad = c.violations.filter((v) => v.level !== 'SHOULD' && !(hasNullId(m) && Object.hasOwn(m, 'error') && (v.pointer === '/id' || (v.pointer === '' && v.message.includes('"id"')))));
    if (bad.length) violations.push({ oracle: 'valid-responses', message: `${c.kind}${c.method ? ` ${c.method}` : ''} ${short(m, 160)}: ${bad.slice(0, 3).map((v) => `${v.pointer || '/'} ${v.message}`).join('; ')}` });
  }
  for (const m of session.malformed.slice(malformedFrom)) {
    violations.push({ oracle: 'valid-responses', message: `the target sent a frame that is not JSON: ${short(m.raw, 160)}${stdio ? ' (on stdio, the server MUST NOT write anything to stdout that is not a valid MCP message)' : ''}` });
  }

  // ---- replies per step
  const ids = byId();
  const consumed = new Set<string>();
  const nulls = replies().filter((r) => hasNullId(r.msg)).map((r) => r.msg);
  let required = 0;
  let optional = 0;
  let unbounded = false;
  const needers: number[] = [];
  const nullCodes = new Set<number>();
  let anyNullCode = false;
  const acceptNull = (i: number, codes: number[] | undefined) => {
    if (!codes) anyNullCode = true;
    else codes.forEach((c) => nullCodes.add(c));
    void i;
  };
  const silent = (i: number) => !alive || httpRefused.has(i);

  // Over HTTP a refused POST (4xx) may carry an error body without an id.
  optional += httpRefused.size;
  steps.forEach((s, i) => {
    const e = s.expect;
    const mine = e.id !== undefined ? (ids.get(key(e.id)) ?? []) : [];
    if (e.id !== undefined) consumed.add(key(e.id));
    const label = `step ${i + 1} (${s.label})`;
    const results = mine.filter((m) => Object.hasOwn(m, 'result'));
    const errors = mine.filter((m) => Object.hasOwn(m, 'error'));
    if (mine.length > 1) violations.push({ oracle: 'one-response-per-request', step: i, message: `${label} was answered ${mine.length} times` });
    const judgeError = (m: Record<string, unknown>) => {
      const code = codeOf(m);
      if (e.mustError && Object.hasOwn(m, 'result')) violations.push({ oracle: 'error-codes', step: i, message: `${label} was answered with a success result ${short(m.result, 120)}; expected error ${e.codes?.join(' or ') ?? ''}`.trim() });
      else if (Object.hasOwn(m, 'error') && e.codes && typeof code === 'number' && !e.codes.includes(code)) {
        violations.push({ oracle: 'error-codes', step: i, message: `${label} was answered with error ${code} ${short((m.error as Record<string, unknown>).message, 100)}; the spec's error is ${e.codes.join(' or ')}` });
      }
      if (e.toolCall && Object.hasOwn(m, 'error') && typeof code === 'number' && !documentedToolCallCodes(rev).includes(code)) {
        violations.push({ oracle: 'tool-call-protocol-errors', step: i, message: `${label} was answered with protocol error ${code} ${short((m.error as Record<string, unknown>).message, 120)}; documented for tools/call: ${documentedToolCallCodes(rev).join(', ')}` });
      }
    };
    switch (e.reply) {
      case 'response':
        if (mine.length === 0) {
          if (silent(i)) break;
          if (e.toolCall) {
            slowTools.add(toolName(s));
            if (!opts.slowTools?.has(toolName(s))) notes.push(`${label}: no answer within ${timeout} ms (a long-running tool?); not judged, and no longer waited for`);
            void session.peer.notify('notifications/cancelled', { requestId: e.id, reason: 'mcp-conform fuzz: timeout' }).catch(() => {});
          } else if (e.mustError) violations.push({ oracle: 'error-codes', step: i, message: `${label} got no answer within ${timeout} ms; expected error ${e.codes?.join(' or ') ?? ''}`.trim() });
          else violations.push({ oracle: 'one-response-per-request', step: i, message: `${label} got no response within ${timeout} ms` });
        } else judgeError(mine[0] as Record<string, unknown>);
        break;
      case 'response-or-null-id-error':
      case 'error-any-id':
        if (mine.length === 0) {
          if (silent(i)) break;
          required++;
          needers.push(i);
          acceptNull(i, e.codes);
        } else judgeError(mine[0] as Record<string, unknown>);
        if (e.reply === 'error-any-id' && results.length) violations.push({ oracle: 'error-codes', step: i, message: `${label} was answered with a success result; expected error ${e.codes?.join(' or ')}` });
        break;
      case 'null-id-error':
        if (silent(i)) break;
        required++;
        needers.push(i);
        acceptNull(i, e.codes);
        break;
      case 'none':
        break;
      case 'none-or-null-id-error':
        optional++;
        acceptNull(i, e.codes);
        break;
      case 'none-or-error':
        if (results.length) violations.push({ oracle: 'one-response-per-request', step: i, message: `${label} is not a request, but was answered with a result ${short(results[0], 120)}` });
        if (errors.length === 0) {
          optional++;
          acceptNull(i, undefined);
        }
        break;
      case 'errors-only':
        unbounded = true;
        acceptNull(i, e.codes);
        break;
    }
  });

  // Errors with a null id: at least one per step that needs one, at most one per step that may cause one.
  if (alive && nulls.length < required) {
    const missing = required - nulls.length;
    const parse = needers.filter((i) => steps[i]?.expect.reply === 'null-id-error' || steps[i]?.expect.mustError);
    const oracle: OracleId = parse.length ? 'error-codes' : 'one-response-per-request';
    const which = (parse.length ? parse : needers).map((i) => `step ${i + 1} (${steps[i]?.label})`);
    const what = parse.length ? 'call for an error response' : 'must be answered (with a response, or an error without an id)';
    violations.push({ oracle, step: (parse[0] ?? needers[0]) as number, message: `${missing} of ${required} message(s) that ${what} got no answer (silence), among: ${which.slice(0, 3).join('; ')}${which.length > 3 ? '…' : ''}` });
  }
  if (!unbounded && nulls.length > required + optional) {
    violations.push({ oracle: 'one-response-per-request', message: `${nulls.length} error response(s) without an id, but only ${required + optional} of the messages sent could call for one: ${nulls.slice(0, 2).map((m) => short(m, 120)).join('; ')}` });
  }
  for (const m of nulls) {
    const code = codeOf(m);
    if (Object.hasOwn(m, 'result')) continue; // a schema violation, reported above
    if (!anyNullCode && typeof code === 'number' && nullCodes.size && !nullCodes.has(code) && nulls.length <= required + optional) {
      violations.push({ oracle: 'error-codes', message: `an error without an id answered a malformed frame with code ${code} ${short((m.error as Record<string, unknown> | undefined)?.message, 80)}; the spec's error there is ${[...nullCodes].join(' or ')}` });
      break;
    }
  }
  // -32700 says the text was not JSON: wrong for a frame that was. (Bytes that are not UTF-8, lone
  // surrogates and very deep nesting may fairly be refused by a parser.)
  const mayNotParse = (st: FuzzStep) => st.rawBase64 !== undefined || /deep-nesting|lone-surrogate|invalid-utf8/.test(st.category ?? '') || (st.raw !== undefined && !parses(st.raw, stdio));
  const notJson = steps.some(mayNotParse);
  if (!notJson) {
    const parseErr = replies().find((r) => codeOf(r.msg) === ErrorCode.ParseError);
    // Pinned on the step an HTTP status refused, or the only one, so the finding has a category.
    const at = [...httpRefused][0] ?? (steps.length === 1 ? 0 : undefined);
    if (parseErr) violations.push({ oracle: 'error-codes', message: `a Parse error (-32700) answered a message that is valid JSON: ${short(parseErr.msg, 160)}`, ...(at !== undefined ? { step: at } : {}) });
  }
  // Replies to nothing we sent.
  for (const [k, list] of ids) {
    // A late answer to an earlier run's request on this session (a slow tool it did not wait
    // for, or a timeout that run already judged) is not an unsolicited response.
    if (consumed.has(k) || session.earlierIds.has(k)) continue;
    violations.push({ oracle: 'one-response-per-request', message: `a response with id ${k} answers no request of this run: ${short(list[0], 160)}` });
  }

  for (const v of violations) v.category = v.step !== undefined ? (steps[v.step]?.category ?? 'step') : 'run';
  for (const st of steps) if (st.expect.id !== undefined) session.earlierIds.add(key(st.expect.id));
  return { steps, evidence, violations, alive, notes, slowTools: [...slowTools], durationMs: Math.round(performance.now() - started) };
}
