// Pathological servers and interruptions: every run ends within its budget, writes results.json,
// and leaves no process behind (each fixture process records its pid; its group must be gone).
import { describe, expect, it } from 'vitest';
import { FIXTURE, leftovers, readResults, runCli } from './server-helpers.ts';

const BUDGET = 20_000;
/** Vitest start-up and teardown, writing the results, a loaded CI machine. */
const SLACK = 25_000;

async function pathological(mode: string, extra: string[] = []) {
  const run = await runCli(['--revision', '2025-11-25', '--timeout', '2000', '--budget', String(BUDGET), ...extra, '--stdio', '--', ...FIXTURE, '--mode', mode], { timeoutMs: BUDGET + SLACK + 30_000 });
  const results = readResults(run);
  const procs = await leftovers(run);
  return { run, results, procs };
}

describe('mcp-conform server against pathological servers', () => {
  it('a server that never answers: exit 3 quickly, results.json, nothing left running', async () => {
    const { run, results, procs } = await pathological('hang');
    expect(run.code, run.stderr).toBe(3);
    expect(results.errors.join()).toMatch(/no answer within/);
    expect(run.ms).toBeLessThan(BUDGET + SLACK);
    expect(procs.started).toBeGreaterThan(0);
    expect(procs.alive).toEqual([]);
  }, 120_000);

  it('a server that prints only garbage: exit 3, nothing left running', async () => {
    const { run, results, procs } = await pathological('garbage');
    expect(run.code, run.stderr).toBe(3);
    expect(results.checks).toEqual([]);
    expect(procs.alive).toEqual([]);
  }, 120_000);

  it('a server that exits mid-run: the checks fail, the run ends with results', async () => {
    const { run, results, procs } = await pathological('exit-mid', ['--only', 'messages/response-id,messages/result-xor-error,messages/no-response-to-notification,ping']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.ms).toBeLessThan(BUDGET + SLACK);
    const closed = results.checks.filter((c) => /connection closed|process exited|went away/.test(c.message));
    expect(closed.length).toBeGreaterThan(0);
    expect(procs.alive).toEqual([]);
  }, 120_000);

  it('a server that floods notifications: the run ends within the budget', async () => {
    const { run, results, procs } = await pathological('flood', ['--only', 'ping,messages/unknown-method,lifecycle/capabilities-honoured']);
    expect([0, 1]).toContain(run.code);
    expect(run.ms).toBeLessThan(BUDGET + SLACK);
    expect(results.checks.length).toBeGreaterThan(0);
    expect(procs.alive).toEqual([]);
  }, 120_000);

  it('a server with a 50 MB response: the run ends within the budget', async () => {
    const { run, results, procs } = await pathological('huge', ['--timeout', '8000', '--only', 'lifecycle/capabilities-honoured,ping/response']);
    expect([0, 1]).toContain(run.code);
    expect(run.ms).toBeLessThan(BUDGET + SLACK);
    expect(results.checks.find((c) => c.id === 'lifecycle/capabilities-honoured')?.verdict).toBe('pass');
    expect(procs.alive).toEqual([]);
  }, 120_000);

  it('Ctrl-C: exit 130, results.json written, the server processes killed', async () => {
    let sent = false;
    const run = await runCli(['--revision', 'all', '--stdio', '--', ...FIXTURE], {
      timeoutMs: 90_000,
      onStdout: (text, kill) => {
        if (!sent && (text.match(/✓/g)?.length ?? 0) >= 3) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    const results = readResults(run);
    expect(results.errors.join()).toMatch(/interrupted/);
    expect(results.checks.some((c) => c.verdict === 'pass')).toBe(true);
    const procs = await leftovers(run);
    expect(procs.alive).toEqual([]);
  }, 120_000);
});
