// Reading a recorded run: the messages of each connection, the client's requests and the
// mock's answers, server→client requests and the client's replies. Checks stay short because
// the correlation lives here.
import { isObject, isRevision, isStateless, type Revision } from '../../schema/index.ts';
import { clientRuns, received, sent, stderrNote, type ClientRun, type HttpRecord, type RecordedEntry } from '../harness/index.ts';
import type { clientCheck } from './client-check.ts';

export type Msg = Record<string, unknown>;

export const isRequest = (m: Msg | undefined): m is Msg => !!m && typeof m.method === 'string' && Object.hasOwn(m, 'id');
export const isNotification = (m: Msg | undefined): m is Msg => !!m && typeof m.method === 'string' && !Object.hasOwn(m, 'id');
export const isResponse = (m: Msg | undefined): m is Msg => !!m && typeof m.method !== 'string' && (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error'));

const key = (id: unknown) => JSON.stringify(id);

/** An entry with the message the client sent. */
export interface Sent {
  e: RecordedEntry;
  m: Msg;
}

/** Entries the client sent (parsed messages), optionally of one session. */
export function clientMessages(run: ClientRun, session?: string): Sent[] {
  const out: Sent[] = [];
  for (const e of run.entries) {
    if (session !== undefined && e.session !== session) continue;
    const m = sent(e);
    if (m) out.push({ e, m });
    else if (e.dir === 'recv' && Array.isArray(e.msg)) for (const x of e.msg) if (isObject(x)) out.push({ e, m: x });
  }
  return out;
}

/** Entries the mock sent (parsed messages). */
export function mockMessages(run: ClientRun, session?: string): Sent[] {
  const out: Sent[] = [];
  for (const e of run.entries) {
    if (session !== undefined && e.session !== session) continue;
    const m = received(e);
    if (m) out.push({ e, m });
  }
  return out;
}

export function sessions(run: ClientRun): string[] {
  return [...new Set(run.entries.map((e) => e.session))];
}

/** The label host.ts gives a refused HTTP request that carried no Mcp-Session-Id. */
export const NO_SESSION = 'no-session';

/** A request the HTTP handler refused that named no session: it belongs to none. */
export function refusedOutsideSession(e: RecordedEntry): boolean {
  return e.session === NO_SESSION && e.note?.startsWith('refused with HTTP') === true;
}

/** Requests the client sent, optionally of one method. */
export function clientRequests(run: ClientRun, method?: string): Sent[] {
  return clientMessages(run).filter((s) => isRequest(s.m) && (method === undefined || s.m.method === method));
}

export function clientNotifications(run: ClientRun, method?: string): Sent[] {
  return clientMessages(run).filter((s) => isNotification(s.m) && (method === undefined || s.m.method === method));
}

/** The mock's answer to a client request (same session, same id, after it). */
export function answerTo(run: ClientRun, req: Sent): Sent | undefined {
  return mockMessages(run, req.e.session).find((s) => isResponse(s.m) && key(s.m.id) === key(req.m.id) && s.e.t >= req.e.t);
}

/** Requests the mock sent to the client. */
export function serverRequests(run: ClientRun, method?: string): Sent[] {
  return mockMessages(run).filter((s) => isRequest(s.m) && (method === undefined || s.m.method === method));
}

/** The client's reply to a request the mock sent. */
export function replyTo(run: ClientRun, req: Sent): Sent | undefined {
  return clientMessages(run, req.e.session).find((s) => isResponse(s.m) && key(s.m.id) === key(req.m.id) && s.e.t >= req.e.t);
}

/** Everything the client sent after `t` (in the same session unless `anySession`). */
export function clientAfter(run: ClientRun, t: number, session?: string): Sent[] {
  return clientMessages(run, session).filter((s) => s.e.t > t);
}

/** A legacy handshake of one session. */
export interface Handshake {
  session: string;
  request: Sent;
  /** The version the client asked for. */
  asked: unknown;
  result?: Sent;
  /** The version the mock answered (what the client saw). */
  answered?: string;
}

export function handshakes(run: ClientRun): Handshake[] {
  const out: Handshake[] = [];
  for (const req of clientRequests(run, 'initialize')) {
    const result = answerTo(run, req);
    const h: Handshake = { session: req.e.session, request: req, asked: isObject(req.m.params) ? req.m.params.protocolVersion : undefined };
    if (result) {
      h.result = result;
      const r = result.m.result;
      if (isObject(r) && typeof r.protocolVersion === 'string') h.answered = r.protocolVersion;
    }
    out.push(h);
  }
  return out;
}

/** The revision messages of a session are judged at: the negotiated one, or the run's. */
export function sessionRevision(run: ClientRun, session: string): Revision {
  const h = handshakes(run).find((x) => x.session === session && x.answered);
  return h && isRevision(h.answered) ? h.answered : run.revision;
}

/** The HTTP requests that carried a message (parsed body), in order. */
export function httpMessages(run: ClientRun): { h: HttpRecord; m: Msg | unknown[] | undefined }[] {
  return run.http.map((h) => {
    let m: Msg | unknown[] | undefined;
    try {
      const parsed: unknown = h.body ? JSON.parse(h.body) : undefined;
      if (isObject(parsed) || Array.isArray(parsed)) m = parsed;
    } catch {
      m = undefined;
    }
    return { h, m };
  });
}

export function modern(run: ClientRun): boolean {
  return isStateless(run.revision);
}

/** `_meta` of a request. */
export function metaOf(m: Msg): Record<string, unknown> | undefined {
  return isObject(m.params) && isObject(m.params._meta) ? m.params._meta : undefined;
}

/** Tool names the client called, in order. */
export function toolCalls(run: ClientRun): Sent[] {
  return clientRequests(run, 'tools/call');
}

export function toolName(s: Sent): string | undefined {
  return isObject(s.m.params) && typeof s.m.params.name === 'string' ? s.m.params.name : undefined;
}

/** Short text of a message for failure messages. */
export function brief(m: unknown, max = 200): string {
  const s = JSON.stringify(m) ?? String(m);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** How the client's process ended and what its stderr said last, for messages about runs that went wrong. */
export function exitSummary(run: ClientRun): string {
  const p = run.process;
  if (p.spawnError) return `the command could not be started: ${p.spawnError}`;
  const how = p.timedOut ? 'was killed at the scenario timeout' : p.signal ? `died of ${p.signal}` : `exited with code ${p.exitCode}`;
  const said = stderrNote(p.stderrTail);
  return `the client ${how}${said ? ` (${said})` : ''}`;
}

/** Entries around a moment, for evidence. */
export function around(run: ClientRun, t: number, before = 4, after = 4, session?: string): RecordedEntry[] {
  const list = session === undefined ? run.entries : run.entries.filter((e) => e.session === session);
  const i = list.findIndex((e) => e.t >= t);
  const at = i < 0 ? list.length : i;
  return list.slice(Math.max(0, at - before), at + after);
}

/** Did the client carry on after `after` (another request anywhere)? Else why not. */
export function carriedOn(run: ClientRun, after: number): { ok: true } | { ok: false; crashed: boolean; why: string } {
  if (clientRequests(run).some((r) => r.e.t > after)) return { ok: true };
  const p = run.process;
  const crashed = !!p.spawnError || p.timedOut || p.signal !== null || (p.exitCode !== null && p.exitCode !== 0);
  return { ok: false, crashed, why: exitSummary(run) };
}

// ---- multi round-trip requests (2026-07-28): an input_required answer and the client's retry ----

interface Round {
  first: Sent;
  interim: Record<string, unknown>;
  retry?: Sent;
}

/** The first input_required answer to `tool` and the client's retry. */
function round(run: ClientRun, tool: string): Round | undefined {
  for (const c of toolCalls(run)) {
    if (toolName(c) !== tool) continue;
    const a = answerTo(run, c);
    const result = a && isObject(a.m.result) ? a.m.result : undefined;
    if (result?.resultType !== 'input_required') continue;
    const retry = toolCalls(run).find((x) => x.e.t > a!.e.t && toolName(x) === tool);
    const r: Round = { first: c, interim: result };
    if (retry) r.retry = retry;
    return r;
  }
  return undefined;
}

export function needRound(t: Parameters<Parameters<typeof clientCheck>[1]>[0], scenario: string, tool: string): { run: ClientRun; r: Round & { retry: Sent } } {
  const v = clientRuns(t);
  const run = v.need(scenario);
  const r = round(run, tool);
  if (!r) return t.notVerified(toolCalls(run).some((c) => toolName(c) === tool) ? 'the server did not ask for input (the client declares no elicitation, sampling or roots)' : `the client did not call ${tool} (${exitSummary(run)})`);
  if (!r.retry) return t.notVerified('the client did not retry the request (servers must not assume it will)');
  return { run, r: r as Round & { retry: Sent } };
}
