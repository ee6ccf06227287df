// Which listed tools the fuzzer may call with generated arguments, and those arguments.
import type fc from 'fast-check';
import { type Current, type Revision } from '../../schema/index.ts';
import { arbitraryFromJsonSchema, dialectOf, type JsonSchema } from '../../schema/arbitrary/index.ts';
import { mayCall, type CallToolsPolicy } from '../harness/tool-policy.ts';
import { walkList } from '../harness/list.ts';
import type { FuzzSession } from './session.ts';
import type { CallableTool } from './steps.ts';

/**
 * The server checks' policy (harness/tool-policy.ts): safe (default) calls only tools annotated
 * readOnlyHint: true (and fixture-contract tools), additive also destructiveHint: false, plus
 * all, none and name globs. The fuzzer adds one rule: under safe and additive, tools annotated
 * openWorldHint: true are not called (random arguments must not reach the outside world).
 */
export type CallToolsMode = CallToolsPolicy;

export interface ToolSelection {
  callable: CallableTool[];
  /** Why each callable tool may be called. */
  allowed: { name: string; why: string }[];
  /** Tools listed but not called, with why. */
  skipped: { name: string; why: string }[];
  /** Everything tools/list returned. */
  listed: Current['Tool'][];
}

/** Why the fuzzer may not call this tool under the policy; undefined when it may. */
export function whyUnsafe(tool: Current['Tool'], mode: CallToolsMode): string | undefined {
  const p = mayCall(tool, mode, { excludeOpenWorld: true });
  return p.ok ? undefined : p.why;
}

/** Every tool the session's target lists (following nextCursor, at most `maxPages` pages). */
export async function listTools(session: FuzzSession, timeoutMs: number, maxPages = 20): Promise<Current['Tool'][]> {
  // Ids of the fuzzer's own (its oracles tell them from generated ones), each page with its timeout.
  const send = (params: Record<string, unknown>, page: number) => session.peer.request('tools/list', params, { id: `mcp-conform-tools-${page}`, timeoutMs });
  const l = await walkList(session.peer, 'tools/list', 'tools', { maxPages, send });
  if (l.error && !l.error.ok) throw new Error(`tools/list was answered with error ${l.error.error.code} ${JSON.stringify(l.error.error.message)}`);
  return l.items as unknown as Current['Tool'][];
}

export function selectTools(listed: Current['Tool'][], mode: CallToolsMode, rev: Revision): ToolSelection {
  const callable: CallableTool[] = [];
  const allowed: ToolSelection['allowed'] = [];
  const skipped: ToolSelection['skipped'] = [];
  for (const t of listed) {
    const p = mayCall(t, mode, { excludeOpenWorld: true });
    if (!p.ok) {
      skipped.push({ name: t.name, why: p.why });
      continue;
    }
    let args: fc.Arbitrary<unknown>;
    try {
      const schema = (t.inputSchema ?? { type: 'object' }) as JsonSchema;
      // Without $schema: 2020-12 from 2025-11-25 on (basic#json-schema-usage), draft-07 before.
      args = arbitraryFromJsonSchema(schema, { dialect: dialectOf(schema, rev >= '2025-11-25' ? '2020-12' : 'draft-07') });
    } catch (err) {
      skipped.push({ name: t.name, why: `no arguments can be generated from its inputSchema: ${(err as Error).message}` });
      continue;
    }
    callable.push({ name: t.name, arguments: args });
    allowed.push({ name: t.name, why: p.why });
  }
  return { callable, allowed, skipped, listed };
}
