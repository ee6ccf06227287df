// Turns a validated script document into behaviours and server options (a ServerDefinition),
// and any loaded script into a MockServer.
import type { Revision } from '../../schema/index.ts';
import {
  completion,
  expectRequest,
  logs,
  notify,
  prompt,
  resource,
  resourceTemplate,
  send,
  serverRequest,
  tool,
  type Behaviour,
  type PromptSpec,
  type ResourceSpec,
  type ResourceTemplateSpec,
  type ToolSpec,
} from '../behaviours.ts';
import { MockServer, type MockServerOptions } from '../server/index.ts';
import { defineServer, loadScript, type LoadedScript, type ServerDefinition } from './load.ts';
import type { ScriptDoc } from './types.ts';

function pick<T extends object>(o: T, drop: string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!drop.includes(k)) out[k] = v;
  return out as Partial<T>;
}

export function scriptBehaviours(doc: ScriptDoc): Behaviour[] {
  const out: Behaviour[] = [];
  for (const t of doc.tools ?? []) out.push(tool(t.name, pick(t, ['name']) as ToolSpec));
  for (const r of doc.resources ?? []) out.push(resource(r.uri, pick(r, ['uri']) as ResourceSpec));
  for (const t of doc.resourceTemplates ?? []) out.push(resourceTemplate(t.uriTemplate, pick(t, ['uriTemplate']) as ResourceTemplateSpec));
  for (const p of doc.prompts ?? []) out.push(prompt(p.name, pick(p, ['name']) as PromptSpec));
  for (const c of doc.completions ?? []) out.push(completion(c.ref, c.argument, c.values));
  for (const l of doc.logs ?? []) out.push(logs(l.logger === undefined ? { level: l.level, data: l.data } : { level: l.level, data: l.data, logger: l.logger }, l.when));
  for (const n of doc.notifications ?? []) {
    const opts: { force?: boolean; id?: string } = {};
    if (n.force) opts.force = true;
    if (n.id) opts.id = n.id;
    out.push(notify(n.method, n.params, n.when, opts));
  }
  for (const r of doc.requests ?? []) {
    const opts: { force?: boolean; id?: string } = {};
    if (r.force) opts.force = true;
    if (r.id) opts.id = r.id;
    out.push(serverRequest(r.method, r.params, r.when, opts));
  }
  for (const s of doc.send ?? []) out.push(send(s.message, s.when));
  for (const e of doc.expect ?? []) {
    const { id, ...spec } = e;
    const b = expectRequest(spec);
    if (id) b.id = id;
    out.push(b);
  }
  return out;
}

export function scriptOptions(doc: ScriptDoc): MockServerOptions {
  const o: MockServerOptions = {};
  if (doc.server) o.serverInfo = doc.server;
  if (doc.revisions) o.revisions = doc.revisions as Revision[];
  if (doc.capabilities) o.capabilities = doc.capabilities;
  if (doc.instructions !== undefined) o.instructions = doc.instructions;
  if (doc.pageSize !== undefined) o.pageSize = doc.pageSize;
  if (doc.logging !== undefined) o.logging = doc.logging;
  if (doc.defaultLogLevel) o.defaultLogLevel = doc.defaultLogLevel;
  if (doc.cache) o.cache = doc.cache;
  return o;
}

export function scriptDefinition(doc: ScriptDoc): ServerDefinition {
  const opts: Parameters<typeof defineServer>[0] = scriptOptions(doc);
  if (doc.faults) opts.faults = doc.faults;
  if (doc.seed !== undefined) opts.seed = doc.seed;
  return defineServer(opts, scriptBehaviours(doc));
}

/** A fresh MockServer from a definition (behaviour values are shared, state is not). */
export function serverFromDefinition(def: ServerDefinition, extra: MockServerOptions = {}): MockServer {
  return new MockServer({ ...def.options, ...extra }, def.behaviours);
}

/** The definition behind any loaded server script (a live MockServer has none). */
export function definitionOf(loaded: LoadedScript): ServerDefinition | undefined {
  if (loaded.kind === 'script') return scriptDefinition(loaded.doc);
  if (loaded.kind === 'definition') return loaded.definition;
  return undefined;
}

/** Loads a server script file and creates its MockServer. */
export async function loadServer(path: string, extra: MockServerOptions = {}): Promise<{ server: MockServer; definition?: ServerDefinition }> {
  const loaded = await loadScript(path);
  if (loaded.kind === 'server') return { server: loaded.server };
  const def = definitionOf(loaded);
  if (!def) throw new Error(`${path}: not a server script`);
  return { server: serverFromDefinition(def, extra), definition: def };
}
