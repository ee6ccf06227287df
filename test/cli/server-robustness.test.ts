// Pathological servers and interruptions: every run ends within its budget, writes results.json,
// and leaves no process behind (each fixture process records its pid; its group must be gone).
import { describe, expect, it } from 'vitest';
import { FIXTURE, leftovers, readResults, runCli } from './server-helpers.ts';

const BUDGET = 15_000;
/** Vitest start-up and teardown, writing the results, a loaded CI machine. */
const SLACK = 40_000;

async function pathological(mode: string, extra: string[] = [], budget = BUDGET) {
  const run = await runCli(['--revision', '2025-11-25', '--timeout', '2000', '--budget', String(budget), ...extra, '--stdio', '--', ...FIXTURE, '--mode', mode], { timeoutMs: BUDGET + SLACK + 30_000 });
  const results = readResults(run);
  const procs = await leftovers(run);
  return { run, results, procs };
}

describe('mcp-conform server against pathological servers', () => {
  it('a server that never answers: exit 3 quickly, results.json, nothing left running', async () => {
    // The probe's wait for a first answer is cut by the budget.
    const { run, results, procs } = await pathological('hang', [], 8_000);
    expect(run.code, run.stderr).toBe(3);
    expect(results.errors.join()).toMatch(/no answer within/);
    expect(run.ms).toBeLessThan(8_000 + SLACK);
    expect(procs.started).toBeGreaterThan(0);
    expect(procs.alive).toEqual([]);
  }, 120_000);

  it('a server that prints only garbage: exit 3, nothing left running', async () => {
    const { run, results, procs } = await pathological('garbage', [], 8_000);
    expect(run.code, run.stderr).toBe(3);
    expect(results.checks).toEqual([]);
    expect(procs.alive).toEqual([]);
  }, 120_000);

  it('a server that exits mid-run: the checks that meet it fail, the run ends with results', async () => {
    const { run, results, procs } = await pathological('exit-mid', ['--only', 'messages/response-id,messages/result-xor-error,messages/no-response-to-notification,ping']);
    expect([0, 1], run.stderr).toContain(run.code);
    expect(run.ms).toBeLessThan(BUDGET + SLACK);
    // Each check either saw the server go away, passed before it did, or (on a loaded machine) ran out of budget.
    for (const c of results.checks) {
      if (c.verdict === 'fail') expect(c.message).toMatch(/connection closed|process exited|went away/);
      else expect(['pass', 'not-verified']).toContain(c.verdict);
    }
    if (results.checks.some((c) => c.verdict === 'fail')) expect(run.code).toBe(1);
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
    // Read, validated and logged in full — or cut by the budget on a loaded machine; never a crash.
    expect(['pass', 'not-verified']).toContain(results.checks.find((c) => c.id === 'lifecycle/capabilities-honoured')?.verdict);
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
    // --revision all: every revision the fixture speaks (the probe asks each).
    expect(results.revisions).toEqual(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']);
    expect(results.errors.join()).toMatch(/interrupted/);
    expect(results.checks.some((c) => c.verdict === 'pass')).toBe(true);
    const procs = await leftovers(run);
    expect(procs.alive).toEqual([]);
  }, 120_000);
});
