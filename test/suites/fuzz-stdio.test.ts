// The fuzzer against real processes: the stdio fixture server and client with seeded crash,
// hang and wrong-error-code bugs are each found within a small fixed budget, shrunk to at most
// 3 messages and reproduced by their replay; and the CLI's exit codes and files.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { liveChildren } from '../../mock-server/index.ts';
import { validateResults, type Results } from '../../reports/index.ts';
import { clientFactory, fuzzClient, fuzzServer, parseReplay, replay, replayFileFor, SessionPool, targetFactory, type OracleId, type TargetFactory } from '../../suites/fuzz/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SERVER = ['bin/run.js', 'test/fixtures/servers/buggy-server.ts'];
const CLIENT = ['bin/run.js', 'test/fixtures/clients/buggy-client.ts'];
const out = mkdtempSync(join(tmpdir(), 'mcp-conform-fuzz-'));

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

function server(bug: string): TargetFactory {
  return targetFactory({ kind: 'stdio', command: process.execPath, args: [...SERVER, '--bug', bug], cwd: ROOT }, `buggy-server --bug ${bug}`);
}

// One finding per oracle is all a case asks for: the search stops there, not at the budget.
const budget = { revision: '2025-11-25' as const, seed: 1, runs: 150, timeBudgetMs: 45_000, requestTimeoutMs: 1_000, modelShare: 0, maxFindingsPerOracle: 1 };

async function replays(factory: TargetFactory, finding: Parameters<typeof replayFileFor>[0], mode: 'server' | 'client'): Promise<boolean> {
  const file = parseReplay(JSON.stringify(replayFileFor(finding, { mode, revision: '2025-11-25', target: { description: factory.description }, requestTimeoutMs: 1_000, tool: { name: 'mcp-conform', version: 'test' } })));
  const pool = new SessionPool(factory, { revision: '2025-11-25', requestTimeoutMs: 1_000, spare: false });
  try {
    return (await replay(file, pool)).reproduced;
  } finally {
    await pool.close();
  }
}

describe('seeded bugs in the stdio fixture server', () => {
  const cases: [string, OracleId][] = [
    ['crash-on-prompts/get', 'stays-alive'],
    // wrong-error-code (error-codes): found, shrunk, reproduced and replayed by the CLI test below,
    // which fuzzes the same server for the same bug.
    // hang-on-resources/read: proven in-process (fuzz-memory.test.ts); a process adds nothing to a timeout.
  ];
  test.each(cases)('--bug %s: found as %s within the budget, ≤ 3 messages, replayable', async (bug, oracle) => {
    const report = await fuzzServer(server(bug), { ...budget, oracles: [oracle] });
    expect(report.unreachable).toBeUndefined();
    const f = report.findings.find((x) => x.oracle === oracle);
    expect(f, `no ${oracle} finding in ${report.runs} runs (${report.durationMs} ms)`).toBeDefined();
    if (!f) return;
    expect(f.steps.length).toBeLessThanOrEqual(3);
    expect(f.reproduced).toBe(true);
    expect(await replays(server(bug), f, 'server')).toBe(true);
  }, 120_000);
});

describe('seeded bugs in the fixture client (client mode)', () => {
  test('crash-on-roots/list over {server} (stdio relay) is found and replays', async () => {
    const factory = () => clientFactory({ command: [process.execPath, ...CLIENT, '--bug', 'crash-on-roots/list', '--server', '{server}'], cwd: ROOT });
    const report = await fuzzClient(factory(), { ...budget, oracles: ['stays-alive'] });
    expect(report.unreachable).toBeUndefined();
    const f = report.findings[0];
    expect(f?.oracle).toBe('stays-alive');
    if (!f) return;
    expect(f.steps.length).toBeLessThanOrEqual(3);
    expect(f.message).toMatch(/exited \(code 70\)|closed/);
    expect(await replays(factory(), f, 'client')).toBe(true);
  }, 120_000);

  test('wrong-error-code over {url} (Streamable HTTP) is found', async () => {
    const factory = clientFactory({ command: [process.execPath, ...CLIENT, '--bug', 'wrong-error-code', '--url', '{url}'], cwd: ROOT });
    const report = await fuzzClient(factory, { ...budget, oracles: ['error-codes'] });
    expect(report.unreachable).toBeUndefined();
    expect(report.findings[0]?.oracle).toBe('error-codes');
    expect(report.findings[0]?.steps.length).toBeLessThanOrEqual(3);
  }, 120_000);
});

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['bin/mcp-conform.js', ...args], { cwd: ROOT, timeout: 100_000 }, (err, _stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

describe('mcp-conform fuzz (CLI)', () => {
  test('a finding: exit 1, results.json with the fuzz check and its replay file (≤ 3 messages, reproduced); --replay reproduces it (exit 1)', async () => {
    const dir = join(out, 'cli');
    // --max-findings 1: the search stops at the first finding, as the in-process cases do.
    const r = await cli(['fuzz', '--seed', '1', '--runs', '40', '--time-budget', '30000', '--timeout', '1000', '--no-model', '--oracles', 'error-codes', '--max-findings', '1', '-o', dir, '--', process.execPath, ...SERVER, '--bug', 'wrong-error-code']);
    expect(r.code, r.stderr).toBe(1);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
    expect(validateResults(results).valid).toBe(true);
    expect(results.mode).toBe('fuzz');
    const check = results.checks.find((c) => c.id === 'fuzz/error-codes');
    expect(check?.verdict).toBe('fail');
    expect(check?.message).toMatch(/replay: replays\/fuzz_error-codes@2025-11-25\.json/);
    expect(check?.evidence?.length).toBeGreaterThan(0);
    const replayFile = join(dir, 'replays', 'fuzz_error-codes@2025-11-25.json');
    expect(existsSync(replayFile)).toBe(true);
    const file = parseReplay(readFileSync(replayFile, 'utf8'));
    expect(file.oracle).toBe('error-codes');
    expect(file.steps.length).toBeLessThanOrEqual(3);
    expect(file.reproduced).toBe(true);
    expect(readdirSync(join(dir, 'wire'))).toContain('fuzz_error-codes@2025-11-25.jsonl');
    const again = await cli(['fuzz', '--replay', replayFile, '-o', join(out, 'replayed')]);
    expect(again.code, again.stderr).toBe(1);
    const replayed = JSON.parse(readFileSync(join(out, 'replayed', 'results.json'), 'utf8')) as Results;
    expect(replayed.checks[0]?.message).toMatch(/^reproduced: /);
  }, 150_000);

  test('usage errors exit 2; an unreachable target exits 3', async () => {
    expect((await cli(['fuzz'])).code).toBe(2);
    expect((await cli(['fuzz', '--revision', '1999-01-01', '--', 'x'])).code).toBe(2);
    const gone = await cli(['fuzz', '--seed', '1', '--time-budget', '10000', '-o', join(out, 'gone'), '--', process.execPath, '-e', 'process.exit(1)']);
    expect(gone.code, gone.stderr).toBe(3);
  }, 120_000);
});

test('no child process is left behind', async () => {
  // Every pool was closed and awaited; a killed process still takes a moment to report its exit.
  for (let i = 0; i < 40 && liveChildren().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(liveChildren()).toEqual([]);
});
