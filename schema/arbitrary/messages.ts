// Valid JSON-RPC messages of a revision: requests and notifications of every method in the
// registry, responses carrying that method's result type, and error responses.
import fc from 'fast-check';
import { hasType } from '../load.ts';
import { registry, type Direction, type MethodInfo } from '../registry.ts';
import type { Revision } from '../revisions.ts';
import type { ArbitraryOptions } from './engine.ts';
import { arbitraryFor } from './mcp.ts';

export type MessageKind = 'request' | 'notification' | 'response' | 'error';
export const MESSAGE_KINDS: readonly MessageKind[] = ['request', 'notification', 'response', 'error'];

/** A schema type the message (or the part at `pointer`) must satisfy. */
export interface SchemaCheck {
  type: string;
  /** JSON pointer of the part checked: '' for the whole message, '/result' for a result. */
  pointer: string;
}

export interface ValidMessage {
  kind: MessageKind;
  /** Method of a request or notification; for a response, the method of the request it answers. */
  method?: string;
  value: Record<string, unknown>;
  /** Every type the message satisfies: the JSON-RPC envelope, then the method's own type. */
  checks: SchemaCheck[];
}

export interface MessageOptions extends ArbitraryOptions {
  kinds?: readonly MessageKind[];
  /** Only these methods (requests, notifications, and the requests responses answer). */
  methods?: readonly string[];
  /** Only methods that travel this way (responses: answers to requests sent the other way). */
  direction?: Direction;
}

export function envelopeTypes(rev: Revision): Record<MessageKind, string> {
  return {
    request: 'JSONRPCRequest',
    notification: 'JSONRPCNotification',
    response: hasType(rev, 'JSONRPCResultResponse') ? 'JSONRPCResultResponse' : 'JSONRPCResponse',
    error: hasType(rev, 'JSONRPCErrorResponse') ? 'JSONRPCErrorResponse' : 'JSONRPCError',
  };
}

const flip = (d: Direction): Direction => (d === 'client-to-server' ? 'server-to-client' : 'client-to-server');

function methodsOf(rev: Revision, kind: 'request' | 'notification', opts: MessageOptions): MethodInfo[] {
  const reg = registry(rev);
  return [...reg.methods.values()].filter(
    (i) =>
      i.kind === kind && // 2026-07-28 input requests travel inside results, never as JSON-RPC requests
      (!opts.methods || opts.methods.includes(i.method)) &&
      (!opts.direction || i.directions.includes(opts.direction)),
  );
}

/** Old revisions define a method's message without jsonrpc/id: the envelope adds them. */
function enveloped(rev: Revision, info: MethodInfo, kind: 'request' | 'notification', opts: MessageOptions): fc.Arbitrary<ValidMessage> {
  const env = envelopeTypes(rev)[kind];
  const id = kind === 'request' ? arbitraryFor(rev, 'RequestId', opts) : fc.constant(undefined);
  return fc.tuple(arbitraryFor(rev, info.messageType, opts), id).map(([m, idValue]) => {
    const value: Record<string, unknown> = { jsonrpc: '2.0', ...(m as Record<string, unknown>) };
    value.jsonrpc = '2.0';
    if (kind === 'request' && !Object.hasOwn(value, 'id')) value.id = idValue;
    // An unknown member named "id" would turn a notification into a request.
    if (kind === 'notification') delete value.id;
    return { kind, method: info.method, value, checks: [{ type: env, pointer: '' }, { type: info.messageType, pointer: '' }] };
  });
}

function response(rev: Revision, info: MethodInfo, opts: MessageOptions): fc.Arbitrary<ValidMessage> {
  const env = envelopeTypes(rev).response;
  const resultType = info.resultType ?? 'Result';
  return fc.tuple(arbitraryFor(rev, 'RequestId', opts), arbitraryFor(rev, resultType, opts)).map(([id, result]) => ({
    kind: 'response' as const,
    method: info.method,
    value: { jsonrpc: '2.0', id, result },
    checks: [{ type: env, pointer: '' }, { type: resultType, pointer: '/result' }],
  }));
}

function errorResponse(rev: Revision, opts: MessageOptions): fc.Arbitrary<ValidMessage> {
  const env = envelopeTypes(rev).error;
  return arbitraryFor(rev, env, opts).map((v) => ({ kind: 'error' as const, value: v as Record<string, unknown>, checks: [{ type: env, pointer: '' }] }));
}

/** Valid JSON-RPC messages of a revision, with what each is and which types it satisfies. */
export function validMessage(rev: Revision, opts: MessageOptions = {}): fc.Arbitrary<ValidMessage> {
  const kinds = opts.kinds ?? MESSAGE_KINDS;
  // One group per kind, so that error responses are as common as requests of some method.
  const groups: fc.Arbitrary<ValidMessage>[][] = [];
  if (kinds.includes('request')) groups.push(methodsOf(rev, 'request', opts).map((i) => enveloped(rev, i, 'request', opts)));
  if (kinds.includes('notification')) groups.push(methodsOf(rev, 'notification', opts).map((i) => enveloped(rev, i, 'notification', opts)));
  if (kinds.includes('response')) {
    const answered = methodsOf(rev, 'request', { ...opts, direction: opts.direction ? flip(opts.direction) : undefined });
    groups.push(answered.map((i) => response(rev, i, opts)));
  }
  if (kinds.includes('error')) groups.push([errorResponse(rev, opts)]);
  const arbs = groups.filter((g) => g.length > 0).map((g) => (g.length === 1 ? (g[0] as fc.Arbitrary<ValidMessage>) : fc.oneof(...g)));
  if (arbs.length === 0) throw new Error(`no ${kinds.join('/')} message of ${rev} matches the options`);
  return arbs.length === 1 ? (arbs[0] as fc.Arbitrary<ValidMessage>) : fc.oneof(...arbs);
}
