// What the server-feature checks (tools, resources, prompts, completion, logging, pagination,
// tasks) share: revision sets, walking paginated lists, the tool-calling policy, arguments
// generated from a tool's inputSchema, and content-block checks. Not a public module: the check
// files of suites/server/ import it directly.
import type fc from 'fast-check';
import { StdUriTemplate } from '@std-uritemplate/std-uritemplate';
import { createAjv, isObject, isStateless, REVISIONS, STATEFUL_REVISIONS, validate, type Current, type Revision } from '../../schema/index.ts';
import type { Dialect, JsonSchema } from '../../schema/index.ts';
import type { MockClient, Reply } from '../../mock-server/index.ts';
import { CheckContext, CONTRACT_TOOLS as CONTRACT, mayCall as mayCallTool, type CallToolsPolicy, type Permission } from '../harness/index.ts';
import { followInputRequired } from '../harness/stateless.ts';

export type T = CheckContext;
export type Json = Record<string, unknown>;
export type Tool = Current['Tool'];

/** Stateful revisions from `first` on. */
export function since(first: Revision): Revision[] {
  return STATEFUL_REVISIONS.filter((r) => r >= first);
}

/**
 * Every revision. At a stateless one (2026-07-28) `t.session()` is a client whose requests carry
 * the per-request _meta, so a check about a feature both eras share reads the same in both.
 */
export const EVERY: Revision[] = [...REVISIONS];

/** Every revision from `first` on, stateless ones included. */
export function from(first: Revision): Revision[] {
  return EVERY.filter((r) => r >= first);
}

export function short(v: unknown, max = 160): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** A string no server has as a name, URI or id. */
export function unknownName(prefix = 'mcp-conform-unknown'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** "code 123 \"message\"" of an error reply. */
export function errorText(reply: Reply<unknown>): string {
  return reply.ok ? 'a result' : `error ${reply.error.code} ${JSON.stringify(reply.error.message)}`;
}

/** Why `value` is not a valid `typeName` of the check's revision, or undefined. */
export function schemaProblem(rev: Revision, typeName: string, value: unknown): string | undefined {
  const v = validate(rev, typeName, value);
  if (v.valid) return undefined;
  return v.errors
    .slice(0, 3)
    .map((e) => `${e.pointer || '/'} ${e.message}`)
    .join('; ');
}

// ---- paginated lists ----

/** Page cap when following cursors: a server with more pages than this is treated as looping. */
export const MAX_PAGES = 100;

export type OkReply = Extract<Reply<Json>, { ok: true }>;

export interface Page {
  cursor: string | undefined;
  reply: OkReply;
  items: Json[];
}

export interface Listing {
  items: Json[];
  pages: Page[];
  /** A page was answered with an error (the reply). */
  error?: Reply<Json>;
  /** A cursor came back that was already followed. */
  loop?: string;
  /** MAX_PAGES pages and still a nextCursor. */
  capped?: boolean;
  /** A page's result lacked the item array (or nextCursor was not a string). */
  malformed?: string;
}

/** Follows nextCursor from the first page to the last, stopping on errors, loops and the cap. */
export async function walkList(c: MockClient, method: string, key: string, maxPages = MAX_PAGES): Promise<Listing> {
  const out: Listing = { items: [], pages: [] };
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const reply = await c.request<Json>(method, cursor === undefined ? {} : { cursor });
    if (!reply.ok) {
      out.error = reply;
      return out;
    }
    const list = reply.result[key];
    const items = Array.isArray(list) ? (list.filter(isObject) as Json[]) : [];
    out.pages.push({ cursor, reply, items });
    out.items.push(...items);
    if (!Array.isArray(list)) {
      out.malformed = `the ${method} result has no "${key}" array`;
      return out;
    }
    const next = reply.result.nextCursor;
    if (next === undefined || next === null) return out;
    if (typeof next !== 'string') {
      out.malformed = `nextCursor is ${short(next)}, not a string`;
      return out;
    }
    if (seen.has(next)) {
      out.loop = next;
      return out;
    }
    seen.add(next);
    cursor = next;
  }
  out.capped = true;
  return out;
}

/**
 * 2026-07-28 `capabilities`: the set a list request answers "MAY change over time … but MUST NOT
 * vary per-connection". Lists on the check's connection, on a second, fresh one, and on the first
 * again: a set that changed on the first connection too is a change over time (allowed; then
 * nothing is judged). Items are told apart by `id`.
 */
export async function expectSameSetPerConnection(t: T, method: string, key: string, id: (x: Json) => unknown): Promise<void> {
  const read = async (c: MockClient): Promise<string[]> => {
    const l = await walkList(c, method, key);
    if (l.error || l.malformed || l.loop || l.capped) return t.notVerified(`${method} could not be read to its end (see the ${method.split('/')[0]}/list checks)`, l.error);
    return l.items.map((x) => JSON.stringify(id(x))).sort();
  };
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  const only = (x: string[], y: string[]) => x.filter((v) => !y.includes(v)).slice(0, 5).join(', ') || '(none)';
  const a = await t.session();
  const first = await read(a);
  const other = await read(await t.session({ fresh: true }));
  if (same(first, other)) return;
  const again = await read(a);
  if (!same(first, again)) return t.notVerified(`the ${method} set changed on one connection while the check ran (allowed over time): cannot tell a per-connection set from that`);
  t.fail(`${method} answered different sets on two connections (first only: ${only(first, other)}; second only: ${only(other, first)})`);
}

/**
 * Every item of a list, for checks about something else: a list that cannot be read makes the
 * check not-verified (the list's own checks report why).
 */
export async function listAll(t: T, c: MockClient, method: string, key: string): Promise<Json[]> {
  const l = await walkList(c, method, key);
  if (l.error) return t.notVerified(`${method} was answered with ${errorText(l.error)} (see the ${method.split('/')[0]}/list checks)`, l.error);
  return l.items;
}

export async function listTools(t: T, c: MockClient): Promise<Tool[]> {
  if (!c.serverCapabilities.tools) return t.notApplicable('the server does not declare the tools capability');
  return (await listAll(t, c, 'tools/list', 'tools')) as unknown as Tool[];
}

// ---- which tools may be called ----

/** The fixture contract's tools and their arguments (harness/tool-policy.ts). */
export const CONTRACT_TOOLS = CONTRACT as Record<string, Json>;

export type { Permission };

/** May a check call this tool under the run's policy? One decision for all: harness/tool-policy.ts. */
export function mayCall(tool: Tool, policy: CallToolsPolicy): Permission {
  return mayCallTool(tool, policy);
}

/** Tools a plain (not task-augmented) tools/call may go to: not those that require a task. */
export function plainCallable(tools: readonly Tool[]): Tool[] {
  return tools.filter((x) => (x as { execution?: { taskSupport?: string } }).execution?.taskSupport !== 'required');
}

/** The tools this check may call; notVerified (with the reason) when there are tools but none may be called. */
export function callable(t: T, tools: readonly Tool[], what = 'tool'): Tool[] {
  const ok = tools.filter((x) => mayCall(x, t.config.callTools).ok);
  if (tools.length > 0 && ok.length === 0) {
    const first = tools[0] as Tool;
    const why = mayCall(first, t.config.callTools).why;
    const which = tools.length === 1 ? `"${first.name}" may not be called` : `none of the ${tools.length} candidate tools may be called (e.g. "${first.name}")`;
    return t.notVerified(`needs a ${what} call, but ${which}: ${why}`);
  }
  return ok;
}

// ---- arguments from inputSchema ----

/** The dialect a tool schema is read in: `$schema`, else 2020-12 from 2025-11-25 on, else draft-07. */
export function dialectFor(rev: Revision, schema: unknown): Dialect | undefined {
  if (isObject(schema) && typeof schema.$schema === 'string') {
    const s = schema.$schema;
    if (/draft-0[4-7]/.test(s)) return 'draft-07';
    if (/2019-09|2020-12/.test(s)) return '2020-12';
    return undefined;
  }
  return rev >= '2025-11-25' ? '2020-12' : 'draft-07';
}

type Compiled = { validate: (v: unknown) => boolean; errors: () => string } | { invalid: string } | { unsupported: string };

// Creating an ajv instance costs far more than compiling one schema: one per dialect, and each
// schema compiled once per process (tools are listed again by every check).
const ajvs = new Map<Dialect, ReturnType<typeof createAjv>>();
const compiledSchemas = new Map<string, Compiled>();

/** Compiles a tool schema in its dialect: the validator, or why it is not a valid JSON Schema. */
export function compileSchema(rev: Revision, schema: unknown): Compiled {
  if (!isObject(schema)) return { invalid: `not a JSON Schema object (got ${short(schema)})` };
  const dialect = dialectFor(rev, schema);
  if (!dialect) return { unsupported: `$schema ${JSON.stringify(schema.$schema)} names a dialect mcp-conform does not know` };
  const key = `${dialect} ${JSON.stringify(schema)}`;
  const hit = compiledSchemas.get(key);
  if (hit) return hit;
  const { $schema: _s, ...rest } = schema;
  let out: Compiled;
  try {
    // Schemas with an $id would collide in a shared instance: those get their own.
    const ajv = rest.$id === undefined ? (ajvs.get(dialect) ?? ajvs.set(dialect, createAjv(dialect)).get(dialect)!) : createAjv(dialect);
    const fn = ajv.compile(rest);
    out = { validate: (v) => fn(v) as boolean, errors: () => ajv.errorsText(fn.errors, { dataVar: '' }) };
  } catch (err) {
    out = { invalid: `not a valid ${dialect} JSON Schema: ${(err as Error).message}` };
  }
  compiledSchemas.set(key, out);
  return out;
}

/** Seed of generated arguments: fixed, so a run can be repeated; varied per tool. */
export function seedFor(name: string): number {
  let h = 0x6d6370;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h >>> 0;
}

const arbitraries = new Map<string, fc.Arbitrary<unknown>>();

/** The generator engine (fast-check and the schema arbitraries), loaded on first use. */
const engine = async () => {
  const [fcModule, schema] = await Promise.all([import('fast-check'), import('../../schema/index.ts')]);
  return { fc: fcModule.default, arbitraryFromJsonSchema: schema.arbitraryFromJsonSchema, dialectOf: schema.dialectOf };
};

/** `count` argument objects for a tool, valid against its inputSchema (fast-check, seeded). */
export async function generateArguments(rev: Revision, tool: Tool, count: number): Promise<{ args: Json[]; seed: number } | { error: string }> {
  if (Object.hasOwn(CONTRACT_TOOLS, tool.name)) return { args: [CONTRACT_TOOLS[tool.name] as Json], seed: 0 };
  const schema = tool.inputSchema as unknown as JsonSchema;
  const seed = seedFor(tool.name);
  try {
    const { fc: fast, arbitraryFromJsonSchema, dialectOf } = await engine();
    const dialect = dialectFor(rev, schema) ?? dialectOf(schema);
    const key = `${dialect} ${JSON.stringify(schema)}`;
    let arb = arbitraries.get(key);
    if (!arb) arbitraries.set(key, (arb = arbitraryFromJsonSchema(schema, { dialect, maxDepth: 3, maxArrayLength: 2, maxStringLength: 12 })));
    const values = fast.sample(arb, { seed, numRuns: count });
    const args = values.filter(isObject);
    if (args.length === 0) return { error: 'its inputSchema admits no object' };
    return { args, seed };
  } catch (err) {
    return { error: `no arguments could be generated from its inputSchema: ${(err as Error).message}` };
  }
}

/**
 * Calls a tool; a call the target does not answer in time (slow tools are no violation) is
 * cancelled and reported as undefined.
 */
export async function callTool(t: T, c: MockClient, name: string, args: Json, opts: { timeoutMs?: number; extra?: Json; onprogress?: (p: Json) => void } = {}): Promise<Reply<Json> | undefined> {
  const params: Json = { name, arguments: args, ...(opts.extra ?? {}) };
  const reqOpts = { timeoutMs: opts.timeoutMs ?? callTimeout(t), cancelOnTimeout: true, ...(opts.onprogress ? { onprogress: opts.onprogress } : {}) };
  try {
    // 2026-07-28: a tool may first answer input_required; answer its requests and retry, as a
    // client would (basic/patterns/mrtr), so the result judged is the final one.
    const replies = await followInputRequired((p) => c.request<Json>('tools/call', p, reqOpts), params);
    if (replies.length > 1) t.note(`${name} answered input_required ${replies.length - 1} time(s); retried with canned answers`);
    return replies.at(-1)!;
  } catch (err) {
    if (CheckContext.isWireError(err) && err.name === 'TimeoutError') {
      t.note(`${name} did not answer in time; the call was cancelled and is not counted`);
      return undefined;
    }
    throw err;
  }
}

/** Per-call timeout: bounded so one slow tool cannot eat the whole check. */
export function callTimeout(t: T): number {
  return Math.min(t.requestTimeoutMs, Math.max(2_000, Math.floor(t.config.checkTimeoutMs / 6)));
}

/** Ends calling when this much of the check's time is used (leaves room to report). */
export function budget(t: T): () => boolean {
  const end = Date.now() + t.config.checkTimeoutMs * 0.6;
  return () => Date.now() > end;
}

/** How many argument sets each tool is called with by the generated-call checks. */
export const CALLS_PER_TOOL = 3;

export interface ToolCall {
  tool: Tool;
  args: Json;
  reply: Reply<Json>;
}

/**
 * Calls each tool the policy allows with generated arguments; returns the answered calls.
 * Tools that cannot get arguments, and slow calls, are skipped with a note.
 */
export async function callWithGenerated(t: T, c: MockClient, tools: readonly Tool[], perTool = CALLS_PER_TOOL): Promise<ToolCall[]> {
  const over = budget(t);
  const perToolCalls: ToolCall[][] = tools.map(() => []);
  let answered = 0;
  let next = 0;
  // Tools are called a few at a time, and a tool's argument sets side by side: a slow tool costs
  // one call timeout beside the others, not one per set after them.
  const worker = async (): Promise<void> => {
    for (let i = next++; i < tools.length; i = next++) {
      const tool = tools[i]!;
      const gen = await generateArguments(t.revision, tool, perTool);
      if ('error' in gen) {
        t.note(`${tool.name}: ${gen.error}`);
        continue;
      }
      // The budget stops calling once something was answered (the check timeout is the hard stop):
      // the first generation of arguments in a process can take seconds on a loaded machine.
      if (over() && answered > 0) return;
      t.note(`${tool.name}: ${gen.args.length} argument set(s)${gen.seed ? ` from seed ${gen.seed}` : ' (fixture contract)'}`);
      const replies = await Promise.all(gen.args.map((args) => callTool(t, c, tool.name, args)));
      for (const [j, reply] of replies.entries()) {
        if (!reply) continue;
        perToolCalls[i]!.push({ tool, args: gen.args[j]!, reply });
        answered++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(TOOLS_AT_ONCE, tools.length) }, worker));
  return perToolCalls.flat();
}

/** How many tools callWithGenerated calls at a time. */
const TOOLS_AT_ONCE = 4;

/**
 * One sample of generated calls of these tools, judged by every check that asks for the same
 * tools in this run (tools/call-result, tools/content-valid, …): the calls are made once.
 */
export async function toolCallSample(t: T, c: MockClient, tools: readonly Tool[]): Promise<ToolCall[]> {
  const names = tools.map((x) => x.name).sort();
  return t.sharedValue(`the generated calls of ${names.length} tool(s)`, () => callWithGenerated(t, c, tools), `tool calls ${JSON.stringify(names)}`);
}

// ---- content ----

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(s: unknown): boolean {
  return typeof s === 'string' && BASE64.test(s);
}

/** A MIME type's shape: type/subtype (RFC 6838), parameters allowed. */
export function isMimeType(s: unknown): boolean {
  return typeof s === 'string' && /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$/.test(s);
}

/** An absolute URI (RFC 3986: scheme ":" …). */
export function isAbsoluteUri(s: unknown): boolean {
  return typeof s === 'string' && /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/.test(s);
}

/** Problems of one resource-contents object (resources/read, embedded resources). */
export function resourceContentsProblems(rc: unknown, where: string): string[] {
  if (!isObject(rc)) return [`${where} is not an object`];
  const out: string[] = [];
  if (typeof rc.uri !== 'string' || rc.uri === '') out.push(`${where} has no uri`);
  const hasText = typeof rc.text === 'string';
  const hasBlob = Object.hasOwn(rc, 'blob');
  if (hasText && hasBlob) out.push(`${where} has both text and blob`);
  else if (!hasText && !hasBlob) out.push(`${where} has neither text nor blob`);
  if (hasBlob && !isBase64(rc.blob)) out.push(`${where}.blob is not valid base64: ${short(rc.blob, 60)}`);
  return out;
}

/**
 * Problems of one content block the schema alone does not catch: base64 payloads, MIME types,
 * embedded resources with text xor blob, resource-link URIs.
 */
export function contentProblems(block: unknown, where: string): string[] {
  if (!isObject(block)) return [`${where} is not an object`];
  switch (block.type) {
    case 'image':
    case 'audio': {
      const out: string[] = [];
      if (!isBase64(block.data)) out.push(`${where} (${block.type}) data is not valid base64: ${short(block.data, 60)}`);
      if (!isMimeType(block.mimeType)) out.push(`${where} (${block.type}) has no valid mimeType: ${short(block.mimeType, 60)}`);
      return out;
    }
    case 'resource':
      return resourceContentsProblems(block.resource, `${where}.resource`);
    case 'resource_link':
      return isAbsoluteUri(block.uri) ? [] : [`${where} (resource_link) uri is not an absolute URI: ${short(block.uri, 60)}`];
    case 'text':
      return typeof block.text === 'string' ? [] : [`${where} (text) has no text string`];
    default:
      return [`${where} has unknown content type ${short(block.type)}`];
  }
}

// ---- RFC 6570 URI templates ----

/** Why a URI template is not valid RFC 6570, or undefined. */
export function uriTemplateProblem(template: string): string | undefined {
  if (/[\s"'<>\\^`|]/.test(template.replace(/\{[^}]*\}/g, ''))) return 'it has characters RFC 6570 does not allow in literals';
  try {
    StdUriTemplate.expand(template, {});
    return undefined;
  } catch (err) {
    return (err as Error).message || 'it does not parse as an RFC 6570 template';
  }
}

/** Variable names of a valid template, in order. */
export function templateVariables(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(/\{([^}]*)\}/g)) {
    const body = (m[1] ?? '').replace(/^[+#./;?&=,!@|]/, '');
    for (const spec of body.split(',')) {
      const name = spec.replace(/\*$/, '').replace(/:\d+$/, '');
      if (name && !out.includes(name)) out.push(name);
    }
  }
  return out;
}

export function expandTemplate(template: string, vars: Record<string, string>): string {
  return StdUriTemplate.expand(template, vars);
}

// ---- watching notifications ----

/** Notifications of `method` the target sent on this connection so far. */
export function received(c: MockClient, method: string): Json[] {
  return c.peer.received.filter((m) => m.method === method && !Object.hasOwn(m, 'id'));
}

/** Waits up to `ms` for a message matching `pred` (past ones count); undefined on timeout. */
export async function waitFor(c: MockClient, pred: (m: Json) => boolean, ms: number): Promise<Json | undefined> {
  try {
    return await c.peer.waitFor(pred, ms, { includePast: true });
  } catch {
    return undefined;
  }
}
