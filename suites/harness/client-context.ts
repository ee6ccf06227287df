// Client-side checks (side: 'client') judge recorded scenario runs: the client command was run
// once per scenario against a scripted mock server, and everything both sides did was recorded
// (messages, HTTP exchanges, the process and the stdio server it started). A check body reads
// those runs through `clientRuns(t)` and uses the usual vocabulary (t.fail, t.notVerified…).
import { readFileSync, statSync } from 'node:fs';
import { hasCapability, isObject, isStateless, META, type Revision } from '../../schema/index.ts';
import type { WireEntry } from '../../reports/index.ts';
import type { AuthRecord } from '../../mock-server/index.ts';
import type { CheckScope } from './types.ts';
import type { ClientTarget } from './config.ts';
import { stderrNote } from './stderr-gist.ts';

export type { ClientTarget };

/** One message or transport note, seen from the mock server: `recv` = the client sent it. */
export interface RecordedEntry extends WireEntry {
  /** Which connection: the HTTP session id, `stateless`, `sse:<id>` or `stdio-<n>`. */
  session: string;
}

/** One HTTP request the client made, and how the mock answered it. */
export interface HttpRecord {
  /** Milliseconds since the run started. */
  t: number;
  method: string;
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
  status: number;
  /** Milliseconds until the response headers were ready. */
  ms: number;
  contentType: string;
  responseHeaders: Record<string, string>;
  session?: string;
  /** Why the mock refused it, when it did. */
  reason?: string;
}

/** The stdio server process the client started (a relay into the mock). */
export interface StdioServerRecord {
  pid?: number;
  /** When the client closed the server's stdin (ms since the run started). */
  stdinClosedAt?: number;
  signals: { t: number; signal: string }[];
  /** When the relay process exited, and how it ended (`stdin closed`, `SIGTERM`, `killed`…). */
  exitedAt?: number;
  exitReason?: string;
  /** Still alive after the client process exited. */
  aliveAfterClient: boolean;
}

export interface ProcessRecord {
  argv: string[];
  pid?: number;
  spawnError?: string;
  exitCode: number | null;
  signal: string | null;
  /** Killed by the runner at the scenario timeout or the run budget. */
  timedOut: boolean;
  /** Killed early for a reason that is not the client's (budget, Ctrl-C): its run proves nothing. */
  cutShort?: string;
  exitedAt?: number;
  stdoutTail: string;
  stderrTail: string;
  /** Processes of the client's process group still alive after the client exited. */
  leftovers: { pid: number; command: string }[];
}

export interface ClientRun {
  scenario: string;
  revision: Revision;
  transport: 'http' | 'stdio';
  startedAt: string;
  durationMs: number;
  /** Message-level traffic of every connection, ordered by time. */
  entries: RecordedEntry[];
  http: HttpRecord[];
  process: ProcessRecord;
  /** The stdio server processes the client started (stdio runs). */
  servers: StdioServerRecord[];
  /** Schema violations in messages the client sent (validated at the revision in use). */
  violations: { t: number; session: string; pointer: string; message: string; excerpt: string; level?: 'SHOULD' }[];
  /** What the scenario did to provoke the client, with time: `session-expired`, `stream-cut`… */
  events: { t: number; what: string; detail?: string }[];
  /** Problems of the run itself (not of the client): the mock's script, the runner. */
  notes: string[];
  /**
   * Auth scenarios: every request the mock authorization server and the protected MCP server got
   * (the resource server sees requests the MCP handler never does: refused ones, PRM), in order,
   * with `t` on the run's clock.
   */
  auth?: AuthRunRecord[];
}

export type AuthRunRecord = AuthRecord & { t: number };

export interface ClientRunsFile {
  format: 'mcp-conform/client-runs';
  version: 1;
  target: { argv: string[]; transport: 'http' | 'stdio' };
  runs: ClientRun[];
  /** Scenarios that were selected but not run (budget, transport), with why. */
  skipped: { scenario: string; revision: Revision; why: string }[];
}

const cache = new Map<string, { mtimeMs: number; file: ClientRunsFile }>();

export function loadClientRuns(path: string): ClientRunsFile {
  const mtimeMs = statSync(path).mtimeMs;
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === mtimeMs) return hit.file;
  const file = JSON.parse(readFileSync(path, 'utf8')) as ClientRunsFile;
  if (file.format !== 'mcp-conform/client-runs') throw new Error(`${path} is not a client runs file`);
  cache.set(path, { mtimeMs, file });
  return file;
}

/** A message the client sent (parsed); undefined for notes and raw frames. */
export function sent(e: RecordedEntry): Record<string, unknown> | undefined {
  return e.dir === 'recv' && isObject(e.msg) ? e.msg : undefined;
}

/** A message the mock sent (parsed). */
export function received(e: RecordedEntry): Record<string, unknown> | undefined {
  return e.dir === 'send' && isObject(e.msg) ? e.msg : undefined;
}

/** Did the client send anything at all in this run? */
export function connected(run: ClientRun): boolean {
  return run.entries.some((e) => e.dir === 'recv' && (e.msg !== undefined || e.raw !== undefined)) || run.http.length > 0;
}

/** What the client declared: the initialize capabilities, or 2026-07-28 per-request _meta. */
export function declaredCapabilities(run: ClientRun): Record<string, unknown> | undefined {
  for (const e of run.entries) {
    const m = sent(e);
    if (!m || typeof m.method !== 'string' || !isObject(m.params)) continue;
    if (m.method === 'initialize' && isObject(m.params.capabilities)) return m.params.capabilities;
    const meta = m.params._meta;
    if (isObject(meta) && isObject(meta[META.clientCapabilities])) return meta[META.clientCapabilities] as Record<string, unknown>;
  }
  return undefined;
}

/**
 * Why the client does not speak this revision, judged from its runs (undefined: it does, or the
 * runs cannot tell). Stateful: answered this revision, the client never went on in any session.
 */
export function notSpoken(runs: readonly ClientRun[], rev: Revision): string | undefined {
  const live = runs.filter(connected);
  if (live.length === 0) return undefined;
  if (isStateless(rev)) {
    const modern = live.some((r) => r.entries.some((e) => {
      const m = sent(e);
      return !!m && isObject(m.params) && isObject(m.params._meta) && m.params._meta[META.protocolVersion] === rev;
    }));
    return modern ? undefined : `the client never sent a ${rev} request (no _meta protocolVersion ${rev}): it does not speak the stateless revision`;
  }
  let answered = 0;
  let asked: unknown;
  for (const r of live) {
    // A result the client waited too long for proves nothing about the version.
    if (r.scenario === 'initialize-slow') continue;
    let at: number | undefined;
    for (const e of r.entries) {
      const mine = received(e);
      if (at === undefined && mine && isObject(mine.result) && mine.result.protocolVersion === rev && isObject(mine.result.serverInfo)) at = e.t;
      const m = sent(e);
      if (m?.method === 'initialize' && asked === undefined && isObject(m.params)) asked = m.params.protocolVersion;
    }
    if (at === undefined) continue;
    answered++;
    // Anything it sent afterwards (even what the mock refused) shows it went on at this revision.
    if (r.entries.some((e) => e.t > at && sent(e) !== undefined && sent(e)!.method !== 'initialize')) return undefined;
    // A crash after the answer is not a version judgement.
    const p = r.process;
    if (p.timedOut || p.signal !== null || (p.exitCode !== null && p.exitCode !== 0)) return undefined;
  }
  if (answered === 0) return undefined;
  return `the client asked for ${JSON.stringify(asked)} and did not go on when the server answered ${rev}: it does not speak ${rev}`;
}

export interface ClientRunsOptions {
  /** Judge runs even if the client does not speak the check's revision (default: not-applicable). */
  anyVersion?: boolean;
}

/** The recorded runs a client check judges, at the check's revision. */
export class ClientView {
  readonly file: ClientRunsFile;
  readonly runs: ClientRun[];

  constructor(readonly t: CheckScope, file: ClientRunsFile) {
    this.file = file;
    this.runs = file.runs.filter((r) => r.revision === t.revision);
  }

  get transport(): 'http' | 'stdio' {
    return this.file.target.transport;
  }

  /** Runs in which the client sent something (and that were not cut short by the runner). */
  live(): ClientRun[] {
    return this.runs.filter((r) => connected(r) && !r.process.cutShort);
  }

  /** The run of a scenario; not-verified (or not-applicable) when it did not run. */
  need(scenario: string): ClientRun {
    const run = this.runs.find((r) => r.scenario === scenario);
    if (run) {
      this.record(run);
      if (run.process.cutShort) this.t.notVerified(`scenario ${scenario} was cut short: ${run.process.cutShort}`);
      if (!connected(run)) this.t.notVerified(`the client never connected in scenario ${scenario}${exitText(run)}`);
      return run;
    }
    const skipped = this.file.skipped.find((s) => s.scenario === scenario && s.revision === this.t.revision);
    if (skipped && /transport|revision/.test(skipped.why)) this.t.notApplicable(`scenario ${scenario} ${skipped.why}`);
    return this.t.notVerified(`scenario ${scenario} was not run${skipped ? ` (${skipped.why})` : ''}`);
  }

  /** Puts a run's traffic into the check's wire log (written to wire/<check>.jsonl). */
  record(run: ClientRun): void {
    if (this.recorded.has(run)) return;
    this.recorded.add(run);
    this.t.wire.note('send', `scenario ${run.scenario} at ${run.revision} over ${run.transport}: ${run.process.argv.join(' ').slice(0, 300)}`);
    for (const { session, ...e } of run.entries) this.t.wire.entries.push({ ...e, note: e.note ? `${session}: ${e.note}` : session });
  }

  private readonly recorded = new Set<ClientRun>();

  /** Not-verified unless the client connected in at least one run. */
  requireLive(): ClientRun[] {
    const live = this.live();
    if (live.length === 0) {
      const first = this.runs[0];
      this.t.notVerified(this.runs.length === 0 ? 'no scenario ran at this revision' : `the client never connected in any scenario${first ? exitText(first) : ''}`);
    }
    return live;
  }

  /** Not-applicable unless the runs used this transport. */
  requireTransport(kind: 'http' | 'stdio'): void {
    if (this.transport !== kind) this.t.notApplicable(`applies to the ${kind} transport; the client was run over ${this.transport}`);
  }

  /** Wire entries for evidence (at most `max`, newest last). */
  evidence(entries: readonly RecordedEntry[], max = 10): WireEntry[] {
    return entries.slice(-max).map(({ session, ...e }) => ({ ...e, note: e.note ? `${session}: ${e.note}` : session }));
  }

  /** An HTTP exchange as an evidence entry. */
  httpEvidence(records: readonly HttpRecord[], max = 6): WireEntry[] {
    return records.slice(-max).map((h) => ({
      t: h.t,
      dir: 'recv' as const,
      raw: h.body.length > 2000 ? `${h.body.slice(0, 2000)}…` : h.body,
      note: `HTTP ${h.method} ${h.path} → ${h.status}; headers ${JSON.stringify(h.headers)}${h.reason ? ` (${h.reason})` : ''}`,
    }));
  }
}

function exitText(run: ClientRun): string {
  const p = run.process;
  if (p.spawnError) return ` (the command could not be started: ${p.spawnError})`;
  const how = p.timedOut ? 'was killed at the scenario timeout' : p.signal ? `died of ${p.signal}` : `exited with code ${p.exitCode}`;
  const said = stderrNote(p.stderrTail);
  return ` (it ${how}${said ? `; ${said}` : ''})`;
}

function targetOf(t: CheckScope): ClientTarget {
  const target = t.config.client;
  if (!target) throw new Error(`client check ${t.meta.id} needs a client run (RunConfig.client is not set)`);
  return target;
}

/** The recorded runs at the check's revision; not-applicable when the client does not speak it. */
export function clientRuns(t: CheckScope, opts: ClientRunsOptions = {}): ClientView {
  const view = new ClientView(t, loadClientRuns(targetOf(t).recordings));
  if (!opts.anyVersion) {
    const why = notSpoken(view.runs, t.revision);
    if (why) t.notApplicable(why);
  }
  return view;
}

/** `requires` of a client check, e.g. `client.sampling` or `client.elicitation.url`. */
export async function gateClient(t: CheckScope, requires: string): Promise<void> {
  const [side, ...path] = requires.split('.');
  if (side !== 'client') throw new Error(`client check ${t.meta.id}: requires must name a client capability (got ${requires})`);
  const view = clientRuns(t);
  const caps = view.requireLive().map(declaredCapabilities).find((c) => c !== undefined);
  if (!caps) t.notVerified('the client never declared its capabilities (no initialize, no _meta capabilities)');
  if (!hasCapability(caps, { side: 'client', path })) t.notApplicable(`the client does not declare the capability ${path.join('.')}`);
}

export function isClientTarget(target: unknown): target is ClientTarget {
  return isObject(target) && target.kind === 'client' && typeof target.recordings === 'string';
}

