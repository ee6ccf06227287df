// Safe tool calling by default, proven from the wire: the whole server suite against a server
// whose tools carry no annotations (as Claude Code's own Bash, Write and Edit do) sends no
// tools/call at all; against one whose tools carry every combination of annotations it calls
// only those annotated readOnlyHint: true (destructiveHint: false is additive, not harmless);
// --call-tools (RunConfig.callTools) lets calls through, and only to the tools it names. The
// server side counts the calls it received as a second witness.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { createMemoryPair, createMockServer, tool } from '../../mock-server/index.ts';
import { PROJECT_ROOT, type Revision } from '../../schema/index.ts';
import { definedChecks, runChecks, runConfig, type CallToolsPolicy, type CheckDef, type TargetSpec } from '../../suites/harness/index.ts';
import type { CheckResult } from '../../reports/model.ts';
import { matrixTools, serveFeatures, type FeatureServerOptions } from '../fixtures/servers/feature-server.ts';
import { readWireFile, toolCallsInResults, toolNameInRaw } from '../helpers/wire.ts';
import { fuzzServer, memoryFactory } from '../../suites/fuzz/index.ts';
import type { ToolPlan } from '../../reports/model.ts';

const SUITES = join(PROJECT_ROOT, 'suites', 'server');
const REVISIONS: Revision[] = ['2024-11-05', '2025-11-25'];
const tmp = mkdtempSync(join(tmpdir(), 'mcp-conform-safe-'));
let suite: CheckDef[] = [];

beforeAll(async () => {
  for (const f of readdirSync(SUITES).filter((f) => f.endsWith('.ts')).sort()) await import(pathToFileURL(join(SUITES, f)).href);
  suite = definedChecks().filter((d) => !d.meta.id.startsWith('hosts/'));
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function runSuite(
  policy: CallToolsPolicy,
  fixture: boolean | FeatureServerOptions,
  revisions = REVISIONS,
): Promise<{ results: CheckResult[]; wire: { check: string; tool: string }[]; received: string[]; outDir: string }> {
  const received: string[] = [];
  const options = typeof fixture === 'boolean' ? { unannotated: fixture } : fixture;
  const target: TargetSpec = {
    kind: 'memory',
    label: 'feature fixture',
    connect: () => {
      const [client, server] = createMemoryPair();
      void serveFeatures(server, { ...options, onToolCall: (name) => received.push(name) }).start();
      return client;
    },
  };
  const outDir = mkdtempSync(join(tmp, 'run-'));
  const cfg = runConfig(target, revisions, { outDir, callTools: policy, quietMs: 150, requestTimeoutMs: 3_000, checkTimeoutMs: 15_000 });
  const results = await runChecks(suite, cfg, { concurrency: 4 });
  const listed = new Set<string>();
  const wire = toolCallsInResults(outDir, listed);
  expect(listed.size).toBeGreaterThan(3);
  // What the server received, of its own tools (the unknown-tool checks' names are not among them).
  return { results, wire, received: received.filter((n) => listed.has(n)), outDir };
}

type Annotations = Record<string, unknown> | undefined;

/**
 * From the wire logs alone: every tools/call a check sent to a listed tool, with the annotations
 * that tool was listed with at the check's revision (wire files are named `<check>@<rev>.jsonl`).
 */
function callsWithAnnotations(outDir: string): { check: string; tool: string; annotations: Annotations }[] {
  const dir = join(outDir, 'wire');
  const listedAt = new Map<string, Annotations>();
  const calls: { check: string; rev: string; tool: string }[] = [];
  for (const f of readdirSync(dir)) {
    const rev = f.replace(/\.jsonl$/, '').split('@').pop() as string;
    for (const e of readWireFile(join(dir, f))) {
      const msg = e.msg as { method?: string; params?: { name?: unknown }; result?: { tools?: { name?: unknown; annotations?: Annotations }[] } } | undefined;
      if (e.dir === 'recv' && Array.isArray(msg?.result?.tools)) for (const x of msg.result.tools) listedAt.set(`${rev} ${String(x.name)}`, x.annotations);
      if (e.dir === 'send' && msg?.method === 'tools/call') calls.push({ check: f, rev, tool: String(msg.params?.name) });
      // A message too large to keep whole (messages/large-request) keeps its start, which names the
      // tool; one whose start does not counts as a call of a tool lacking readOnlyHint.
      else if (e.dir === 'send' && e.raw?.includes('"tools/call"')) calls.push({ check: f, rev, tool: toolNameInRaw(e.raw) ?? '(unreadable)' });
    }
  }
  return calls.filter((c) => c.tool === '(unreadable)' || listedAt.has(`${c.rev} ${c.tool}`)).map((c) => ({ check: c.check, tool: c.tool, annotations: listedAt.get(`${c.rev} ${c.tool}`) }));
}

describe('the server suite against every combination of tool annotations', () => {
  const MATRIX = new Map(matrixTools().map((t) => [t.name, t.annotations]));
  const readOnly = [...MATRIX].filter(([, a]) => a?.readOnlyHint === true).map(([n]) => n);
  // 2025-03-26 is the first revision with annotations; 2026-07-28 adds the stateless checks' own calls.
  const ANNOTATED: Revision[] = ['2025-03-26', '2025-11-25', '2026-07-28'];

  it('the fixture lists 80 hint combinations, empty annotations and none', () => {
    expect(MATRIX.size).toBe(82);
    expect(readOnly.length).toBe(27);
  });

  it('calls no tool lacking readOnlyHint: true under the default policy (from the wire logs)', async () => {
    const { wire, received, outDir } = await runSuite('safe', { annotationMatrix: true }, ['2024-11-05', ...ANNOTATED]);
    const calls = callsWithAnnotations(outDir);
    expect(calls.length).toBe(wire.length);
    expect(calls.filter((c) => c.annotations?.readOnlyHint !== true).map((c) => `${c.check}: ${c.tool} ${JSON.stringify(c.annotations ?? null)}`)).toEqual([]);
    // Not vacuous: read-only tools were called, whatever their other hints (openWorldHint included).
    const called = new Set(calls.map((c) => c.tool));
    expect(readOnly.filter((n) => called.has(n)).length).toBeGreaterThan(10);
    expect([...called].some((n) => /_ot$/.test(n))).toBe(true);
    // The server saw the same: nothing but read-only matrix tools.
    expect(received.filter((n) => MATRIX.get(n)?.readOnlyHint !== true)).toEqual([]);
    expect(received.length).toBeGreaterThan(0);
    // At 2024-11-05 tools carry no annotations: nothing is called.
    expect(calls.filter((c) => c.check.endsWith('@2024-11-05.jsonl'))).toEqual([]);
  }, 300_000);

  it('the fuzzer calls only read-only tools not annotated openWorldHint: true', async () => {
    const received = new Set<string>();
    // The mock server with the matrix tools (each notes its calls): the fuzzer's in-memory target.
    const matrixServer = () =>
      createMockServer(
        { serverInfo: { name: 'annotation-matrix', version: '1.0.0' } },
        ...matrixTools().map(({ name, annotations }) =>
          tool(name, {
            description: 'Annotation matrix tool',
            inputSchema: { type: 'object', properties: { note: { type: 'string' } } },
            ...(annotations ? { annotations } : {}),
            handler: () => {
              received.add(name);
              return { content: [{ type: 'text', text: `${name} ran` }] };
            },
          }),
        ),
      );
    const report = await fuzzServer(memoryFactory(matrixServer, undefined, 'matrix'), { revision: '2025-11-25', seed: 3, runs: 60, timeBudgetMs: 30_000, requestTimeoutMs: 2_000, modelShare: 0.3, spare: false });
    const allowed = [...MATRIX].filter(([, a]) => a?.readOnlyHint === true && a.openWorldHint !== true).map(([n]) => n);
    expect(report.tools.called.sort()).toEqual(allowed.sort());
    expect(received.size).toBeGreaterThan(0);
    expect([...received].filter((n) => !allowed.includes(n))).toEqual([]);
    expect(report.tools.plan?.revisions[0]?.call.length).toBe(allowed.length);
  }, 120_000);

  it('with --call-tools additive also calls destructiveHint: false tools, and still nothing destructive or unannotated', async () => {
    const { outDir } = await runSuite('additive', { annotationMatrix: true }, ['2025-11-25']);
    const calls = callsWithAnnotations(outDir);
    expect(calls.filter((c) => c.annotations?.readOnlyHint !== true && c.annotations?.destructiveHint !== false).map((c) => c.tool)).toEqual([]);
    expect(calls.some((c) => c.annotations?.readOnlyHint !== true && c.annotations?.destructiveHint === false)).toBe(true);
  }, 300_000);
});

describe('the server suite against unannotated tools', () => {
  it('sends no tools/call under the default policy (safe)', async () => {
    expect(suite.length).toBeGreaterThan(20);
    const { results, wire, received } = await runSuite('safe', true);
    expect(wire).toEqual([]);
    expect(received).toEqual([]);
    // The checks that needed a call say why they did not make one.
    const held = results.filter((r) => r.verdict === 'not-verified' && /not annotated, so possibly destructive/.test(r.message));
    expect(held.length).toBeGreaterThan(0);
    expect(held[0]!.message).toMatch(/--call-tools/);
  }, 300_000);

  it('sends none with --call-tools none, even to read-only tools', async () => {
    const { wire, received } = await runSuite('none', false);
    expect(wire).toEqual([]);
    expect(received).toEqual([]);
  }, 300_000);

  it('calls only the tools --call-tools names', async () => {
    const { wire, received } = await runSuite(['echo'], true);
    expect(wire.length).toBeGreaterThan(0);
    expect([...new Set(wire.map((c) => c.tool))]).toEqual(['echo']);
    expect([...new Set(received)]).toEqual(['echo']);
  }, 300_000);

  it('calls them all with --call-tools all', async () => {
    const { wire } = await runSuite('all', true);
    const tools = new Set(wire.map((c) => c.tool));
    expect(tools.has('echo')).toBe(true);
    expect(tools.has('delete_record')).toBe(true);
  }, 300_000);
});

// ---- the same through the command line ----

const MATRIX_FIXTURE = [process.execPath, join(PROJECT_ROOT, 'bin/run.js'), join(PROJECT_ROOT, 'test/fixtures/servers/feature-server.ts'), '--annotation-matrix'];
/** Six tools, none annotated (echo and delete_record among them). */
const UNANNOTATED_FIXTURE = [process.execPath, join(PROJECT_ROOT, 'bin/run.js'), join(PROJECT_ROOT, 'test/fixtures/servers/feature-server.ts'), '--unannotated'];

const cliOf = (args: string[]) => cli(args, 270_000);

describe('the plan printed before the first call', () => {
  const readOnly = matrixTools().filter((t) => t.annotations?.readOnlyHint === true).map((t) => t.name);

  it('mcp-conform server prints which tools it will call and why, per revision, and keeps it in results.json', async () => {
    const out = mkdtempSync(join(tmp, 'plan-'));
    const run = await cliOf(['server', '--revision', '2024-11-05,2025-11-25', '--only', 'tools/call-result', '-o', out, '--stdio', '--', ...MATRIX_FIXTURE]);
    expect([0, 1], run.stderr).toContain(run.code);
    const lines = run.stderr.split('\n');
    const head = lines.findIndex((l) => l.startsWith('tools it may call (--call-tools safe'));
    expect(head, run.stderr).toBeGreaterThan(-1);
    expect(lines[head + 1]).toMatch(/^  at 2024-11-05: 0 of \d+ listed tools$/);
    expect(lines[head + 2]).toMatch(/^    not calling \d+: \d+ not annotated, so possibly destructive by the spec defaults \(opt in with --call-tools <name> or all\)$/);
    expect(lines[head + 3]).toMatch(new RegExp(`^  at 2025-11-25: ${readOnly.length} of \\d+ listed tools: hints_rt_.* and \\d+ more \\(annotated readOnlyHint: true\\)$`));
    expect(lines[head + 4]).toMatch(/^    not calling \d+: .*18 annotated destructiveHint: false, which means additive, not read-only \(opt in with --call-tools additive\)/);
    // Printed before the checks ran: the results line comes after.
    expect(lines.findIndex((l) => l.startsWith('results: '))).toBeGreaterThan(head);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { toolPlan: ToolPlan };
    expect(results.toolPlan.policy).toBe('safe');
    const at = results.toolPlan.revisions.find((r) => r.revision === '2025-11-25');
    expect(at?.call.map((c) => c.name).sort()).toEqual([...readOnly].sort());
    expect(new Set(at?.call.map((c) => c.why))).toEqual(new Set(['annotated readOnlyHint: true']));
    // What was called is what the plan said.
    const checks = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { checks: CheckResult[] }).checks;
    const called = new Set(toolCallsInResults(out).map((c) => c.tool));
    expect(called.size, checks.map((c) => `${c.id} [${c.revision}] ${c.verdict}: ${c.message}`).join('\n')).toBeGreaterThan(0);
    expect([...called].filter((n) => !readOnly.includes(n))).toEqual([]);
    // At 2024-11-05 every tool is unannotated: without --call-tools the CLI sends no tools/call at
    // all, and the check says how to opt in.
    const wire2024 = readdirSync(join(out, 'wire')).filter((f) => f.endsWith('@2024-11-05.jsonl'));
    expect(wire2024.length).toBeGreaterThan(0);
    for (const f of wire2024) expect(readWireFile(join(out, 'wire', f)).filter((e) => e.dir === 'send' && (e.msg as { method?: string } | undefined)?.method === 'tools/call')).toEqual([]);
    expect(checks.find((c) => c.id === 'tools/call-result' && c.revision === '2024-11-05')?.message).toMatch(/--call-tools/);
  }, 280_000);

  // The named and --no-call runs also run tools/call-result, so they prove on the wire what the CLI
  // lets through: this replaced two runs of `--only tools` against the unannotated fixture.
  it('--call-tools additive and names/globs show in the plan, and only named unannotated tools are called; --no-call calls nothing', async () => {
    const run = (policy: string[], only: string, fixture = MATRIX_FIXTURE) => {
      const out = mkdtempSync(join(tmp, 'plan-'));
      return cliOf(['server', '--revision', '2025-11-25', '--only', only, ...policy, '-o', out, '--stdio', '--', ...fixture]).then((r) => ({ ...r, out }));
    };
    const [additive, named, none] = await Promise.all([
      run(['--call-tools', 'additive'], 'lifecycle/initialize-result'),
      run(['--call-tools', 'echo,delete_*'], 'tools/call-result', UNANNOTATED_FIXTURE),
      run(['--no-call'], 'tools/call-result'),
    ]);
    expect(additive.stderr).toMatch(/tools it may call \(--call-tools additive;/);
    expect(additive.stderr).toMatch(/\(annotated destructiveHint: false \(--call-tools additive\)\)/);
    expect(named.stderr).toMatch(/echo, delete_record \(named by --call-tools\)/);
    expect(none.stderr).toMatch(/  at 2025-11-25: tool calls are disabled \(--call-tools none\)/);
    // No tool of that fixture is annotated: echo and delete_record are called because named, and
    // nothing else is.
    expect([0, 1], named.stderr).toContain(named.code);
    expect([...new Set(toolCallsInResults(named.out).map((c) => c.tool))].sort()).toEqual(['delete_record', 'echo']);
    // --no-call against the matrix: not even its read-only tools are called.
    expect([0, 1], none.stderr).toContain(none.code);
    expect(toolCallsInResults(none.out)).toEqual([]);
  }, 280_000);

  it('mcp-conform fuzz prints its plan before fuzzing (openWorldHint tools left out) and keeps it in results.json', async () => {
    const out = mkdtempSync(join(tmp, 'fuzz-'));
    const run = await cliOf(['fuzz', '--seed', '1', '--runs', '10', '--time-budget', '8000', '--no-model', '--oracles', 'stays-alive', '-o', out, '--', ...MATRIX_FIXTURE]);
    expect([0, 1], run.stderr).toContain(run.code);
    const allowed = matrixTools().filter((t) => t.annotations?.readOnlyHint === true && t.annotations.openWorldHint !== true);
    expect(run.stderr).toMatch(new RegExp(`tools it may call \\(--call-tools safe;[^\\n]*\\n  at 2025-11-25: ${allowed.length} of \\d+ listed tools`));
    expect(run.stderr).toMatch(/\d+ annotated openWorldHint: true \(generated arguments must not reach outside systems/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { toolPlan: ToolPlan };
    expect(results.toolPlan.revisions[0]?.call.map((c) => c.name).sort()).toEqual(allowed.map((t) => t.name).sort());
    expect((await cliOf(['fuzz', '--call-tools', 'all,echo', '--', 'x'])).code).toBe(2);
  }, 280_000);
});
