// `mcp-conform server` end to end: real CLI, real vitest run, the fixture server over real stdio.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, leftovers, readResults, runCli, tempDir } from './server-helpers.ts';

describe('mcp-conform server', () => {
  it('passes the correct fixture over stdio: exit 0, results.json, wire logs, no leftover process', async () => {
    const run = await runCli(['--revision', '2025-11-25', '--stdio', '--', ...FIXTURE]);
    expect(run.code, run.stderr).toBe(0);
    const results = readResults(run);
    expect(results.revisions).toEqual(['2025-11-25']);
    const bad = results.checks.filter((c) => c.verdict !== 'pass');
    expect(bad.map((c) => `${c.id} ${c.verdict} ${c.message}`)).toEqual([]);
    expect(results.checks.some((c) => c.id === 'schema/valid-messages')).toBe(true);
    expect(results.checks.length).toBeGreaterThan(25);
    const wire = readdirSync(join(run.out, 'wire'));
    expect(wire).toContain('lifecycle_initialize-result@2025-11-25.jsonl');
    expect(run.stdout).toMatch(/✓ ping\/response \[2025-11-25\]/);
    const procs = await leftovers(run);
    expect(procs.started).toBeGreaterThan(25);
    expect(procs.alive).toEqual([]);
  }, 180_000);

  it('exits 1 when a MUST fails, naming the check (a broken fixture, --only)', async () => {
    const run = await runCli(['--revision', '2025-11-25', '--only', 'stdio', '--only', 'ping/*', '--stdio', '--', ...FIXTURE, '--break', 'stdio/stdout-only-messages']);
    expect(run.code, run.stderr).toBe(1);
    const results = readResults(run);
    expect(new Set(results.checks.map((c) => c.id))).toEqual(new Set(['stdio/stdout-only-messages', 'stdio/no-embedded-newlines', 'stdio/survives-malformed-input', 'ping/response', 'ping/before-initialize', 'schema/valid-messages']));
    const failed = results.checks.filter((c) => c.verdict === 'fail').map((c) => c.id).sort();
    expect(failed).toEqual(['schema/valid-messages', 'stdio/stdout-only-messages']);
    const check = results.checks.find((c) => c.id === 'stdio/stdout-only-messages');
    expect(check?.evidence?.some((e) => e.raw?.includes('fixture server ready'))).toBe(true);
    expect(check?.specUrl).toBe('https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#stdio');
    expect(run.stdout).toContain('stdio/stdout-only-messages');
  }, 120_000);

  it('--revision all tests every revision the server speaks; --config reads mcpServers', async () => {
    const dir = tempDir('config');
    const [command, ...args] = FIXTURE;
    writeFileSync(join(dir, 'mcp.json'), JSON.stringify({ mcpServers: { other: { url: 'http://127.0.0.1:1/mcp' }, fixture: { command, args } } }));
    const run = await runCli(['--only', 'ping/response', '--config', join(dir, 'mcp.json'), '--name', 'fixture']);
    expect(run.code, run.stderr).toBe(0);
    const results = readResults(run);
    expect(results.revisions).toEqual(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']);
    expect(results.checks.filter((c) => c.id === 'ping/response').map((c) => c.verdict)).toEqual(['pass', 'pass', 'pass', 'pass']);
  }, 120_000);

  it('exits 3 and still writes results.json when the target cannot be started or reached', async () => {
    const [missing, refused] = await Promise.all([
      runCli(['--stdio', '--', join(tempDir('none'), 'no-such-server')]),
      runCli(['--timeout', '2000', '--url', 'http://127.0.0.1:9/mcp']),
    ]);
    for (const run of [missing, refused]) {
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toMatch(/cannot reach the target/);
      const results = readResults(run);
      expect(results.checks).toEqual([]);
      expect(results.errors[0]).toMatch(/cannot reach the target/);
    }
  }, 60_000);

  it('exits 2 on usage and config errors', async () => {
    const dir = tempDir('badconfig');
    writeFileSync(join(dir, 'two.json'), JSON.stringify({ mcpServers: { a: { command: 'x' }, b: { command: 'y' } } }));
    const runs = await Promise.all([
      runCli([]),
      runCli(['--url', 'http://127.0.0.1:9/mcp', '--sse', 'http://127.0.0.1:9/sse']),
      runCli(['--revision', '2023-01-01', '--stdio', '--', 'x']),
      runCli(['--timeout', 'soon', '--stdio', '--', 'x']),
      runCli(['--config', join(dir, 'two.json')]),
      runCli(['--config', join(dir, 'missing.json')]),
    ]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/error/);
      expect(existsSync(join(run.out, 'results.json'))).toBe(false);
    }
    expect(runs[4]?.stderr).toMatch(/choose one with --name \(a, b\)/);
  }, 60_000);
});
