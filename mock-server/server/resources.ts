// Resources (server/resources): the lists, resources/read of resources and templates, and the
// stateful revisions' per-connection subscriptions (2026-07-28 subscribes through subscriptions.ts).
import { ErrorCode, isStateless, type Revision } from '../../schema/index.ts';
import type { JsonObject, ResourceContents, ServerContext } from '../behaviours.ts';
import { fillTemplate, uriTemplate, type UriTemplate } from '../match.ts';
import { RpcError } from '../peer.ts';
import { fitTo } from './fit.ts';
import { page } from './pagination.ts';
import type { ServerState } from './state.ts';
import { stripUndefined } from './types.ts';

export function listResources(server: ServerState, params: JsonObject, rev: Revision): JsonObject {
  return page(server, 'resources', server.resources().map((r) => fitTo(rev, 'Resource', stripUndefined({ uri: r.uri, name: r.spec.name ?? r.uri, title: r.spec.title, description: r.spec.description, mimeType: r.spec.mimeType, size: r.spec.size, annotations: r.spec.annotations, icons: r.spec.icons, _meta: r.spec._meta }))), params.cursor);
}

export function listTemplates(server: ServerState, params: JsonObject, rev: Revision): JsonObject {
  return page(server, 'resourceTemplates', server.templates().map((t) => fitTo(rev, 'ResourceTemplate', stripUndefined({ uriTemplate: t.uriTemplate, name: t.spec.name ?? t.uriTemplate, title: t.spec.title, description: t.spec.description, mimeType: t.spec.mimeType, annotations: t.spec.annotations, icons: t.spec.icons, _meta: t.spec._meta }))), params.cursor);
}

export function subscribe(subscriptions: Set<string>, params: JsonObject): JsonObject {
  // Bounded, so a client cannot grow the server without limit.
  if (subscriptions.size >= 10_000 && !subscriptions.has(String(params.uri))) throw new RpcError(ErrorCode.InternalError, 'Internal error: too many subscriptions on this connection');
  subscriptions.add(String(params.uri));
  return {};
}

export function unsubscribe(subscriptions: Set<string>, params: JsonObject): JsonObject {
  subscriptions.delete(String(params.uri));
  return {};
}

function notFound(uri: string, rev: Revision): RpcError {
  // -32002 until 2025-11-25; -32602 from 2026-07-28 (server/resources#error-handling).
  const code = isStateless(rev) ? ErrorCode.InvalidParams : ErrorCode.ResourceNotFound;
  return new RpcError(code, 'Resource not found', { uri });
}

function contents(value: ResourceContents[] | string, uri: string, mimeType: string | undefined): ResourceContents[] {
  if (typeof value === 'string') return [stripUndefined({ uri, mimeType: mimeType ?? 'text/plain', text: value })];
  return value;
}

export async function readResource(server: ServerState, params: JsonObject, ctx: ServerContext): Promise<unknown> {
  const uri = String(params.uri);
  const r = server.resources().find((x) => x.uri === uri);
  if (r) {
    const s = r.spec;
    if (s.asks) await ctx.askAll(s.asks);
    let out: ResourceContents[];
    if (s.handler) out = contents(await s.handler(uri, ctx), uri, s.mimeType);
    else if (s.contents) out = fillTemplate(s.contents, { uri, input: ctx.input });
    else if (s.blob !== undefined) out = [stripUndefined({ uri, mimeType: s.mimeType ?? 'application/octet-stream', blob: s.blob })];
    else out = contents(fillTemplate(s.text ?? '', { uri, input: ctx.input }), uri, s.mimeType);
    return { contents: out };
  }
  for (const t of server.templates()) {
    const vars = compiledTemplate(t.uriTemplate).match(uri);
    if (!vars) continue;
    const s = t.spec;
    if (s.asks) await ctx.askAll(s.asks);
    const tctx = { uri, vars, input: ctx.input };
    let out: ResourceContents[];
    if (s.handler) out = contents(await s.handler(uri, vars, ctx), uri, s.mimeType);
    else if (s.blob !== undefined) out = [stripUndefined({ uri, mimeType: s.mimeType ?? 'application/octet-stream', blob: fillTemplate(s.blob, tctx) })];
    else if (s.text !== undefined) out = contents(fillTemplate(s.text, tctx), uri, s.mimeType);
    else continue;
    return { contents: out };
  }
  throw notFound(uri, ctx.revision);
}

const templates = new Map<string, UriTemplate>();
function compiledTemplate(t: string): UriTemplate {
  let c = templates.get(t);
  if (!c) {
    c = uriTemplate(t);
    templates.set(t, c);
  }
  return c;
}
