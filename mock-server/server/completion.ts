// Completion (server/utilities/completion): completion/complete for prompt arguments and resource templates.
import { ErrorCode, isObject } from '../../schema/index.ts';
import type { CompletionBehaviour, JsonObject, ServerContext } from '../behaviours.ts';
import { RpcError } from '../peer.ts';
import type { ServerState } from './state.ts';

export async function complete(server: ServerState, params: JsonObject, ctx: ServerContext): Promise<unknown> {
  const ref = isObject(params.ref) ? params.ref : {};
  const arg = isObject(params.argument) ? params.argument : {};
  const name = String(arg.name ?? '');
  const value = String(arg.value ?? '');
  const context = (isObject(params.context) && isObject(params.context.arguments) ? params.context.arguments : {}) as Record<string, string>;
  let candidates: string[] | undefined;
  const matchRef = (b: CompletionBehaviour) =>
    b.argument === name && b.ref.type === ref.type && ((b.ref.type === 'ref/prompt' && b.ref.name === ref.name) || (b.ref.type === 'ref/resource' && b.ref.uri === ref.uri));
  const behaviour = server.completions().find(matchRef);
  if (ref.type === 'ref/prompt') {
    const p = server.prompts().find((x) => x.name === ref.name);
    if (!p) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: unknown prompt ${JSON.stringify(ref.name)}`);
    candidates = p.spec.complete?.[name];
  } else if (ref.type === 'ref/resource') {
    const t = server.templates().find((x) => x.uriTemplate === ref.uri);
    if (!t && !server.resources().some((r) => r.uri === ref.uri)) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: unknown resource template ${JSON.stringify(ref.uri)}`);
    candidates = t?.spec.complete?.[name];
  } else {
    throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: ref.type must be ref/prompt or ref/resource');
  }
  if (behaviour) candidates = typeof behaviour.values === 'function' ? await behaviour.values(value, ctx, context) : behaviour.values;
  const all = (candidates ?? []).filter((v) => v.toLowerCase().startsWith(value.toLowerCase()));
  const values = all.slice(0, 100);
  return { completion: { values, total: all.length, hasMore: all.length > values.length } };
}
