// Says what a raw JSON-RPC message is and validates it completely against one revision:
// the envelope, the method's own message type, and a response against the result type of the
// request it answers.
import { isObject } from './json.ts';
import { hasType, loadSchema } from './load.ts';
import { registry, type Direction, type MethodInfo } from './registry.ts';
import type { Revision } from './revisions.ts';
import { validate, type Violation } from './validate.ts';

export type MessageKind = 'request' | 'notification' | 'response' | 'error' | 'batch' | 'invalid';
export type JsonRpcId = string | number;

export interface Classified {
  kind: MessageKind;
  /** The parsed message (undefined when the text was not JSON). */
  message?: unknown;
  id?: JsonRpcId | null;
  method?: string;
  /** Registry entry of the method (requests, notifications, and responses whose request is known). */
  info?: MethodInfo;
  /** The schema type the message (or, for responses, its result) was validated as. */
  schemaType?: string;
  /** Schema violations; empty when valid. */
  violations: Violation[];
  /** Batch members (kind 'batch'). */
  items?: Classified[];
}

export interface ClassifyOptions {
  /** Who sent it; checks the method may travel that way. */
  direction?: Direction;
  /** For responses: the method of the request answered (else the result is checked as Result). */
  requestMethod?: string | ((id: JsonRpcId) => string | undefined);
}

function envelopeType(rev: Revision, kind: 'response' | 'error'): string {
  if (kind === 'error') return hasType(rev, 'JSONRPCErrorResponse') ? 'JSONRPCErrorResponse' : 'JSONRPCError';
  return hasType(rev, 'JSONRPCResultResponse') ? 'JSONRPCResultResponse' : 'JSONRPCResponse';
}

function prefixed(violations: Violation[], prefix: string): Violation[] {
  return violations.map((v) => ({ ...v, pointer: prefix + v.pointer }));
}

const TASK_AUGMENTABLE = new Set(['tools/call', 'sampling/createMessage', 'elicitation/create']);

export function batchesAllowed(rev: Revision): boolean {
  return hasType(rev, 'JSONRPCBatchRequest');
}

/** Revisions whose schema no longer requires `id` on an error response (2025-11-25 on). */
export function errorIdOptional(rev: Revision): boolean {
  const def = loadSchema(rev).defs[hasType(rev, 'JSONRPCErrorResponse') ? 'JSONRPCErrorResponse' : 'JSONRPCError'] as { required?: unknown } | undefined;
  return !(Array.isArray(def?.required) && def.required.includes('id'));
}

/**
 * The JSON-RPC 2.0 rules of a response (section 5) that the schemas do not all express: exactly
 * one of result and error, and an id, which is null when the request's id could not be read. At
 * revisions whose schema requires `id` on an error response its absence is a schema violation
 * already (reported by ajv); where the schema made it optional, JSON-RPC still asks for
 * `"id": null`, judged at SHOULD. Applies to any object that is meant as a response.
 */
export function responseRules(rev: Revision, msg: Record<string, unknown>): Violation[] {
  const isError = Object.hasOwn(msg, 'error');
  const isResult = Object.hasOwn(msg, 'result');
  if (isError && isResult) return [{ pointer: '', keyword: 'oneOf', message: 'a response must not carry both result and error' }];
  if (!isError && !isResult) return [{ pointer: '', keyword: 'required', message: 'neither a request/notification (method) nor a response (result or error)' }];
  if (isError && !Object.hasOwn(msg, 'id') && errorIdOptional(rev)) {
    return [{ pointer: '', keyword: 'id', level: 'SHOULD', message: `an error response without "id": JSON-RPC 2.0 (section 5) requires "id": null when the request's id could not be read (the ${rev} schema leaves id optional)` }];
  }
  return [];
}

/** Classifies and validates one message: a parsed value or the raw text of one frame. */
export function classify(rev: Revision, raw: unknown, opts: ClassifyOptions = {}): Classified {
  let msg = raw;
  if (typeof raw === 'string') {
    try {
      msg = JSON.parse(raw);
    } catch (err) {
      return { kind: 'invalid', violations: [{ pointer: '', keyword: 'json', message: `not valid JSON: ${(err as Error).message}` }] };
    }
  }
  if (Array.isArray(msg)) {
    const items = msg.map((m) => classify(rev, m, opts));
    const violations: Violation[] = [];
    if (!batchesAllowed(rev)) violations.push({ pointer: '', keyword: 'batch', message: `JSON-RPC batches are not part of revision ${rev}` });
    if (msg.length === 0) violations.push({ pointer: '', keyword: 'batch', message: 'an empty batch is invalid' });
    items.forEach((it, i) => violations.push(...prefixed(it.violations, `/${i}`)));
    return { kind: 'batch', message: msg, items, violations };
  }
  if (!isObject(msg)) {
    return { kind: 'invalid', message: msg, violations: [{ pointer: '', keyword: 'type', message: 'a JSON-RPC message must be an object' }] };
  }
  const reg = registry(rev);
  const hasId = Object.hasOwn(msg, 'id');
  const id = msg.id as JsonRpcId | null | undefined;

  if (typeof msg.method === 'string') {
    const method = msg.method;
    const kind: MessageKind = hasId ? 'request' : 'notification';
    const info = reg.get(method);
    const out: Classified = { kind, message: msg, method, violations: [] };
    if (hasId) out.id = id ?? null;
    const envelope = validate(rev, kind === 'request' ? 'JSONRPCRequest' : 'JSONRPCNotification', msg);
    if (!envelope.valid) {
      out.violations = envelope.errors;
      out.schemaType = kind === 'request' ? 'JSONRPCRequest' : 'JSONRPCNotification';
      return out;
    }
    // A method the revision does not define makes this no message of that revision (the receiver
    // answers -32601, or ignores a notification, but the sender stepped outside the protocol).
    if (!info) {
      out.violations.push({ pointer: '/method', keyword: 'method', message: `"${method}" is not a method of revision ${rev}: not a ${kind} of that revision` });
      return out;
    }
    out.info = info;
    const expected = info.kind === 'notification' ? 'notification' : 'request';
    if (expected !== kind) {
      out.violations.push({ pointer: hasId ? '/id' : '', keyword: 'kind', message: `${method} is a ${expected}, sent as a ${kind}` });
      return out;
    }
    if (opts.direction && !info.directions.includes(opts.direction)) {
      out.violations.push({ pointer: '/method', keyword: 'direction', message: `${method} is not sent ${opts.direction.replaceAll('-', ' ')} in ${rev}` });
    }
    out.schemaType = info.messageType;
    out.violations.push(...validate(rev, info.messageType, msg).errors);
    return out;
  }

  const isError = Object.hasOwn(msg, 'error');
  const isResult = Object.hasOwn(msg, 'result');
  if (!isError && !isResult) {
    return { kind: 'invalid', message: msg, violations: responseRules(rev, msg) };
  }
  const kind: MessageKind = isError ? 'error' : 'response';
  const out: Classified = { kind, message: msg, id: id ?? null, violations: [] };
  if (isError && isResult) {
    out.violations.push(...responseRules(rev, msg));
    return out;
  }
  const envType = envelopeType(rev, kind);
  out.schemaType = envType;
  const envelope = validate(rev, envType, msg);
  if (!envelope.valid) {
    out.violations.push(...envelope.errors);
    return out;
  }
  out.violations.push(...responseRules(rev, msg));
  if (kind === 'response') {
    const rm = typeof opts.requestMethod === 'function' ? (id != null ? opts.requestMethod(id) : undefined) : opts.requestMethod;
    const info = rm ? reg.get(rm) : undefined;
    if (rm) out.method = rm;
    if (info) out.info = info;
    const result = msg.result as Record<string, unknown>;
    // 2026-07-28: any request may be answered "input_required" instead of its final result.
    // 2025-11-25 tasks: a task-augmented request (tools/call, sampling, elicitation) is answered
    // with a CreateTaskResult (basic/utilities/tasks#creating-tasks), recognised by its `task`.
    const createsTask = isObject(result) && isObject(result.task) && rm !== undefined && TASK_AUGMENTABLE.has(rm) && hasType(rev, 'CreateTaskResult');
    const resultType =
      isObject(result) && result.resultType === 'input_required' && hasType(rev, 'InputRequiredResult')
        ? 'InputRequiredResult'
        : createsTask
          ? 'CreateTaskResult'
          : (info?.resultType ?? 'Result');
    out.schemaType = resultType;
    out.violations.push(...prefixed(validate(rev, resultType, result).errors, '/result'));
  }
  return out;
}
