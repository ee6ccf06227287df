// Calling a target's tools: which ones the run's policy allows, arguments generated from a tool's
// inputSchema (fast-check, seeded), and calls bounded in time, answered once per run and shared.
import type fc from 'fast-check';
import { compileUserSchema, errorsText, isObject, type Revision } from '../../schema/index.ts';
import type { Dialect, JsonSchema } from '../../schema/arbitrary/index.ts';
import type { MockClient, Reply } from '../../mock-server/index.ts';
import { CheckContext, CONTRACT_TOOLS as CONTRACT, mayCall as mayCallTool, type CallToolsPolicy, type Permission } from '../harness/index.ts';
import { followInputRequired, type InputRounds } from '../harness/stateless.ts';
import { short, type Json, type T, type Tool } from './common.ts';

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

// Each schema compiled once per process (tools are listed again by every check).
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
    const fn = compileUserSchema(dialect, rest);
    out = { validate: (v) => fn(v) as boolean, errors: () => errorsText(fn.errors) };
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
  const [fcModule, schema] = await Promise.all([import('fast-check'), import('../../schema/arbitrary/index.ts')]);
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
export async function callTool(t: T, c: MockClient, name: string, args: Json, opts: { timeoutMs?: number; extra?: Json; onprogress?: (p: Json) => void; answer?: InputRounds['answer'] } = {}): Promise<Reply<Json> | undefined> {
  const params: Json = { name, arguments: args, ...(opts.extra ?? {}) };
  const reqOpts = { timeoutMs: opts.timeoutMs ?? callTimeout(t), cancelOnTimeout: true, ...(opts.onprogress ? { onprogress: opts.onprogress } : {}) };
  try {
    // 2026-07-28: a tool may first answer input_required; answer its requests and retry, as a
    // client would (basic/patterns/mrtr), so the result judged is the final one.
    const replies = await followInputRequired((p) => c.request<Json>('tools/call', p, reqOpts), params, opts.answer ? { answer: opts.answer } : {});
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
export async function callWithGenerated(t: T, c: MockClient, tools: readonly Tool[], perTool = CALLS_PER_TOOL, opts: { answer?: InputRounds['answer'] } = {}): Promise<ToolCall[]> {
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
      const replies = await Promise.all(gen.args.map((args) => callTool(t, c, tool.name, args, opts)));
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
