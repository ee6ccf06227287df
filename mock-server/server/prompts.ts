// Prompts (server/prompts): prompts/list and prompts/get.
import { ErrorCode, isObject, type Revision } from '../../schema/index.ts';
import type { JsonObject, ServerContext } from '../behaviours.ts';
import { fillTemplate } from '../match.ts';
import { RpcError } from '../peer.ts';
import { fitTo } from './fit.ts';
import { page } from './pagination.ts';
import type { ServerState } from './state.ts';
import { stripUndefined } from './types.ts';

export function listPrompts(server: ServerState, params: JsonObject, rev: Revision): JsonObject {
  return page(server, 'prompts', server.prompts().map((p) => fitTo(rev, 'Prompt', stripUndefined({ name: p.name, title: p.spec.title, description: p.spec.description, arguments: p.spec.arguments, icons: p.spec.icons, _meta: p.spec._meta }))), params.cursor);
}

export async function getPrompt(server: ServerState, params: JsonObject, ctx: ServerContext): Promise<unknown> {
  const p = server.prompts().find((x) => x.name === params.name);
  if (!p) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: unknown prompt ${JSON.stringify(params.name)}`);
  const args = (isObject(params.arguments) ? params.arguments : {}) as Record<string, string>;
  const missing = (p.spec.arguments ?? []).filter((a) => a.required && typeof args[a.name] !== 'string').map((a) => a.name);
  if (missing.length) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: missing required argument(s) ${missing.join(', ')}`);
  if (p.spec.asks) await ctx.askAll(p.spec.asks);
  let result: JsonObject;
  if (p.spec.handler) {
    const v = await p.spec.handler(args, ctx);
    result = Array.isArray(v) ? { messages: v } : { ...v };
  } else {
    result = { messages: fillTemplate(p.spec.messages ?? [], { arguments: args, input: ctx.input }) };
  }
  if (p.spec.description !== undefined && result.description === undefined) result.description = p.spec.description;
  return result;
}
