// Model-based fuzzing with fast-check commands: random sequences of initialize, initialized,
// ping, list, tool calls, call-then-cancel, bursts of concurrent requests, notifications,
// unknown methods and re-initialize, each checked against a model of what a correct server does:
// one response per request with the request's id (also when several are in flight, and when ids
// of different types look alike, 1 vs "1"), no response to notifications, no response to a
// request cancelled well before it completed, a session that keeps serving after re-initialize.
// Every run gets a fresh session (the model starts from "connected, not initialized").
import fc from 'fast-check';
import { classify, isObject, isRevision, type Revision } from '../../schema/index.ts';
import type { WireEntry } from '../../reports/index.ts';
import type { OracleId } from './oracles.ts';
import type { FuzzSession } from './session.ts';
import type { SessionSource } from './session.ts';
import type { Finding, IdKind, ListMethod, ModelCommandJson } from './finding.ts';
import type { CallableTool } from './steps.ts';
import { stderrGist } from '../harness/stderr-gist.ts';

export type { ModelCommandJson };

const LIST_CAPABILITY: Record<ListMethod, string | undefined> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resources',
  ping: undefined,
};

/** A model violation: which oracle, and what happened. */
export class ModelViolation extends Error {
  constructor(readonly oracle: OracleId, message: string) {
    super(message);
    this.name = 'ModelViolation';
  }
}

interface Model {
  initialized: boolean;
  notified: boolean;
  initializeCount: number;
  capabilities: Record<string, unknown>;
}

const key = (id: unknown) => JSON.stringify(id);
const short = (v: unknown, max = 160) => {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > max ? `${t.slice(0, max)}…` : t;
};

interface Sent {
  id: unknown;
  method: string;
  at: number;
  cancelledAt?: number;
  /** A late answer is not judged (a tool call that ran past the timeout). */
  excused?: boolean;
}

/** The real side: a fresh session, with the bookkeeping the model checks against. */
export class ModelDriver {
  readonly sent = new Map<string, Sent>();
  readonly evidence: WireEntry[] = [];
  readonly t0: number;
  private next = 0;
  readonly inboxFrom: number;
  messages = 0;
  cancellations = 0;

  constructor(readonly session: FuzzSession, readonly revision: Revision, readonly timeoutMs: number, readonly cancelGraceMs: number) {
    this.t0 = session.now();
    this.inboxFrom = session.inbox.length;
  }

  now(): number {
    return Math.round((this.session.now() - this.t0) * 10) / 10;
  }

  id(kind: IdKind): string | number {
    const n = ++this.next;
    return kind === 'int' ? n : `m-${n}`;
  }

  /** Requests a Streamable HTTP server refused with an HTTP error status: answered, at the HTTP level. */
  readonly refused = new Set<string>();

  async send(message: Record<string, unknown>, label: string): Promise<void> {
    this.evidence.push({ t: this.now(), dir: 'send', msg: message, note: label });
    this.messages++;
    if (!this.session.alive) throw new ModelViolation('stateful-model', `the target is gone (${this.session.closedReason ?? 'closed'}) before: ${label}`);
    try {
      await this.session.transport.send(message);
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500 && Object.hasOwn(message, 'id')) {
        this.refused.add(key(message.id));
        this.evidence.push({ t: this.now(), dir: 'recv', note: `HTTP ${status} for ${label}` });
        return;
      }
      throw new ModelViolation('stateful-model', `sending ${label} failed: ${(err as Error).message}${this.stderrTail()}`);
    }
  }

  stderrTail(): string {
    const last = stderrGist(this.session.stderr()).join(' | ');
    return last ? ` (last stderr: ${last.slice(0, 300)})` : '';
  }

  responses(id: unknown): Record<string, unknown>[] {
    return this.session.inbox
      .slice(this.inboxFrom)
      .map((r) => r.msg)
      .filter((m) => typeof m.method !== 'string' && (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error')) && key(m.id) === key(id));
  }

  /** Sends a request and waits for its (first) response; no response in time is a violation unless `excuse`. */
  async request(method: string, params: Record<string, unknown> | undefined, idKind: IdKind, opts: { excuseTimeout?: boolean } = {}): Promise<Record<string, unknown> | undefined> {
    const id = this.id(idKind);
    const msg: Record<string, unknown> = { jsonrpc: '2.0', id, method };
    if (params !== undefined) msg.params = params;
    this.sent.set(key(id), { id, method, at: this.now() });
    await this.send(msg, `${method} request`);
    return this.await(id, method, opts);
  }

  /** Until the target first answers, it may still be starting up (a fresh process). */
  private get patience(): number {
    return this.session.inbox.length > this.inboxFrom ? this.timeoutMs : Math.max(this.timeoutMs, 30_000);
  }

  async await(id: unknown, method: string, opts: { excuseTimeout?: boolean } = {}): Promise<Record<string, unknown> | undefined> {
    if (this.refused.has(key(id)) && this.responses(id).length === 0) return undefined;
    const deadline = this.session.now() + this.patience;
    await this.session.until(() => this.responses(id).length > 0 || !this.session.alive, deadline);
    const got = this.responses(id)[0];
    if (got) {
      this.check(got, method);
      return got;
    }
    if (!this.session.alive) throw new ModelViolation('stateful-model', `the target went away while ${method} (id ${key(id)}) was pending: ${this.session.closedReason ?? 'closed'}${this.stderrTail()}`);
    if (opts.excuseTimeout) {
      const s = this.sent.get(key(id));
      if (s) s.excused = true;
      await this.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'mcp-conform: timeout' } }, 'cancel after timeout');
      return undefined;
    }
    throw new ModelViolation('stateful-model', `${method} (id ${key(id)}) got no response within ${this.timeoutMs} ms`);
  }

  /** A response must be schema-valid for its request. */
  check(response: Record<string, unknown>, method: string): void {
    const c = classify(this.revision, response, { direction: 'server-to-client', requestMethod: method });
    if (c.violations.length) {
      throw new ModelViolation('stateful-model', `the response to ${method} breaks the schema: ${c.violations.slice(0, 2).map((v) => `${v.pointer || '/'} ${v.message}`).join('; ')} — ${short(response)}`);
    }
  }

  /** After the last command: every request answered once, nothing stray, cancelled ones silent. */
  async finish(graceMs: number): Promise<void> {
    // Give answers to cancelled requests time to show up (that is what is checked).
    const waitCancelled = [...this.sent.values()].some((s) => s.cancelledAt !== undefined && this.responses(s.id).length === 0);
    await this.session.until(() => false, this.session.now() + (waitCancelled ? Math.min(this.timeoutMs, 1_000) : graceMs));
    if (!this.session.alive) throw new ModelViolation('stateful-model', `the target went away: ${this.session.closedReason ?? 'closed'}${this.stderrTail()}`);
    const patience = Math.max(this.patience, 3 * this.timeoutMs, 5_000);
    if (!(await this.session.ping(patience))) throw new ModelViolation('stateful-model', `the target stopped answering (ping unanswered within ${patience} ms)`);
    const got = this.session.inbox.slice(this.inboxFrom);
    for (const r of got) this.evidence.push({ t: Math.round((r.t - this.t0) * 10) / 10, dir: 'recv', msg: r.msg });
    this.evidence.sort((a, b) => a.t - b.t);
    const counts = new Map<string, number>();
    for (const r of got) {
      const m = r.msg;
      if (typeof m.method === 'string' || !(Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error'))) continue;
      if (typeof m.id === 'string' && m.id.startsWith('mcp-conform-')) continue;
      // Errors without an id answer frames the target could not read or refused at the HTTP level
      // (a request before the session exists); the model sends none it could not read.
      if ((m.id === null || m.id === undefined) && Object.hasOwn(m, 'error')) continue;
      const k = key(m.id);
      counts.set(k, (counts.get(k) ?? 0) + 1);
      const s = this.sent.get(k);
      if (!s) throw new ModelViolation('stateful-model', `a response with id ${k} answers no request that was sent: ${short(m)}`);
      if (s.cancelledAt !== undefined && r.t - this.t0 > s.cancelledAt + this.cancelGraceMs) {
        throw new ModelViolation('cancellation', `${s.method} (id ${k}) was cancelled ${Math.round(r.t - this.t0 - s.cancelledAt)} ms before it was answered anyway: ${short(m)}`);
      }
    }
    for (const [k, n] of counts) if (n > 1) throw new ModelViolation('stateful-model', `the request with id ${k} (${this.sent.get(k)?.method}) was answered ${n} times`);
  }
}

type Cmd = fc.AsyncCommand<Model, ModelDriver, boolean>;

const describe = (j: ModelCommandJson) => {
  const { cmd, ...rest } = j;
  const args = Object.keys(rest).length ? ` ${short(rest, 200)}` : '';
  return `${cmd}${args}`;
};

abstract class Base implements Cmd {
  constructor(readonly json: ModelCommandJson) {}
  abstract check(m: Readonly<Model>): boolean;
  abstract run(m: Model, r: ModelDriver): Promise<void>;
  toString(): string {
    return describe(this.json);
  }
}

class Initialize extends Base {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: ModelDriver): Promise<void> {
    const reply = await r.request('initialize', { protocolVersion: r.revision, capabilities: {}, clientInfo: { name: 'mcp-conform-fuzz', version: '0.1.0' } }, 'int');
    m.initializeCount++;
    if (!reply) return;
    if (!m.initialized) {
      if (!Object.hasOwn(reply, 'result')) throw new ModelViolation('stateful-model', `the first initialize was refused: ${short(reply)}`);
      const result = reply.result as Record<string, unknown>;
      if (!isRevision(result.protocolVersion)) throw new ModelViolation('stateful-model', `initialize negotiated unknown protocol version ${short(result.protocolVersion)}`);
      m.initialized = true;
      m.capabilities = isObject(result.capabilities) ? result.capabilities : {};
    } else if (Object.hasOwn(reply, 'result')) {
      // Re-initialize accepted: the session starts over and needs notifications/initialized again.
      const result = reply.result as Record<string, unknown>;
      m.capabilities = isObject(result.capabilities) ? result.capabilities : m.capabilities;
      m.notified = false;
    }
  }
}

class Initialized extends Base {
  check(m: Readonly<Model>): boolean {
    return m.initialized && !m.notified;
  }
  async run(m: Model, r: ModelDriver): Promise<void> {
    await r.send({ jsonrpc: '2.0', method: 'notifications/initialized' }, 'notifications/initialized');
    m.notified = true;
  }
}

class Ping extends Base {
  constructor(readonly idKind: IdKind) {
    super({ cmd: 'ping', idKind });
  }
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: ModelDriver): Promise<void> {
    const reply = await r.request('ping', undefined, this.idKind);
    // Ping is allowed in every state and MUST be answered promptly (basic/utilities/ping).
    if (reply && !Object.hasOwn(reply, 'result')) throw new ModelViolation('stateful-model', `ping was answered with an error: ${short(reply)}`);
  }
}

class List extends Base {
  constructor(readonly method: ListMethod, readonly idKind: IdKind) {
    super({ cmd: 'list', method, idKind });
  }
  check(m: Readonly<Model>): boolean {
    return m.initialized;
  }
  async run(m: Model, r: ModelDriver): Promise<void> {
    const reply = await r.request(this.method, this.method === 'ping' ? undefined : {}, this.idKind);
    const cap = LIST_CAPABILITY[this.method];
    if (reply && cap && m.capabilities[cap] && m.notified && !Object.hasOwn(reply, 'result')) {
      throw new ModelViolation('stateful-model', `${this.method} was refused although the server declared the ${cap} capability${m.initializeCount > 1 ? ' (after a re-initialize)' : ''}: ${short(reply)}`);
    }
  }
}

class Call extends Base {
  constructor(readonly tool: string, readonly args: unknown, readonly idKind: IdKind) {
    super({ cmd: 'call', tool, arguments: args, idKind });
  }
  check(m: Readonly<Model>): boolean {
    return m.initialized && m.notified;
  }
  async run(_m: Model, r: ModelDriver): Promise<void> {
    // A tool may legitimately run longer than the timeout: then it is cancelled, not judged.
    await r.request('tools/call', { name: this.tool, arguments: this.args }, this.idKind, { excuseTimeout: true });
  }
}

class CallCancel extends Base {
  constructor(readonly tool: string, readonly args: unknown, readonly delayMs: number) {
    super({ cmd: 'call-cancel', tool, arguments: args, delayMs });
  }
  check(m: Readonly<Model>): boolean {
    return m.initialized && m.notified;
  }
  async run(_m: Model, r: ModelDriver): Promise<void> {
    const id = r.id('string');
    const s: Sent = { id, method: 'tools/call', at: r.now() };
    r.sent.set(key(id), s);
    await r.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: this.tool, arguments: this.args } }, 'tools/call request (to be cancelled)');
    if (this.delayMs) await new Promise((res) => setTimeout(res, this.delayMs));
    if (r.responses(id).length) return; // already answered: nothing to cancel
    s.cancelledAt = r.now();
    r.cancellations++;
    await r.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'mcp-conform fuzz' } }, 'notifications/cancelled');
  }
}

class Burst extends Base {
  constructor(readonly methods: ListMethod[], readonly lookalikeIds: boolean) {
    super({ cmd: 'burst', methods, lookalikeIds });
  }
  check(m: Readonly<Model>): boolean {
    return m.initialized && m.notified;
  }
  async run(_m: Model, r: ModelDriver): Promise<void> {
    // All in flight at once. With lookalike ids, 7 and "7" are two requests: JSON-RPC ids keep their type.
    const ids: { id: unknown; method: string }[] = [];
    for (let i = 0; i < this.methods.length; i++) {
      const method = this.methods[i] as ListMethod;
      const n = r.id('int') as number;
      const id = this.lookalikeIds && i % 2 === 1 ? String((ids[i - 1]?.id as number) ?? n) : n;
      ids.push({ id, method });
      r.sent.set(key(id), { id, method, at: r.now() });
    }
    await Promise.all(ids.map(({ id, method }) => r.send({ jsonrpc: '2.0', id, method, ...(method === 'ping' ? {} : { params: {} }) }, `${method} request (burst)`)));
    for (const { id, method } of ids) await r.await(id, method);
  }
}

class Notify extends Base {
  constructor(readonly method: string, readonly params: Record<string, unknown> | undefined) {
    super(params ? { cmd: 'notify', method, params } : { cmd: 'notify', method });
  }
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: ModelDriver): Promise<void> {
    const msg: Record<string, unknown> = { jsonrpc: '2.0', method: this.method };
    if (this.params) msg.params = this.params;
    await r.send(msg, `${this.method} notification`);
  }
}

class UnknownMethod extends Base {
  constructor(readonly idKind: IdKind) {
    super({ cmd: 'unknown-method', idKind });
  }
  check(m: Readonly<Model>): boolean {
    return m.initialized && m.notified;
  }
  async run(_m: Model, r: ModelDriver): Promise<void> {
    const reply = await r.request('mcp-conform/no-such-method', {}, this.idKind);
    if (reply && Object.hasOwn(reply, 'result')) throw new ModelViolation('stateful-model', `an unknown method was answered with a success result: ${short(reply)}`);
  }
}

/** Rebuilds a command from its JSON (replay files). */
export function commandFromJson(j: ModelCommandJson): Cmd {
  switch (j.cmd) {
    case 'initialize':
      return new Initialize(j);
    case 'initialized':
      return new Initialized(j);
    case 'ping':
      return new Ping(j.idKind);
    case 'list':
      return new List(j.method, j.idKind);
    case 'call':
      return new Call(j.tool, j.arguments, j.idKind);
    case 'call-cancel':
      return new CallCancel(j.tool, j.arguments, j.delayMs);
    case 'burst':
      return new Burst(j.methods, j.lookalikeIds);
    case 'notify':
      return new Notify(j.method, j.params);
    case 'unknown-method':
      return new UnknownMethod(j.idKind);
  }
}

const idKind = fc.constantFrom<IdKind>('int', 'string');

export function commandArbitraries(tools: readonly CallableTool[], capabilities: Record<string, unknown>): fc.Arbitrary<Cmd>[] {
  const lists = (['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list'] as const).filter((m) => capabilities[LIST_CAPABILITY[m] as string]);
  const listable: ListMethod[] = [...lists, 'ping'];
  const arbs: fc.Arbitrary<Cmd>[] = [
    fc.constant(new Initialize({ cmd: 'initialize' })),
    fc.constant(new Initialized({ cmd: 'initialized' })),
    idKind.map((k) => new Ping(k)),
    fc.tuple(fc.constantFrom(...listable), idKind).map(([m, k]) => new List(m, k)),
    fc.tuple(fc.array(fc.constantFrom(...listable), { minLength: 2, maxLength: 6 }), fc.boolean()).map(([ms, l]) => new Burst(ms, l)),
    fc
      .constantFrom<[string, Record<string, unknown> | undefined]>(
        ['notifications/roots/list_changed', undefined],
        ['notifications/progress', { progressToken: 'mcp-conform-unknown-token', progress: 1 }],
        ['notifications/cancelled', { requestId: 'mcp-conform-never-sent', reason: 'fuzz' }],
        ['notifications/initialized', undefined],
      )
      .map(([m, p]) => new Notify(m, p)),
    idKind.map((k) => new UnknownMethod(k)),
  ];
  for (const t of tools) {
    arbs.push(fc.tuple(t.arguments, idKind).map(([a, k]) => new Call(t.name, a, k)));
    arbs.push(fc.tuple(t.arguments, fc.constantFrom(0, 20, 100)).map(([a, d]) => new CallCancel(t.name, a, d)));
  }
  return arbs;
}

const handshake = (): Base[] => [new Initialize({ cmd: 'initialize' }), new Initialized({ cmd: 'initialized' })];
/** true 4 times in 5; shrinks to false. */
const handshakeFirst = fc.integer({ min: 0, max: 4 }).map((n) => n > 0);

export interface ModelOptions {
  revision: Revision;
  tools: readonly CallableTool[];
  capabilities: Record<string, unknown>;
  oracles: readonly OracleId[];
  seed: number;
  runs: number;
  /** Epoch ms. */
  deadline: number;
  requestTimeoutMs: number;
  maxCommands?: number;
  /** A response this long after its cancellation counts as not cancelled (default 100 ms). */
  cancelGraceMs?: number;
  log?: (line: string) => void;
}

export interface ModelResult {
  findings: Finding[];
  runs: number;
  messages: number;
  cancellations: number;
  notes: string[];
}

/** Runs commands on a fresh session and checks the end state; returns the driver and the violation, if any. */
export async function runCommands(source: SessionSource, cmds: Iterable<Cmd>, o: Pick<ModelOptions, 'revision' | 'requestTimeoutMs' | 'cancelGraceMs'>): Promise<{ driver: ModelDriver; violation?: ModelViolation; error?: Error }> {
  const session = await source.fresh(false);
  const driver = new ModelDriver(session, o.revision, o.requestTimeoutMs, o.cancelGraceMs ?? 100);
  let violation: ModelViolation | undefined;
  let error: Error | undefined;
  try {
    await fc.asyncModelRun(() => ({ model: { initialized: false, notified: false, initializeCount: 0, capabilities: {} }, real: driver }), cmds);
    await driver.finish(50);
  } catch (err) {
    if (err instanceof ModelViolation) violation = err;
    else error = err as Error;
    // What arrived until now is evidence too.
    if (driver.evidence.every((e) => e.dir === 'send')) {
      for (const r of session.inbox.slice(driver.inboxFrom)) driver.evidence.push({ t: Math.round((r.t - driver.t0) * 10) / 10, dir: 'recv', msg: r.msg });
      driver.evidence.sort((a, b) => a.t - b.t);
    }
  } finally {
    source.release(session, false);
  }
  return { driver, ...(violation ? { violation } : {}), ...(error ? { error } : {}) };
}

/** The model-based phase: fc.commands shrink a failing command list to a minimal one. */
export async function runModel(source: SessionSource, o: ModelOptions): Promise<ModelResult> {
  const result: ModelResult = { findings: [], runs: 0, messages: 0, cancellations: 0, notes: [] };
  const active = new Set<OracleId>(o.oracles);
  const arbs = commandArbitraries(o.tools, o.capabilities);
  let runsLeft = o.runs;
  for (let k = 0; active.size > 0 && runsLeft > 0 && Date.now() < o.deadline - 500; k++) {
    const seed = o.seed + 1000 + k;
    let focus: OracleId | undefined;
    let last: { driver: ModelDriver; violation: ModelViolation } | undefined;
    // Most runs start with the handshake, so the commands that need a session get to run (fast-check
    // skips a command whose precondition fails); shrinking drops it when the failure does not need it.
    const property = fc.asyncProperty(handshakeFirst, fc.commands(arbs, { maxCommands: o.maxCommands ?? 10 }), async (first, cmds) => {
      const { driver, violation, error } = await runCommands(source, [...(first ? handshake() : []), ...cmds], o);
      result.runs++;
      result.messages += driver.messages;
      result.cancellations += driver.cancellations;
      if (error) throw error;
      if (!violation || !(focus ? violation.oracle === focus : active.has(violation.oracle))) return true;
      focus ??= violation.oracle;
      last = { driver, violation };
      return false;
    });
    const details = await fc.check(property, { seed, numRuns: runsLeft, plugins: [fc.interruptAfterTimeLimit(Math.max(1, o.deadline - Date.now()))] });
    runsLeft -= details.numRuns;
    if (details.errorInstance && !focus) {
      result.notes.push(`model run failed: ${String((details.errorInstance as Error)?.message ?? details.errorInstance)}`);
      break;
    }
    if (!details.failed || !focus || !details.counterexample) break;
    const oracle: OracleId = focus;
    // fast-check iterates its command wrappers; the commands that ran are the counterexample.
    const [first, ran] = details.counterexample as unknown as [boolean, Iterable<{ cmd: Base; hasRan: boolean }>];
    const json = [...(first ? handshake().map((c) => c.json) : []), ...[...ran].filter((w) => w.hasRan).map((w) => w.cmd.json)];
    o.log?.(`found ${oracle} (model) after ${details.numRuns} run(s), shrunk to ${json.length} command(s): ${json.map(describe).join(', ')}`);
    const again = await runCommands(source, json.map(commandFromJson), o);
    const reproduced = again.violation?.oracle === oracle;
    const shown = reproduced ? again : last;
    result.findings.push({
      oracle,
      category: 'model',
      message: `${(reproduced ? again.violation : last?.violation)?.message ?? 'violated'} — after: ${json.map(describe).join(' → ')}`,
      kind: 'model',
      seed,
      path: details.counterexamplePath ?? '',
      steps: (shown?.driver.evidence ?? []).filter((e) => e.dir === 'send').map((e) => ({ label: e.note ?? '', message: e.msg, expect: { reply: 'none' as const } })),
      commands: json,
      evidence: shown?.driver.evidence ?? [],
      reproduced,
      numRuns: details.numRuns,
      numShrinks: details.numShrinks,
    });
    active.delete(oracle);
  }
  return result;
}
