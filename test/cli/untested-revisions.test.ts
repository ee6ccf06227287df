// What a run could not do is said where people read it: a revision the run meant to test but whose
// version probe failed is in the terminal summary with the reason (the process's own error, not
// Node's version banner) as well as in results.json — for `mcp-conform server` and `client`, run
// as processes. The client summary's time is the run's wall time (scenarios included).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateResults, type Results } from '../../reports/index.ts';
import type { ClientRunsFile } from '../../suites/harness/index.ts';
import { fixture } from '../suites/client-helpers.ts';
import { FIXTURE, readResults, ROOT, runCli, tempDir } from './server-helpers.ts';

function client(args: string[], timeoutMs = 150_000): Promise<{ code: number | null; stdout: string; stderr: string; out: string }> {
  const out = tempDir('client-out');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/mcp-conform.js'), 'client', '--out', out, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-conform client did not end within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, out });
    });
  });
}

const summaryLine = (stdout: string, rev: string) => stdout.split('\n').find((l) => l.startsWith(`not tested: ${rev} — `));

describe('a revision whose version probe failed', () => {
  it('client: in the summary with the client\'s error, in results.json, and the time is the whole run\'s', async () => {
    const cmd = fixture('stdio');
    const r = await client(['--scenario', 'initialize', '--', cmd.command, ...cmd.args.slice(0, 1), '--crash-on', '2024-11-05', ...cmd.args.slice(1)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const line = summaryLine(r.stdout, '2024-11-05');
    expect(line, r.stdout).toMatch(/the version probe \(scenario initialize\) failed: the client never connected; the client exited with code 1 \(stderr: .*Error: the fixture client cannot start at 2024-11-05 \(--crash-on\)\)/);
    expect(line).not.toMatch(/Node\.js v\d/);
    const results = JSON.parse(readFileSync(join(r.out, 'results.json'), 'utf8')) as Results;
    expect(validateResults(results).errors).toEqual([]);
    expect(results.revisions).toEqual(['2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28']);
    expect(results.untested).toEqual([{ revision: '2024-11-05', reason: expect.stringContaining('Error: the fixture client cannot start at 2024-11-05') }]);

    // The time: from before the first scenario started to the end, not the checks' share of it.
    const runs = JSON.parse(readFileSync(join(r.out, 'client-runs.json'), 'utf8')) as ClientRunsFile;
    const first = Math.min(...runs.runs.map((x) => Date.parse(x.startedAt)));
    const lastEnd = Math.max(...runs.runs.map((x) => Date.parse(x.startedAt) + x.durationMs));
    expect(Date.parse(results.startedAt)).toBeLessThanOrEqual(first);
    const took = Number(/^\d+ checks in ([\d.]+) s: /m.exec(r.stdout)?.[1]);
    expect(took * 1000 + 100).toBeGreaterThanOrEqual(lastEnd - first);
    expect(took).toBeCloseTo((Date.parse(results.endedAt) - Date.parse(results.startedAt)) / 1000, 0);
  }, 180_000);

  it('server: in the summary with the server\'s error, and in results.json', async () => {
    const run = await runCli(['--revision', 'all', '--only', 'lifecycle/server-info', '--stdio', '--', ...FIXTURE, '--crash-on', '2024-11-05'], { timeoutMs: 150_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const line = summaryLine(run.stdout, '2024-11-05');
    expect(line, run.stdout).toMatch(/^not tested: 2024-11-05 — the version probe failed: .*stderr: .*Error: fixture-server cannot serve 2024-11-05 \(--crash-on\)/);
    expect(line).not.toMatch(/Node\.js v\d/);
    const results = readResults(run);
    expect(results.revisions).toEqual(['2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28']);
    expect(results.untested?.map((u) => u.revision)).toEqual(['2024-11-05']);
    expect(results.checks.every((c) => c.revision !== '2024-11-05')).toBe(true);
  }, 180_000);
});
