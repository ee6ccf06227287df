// Tools (server/tools): tools/list and tools/call, with argument validation and result shaping per revision.
import { ErrorCode, isObject, type Revision } from '../../schema/index.ts';
import type { JsonObject, ServerContext, ToolBehaviour, ToolResultValue } from '../behaviours.ts';
import { fillTemplate } from '../match.ts';
import { RpcError } from '../peer.ts';
import { InputRequired, MissingClientCapability } from './errors.ts';
import { fitTo } from './fit.ts';
import { page } from './pagination.ts';
import type { ServerState } from './state.ts';
import { stripUndefined } from './types.ts';

export function listTools(server: ServerState, params: JsonObject, rev: Revision): JsonObject {
  return page(server, 'tools', server.tools().map((t) => toolDefinition(t, rev)), params.cursor);
}

const definitionCache = new WeakMap<ToolBehaviour, Map<Revision, JsonObject>>();

export function toolDefinition(t: ToolBehaviour, rev: Revision): JsonObject {
  // Behaviours are values: a tool's definition per revision never changes, so it is built once.
  let perRev = definitionCache.get(t);
  if (!perRev) definitionCache.set(t, (perRev = new Map()));
  const hit = perRev.get(rev);
  if (hit) return hit;
  const def = buildToolDefinition(t, rev);
  perRev.set(rev, def);
  return def;
}

function buildToolDefinition(t: ToolBehaviour, rev: Revision): JsonObject {
  const s = t.spec;
  const def = stripUndefined({
    name: t.name,
    title: s.title,
    description: s.description,
    inputSchema: s.inputSchema ?? { type: 'object' },
    outputSchema: s.outputSchema,
    annotations: s.annotations ? fitTo(rev, 'ToolAnnotations', s.annotations) : undefined,
    icons: s.icons,
    execution: s.execution,
    _meta: s._meta,
  } as JsonObject);
  return fitTo(rev, 'Tool', def);
}

export async function callTool(server: ServerState, params: JsonObject, ctx: ServerContext): Promise<unknown> {
  const name = params.name;
  const t = server.tools().find((x) => x.name === name);
  if (!t) throw new RpcError(ErrorCode.InvalidParams, `Unknown tool: ${String(name)}`);
  const s = t.spec;
  const args = isObject(params.arguments) ? params.arguments : {};
  const validate = server.validatorFor(s.inputSchema ?? { type: 'object' }, ctx.revision);
  if (validate && !validate(args)) {
    const why = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`).join('; ');
    // 2025-11-25 on: input validation errors are tool execution errors; before: protocol errors (server/tools#error-handling).
    if (ctx.revision >= '2025-11-25') return toolResult(server, { content: [{ type: 'text', text: `Invalid arguments for tool ${t.name}: ${why}` }], isError: true }, t, ctx.revision);
    throw new RpcError(ErrorCode.InvalidParams, `Invalid arguments for tool ${t.name}: ${why}`);
  }
  try {
    if (s.asks) await ctx.askAll(s.asks);
    if (s.progressSteps && ctx.progressToken !== undefined) {
      for (let i = 1; i <= s.progressSteps; i++) {
        await ctx.progress(i, s.progressSteps, `step ${i} of ${s.progressSteps}`);
        if (s.delayMs) await ctx.sleep(s.delayMs / s.progressSteps);
      }
    } else if (s.delayMs) {
      await ctx.sleep(s.delayMs);
    }
    const tctx = { arguments: args, input: ctx.input, params };
    if (s.error) throw new RpcError(s.error.code, fillTemplate(s.error.message, tctx), fillTemplate(s.error.data, tctx));
    let value: ToolResultValue;
    if (s.handler) value = await s.handler(args, ctx);
    else if (s.result !== undefined) value = fillTemplate(s.result, tctx);
    else value = { content: [] };
    return toolResult(server, value, t, ctx.revision);
  } catch (err) {
    if (err instanceof RpcError || err instanceof InputRequired || err instanceof MissingClientCapability) throw err;
    if (ctx.signal.aborted) throw err;
    return toolResult(server, { content: [{ type: 'text', text: `Tool ${t.name} failed: ${(err as Error)?.message ?? String(err)}` }], isError: true }, t, ctx.revision);
  }
}

function toolResult(server: ServerState, value: ToolResultValue, t: ToolBehaviour, rev: Revision): JsonObject {
  let r: JsonObject;
  if (typeof value === 'string') r = { content: [{ type: 'text', text: value }] };
  else if (isObject(value)) r = { ...value };
  else r = { content: [{ type: 'text', text: JSON.stringify(value) }] };
  if (!Array.isArray(r.content)) {
    // Structured results SHOULD also carry their JSON as text, for clients that do not read them.
    r.content = r.structuredContent !== undefined ? [{ type: 'text', text: JSON.stringify(r.structuredContent) }] : [];
  }
  if (t.spec.outputSchema && !r.isError && rev >= '2025-06-18') {
    if (r.structuredContent === undefined) server.problem(`tool ${t.name} declares an outputSchema but returned no structuredContent`);
    else {
      const v = server.validatorFor(t.spec.outputSchema, rev);
      if (v && !v(r.structuredContent)) server.problem(`tool ${t.name}: structuredContent does not match its outputSchema: ${(v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
    }
  }
  return fitTo(rev, 'CallToolResult', r);
}
