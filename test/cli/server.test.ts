// `mcp-conform server` end to end: real CLI, real vitest run, the fixture server over real stdio.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, leftovers, readResults, runCli, tempDir } from './server-helpers.ts';
import { everythingOver } from '../helpers/everything.ts';
import { parseRevisions, targetFromOptions, UsageError, type ServerCommandOptions } from '../../cli/server.ts';

describe('mcp-conform server', () => {
  it('passes the correct fixture (from an mcpServers config) over stdio: exit 0, results.json, wire logs, no leftover process', async () => {
    const dir = tempDir('config');
    const [command, ...args] = FIXTURE;
    writeFileSync(join(dir, 'mcp.json'), JSON.stringify({ mcpServers: { other: { url: 'http://127.0.0.1:1/mcp' }, fixture: { command, args } } }));
    // The harness's own areas: this fixture implements the base protocol, not the server features
    // (those are proven on test/fixtures/servers/feature-server.ts in test/suites/features.test.ts).
    const areas = ['lifecycle', 'messages', 'ping', 'cancellation', 'progress', 'stdio'].flatMap((a) => ['--only', a]);
    const run = await runCli(['--revision', '2025-11-25', ...areas, '--config', join(dir, 'mcp.json'), '--name', 'fixture'], { timeoutMs: 300_000 });
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
  }, 300_000);

  it('exits 1 when a MUST fails, naming the check (a broken fixture, --only)', async () => {
    // Two --only patterns, one of them a glob; the other stdio checks are proven in test/suites (CI time).
    const run = await runCli(['--revision', '2025-11-25', '--only', 'stdio/stdout-only-messages', '--only', 'ping/*', '--stdio', '--', ...FIXTURE, '--break', 'stdio/stdout-only-messages']);
    expect(run.code, run.stderr).toBe(1);
    const results = readResults(run);
    expect(new Set(results.checks.map((c) => c.id))).toEqual(new Set(['stdio/stdout-only-messages', 'ping/response', 'ping/before-initialize', 'schema/valid-messages']));
    const failed = results.checks.filter((c) => c.verdict === 'fail').map((c) => c.id).sort();
    expect(failed).toEqual(['schema/valid-messages', 'stdio/stdout-only-messages']);
    const check = results.checks.find((c) => c.id === 'stdio/stdout-only-messages');
    expect(check?.evidence?.some((e) => e.raw?.includes('fixture server ready'))).toBe(true);
    expect(check?.specUrl).toBe('https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#stdio');
    expect(run.stdout).toContain('stdio/stdout-only-messages');
  }, 120_000);

  it('--reference (npm start): the bundled reference server passes every check it applies to', async () => {
    // At 2025-11-25 the same is proven of the compiled package, every area included (pack.test.ts,
    // the installed `server --reference` run): here the revision that adds the most, 2026-07-28.
    // --timeout: each check starts the server anew, and CI runs three test files on two cores.
    const run = await runCli(['--reference', '--timeout', '15000', '--revision', '2026-07-28', '--skip', 'stdio', '--skip', 'lifecycle', '--skip', 'messages'], { timeoutMs: 280_000 });
    const results = readResults(run);
    // A check whose server did not answer in time on a busy machine is not verified (a timeout is no
    // verdict); a few may be, nothing else may be short of pass or not applicable.
    const timedOut = (c: { verdict: string; message: string }) => c.verdict === 'not-verified' && /no answer within \d+ ms|finished too fast/.test(c.message);
    const bad = results.checks.filter((c) => !['pass', 'not-applicable'].includes(c.verdict) && !timedOut(c)).map((c) => `${c.verdict} ${c.id}@${c.revision}: ${c.message}`);
    expect(bad).toEqual([]);
    expect(results.checks.filter(timedOut).length).toBeLessThanOrEqual(3);
    expect(run.code, run.stderr).toBe(0);
    expect(results.checks.filter((c) => c.verdict === 'pass').length).toBeGreaterThan(50); // 56 at one revision
    // The reference exercises the 2026-07-28 rounds too: its test_elicitation asks for input, a tool asks
    // over two rounds, a prompt asks too.
    const mrtr = results.checks.filter((c) => c.id.startsWith('mrtr/')).map((c) => `${c.id} ${c.verdict}`);
    expect(mrtr.sort()).toEqual([
      'mrtr/extra-input-ignored pass',
      'mrtr/input-required-result pass',
      'mrtr/invalid-input-responses pass',
      'mrtr/missing-input-response pass',
      'mrtr/multi-round pass',
      'mrtr/non-tool-request pass',
      'mrtr/retry pass',
      'mrtr/state-bound-to-request pass',
      'mrtr/tampered-state pass',
      'mrtr/undeclared-capability pass',
    ]);
  }, 300_000);

  it('tests a Streamable HTTP server (--url)', async () => {
    const server = await everythingOver('streamableHttp');
    try {
      const run = await runCli(['--revision', '2025-11-25', '--only', 'lifecycle/initialize-result,ping', '--url', `http://127.0.0.1:${server.port}/mcp`]);
      expect(run.code, run.stderr).toBe(0);
      const results = readResults(run);
      expect(results.target).toEqual({ description: `Streamable HTTP http://127.0.0.1:${server.port}/mcp`, transport: 'http' });
      expect(Object.fromEntries(results.checks.map((c) => [c.id, c.verdict]))).toEqual({
        'lifecycle/initialize-result': 'pass',
        'ping/response': 'pass',
        // It wants a session before anything but initialize (HTTP 400), as Streamable HTTP allows.
        'ping/before-initialize': 'not-applicable',
        'schema/valid-messages': 'pass',
        // Checks ran side by side on one server: no answer strayed to another connection.
        'transport/cross-talk': 'pass',
      });
    } finally {
      await server.stop();
    }
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

  it('--baseline: a listed failure exits 0, an unlisted or stale one exits 1; --format writes the reports', async () => {
    const dir = tempDir('baseline');
    const listed = join(dir, 'listed.yaml');
    const stale = join(dir, 'stale.yaml');
    writeFileSync(listed, 'server:\n  - stdio/stdout-only-messages\n  - schema/*\n');
    writeFileSync(stale, 'server:\n  - stdio/stdout-only-messages\n  - schema/*\n  - ping/response   # passes: stale\n');
    const args = (file: string) => ['--revision', '2025-11-25', '--only', 'stdio/stdout-only-messages,ping/response', '--format', 'junit,markdown', '--baseline', file, '--stdio', '--', ...FIXTURE, '--break', 'stdio/stdout-only-messages'];
    const [ok, old] = await Promise.all([runCli(args(listed)), runCli(args(stale))]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readResults(ok).baseline?.expectedFailures).toEqual(['stdio/stdout-only-messages', 'schema/*']);
    for (const f of ['results.json', 'junit.xml', 'report.md']) expect(existsSync(join(ok.out, f)), f).toBe(true);
    expect(old.code, old.stderr).toBe(1);
    expect(readResults(old).baseline?.staleEntries).toEqual(['ping/response']);
    expect(old.stdout).toMatch(/stale.*ping\/response/);
  }, 120_000);

  it('exits 2 on a usage error, before starting anything', async () => {
    const [two, none, format, baseline] = await Promise.all([
      runCli(['--url', 'http://127.0.0.1:9/mcp', '--sse', 'http://127.0.0.1:9/sse']),
      runCli(['--only', 'lifecycel', '--stdio', '--', 'x']),
      runCli(['--format', 'junit,pdf', '--stdio', '--', 'x']),
      runCli(['--baseline', join(tempDir('nobaseline'), 'missing.yaml'), '--stdio', '--', 'x']),
    ]);
    expect(format.code, format.stderr).toBe(2);
    expect(format.stderr).toMatch(/unknown format "pdf"/);
    expect(baseline.code, baseline.stderr).toBe(2);
    expect(baseline.stderr).toMatch(/missing\.yaml/);
    expect(two.code, two.stderr).toBe(2);
    expect(two.stderr).toMatch(/error: choose one target, not --url and --sse/);
    expect(none.code, none.stderr).toBe(2);
    expect(none.stderr).toMatch(/error: no check matches --only lifecycel \(areas: .*lifecycle/);
    for (const run of [two, none, format, baseline]) expect(existsSync(join(run.out, 'results.json'))).toBe(false);
  }, 60_000);
});

describe('mcp-conform server option parsing', () => {
  const base: ServerCommandOptions = { revision: 'all', only: [], skip: [], out: 'x', timeout: '5000', env: [], header: [] };
  const usage = (o: Partial<ServerCommandOptions>, cmd: string[] = []) => {
    try {
      targetFromOptions({ ...base, ...o }, cmd);
    } catch (err) {
      if (err instanceof UsageError) return err.message;
      throw err;
    }
    return 'no error';
  };

  it('needs exactly one target, and options that fit it', () => {
    expect(usage({})).toMatch(/no target/);
    expect(usage({ stdio: true })).toMatch(/needs the server command after --/);
    expect(usage({ url: 'http://a/mcp', sse: 'http://a/sse' })).toMatch(/choose one target/);
    expect(usage({ url: 'ftp://a' })).toMatch(/not an http\(s\) URL/);
    expect(usage({ url: 'http://a/mcp', cwd: '/' })).toMatch(/--cwd and --env apply to --stdio only/);
    expect(usage({ stdio: true, header: ['a:b'] }, ['x'])).toMatch(/--header applies/);
    expect(usage({ url: 'http://a/mcp' }, ['x'])).toMatch(/unexpected arguments/);
    expect(usage({ stdio: true, env: ['NOPE'] }, ['x'])).toMatch(/KEY=value/);
    expect(usage({ url: 'http://a/mcp', header: ['nocolon'] })).toMatch(/Name:value/);
    expect(usage({ config: '/no/such/file.json' })).toMatch(/cannot read/);
  });

  it('builds stdio, http and sse targets', () => {
    expect(targetFromOptions({ ...base, stdio: true, cwd: '/tmp', env: ['A=1', 'B=x=y'] }, ['node', 's.js'])).toEqual({ kind: 'stdio', command: 'node', args: ['s.js'], cwd: '/tmp', env: { A: '1', B: 'x=y' } });
    expect(targetFromOptions({ ...base, url: 'http://127.0.0.1:1/mcp', header: ['Authorization: Bearer x'] }, [])).toEqual({ kind: 'http', url: 'http://127.0.0.1:1/mcp', headers: { Authorization: 'Bearer x' } });
    expect(targetFromOptions({ ...base, sse: 'http://127.0.0.1:1/sse' }, [])).toEqual({ kind: 'sse', url: 'http://127.0.0.1:1/sse' });
  });

  // The mcpServers config formats are covered by test/hosts/config.test.ts (cli/config.ts).

  it('parses revisions', () => {
    expect(parseRevisions('all')).toBe('all');
    expect(parseRevisions('2025-06-18,2025-11-25')).toEqual(['2025-06-18', '2025-11-25']);
    expect(() => parseRevisions('2023-01-01')).toThrow(UsageError);
  });
});
