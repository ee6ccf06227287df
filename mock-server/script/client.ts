// The scripted mock client: initializes with chosen capabilities and version (or, for 2026-07-28,
// sends per-request _meta and follows input_required rounds), runs a sequence of steps, answers
// server requests with canned or generated replies, and reports each step met or not.
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, isObject, isRevision, isStateless, LATEST_STATEFUL, META } from '../../schema/index.ts';
import type { JsonObject } from '../behaviours.ts';
import { DEFAULT_CLIENT_INFO, MockClient } from '../client.ts';
import { brief, fillTemplate, matchesSubset, subsetMismatch } from '../match.ts';
import { RpcError, type Reply, type RequestHandler, type ViolationReport } from '../peer.ts';
import type { Transport } from '../transport.ts';
import type { WireLog } from '../wire.ts';
import type { ScriptAnswer, ScriptClient, ScriptStep, StepExpect } from './types.ts';

/** A step written in TypeScript: throw (or return false) to fail it; a returned string is its detail. */
export type StepFunction = (client: ScriptedClient) => unknown | Promise<unknown>;
export type AnyStep = ScriptStep | StepFunction;

export interface StepResult {
  index: number;
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
  reply?: Reply;
}

export interface ClientRunReport {
  ok: boolean;
  protocolVersion: string;
  /** The version agreed by initialize (stateful) or used per request (2026-07-28). */
  negotiated?: string;
  steps: StepResult[];
  /** Schema violations in what the server sent. */
  violations: ViolationReport[];
}

export interface ScriptedClientOptions {
  wire?: WireLog;
  /** Default per-request timeout (ms). */
  timeoutMs?: number;
  /** Rounds of input_required followed before giving up (default 8). */
  maxInputRounds?: number;
  onstep?: (r: StepResult) => void;
  /** A run fails when the server sent schema-invalid messages (default true). */
  failOnViolations?: boolean;
}

/** A valid reply built from a server request: what a cooperative user and model would send. */
export function generateAnswer(method: string, params: JsonObject | undefined): JsonObject {
  switch (method) {
    case 'ping':
      return {};
    case 'roots/list':
      return { roots: [{ uri: pathToFileURL(process.cwd()).href, name: basename(process.cwd()) || 'root' }] };
    case 'sampling/createMessage': {
      const messages = Array.isArray(params?.messages) ? params.messages : [];
      const last = messages.at(-1) as { content?: { type?: string; text?: string } } | undefined;
      const asked = last?.content?.type === 'text' ? last.content.text : 'your request';
      return { role: 'assistant', content: { type: 'text', text: `mock reply to: ${asked}` }, model: 'mcp-conform-mock', stopReason: 'endTurn' };
    }
    case 'elicitation/create': {
      if (params?.mode === 'url') return { action: 'accept' };
      const schema = isObject(params?.requestedSchema) ? params.requestedSchema : {};
      const props = isObject(schema.properties) ? schema.properties : {};
      const content: JsonObject = {};
      for (const [name, raw] of Object.entries(props)) {
        const p = isObject(raw) ? raw : {};
        if (p.default !== undefined) content[name] = p.default;
        else if (Array.isArray(p.enum) && p.enum.length) content[name] = p.enum[0];
        else if (Array.isArray(p.oneOf) && isObject(p.oneOf[0])) content[name] = p.oneOf[0].const;
        else if (p.type === 'array') {
          const items = isObject(p.items) ? p.items : {};
          const first = Array.isArray(items.enum) ? items.enum[0] : Array.isArray(items.anyOf) && isObject(items.anyOf[0]) ? items.anyOf[0].const : undefined;
          content[name] = first === undefined ? [] : [first];
        } else if (p.type === 'boolean') content[name] = false;
        else if (p.type === 'number' || p.type === 'integer') content[name] = typeof p.minimum === 'number' ? p.minimum : 0;
        else if (p.format === 'email') content[name] = 'mock@example.com';
        else if (p.format === 'uri') content[name] = 'https://example.com/';
        else if (p.format === 'date') content[name] = '2025-01-01';
        else if (p.format === 'date-time') content[name] = '2025-01-01T00:00:00Z';
        else content[name] = typeof p.minLength === 'number' ? 'm'.repeat(Math.max(4, p.minLength)) : 'mock';
      }
      return { action: 'accept', content };
    }
    default:
      throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
  }
}

function answerHandler(method: string, answer: ScriptAnswer): RequestHandler {
  return (params) => {
    if (answer === 'generate') return generateAnswer(method, params);
    if (isObject(answer.error)) {
      const e = answer.error;
      throw new RpcError(typeof e.code === 'number' ? e.code : ErrorCode.InternalError, typeof e.message === 'string' ? e.message : 'error', e.data);
    }
    return fillTemplate(answer, { params: params ?? {} });
  };
}

function stepName(step: AnyStep, i: number): string {
  if (typeof step === 'function') return step.name || `step ${i + 1}`;
  if (step.name) return step.name;
  if ('request' in step) return `request ${step.request}${isObject(step.params) && typeof step.params.name === 'string' ? ` ${step.params.name}` : ''}`;
  if ('notify' in step) return `notify ${step.notify}`;
  if ('sleep' in step) return `sleep ${step.sleep} ms`;
  if ('waitFor' in step) return `wait for ${step.waitFor.method}`;
  return 'raw frame';
}

/** Checks a reply against a step's expectation; undefined when met. */
export function checkReply(reply: Reply, expect: StepExpect | undefined): string | undefined {
  const e: StepExpect = expect ?? { ok: true };
  const okWanted = e.ok ?? (e.error ? false : e.result !== undefined ? true : undefined);
  if (okWanted === true && !reply.ok) return `expected a result, got error ${reply.error.code}: ${reply.error.message}`;
  if (okWanted === false && reply.ok) return `expected an error, got result ${brief(reply.result)}`;
  if (e.result !== undefined && reply.ok && !matchesSubset(reply.result, e.result)) return `result ${subsetMismatch(reply.result, e.result) ?? 'differs'}`;
  if (e.error && !reply.ok && !matchesSubset(reply.error, e.error)) return `error ${subsetMismatch(reply.error, e.error) ?? 'differs'}`;
  return undefined;
}

export class ScriptedClient {
  readonly client: MockClient;
  readonly protocolVersion: string;
  readonly modern: boolean;
  readonly capabilities: JsonObject;
  private readonly handlers: Record<string, RequestHandler>;

  constructor(transport: Transport, readonly config: ScriptClient = {}, readonly options: ScriptedClientOptions = {}) {
    this.protocolVersion = config.protocolVersion ?? LATEST_STATEFUL;
    this.modern = isRevision(this.protocolVersion) && isStateless(this.protocolVersion);
    this.capabilities = config.capabilities ?? {};
    this.handlers = {};
    for (const [method, answer] of Object.entries(config.answers ?? {})) this.handlers[method] = answerHandler(method, answer);
    const mc: ConstructorParameters<typeof MockClient>[1] = {
      protocolVersion: this.protocolVersion,
      capabilities: this.capabilities,
      clientInfo: config.clientInfo ?? DEFAULT_CLIENT_INFO,
      handlers: this.handlers,
    };
    const timeout = config.timeoutMs ?? options.timeoutMs;
    if (timeout !== undefined) mc.requestTimeoutMs = timeout;
    if (options.wire) mc.wire = options.wire;
    this.client = new MockClient(transport, mc);
  }

  get peer() {
    return this.client.peer;
  }

  /** Connects and (stateful versions, unless `initialize: false`) performs the handshake. */
  async start(): Promise<Reply | undefined> {
    await this.client.start();
    if (this.modern || this.config.initialize === false) return undefined;
    return (await this.client.initialize()) as unknown as Reply;
  }

  /** _meta every 2026-07-28 request carries (basic/index#meta). */
  requestMeta(): JsonObject {
    return {
      [META.protocolVersion]: this.protocolVersion,
      [META.clientInfo]: this.config.clientInfo ?? DEFAULT_CLIENT_INFO,
      [META.clientCapabilities]: this.capabilities,
    };
  }

  /** Answers one input request (2026-07-28) the way a server request would be answered. */
  private async answerInput(method: string, params: JsonObject | undefined): Promise<JsonObject> {
    const h = this.handlers[method];
    if (h) return (await h(params, undefined as never)) as JsonObject;
    return generateAnswer(method, params);
  }

  /** Sends a request; in 2026-07-28 adds _meta and follows input_required rounds to the end. */
  async request(method: string, params: JsonObject = {}, timeoutMs?: number): Promise<Reply> {
    const opts = timeoutMs !== undefined ? { timeoutMs } : {};
    if (!this.modern) return this.client.request(method, params, opts);
    let p: JsonObject = { ...params, _meta: { ...this.requestMeta(), ...(isObject(params._meta) ? params._meta : {}) } };
    const rounds = this.options.maxInputRounds ?? 8;
    for (let round = 0; ; round++) {
      const reply = await this.client.request(method, p, opts);
      if (!reply.ok || reply.result.resultType !== 'input_required' || round >= rounds) return reply;
      const asked = isObject(reply.result.inputRequests) ? reply.result.inputRequests : {};
      const inputResponses: JsonObject = {};
      for (const [k, req] of Object.entries(asked)) {
        if (!isObject(req) || typeof req.method !== 'string') continue;
        inputResponses[k] = await this.answerInput(req.method, isObject(req.params) ? req.params : undefined);
      }
      const { requestState: _rs, inputResponses: _ir, ...base } = p;
      p = { ...base, inputResponses };
      if (typeof reply.result.requestState === 'string') p.requestState = reply.result.requestState;
    }
  }

  async notify(method: string, params?: JsonObject): Promise<void> {
    await this.client.notify(method, params);
  }

  private async runStep(step: AnyStep): Promise<{ ok: boolean; detail: string; reply?: Reply }> {
    const timeout = this.config.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    if (typeof step === 'function') {
      const r = await step(this);
      return { ok: r !== false, detail: typeof r === 'string' ? r : r === false ? 'returned false' : 'done' };
    }
    if ('request' in step) {
      const reply = await this.request(step.request, step.params ?? {}, step.timeoutMs ?? timeout);
      const miss = checkReply(reply, step.expect);
      const what = reply.ok ? `result ${brief(reply.result, 200)}` : `error ${reply.error.code}: ${reply.error.message}`;
      return { ok: !miss, detail: miss ?? what, reply };
    }
    if ('notify' in step) {
      await this.notify(step.notify, step.params);
      return { ok: true, detail: 'sent' };
    }
    if ('sleep' in step) {
      await new Promise((r) => setTimeout(r, step.sleep));
      return { ok: true, detail: 'slept' };
    }
    if ('waitFor' in step) {
      const w = step.waitFor;
      const m = await this.peer.waitFor((msg) => msg.method === w.method && (!w.params || matchesSubset(msg.params ?? {}, w.params)), w.timeoutMs ?? timeout, {
        includePast: true,
        what: `waiting for ${w.method}`,
      });
      return { ok: true, detail: `received ${brief(m, 200)}` };
    }
    const since = this.peer.received.length;
    await this.peer.send({ raw: step.raw });
    if (!step.expect) return { ok: true, detail: 'sent' };
    const isAnswer = (m: JsonObject) => (Object.hasOwn(m, 'error') || Object.hasOwn(m, 'result')) && this.peer.pendingMethod(m.id) === undefined;
    const seen = this.peer.received.slice(since).find(isAnswer) ?? (await this.peer.waitFor(isAnswer, timeout, { what: 'an answer to the raw frame' }));
    const reply: Reply = Object.hasOwn(seen, 'error')
      ? { ok: false, id: (seen.id ?? null) as never, error: seen.error as never, message: seen }
      : { ok: true, id: seen.id as never, result: (seen.result ?? {}) as JsonObject, message: seen };
    const miss = checkReply(reply, step.expect);
    return { ok: !miss, detail: miss ?? `answered ${brief(seen, 200)}`, reply };
  }

  /** Runs the steps in order; a step that throws or times out fails and the run goes on. */
  async run(steps: readonly AnyStep[]): Promise<ClientRunReport> {
    const results: StepResult[] = [];
    const report: ClientRunReport = { ok: true, protocolVersion: this.protocolVersion, steps: results, violations: [] };
    const t0 = performance.now();
    try {
      const init = await this.start();
      if (init) {
        const r: StepResult = { index: 0, name: 'initialize', ok: init.ok, detail: init.ok ? `protocolVersion ${String(init.result.protocolVersion)}` : `error ${init.error.code}: ${init.error.message}`, ms: Math.round(performance.now() - t0), reply: init };
        results.push(r);
        this.options.onstep?.(r);
        if (init.ok) report.negotiated = String(init.result.protocolVersion);
        else {
          report.ok = false;
          return report;
        }
      } else if (this.modern) report.negotiated = this.protocolVersion;
    } catch (err) {
      const r: StepResult = { index: 0, name: 'connect', ok: false, detail: (err as Error).message, ms: Math.round(performance.now() - t0) };
      results.push(r);
      this.options.onstep?.(r);
      report.ok = false;
      return report;
    }
    for (const [i, step] of steps.entries()) {
      const start = performance.now();
      let outcome: { ok: boolean; detail: string; reply?: Reply };
      try {
        outcome = await this.runStep(step);
      } catch (err) {
        outcome = { ok: false, detail: (err as Error)?.message ?? String(err) };
      }
      const r: StepResult = { index: i + 1, name: stepName(step, i), ok: outcome.ok, detail: outcome.detail, ms: Math.round(performance.now() - start) };
      if (outcome.reply) r.reply = outcome.reply;
      results.push(r);
      this.options.onstep?.(r);
      if (this.peer.closed) {
        results.push({ index: i + 2, name: 'connection', ok: false, detail: `closed: ${this.peer.closeReason}`, ms: 0 });
        break;
      }
    }
    report.violations = this.peer.violations.filter((v) => v.dir === 'recv');
    // SHOULD-level findings (an error response without id where the schema allows it) are listed, not failed.
    report.ok = results.every((r) => r.ok) && (this.options.failOnViolations === false || !report.violations.some((v) => v.violations.some((x) => x.level !== 'SHOULD')));
    return report;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** Runs a client script over a transport and closes it. */
export async function runClientScript(transport: Transport, script: { client?: ScriptClient; steps?: readonly AnyStep[] }, options: ScriptedClientOptions = {}): Promise<ClientRunReport> {
  const c = new ScriptedClient(transport, script.client ?? {}, options);
  try {
    return await c.run(script.steps ?? []);
  } finally {
    await c.close();
  }
}

/** One line per step, for the command's output. */
export function formatRunReport(r: ClientRunReport): string {
  const lines = r.steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${String(s.index).padStart(2)} ${s.name} (${s.ms} ms): ${s.detail}`);
  for (const v of r.violations.slice(0, 20)) lines.push(`VIOLATION ${v.classified.kind}${v.classified.method ? ` ${v.classified.method}` : ''}: ${v.violations.map((x) => `${x.pointer || '/'} ${x.message}`).join('; ')}`);
  const failed = r.steps.filter((s) => !s.ok).length;
  lines.push(`${r.ok ? 'PASS' : 'FAIL'}: ${r.steps.length - failed}/${r.steps.length} steps met${r.violations.length ? `, ${r.violations.length} schema violation(s) from the server` : ''} (protocol ${r.negotiated ?? r.protocolVersion})`);
  return lines.join('\n');
}
