// One fuzz step = one frame sent to the target, with what a correct target does with it. Steps are
// drawn from the schema arbitraries (valid messages, labelled invalid ones, tool calls with
// arguments generated from each tool's inputSchema), so fast-check can shrink a sequence of them.
import fc from 'fast-check';
import { ErrorCode, hasCapability, registry, type Direction, type JsonRpcId, type Revision } from '../../schema/index.ts';
import { invalidMessage, validMessage, type InvalidMessage } from '../../schema/arbitrary/index.ts';

/**
 * How many replies a correct target sends for a step:
 * - response: exactly one response carrying the step's id;
 * - response-or-null-id-error: that, or one error whose id is null/absent (the frame may be refused unread);
 * - error-any-id: exactly one error response, with the step's id or a null id;
 * - null-id-error: exactly one error with a null/absent id (the id could not be read);
 * - none: nothing at all (a notification);
 * - none-or-null-id-error / none-or-error: nothing, or one error (never a result);
 * - errors-only: any number of null-id errors, never a result (a frame split into several bad frames).
 */
export type ReplyRule = 'response' | 'response-or-null-id-error' | 'error-any-id' | 'null-id-error' | 'none' | 'none-or-null-id-error' | 'none-or-error' | 'errors-only';

export interface Expectation {
  reply: ReplyRule;
  /** The id replies carry, as sent (any JSON: a broken id may be echoed). */
  id?: unknown;
  /** The request's method: a result is validated against its result type. */
  method?: string;
  /** A success result breaks `fuzz/error-codes`. */
  mustError?: boolean;
  /** Error codes the spec calls for (`fuzz/error-codes`); absent: any code. */
  codes?: number[];
  /** A valid call of a listed, safe tool (`fuzz/tool-call-protocol-errors`). */
  toolCall?: boolean;
}

export interface FuzzStep {
  /** What was sent, for reports: 'valid tools/list request', 'invalid (wrong-type): /params/name is 42…'. */
  label: string;
  /**
   * The kind of step, coarse enough that two findings of one oracle and one category are likely
   * one defect: 'valid request', 'valid request + unknown top-level member', 'invalid request
   * (invalid-json)', 'unknown method', 'tool call'…
   */
  category?: string;
  /** A JSON value, sent serialised (one frame). */
  message?: unknown;
  /** Exact text sent as one frame (stdio: a newline is added). */
  raw?: string;
  /** Exact bytes (base64) sent as one frame: text that is not valid UTF-8. */
  rawBase64?: string;
  expect: Expectation;
  /** The message's id is replaced with a fresh, session-unique one when sent. */
  freshId?: 'int' | 'string';
}

/** A tool the fuzzer may call: listed by the target and judged safe. */
export interface CallableTool {
  name: string;
  arguments: fc.Arbitrary<unknown>;
}

export interface StepContext {
  rev: Revision;
  /** Who receives our messages: a server (we send client→server messages) or a client. */
  receiver: 'server' | 'client';
  /** stdio frames are lines: a frame with a newline inside becomes several frames. */
  transport: 'stdio' | 'http' | 'sse' | 'memory';
  /** Capabilities the target declared (decides which methods it may refuse with -32601). */
  capabilities: Record<string, unknown>;
  tools: readonly CallableTool[];
  /** Length of 'huge-string' strings (default 256 KiB) and depth of 'deep-nesting' (default 2 000). */
  hugeStringLength?: number;
  nestingDepth?: number;
  /** Methods never sent as valid requests (initialize for a server target: the handshake did it). */
  excludeMethods?: readonly string[];
}

const UNKNOWN_METHODS = ['mcp-conform/unknown', 'tools/lists', 'Tools/List', 'resources/delete', 'prompts/run', 'x'];

const isParamsPointer = (p: string | undefined) => p !== undefined && (p === '/params' || p.startsWith('/params/'));
const idOf = (v: unknown): JsonRpcId | undefined => {
  const id = (v as Record<string, unknown> | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
};
/** The id member as sent, whatever its type (undefined when absent). */
const rawIdOf = (v: unknown): unknown => (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, 'id') ? (v as Record<string, unknown>).id : undefined);

function directionTo(receiver: 'server' | 'client'): Direction {
  return receiver === 'server' ? 'client-to-server' : 'server-to-client';
}

/** -32601 is a fine answer to a method whose capability the target did not declare. */
function gatedCodes(ctx: StepContext, method: string | undefined, codes: number[]): number[] {
  if (!method) return codes;
  const info = registry(ctx.rev).get(method);
  const gate = info?.gates[directionTo(ctx.receiver)];
  return gate && !hasCapability(ctx.capabilities, gate) && !codes.includes(ErrorCode.MethodNotFound) ? [...codes, ErrorCode.MethodNotFound] : codes;
}

function request(method: string, params: unknown): Record<string, unknown> {
  const m: Record<string, unknown> = { jsonrpc: '2.0', id: 0, method };
  if (params !== undefined) m.params = params;
  return m;
}

/** What a correct receiver does with one labelled invalid message. */
export function expectationFor(ctx: StepContext, inv: InvalidMessage): Expectation {
  const base = inv.base;
  const isRequest = base.kind === 'request';
  const isNotification = base.kind === 'notification';
  const method = base.method;
  const id = isRequest ? idOf(inv.value ?? base.value) : undefined;
  const sentId = rawIdOf(inv.value ?? base.value);
  const unsolicited = (): Expectation => (sentId !== undefined ? { reply: 'none-or-error', id: sentId } : { reply: 'none-or-error' });
  const asBase = (): Expectation => (isRequest ? { reply: 'response', ...(id !== undefined ? { id } : {}), ...(method ? { method } : {}) } : isNotification ? { reply: 'none' } : unsolicited());
  const envelope = (): Expectation =>
    isRequest ? { reply: 'error-any-id', ...(id !== undefined ? { id } : {}), mustError: true, codes: [ErrorCode.InvalidRequest] } : isNotification ? { reply: 'none-or-null-id-error' } : unsolicited();
  const lenient = (): Expectation =>
    isRequest ? { reply: 'response-or-null-id-error', ...(id !== undefined ? { id } : {}), ...(method ? { method } : {}) } : isNotification ? { reply: 'none-or-null-id-error' } : unsolicited();

  switch (inv.rule) {
    case 'invalid-json':
      if (inv.raw !== undefined && String(inv.raw).trim() === '') return { reply: 'none-or-null-id-error' };
      return { reply: 'null-id-error', mustError: true, codes: [ErrorCode.ParseError] };
    case 'truncated-frame':
      return { reply: 'null-id-error', mustError: true, codes: [ErrorCode.ParseError] };
    case 'embedded-newline':
      // On stdio each line is a frame of its own (none of them a valid message); elsewhere the
      // pretty-printed text is just JSON.
      return ctx.transport === 'stdio' ? { reply: 'errors-only', mustError: true, codes: [ErrorCode.ParseError, ErrorCode.InvalidRequest] } : asBase();
    case 'invalid-utf8':
    case 'lone-surrogate':
    case 'huge-string':
    case 'deep-nesting':
    case 'extra-top-level-key':
      return lenient();
    case 'wrong-jsonrpc':
      return envelope();
    case 'forbidden-id-type':
      return isRequest ? { reply: 'error-any-id', ...(sentId !== undefined ? { id: sentId } : {}), mustError: true, codes: [ErrorCode.InvalidRequest] } : unsolicited();
    case 'result-and-error':
      return unsolicited();
    case 'missing-required':
    case 'wrong-type':
    case 'out-of-enum': {
      const p = inv.pointer;
      if (!isRequest) return isNotification && !isParamsPointer(p) ? { reply: 'none-or-null-id-error' } : isNotification ? { reply: 'none' } : unsolicited();
      if (p === '/id') return { reply: 'none-or-null-id-error' }; // no id left: a notification now
      if (p === '/jsonrpc' || p === '/method') return envelope();
      if (isParamsPointer(p)) {
        // _meta is metadata: a receiver may ignore what it does not use.
        if (p?.startsWith('/params/_meta')) return lenient();
        const codes = p === '/params' ? [ErrorCode.InvalidParams, ErrorCode.InvalidRequest] : [ErrorCode.InvalidParams];
        return { reply: 'response', ...(id !== undefined ? { id } : {}), ...(method ? { method } : {}), mustError: true, codes: gatedCodes(ctx, method, codes) };
      }
      return lenient();
    }
  }
}

/** Where a rule was applied, for categories: the envelope and the params are answered differently. */
function where(pointer: string | undefined): string {
  if (pointer === undefined || pointer === '') return '';
  return isParamsPointer(pointer) ? ' in params' : ' in the envelope';
}

/** The id a receiver reads from bytes with invalid UTF-8 in it (each bad sequence becomes U+FFFD). */
function decodedId(raw: Uint8Array): unknown {
  try {
    return rawIdOf(JSON.parse(new TextDecoder('utf-8').decode(raw)));
  } catch {
    return undefined;
  }
}

/** The invalid message without the unknown top-level members its base happened to get (see sometimesPlain). */
function withoutExtras(inv: InvalidMessage): InvalidMessage {
  const v = inv.value;
  if (inv.rule === 'extra-top-level-key' || inv.raw !== undefined || v === null || typeof v !== 'object' || Array.isArray(v)) return inv;
  const keep = inv.pointer?.split('/')[1];
  const value = Object.fromEntries(Object.entries(v).filter(([key]) => ENVELOPE.has(key) || key === keep));
  return { ...inv, value };
}

function fromInvalid(ctx: StepContext, inv: InvalidMessage, idKind: 'int' | 'string'): FuzzStep {
  let expect = expectationFor(ctx, inv);
  if (inv.rule === 'invalid-utf8' && inv.pointer === '/id' && inv.raw instanceof Uint8Array && expect.id !== undefined) {
    expect = { ...expect, id: decodedId(inv.raw) };
  }
  const step: FuzzStep = { label: `invalid ${inv.base.kind}${inv.base.method ? ` ${inv.base.method}` : ''} (${inv.rule}): ${inv.description}`, category: `invalid ${inv.base.kind} (${inv.rule}${where(inv.pointer)})${inv.value !== undefined && inv.rule !== 'extra-top-level-key' ? extra(inv.value) : ''}`, expect };
  if (inv.raw !== undefined) {
    if (typeof inv.raw === 'string') step.raw = inv.raw;
    else step.rawBase64 = Buffer.from(inv.raw).toString('base64');
  } else {
    step.message = inv.value;
    // Our own ids keep replies apart; a broken or missing id stays as the rule made it.
    if (expect.id !== undefined && inv.rule !== 'forbidden-id-type') step.freshId = idKind;
  }
  return step;
}

const idKind = fc.constantFrom<'int' | 'string'>('int', 'string');

const ENVELOPE = new Set(['jsonrpc', 'id', 'method', 'params', 'result', 'error']);

/**
 * The schema lets a message carry unknown top-level members, and the generator adds some. Peers
 * that drop such messages (the SDK's strict parsing does) would then hide every other defect, so
 * valid messages keep them one time in five; shrinking drops them.
 */
function sometimesPlain<T extends { value: Record<string, unknown> }>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.tuple(arb, fc.integer({ min: 0, max: 4 })).map(([vm, n]) => {
    if (n === 4) return vm;
    const value = Object.fromEntries(Object.entries(vm.value).filter(([k]) => ENVELOPE.has(k)));
    return { ...vm, value };
  });
}
/** ' + unknown top-level member' when the message carries members JSON-RPC does not define. */
function extra(v: unknown): string {
  return v !== null && typeof v === 'object' && Object.keys(v).some((k) => !ENVELOPE.has(k)) ? ' + unknown top-level member' : '';
}

/** Every kind of step, weighted, for the given target. */
export function stepArbitrary(ctx: StepContext): fc.Arbitrary<FuzzStep> {
  const reg = registry(ctx.rev);
  const dir = directionTo(ctx.receiver);
  const excluded = new Set(ctx.excludeMethods ?? []);
  const requests = reg.requests(dir).map((i) => i.method).filter((m) => !excluded.has(m));
  const notifications = reg.notifications(dir).map((i) => i.method);
  const otherWay = reg.requests(dir === 'client-to-server' ? 'server-to-client' : 'client-to-server').map((i) => i.method).filter((m) => !reg.get(m)?.directions.includes(dir));
  const sizes = { hugeStringLength: ctx.hugeStringLength ?? 256 * 1024, nestingDepth: ctx.nestingDepth ?? 2_000 };

  const arbs: { arbitrary: fc.Arbitrary<FuzzStep>; weight: number }[] = [];
  if (requests.length) {
    arbs.push({
      weight: 4,
      arbitrary: fc.tuple(sometimesPlain(validMessage(ctx.rev, { kinds: ['request'], methods: requests })), idKind).map(([vm, k]) => ({
        label: `valid ${vm.method} request`,
        category: `valid request${extra(vm.value)}`,
        message: vm.value,
        expect: { reply: 'response' as const, id: idOf(vm.value) ?? 0, method: vm.method as string },
        freshId: k,
      })),
    });
  }
  if (notifications.length) {
    arbs.push({
      weight: 1,
      arbitrary: sometimesPlain(validMessage(ctx.rev, { kinds: ['notification'], methods: notifications })).map((vm) => ({ label: `valid ${vm.method} notification`, category: `valid notification${extra(vm.value)}`, message: vm.value, expect: { reply: 'none' as const } })),
    });
  }
  arbs.push({
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...UNKNOWN_METHODS), fc.option(fc.constant({}), { nil: undefined }), idKind).map(([method, params, k]) => ({
      label: `request of unknown method ${JSON.stringify(method)}`,
      category: 'unknown method',
      message: request(method, params),
      expect: { reply: 'response' as const, id: 0, method, mustError: true, codes: [ErrorCode.MethodNotFound] },
      freshId: k,
    })),
  });
  if (otherWay.length) {
    arbs.push({
      weight: 1,
      arbitrary: fc.tuple(sometimesPlain(validMessage(ctx.rev, { kinds: ['request'], methods: otherWay })), idKind).map(([vm, k]) => ({
        label: `${vm.method} request, a method only the ${ctx.receiver} sends`,
        category: `method of the other side${extra(vm.value)}`,
        message: vm.value,
        expect: { reply: 'response' as const, id: 0, mustError: true, codes: [ErrorCode.MethodNotFound] },
        freshId: k,
      })),
    });
  }
  arbs.push({
    weight: 4,
    arbitrary: fc
      .tuple(invalidMessage(ctx.rev, { kinds: ['request', 'notification'], methods: [...requests, ...notifications], ...sizes }), idKind, fc.integer({ min: 0, max: 4 }))
      .map(([inv, k, n]) => fromInvalid(ctx, n === 4 ? inv : withoutExtras(inv), k)),
  });
  arbs.push({
    weight: 1,
    arbitrary: validMessage(ctx.rev, { kinds: ['response', 'error'] }).map((vm) => ({
      label: `unsolicited ${vm.kind === 'error' ? 'error ' : ''}response${vm.method ? ` (a ${vm.method} result)` : ''}`,
      category: 'unsolicited response',
      message: vm.value,
      expect: { reply: 'none-or-error' as const, id: rawIdOf(vm.value) },
    })),
  });
  if (ctx.tools.length) {
    const calls = ctx.tools.map((t) =>
      fc.tuple(t.arguments, idKind).map(([args, k]) => ({
        label: `tools/call of ${t.name} with generated arguments`,
        category: 'tool call',
        message: request('tools/call', { name: t.name, arguments: args }),
        expect: { reply: 'response' as const, id: 0, method: 'tools/call', toolCall: true },
        freshId: k,
      })),
    );
    arbs.push({ weight: 3, arbitrary: calls.length === 1 ? (calls[0] as fc.Arbitrary<FuzzStep>) : fc.oneof(...calls) });
  }
  return fc.oneof(...arbs);
}

/** Sequences of steps: what one fast-check run sends. */
export function sequenceArbitrary(ctx: StepContext, maxLength = 8): fc.Arbitrary<FuzzStep[]> {
  // No minLength: with one, fast-check stops shrinking before the last element (['a', 'x'] stays).
  return fc.array(stepArbitrary(ctx), { maxLength });
}

let counter = 0;

/**
 * The step as sent: fresh ids put in place (ints from 1 000 000 000 and 'fz-…' strings, apart
 * from the small ids the handshake and health checks use).
 */
export function concretize(step: FuzzStep, nextId: () => number = () => ++counter): FuzzStep {
  if (!step.freshId || step.message === null || typeof step.message !== 'object' || Array.isArray(step.message)) {
    const { freshId: _f, ...rest } = step;
    return rest;
  }
  const n = nextId();
  const id: JsonRpcId = step.freshId === 'int' ? 1_000_000_000 + n : `fz-${n}`;
  const { freshId: _f, ...rest } = step;
  return { ...rest, message: { ...(step.message as Record<string, unknown>), id }, expect: { ...step.expect, id } };
}

/** The bytes or text of a step's frame. */
export function frameOf(step: FuzzStep): { raw: string | Uint8Array } | unknown {
  if (step.rawBase64 !== undefined) return { raw: new Uint8Array(Buffer.from(step.rawBase64, 'base64')) };
  if (step.raw !== undefined) return { raw: step.raw };
  return step.message;
}
