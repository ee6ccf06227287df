// Which listed tools the fuzzer may call with generated arguments, and those arguments.
import type fc from 'fast-check';
import { arbitraryFromJsonSchema, dialectOf, type Current, type JsonSchema, type Revision } from '../../schema/index.ts';
import type { FuzzSession } from './session.ts';
import type { CallableTool } from './steps.ts';

/**
 * safe (default): tools annotated `readOnlyHint: true` or `destructiveHint: false`, except those
 * annotated `openWorldHint: true` (random arguments must not reach the outside world);
 * unannotated tools count as destructive (the spec's defaults). all: every tool. none: no calls.
 */
export type CallToolsMode = 'safe' | 'all' | 'none';

export interface ToolSelection {
  callable: CallableTool[];
  /** Tools listed but not called, with why. */
  skipped: { name: string; why: string }[];
  /** Everything tools/list returned. */
  listed: Current['Tool'][];
}

export function whyUnsafe(tool: Current['Tool'], mode: CallToolsMode): string | undefined {
  if (mode === 'none') return '--call-tools none';
  if (mode === 'all') return undefined;
  const a = tool.annotations ?? {};
  if (a.openWorldHint === true) return 'openWorldHint: true (it reaches outside systems)';
  if (a.readOnlyHint === true || a.destructiveHint === false) return undefined;
  return tool.annotations ? 'not read-only and not declared non-destructive' : 'no annotations (treated as destructive)';
}

/** Every tool the session's target lists (following nextCursor, at most `maxPages` pages). */
export async function listTools(session: FuzzSession, timeoutMs: number, maxPages = 20): Promise<Current['Tool'][]> {
  const tools: Current['Tool'][] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const reply = await session.peer.request('tools/list', cursor === undefined ? {} : { cursor }, { id: `mcp-conform-tools-${page}`, timeoutMs });
    if (!reply.ok) throw new Error(`tools/list was answered with error ${reply.error.code} ${JSON.stringify(reply.error.message)}`);
    const list = reply.result.tools;
    if (Array.isArray(list)) tools.push(...(list as Current['Tool'][]));
    cursor = typeof reply.result.nextCursor === 'string' ? reply.result.nextCursor : undefined;
    if (cursor === undefined) break;
  }
  return tools;
}

export function selectTools(listed: Current['Tool'][], mode: CallToolsMode, rev: Revision): ToolSelection {
  const callable: CallableTool[] = [];
  const skipped: ToolSelection['skipped'] = [];
  for (const t of listed) {
    const why = whyUnsafe(t, mode);
    if (why) {
      skipped.push({ name: t.name, why });
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
  }
  return { callable, skipped, listed };
}
