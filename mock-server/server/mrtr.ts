// Multi-round-trip requests (basic/patterns/mrtr, 2026-07-28): a request that needs input answers
// input_required with a signed requestState; its retry brings the inputResponses.
import { createHash } from 'node:crypto';
import { ErrorCode, isObject, META } from '../../schema/index.ts';
import type { InputRequestSpec, JsonObject } from '../behaviours.ts';
import { RpcError } from '../peer.ts';
import type { ServerState } from './state.ts';
import type { ClientReply } from './types.ts';

/** Methods that may answer input_required (basic/patterns/mrtr#supported-requests). */
export const MRTR_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** The part of a request context MRTR reads and fills. */
interface InputScope {
  readonly method: string;
  readonly params: JsonObject;
  readonly input: Record<string, JsonObject>;
}

/** Fills ctx.input from a verified requestState and the retry's inputResponses. */
export function restoreInput(server: ServerState, session: number, ctx: InputScope): void {
  if (!MRTR_METHODS.has(ctx.method)) return;
  const p = ctx.params;
  if (p.requestState !== undefined) {
    const state = server.unsign(p.requestState);
    if (!isObject(state) || state.m !== ctx.method || state.k !== salientDigest(ctx.method, p) || typeof state.e !== 'number' || state.e < Date.now() || !isObject(state.r)) {
      throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: requestState is not valid for this request');
    }
    Object.assign(ctx.input, state.r);
  }
  // basic/patterns/mrtr#error-handling: inputResponses that is no InputResponses object (a map of
  // result objects) is a protocol error, not a missing answer to ask again for.
  if (p.inputResponses !== undefined && (!isObject(p.inputResponses) || !Object.values(p.inputResponses).every(isObject))) {
    throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: inputResponses must map each input request key to its result object');
  }
  if (isObject(p.inputResponses)) {
    for (const [k, v] of Object.entries(p.inputResponses as Record<string, JsonObject>)) {
      ctx.input[k] = v;
      const rec: ClientReply = { session, method: `input:${k}`, result: v, at: performance.now() };
      server.clientReplies.push(rec);
    }
  }
}

export function inputRequired(server: ServerState, ctx: InputScope, requests: Record<string, InputRequestSpec>): JsonObject {
  const state = { m: ctx.method, k: salientDigest(ctx.method, ctx.params), e: Date.now() + 10 * 60_000, r: ctx.input };
  const inputRequests: JsonObject = {};
  for (const [k, r] of Object.entries(requests)) inputRequests[k] = r.params === undefined ? { method: r.method } : { method: r.method, params: r.params };
  return { resultType: 'input_required', inputRequests, requestState: server.sign(state), _meta: { [META.serverInfo]: server.serverInfo } };
}

/** What a requestState is bound to: the method and the parameters that identify the request. */
function salientDigest(method: string, params: JsonObject): string {
  const salient = method === 'resources/read' ? { uri: params.uri } : { name: params.name, arguments: params.arguments ?? {} };
  return createHash('sha256').update(`${method}\n${JSON.stringify(salient)}`).digest('base64url').slice(0, 22);
}
