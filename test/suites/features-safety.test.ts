// The tool-calling policy: by default only tools the server marks read-only are called
// (unannotated tools are destructive by the spec's defaults), proven from the wire logs;
// --call-tools widens or closes it.
import { describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definedChecks, parseCallTools, type CheckDef } from '../../suites/harness/index.ts';
import type { WireEntry } from '../../reports/model.ts';
import '../../suites/server/tools.ts';
import '../../suites/server/resources.ts';
import '../../suites/server/prompts.ts';
import '../../suites/server/completion.ts';
import '../../suites/server/logging.ts';
import '../../suites/server/pagination.ts';
import '../../suites/server/tasks/_index.ts';
import '../../suites/server/server-requests.ts';
import { EVERY, mayCall, type Tool } from '../../suites/kit/index.ts';
import { FEATURE_AREAS, fixtureTarget, run } from './feature-helpers.ts';

const defs: CheckDef[] = definedChecks().filter((d) => FEATURE_AREAS.includes(d.meta.id.split('/')[0] as string));
const toolingDefs = defs.filter((d) => /^(tools|tasks|logging)\//.test(d.meta.id));
/** Tools of the unannotated fixture (none is annotated, none is a contract tool). */
const UNANNOTATED_TOOLS = ['echo', 'add', 'describe_content', 'slow_task', 'required_task', 'delete_record'];

function wireEntries(dir: string): WireEntry[] {
  return readdirSync(join(dir, 'wire')).flatMap((f) =>
    readFileSync(join(dir, 'wire', f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as WireEntry),
  );
}

const calledName = (e: WireEntry): string | undefined => {
  const m = e.msg as { method?: unknown; params?: { name?: unknown } } | undefined;
  return e.dir === 'send' && m?.method === 'tools/call' && typeof m.params?.name === 'string' ? m.params.name : undefined;
};

test('a server whose tools are unannotated never has one of them called by default, at any revision (from the wire logs)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-conform-safety-'));
  try {
    const received: string[] = [];
    const results = await run(defs, fixtureTarget({ unannotated: true, onToolCall: (name) => received.push(name) }), EVERY, { outDir: dir });
    const sent = wireEntries(dir).map(calledName).filter((n): n is string => n !== undefined);
    // Only made-up names (tools/call-unknown*) may appear: no listed tool is ever called.
    expect(sent.filter((n) => UNANNOTATED_TOOLS.includes(n))).toEqual([]);
    expect(sent.every((n) => n.startsWith('mcp_conform_unknown_tool'))).toBe(true);
    expect(received.filter((n) => UNANNOTATED_TOOLS.includes(n))).toEqual([]);
    // Checks that needed a call say why they could not run it.
    const skipped = results.filter((r) => r.verdict === 'not-verified' && r.message.includes('possibly destructive'));
    for (const id of ['tools/call-result', 'tools/content-valid', 'tools/structured-content', 'tools/call-invalid-arguments', 'tasks/create-result']) {
      expect(skipped.map((r) => r.id), id).toContain(id);
    }
    expect(results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn').map((r) => `${r.id} [${r.revision}] ${r.message}`)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

describe.concurrent('--call-tools', () => {
  test('none: not even safe or fixture-contract tools are called', async () => {
    const received: string[] = [];
    const results = await run(toolingDefs, fixtureTarget({ onToolCall: (name) => received.push(name) }), ['2025-11-25'], { callTools: 'none' });
    expect(received.filter((n) => !n.startsWith('mcp_conform_unknown_tool'))).toEqual([]);
    const r = results.find((x) => x.id === 'tools/call-result');
    expect(r?.verdict).toBe('not-verified');
    expect(r?.message).toMatch(/tool calls are disabled \(--call-tools none\)/);
  });

  test('all: unannotated tools are called too', async () => {
    const received: string[] = [];
    const results = await run(
      defs.filter((d) => d.meta.id === 'tools/call-result'),
      fixtureTarget({ unannotated: true, onToolCall: (name) => received.push(name) }),
      ['2025-11-25'],
      { callTools: 'all' },
    );
    expect(results.map((r) => r.verdict)).toEqual(['pass']);
    expect(new Set(received)).toEqual(new Set(['echo', 'add', 'describe_content', 'slow_task', 'failing_task', 'delete_record']));
  });

  test('globs: the named tools are called as well as the safe ones', async () => {
    const received: string[] = [];
    await run(defs.filter((d) => d.meta.id === 'tools/call-result'), fixtureTarget({ unannotated: true, onToolCall: (name) => received.push(name) }), ['2025-11-25'], { callTools: ['delete_*', 'e?ho'] });
    expect(new Set(received)).toEqual(new Set(['delete_record', 'echo']));
  });
});

test('mayCall follows the annotations and the spec defaults', () => {
  const tool = (name: string, annotations?: Tool['annotations']): Tool => ({ name, inputSchema: { type: 'object' }, ...(annotations ? { annotations } : {}) });
  expect(mayCall(tool('read', { readOnlyHint: true }), 'safe')).toEqual({ ok: true, why: 'annotated readOnlyHint: true' });
  expect(mayCall(tool('read', { readOnlyHint: true, destructiveHint: true, openWorldHint: true }), 'safe').ok).toBe(true);
  // destructiveHint: false means additive (create_directory, pods_run): not called unless asked.
  expect(mayCall(tool('additive', { destructiveHint: false }), 'safe')).toEqual({ ok: false, why: 'annotated destructiveHint: false, which means additive, not read-only (opt in with --call-tools additive)' });
  expect(mayCall(tool('additive', { readOnlyHint: false, destructiveHint: false, idempotentHint: true }), 'safe').ok).toBe(false);
  expect(mayCall(tool('additive', { destructiveHint: false }), 'additive')).toEqual({ ok: true, why: 'annotated destructiveHint: false (--call-tools additive)' });
  expect(mayCall(tool('read', { readOnlyHint: true }), 'additive').ok).toBe(true);
  expect(mayCall(tool('erase', { destructiveHint: true }), 'additive').ok).toBe(false);
  expect(mayCall(tool('plain'), 'additive').ok).toBe(false);
  expect(mayCall(tool('idem', { idempotentHint: true, openWorldHint: false }), 'safe').ok).toBe(false);
  expect(mayCall(tool('plain'), 'safe')).toEqual({ ok: false, why: 'not annotated, so possibly destructive by the spec defaults (opt in with --call-tools <name> or all)' });
  expect(mayCall(tool('writes', { readOnlyHint: false }), 'safe').ok).toBe(false);
  expect(mayCall(tool('erase', { destructiveHint: true }), 'safe').ok).toBe(false);
  expect(mayCall(tool('test_simple_text'), 'safe').ok).toBe(true);
  expect(mayCall(tool('test_simple_text'), 'none').ok).toBe(false);
  // A contract name does not override the server's own marks: these say the tool writes.
  expect(mayCall(tool('test_reconnection', { readOnlyHint: false }), 'safe').ok).toBe(false);
  expect(mayCall(tool('test_sampling', { destructiveHint: true }), 'safe').ok).toBe(false);
  expect(mayCall(tool('test_elicitation', { destructiveHint: false }), 'safe').ok).toBe(false);
  expect(mayCall(tool('test_elicitation', { destructiveHint: false }), 'additive').ok).toBe(true);
  expect(mayCall(tool('test_simple_text', { title: 'Simple text' }), 'safe').ok).toBe(true);
  expect(mayCall(tool('plain'), 'all').ok).toBe(true);
  expect(mayCall(tool('plain'), ['pl*']).ok).toBe(true);
  expect(mayCall(tool('plain'), ['other']).ok).toBe(false);
});

test('parseCallTools reads --call-tools values', () => {
  expect(parseCallTools(undefined)).toBe('safe');
  expect(parseCallTools([])).toBe('safe');
  expect(parseCallTools('none')).toBe('none');
  expect(parseCallTools(['all'])).toBe('all');
  expect(parseCallTools('safe')).toBe('safe');
  expect(parseCallTools(['additive'])).toBe('additive');
  expect(() => parseCallTools(['additive', 'echo'])).toThrow(/cannot be combined/);
  expect(parseCallTools(['get_*,list_*', 'echo'])).toEqual(['get_*', 'list_*', 'echo']);
  expect(() => parseCallTools(['all', 'echo'])).toThrow(/cannot be combined/);
});
