// The client runner and `mcp-conform client` end to end: the official suite's contract (URL last
// or in {url}, {server} for stdio, the MCP_CONFORMANCE_* environment), and clients that hang,
// crash or never connect: every run ends within its budget, results.json is complete, and no
// process the client started survives (checked by process group and PID).
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateResults, type Results } from '../../reports/index.ts';
import type { ClientRunsFile } from '../../suites/harness/index.ts';
import { fillArgs, processGroupMembers, RELAY_PATH, runScenario, scenario } from '../../suites/client/index.ts';
import { ROOT } from '../helpers/transpile.ts';
import { cli, fixture, nodeClient } from './client-helpers.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'mcp-conform-client-cli-'));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}


function leftovers(file: ClientRunsFile): string[] {
  const out: string[] = [];
  for (const r of file.runs) {
    if (r.process.pid !== undefined) for (const p of processGroupMembers(r.process.pid)) out.push(`${r.scenario}: ${p.pid} ${p.command}`);
    for (const s of r.servers) if (s.pid !== undefined && alive(s.pid)) out.push(`${r.scenario}: stdio server ${s.pid}`);
  }
  return out;
}

describe('the client contract', () => {
  it('fills {url} and {server}, or appends the URL last', () => {
    const cmd = { command: 'client', args: ['--x', '{url}/extra'] };
    expect(fillArgs(cmd, { url: 'http://127.0.0.1:1/mcp' })).toEqual(['client', '--x', 'http://127.0.0.1:1/mcp/extra']);
    expect(fillArgs({ command: 'client', args: ['--x'] }, { url: 'http://127.0.0.1:1/mcp' })).toEqual(['client', '--x', 'http://127.0.0.1:1/mcp']);
    const server = ['/usr/bin/node', RELAY_PATH, '127.0.0.1:9', 'tok', '0'];
    expect(fillArgs({ command: 'client', args: ['--stdio', '{server}'] }, { serverArgv: server })).toEqual(['client', '--stdio', ...server]);
    expect(fillArgs({ command: 'client', args: ['--server={server}'] }, { serverArgv: server })).toEqual(['client', `--server=${server.join(' ')}`]);
  });

  it('gives the client the scenario, its context and the revision in the environment, and the URL last', async () => {
    const dir = tmp();
    const rec = join(dir, 'seen.json');
    const cmd = nodeClient('test/fixtures/clients/bad-client.ts', 'http', ['--mode', 'record', '--record', rec]);
    await runScenario(scenario('request-timeout')!, '2025-06-18', cmd, { timeoutMs: 10_000 });
    const seen = JSON.parse(readFileSync(rec, 'utf8')) as { argv: string[]; env: Record<string, string> };
    expect(seen.argv.at(-1)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(seen.env.MCP_CONFORMANCE_SCENARIO).toBe('request-timeout');
    expect(seen.env.MCP_CONFORMANCE_PROTOCOL_VERSION).toBe('2025-06-18');
    expect(JSON.parse(seen.env.MCP_CONFORMANCE_CONTEXT!)).toEqual({ name: 'request-timeout', requestTimeoutMs: 1500 });
  }, 30_000);
});

describe('clients that misbehave', () => {
  it.each(['http', 'stdio'] as const)('a client that hangs (%s) is killed with its whole process group at the timeout', async (via) => {
    const cmd = nodeClient('test/fixtures/clients/bad-client.ts', via, ['--mode', 'hang']);
    const t0 = Date.now();
    const run = await runScenario(scenario('initialize')!, '2025-11-25', cmd, { timeoutMs: 2_000 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(run.process.timedOut).toBe(true);
    expect(run.entries.some((e) => e.dir === 'recv' && (e.msg as { method?: string } | undefined)?.method === 'initialize')).toBe(true);
    expect(processGroupMembers(run.process.pid!)).toEqual([]);
    for (const s of run.servers) expect(alive(s.pid!)).toBe(false);
  }, 30_000);

  it('a client that crashes or never connects is recorded as such', async () => {
    const crash = await runScenario(scenario('initialize')!, '2025-11-25', nodeClient('test/fixtures/clients/bad-client.ts', 'http', ['--mode', 'crash']), { timeoutMs: 5_000 });
    expect(crash.process.exitCode).toBe(1);
    expect(crash.process.stderrTail).toContain('crashed on purpose');
    expect(crash.entries).toEqual([]);
    const missing = await runScenario(scenario('initialize')!, '2025-11-25', { command: join(ROOT, 'no-such-client'), args: [] }, { timeoutMs: 5_000 });
    expect(missing.process.spawnError).toMatch(/ENOENT/);
  }, 30_000);
});

describe('mcp-conform client', () => {
  it('lists the scenarios', async () => {
    const r = await cli(['client', '--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tools_call\n/m);
    expect(r.stdout).toContain('session-expired');
    expect(r.stdout).toMatch(/^auth\/metadata-default\n/m);
  }, 60_000);

  it('refuses to run without a client command (exit 2)', async () => {
    const r = await cli(['client']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no client command');
  }, 60_000);

  it('a client that cannot start: exit 3 and a complete results.json', async () => {
    const out = tmp();
    const r = await cli(['client', '--revision', '2025-11-25', '--scenario', 'initialize', '--out', out, '--', join(ROOT, 'no-such-client')]);
    expect(r.code).toBe(3);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(validateResults(results).errors).toEqual([]);
    expect(results.mode).toBe('client');
    expect(results.errors.join(' ')).toMatch(/could not be started/);
    expect(results.checks.every((c) => c.verdict !== 'pass')).toBe(true);
  }, 120_000);

  it('a hanging client: the run ends within its budget, results.json is complete, nothing is left running', async () => {
    const out = tmp();
    const cmd = nodeClient('test/fixtures/clients/bad-client.ts', 'stdio', ['--mode', 'hang']);
    const r = await cli(['client', '--revision', '2025-11-25', '--scenario', 'initialize,tools_call,ping', '--timeout', '2000', '--out', out, '--', cmd.command, ...cmd.args]);
    expect(r.code).not.toBeNull();
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(validateResults(results).errors).toEqual([]);
    expect(results.errors.filter((e) => e.includes('was killed')).length).toBe(3);
    expect(results.checks.length).toBeGreaterThan(20);
    expect(results.checks.filter((c) => c.verdict === 'pass').map((c) => c.id)).not.toContain('client-lifecycle/initialized-notification');
    const runs = JSON.parse(readFileSync(join(out, 'client-runs.json'), 'utf8')) as ClientRunsFile;
    expect(runs.runs).toHaveLength(3);
    expect(leftovers(runs)).toEqual([]);
  }, 120_000);

  it('the correct fixture: the revisions it speaks (auto), exit 0, results.json in client mode with wire logs; a broken one: exit 1', async () => {
    const good = tmp();
    const cmd = fixture('stdio');
    const r = await cli(['client', '--scenario', 'ping', '--out', good, '--', cmd.command, ...cmd.args]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(good, 'results.json'), 'utf8')) as Results;
    expect(validateResults(results).errors).toEqual([]);
    expect(results).toMatchObject({ mode: 'client', target: { transport: 'command' }, revisions: ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'] });
    expect(results.checks.filter((c) => c.id === 'client-ping/answers-ping').map((c) => c.verdict)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(results.checks.some((c) => c.id === 'schema/valid-messages')).toBe(false);
    expect(existsSync(join(good, 'wire')) && readdirSync(join(good, 'wire')).length).toBeGreaterThan(10);
    expect(leftovers(JSON.parse(readFileSync(join(good, 'client-runs.json'), 'utf8')) as ClientRunsFile)).toEqual([]);

    const bad = tmp();
    const broken = fixture('stdio', { breaks: ['client-ping/answers-ping'] });
    const b = await cli(['client', '--revision', '2025-11-25', '--only', 'client-ping/answers-ping', '--out', bad, '--', broken.command, ...broken.args]);
    expect(b.code).toBe(1);
    const failed = JSON.parse(readFileSync(join(bad, 'results.json'), 'utf8')) as Results;
    expect(failed.checks.map((c) => `${c.id}:${c.verdict}`)).toEqual(['client-ping/answers-ping:fail']);
  }, 180_000);
});
