// The one decision of which tools mcp-conform may call (tools/call has side effects it cannot
// see): the server checks, the host profiles, the stateless checks, the fuzzer and the printed
// plan all ask mayCall. The default calls only tools the server says are read-only.
//
// ToolAnnotations (server/tools, schema.ts): readOnlyHint "If true, the tool does not modify its
// environment" (default false); destructiveHint "If true, the tool may perform destructive
// updates … If false, the tool performs only additive updates" (default true). So
// destructiveHint: false is additive, not harmless: creating directories, starting pods. Hints
// are untrusted; a server that marks a writing tool read-only is wrong, not us.
import type { RevisionToolPlan, ToolDecision, ToolPlan } from '../../reports/index.ts';

/**
 * Which tools may be called:
 * 'safe' (default) — tools annotated readOnlyHint: true, and the fixture-contract tools;
 * 'additive' — also tools annotated destructiveHint: false (they change things, additively);
 * 'all'; 'none'; or globs of tool names to call in addition to the safe ones.
 */
export type CallToolsPolicy = 'safe' | 'additive' | 'all' | 'none' | string[];

const WORDS = ['none', 'all', 'safe', 'additive'] as const;

/**
 * The fixture contract: tools of the official conformance suite's test server, with the
 * arguments they take. They exist to be called by conformance suites and have no side effects,
 * so they are called under 'safe' although that server does not annotate them.
 */
export const CONTRACT_TOOLS: Record<string, Record<string, unknown>> = {
  test_simple_text: {},
  test_image_content: {},
  test_audio_content: {},
  test_embedded_resource: {},
  test_multiple_content_types: {},
  test_tool_with_logging: {},
  test_tool_with_progress: {},
  test_error_handling: {},
  test_sampling: { prompt: 'mcp-conform: reply with one word' },
  test_elicitation: { message: 'mcp-conform: please answer' },
  test_elicitation_sep1034_defaults: {},
  test_elicitation_sep1330_enums: {},
  test_reconnection: {},
};

export type Permission = { ok: true; why: string } | { ok: false; why: string };

export interface PolicyOptions {
  /**
   * The fuzzer's extra rule: a tool annotated openWorldHint: true is not called under 'safe' or
   * 'additive' (random arguments must not reach outside systems); 'all' and globs still call it.
   */
  excludeOpenWorld?: boolean;
}

interface Annotations {
  readOnlyHint?: unknown;
  destructiveHint?: unknown;
  openWorldHint?: unknown;
}

/** `*` any run of characters, `?` one; anything else literal. Tool names may contain `/`. */
function nameGlob(glob: string): RegExp {
  const re = [...glob].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${re}$`);
}

/** May this tool be called under the policy, and why (phrased for the plan and for messages)? */
export function mayCall(tool: { name: string; annotations?: unknown }, policy: CallToolsPolicy, opts: PolicyOptions = {}): Permission {
  if (policy === 'none') return { ok: false, why: 'tool calls are disabled (--call-tools none)' };
  if (policy === 'all') return { ok: true, why: 'all tools allowed (--call-tools all)' };
  if (Array.isArray(policy) && policy.some((g) => nameGlob(g).test(tool.name))) return { ok: true, why: 'named by --call-tools' };
  const a = (typeof tool.annotations === 'object' && tool.annotations !== null ? tool.annotations : undefined) as Annotations | undefined;
  const contract = Object.hasOwn(CONTRACT_TOOLS, tool.name);
  if (opts.excludeOpenWorld && a?.openWorldHint === true) return { ok: false, why: 'annotated openWorldHint: true (generated arguments must not reach outside systems; opt in by naming it with --call-tools)' };
  if (a?.readOnlyHint === true) return { ok: true, why: 'annotated readOnlyHint: true' };
  // The name stands in for annotations only where the server gave none that say otherwise (the
  // official fixture server annotates nothing): a contract-named tool the server itself marks as
  // writing (readOnlyHint: false, or destructiveHint true or false) is judged by those marks.
  const marksWriting = a !== undefined && (a.readOnlyHint === false || a.destructiveHint !== undefined);
  if (contract && !marksWriting) return { ok: true, why: 'fixture-contract tool' };
  if (a?.destructiveHint === false) {
    if (policy === 'additive') return { ok: true, why: 'annotated destructiveHint: false (--call-tools additive)' };
    return { ok: false, why: 'annotated destructiveHint: false, which means additive, not read-only (opt in with --call-tools additive)' };
  }
  if (!a) return { ok: false, why: 'not annotated, so possibly destructive by the spec defaults (opt in with --call-tools <name> or all)' };
  return { ok: false, why: 'not annotated readOnlyHint: true, so possibly destructive (opt in with --call-tools <name> or all)' };
}

/** `--call-tools safe|additive|all|none|GLOB[,GLOB…]` (repeatable) → the policy; `--no-call` is 'none'. */
export function parseCallTools(values: string | readonly string[] | undefined): CallToolsPolicy {
  const list = (typeof values === 'string' ? [values] : (values ?? []))
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (list.length === 0) return 'safe';
  for (const word of WORDS) {
    if (list.includes(word)) {
      if (list.length > 1) throw new Error(`--call-tools ${word} cannot be combined with other values (got ${list.join(', ')})`);
      return word;
    }
  }
  return list;
}

// ---- the plan printed before the first call ----

export type { ToolPlan, RevisionToolPlan, ToolDecision };

export function decide(tools: readonly { name: string; annotations?: unknown }[], policy: CallToolsPolicy, opts: PolicyOptions = {}): Pick<RevisionToolPlan, 'listed' | 'call' | 'skip'> {
  const call: ToolDecision[] = [];
  const skip: ToolDecision[] = [];
  for (const tool of tools) {
    const p = mayCall(tool, policy, opts);
    (p.ok ? call : skip).push({ name: tool.name, why: p.why });
  }
  return { listed: tools.length, call, skip };
}

/** Groups decisions by reason: `why: a, b, c` (at most `max` names per reason). */
function grouped(list: readonly ToolDecision[], max: number, withNames: boolean): string {
  const by = new Map<string, string[]>();
  for (const d of list) by.set(d.why, [...(by.get(d.why) ?? []), d.name]);
  return [...by]
    .map(([why, names]) => {
      if (!withNames) return `${names.length} ${why}`;
      const shown = names.slice(0, max).join(', ');
      return `${shown}${names.length > max ? ` and ${names.length - max} more` : ''} (${why})`;
    })
    .join('; ');
}

/** The plan in a few terminal lines; revisions with the same plan share one entry. */
export function formatToolPlan(plan: ToolPlan, max = 8): string[] {
  const lines = [`tools it may call (--call-tools ${plan.policy}; every tool and why in results.json):`];
  const same = new Map<string, { r: RevisionToolPlan; revs: string[] }>();
  for (const r of plan.revisions) {
    const key = JSON.stringify([r.note, r.call, r.skip]);
    const hit = same.get(key);
    if (hit) hit.revs.push(r.revision);
    else same.set(key, { r, revs: [r.revision] });
  }
  for (const { r, revs } of same.values()) {
    const at = `  at ${revs.join(', ')}`;
    if (r.note) {
      lines.push(`${at}: ${r.note}`);
      continue;
    }
    lines.push(`${at}: ${r.call.length} of ${r.listed} listed tool${r.listed === 1 ? '' : 's'}${r.call.length ? `: ${grouped(r.call, max, true)}` : ''}`);
    if (r.skip.length) lines.push(`    not calling ${r.skip.length}: ${grouped(r.skip, max, false)}`);
  }
  return lines;
}
