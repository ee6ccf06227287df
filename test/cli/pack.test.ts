// The npm package as a new user gets it: `npm pack`, install the tarball into an empty project
// under the temp dir (no ../shared beside it, MCP_SPEC_DIR unset), and run the installed command.
// One pack + install is shared by every case; the missing-schema case runs last (it moves the
// bundled schemas aside). Each CLI start is a few seconds on a busy machine: the timeouts are
// generous, and bounded.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, REVISIONS, revisionInfo } from '../../schema/index.ts';
import type { Results } from '../../reports/index.ts';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command in its own process group; the whole group is killed at the timeout. */
function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs: number }): Promise<Ran> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
      reject(new Error(`${cmd} ${args.join(' ')} did not end within ${opts.timeoutMs} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'mcp-conform-pack-'));
const project = join(dir, 'project');
const installed = join(project, 'node_modules', 'mcp-conform');
/** The user's environment: nothing points at a spec folder or another cache. */
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
delete env.MCP_SPEC_DIR;
delete env.MCP_CONFORM_CACHE_DIR;
delete env.MCP_CONFORM_OFFLINE;
let tarball = '';
let entries: string[] = [];

const npx = (args: string[], extra: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}) =>
  run('npx', ['--no-install', 'mcp-conform', ...args], { cwd: project, env: extra.env ?? env, timeoutMs: extra.timeoutMs ?? 60_000, ...(extra.input !== undefined ? { input: extra.input } : {}) });

beforeAll(async () => {
  // prepack bundles the schemas and compiles to JavaScript in the checkout; postpack removes both.
  // npm test type-checks before the tests, so the pack skips tsc's check and only emits.
  const packed = await run('npm', ['pack', '--pack-destination', dir], { cwd: PROJECT_ROOT, env: { ...process.env, MCP_CONFORM_PACK_NO_CHECK: '1' }, timeoutMs: 420_000 });
  expect(packed.code, packed.stderr).toBe(0);
  tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')) as string);
  entries = (await run('tar', ['-tzf', tarball], { cwd: dir, timeoutMs: 30_000 })).stdout.split('\n').filter(Boolean);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pack-test-project', private: true, type: 'module' }));
  // Only the npm registry is reachable; the npm cache usually answers everything.
  const inst = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project, env, timeoutMs: 300_000 });
  expect(inst.code, inst.stderr).toBe(0);
}, 780_000);

// The temp project holds a whole node_modules: removing it takes a while on a busy machine.
afterAll(() => rm(dir, { recursive: true, force: true }), 120_000);

describe('the npm package, installed from its tarball', () => {
  it('holds the runtime only: compiled JavaScript, no TypeScript, no tests or benchmarks, and the pinned schemas', () => {
    const files = entries.map((e) => e.replace(/^package\//, ''));
    expect(files).toContain('bin/mcp-conform.js');
    expect(files).toContain('cli/main.js');
    expect(files).toContain('mock-server/reference/stdio.js');
    expect(files).toContain('suites/server/tools.js');
    // Validators ship precompiled (schema/build.ts at prepack): no ajv compiling at run time.
    for (const rev of REVISIONS) expect(files).toContain(`schema/generated/validators/${rev}.cjs`);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('bench/'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(files).not.toContain('bin/run.js'); // the tsx launcher is for the checkout only
    // The bundled copies are the upstream files byte for byte: the manifest's pin proves them.
    for (const rev of REVISIONS) {
      const data = readFileSync(join(installed, 'schema', 'bundled', rev, 'schema.json'));
      expect(createHash('sha256').update(data).digest('hex'), rev).toBe(revisionInfo(rev).sha256);
    }
    expect(existsSync(join(PROJECT_ROOT, 'schema', 'bundled')), 'postpack removes the bundled copy from the checkout').toBe(false);
    expect(existsSync(join(PROJECT_ROOT, 'cli', 'main.js')), 'postpack removes the compiled JavaScript from the checkout').toBe(false);
  });

  it('--help and --version', async () => {
    const help = await npx(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('validate');
    const version = await npx(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).version);
  }, 150_000);

  // Also the checkout's `--reference` proof at 2025-11-25 (server.test.ts runs the sources at
  // 2026-07-28 only): every check passes or does not apply, as there.
  it('server --reference --revision 2025-11-25: runs the compiled suites against the compiled reference server, offline; it passes every check it applies to', async () => {
    const out = join(dir, 'out-reference');
    // A generous --timeout: the machine may be busy, and this run proves the packaging, not the speed.
    const r = await npx(['server', '--reference', '--revision', '2025-11-25', '--timeout', '15000', '--out', out], { timeoutMs: 420_000 });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.revisions).toEqual(['2025-11-25']);
    expect(results.counts.passed).toBeGreaterThan(50);
    expect(results.counts.failed).toBe(0);
    expect(results.errors).toEqual([]);
    // A check whose server did not answer in time on a busy machine is not verified (a timeout is no
    // verdict); a few may be, nothing else may be short of pass or not applicable.
    const timedOut = (c: { verdict: string; message: string }) => c.verdict === 'not-verified' && /no answer within \d+ ms|finished too fast/.test(c.message);
    const bad = results.checks.filter((c) => !['pass', 'not-applicable'].includes(c.verdict) && !timedOut(c)).map((c) => `${c.verdict} ${c.id}@${c.revision}: ${c.message}`);
    expect(bad).toEqual([]);
    expect(results.checks.filter(timedOut).length).toBeLessThanOrEqual(3);
    // Nothing was written into the installed package: the bundled copy is read where it is.
    expect(existsSync(join(installed, 'schema', '.cache'))).toBe(false);
  }, 450_000);

  it('validate: a message on stdin and a JSONL wire log', async () => {
    const ok = await npx(['validate', '-'], { input: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    expect(ok.code, ok.stderr).toBe(0);
    const log = join(dir, 'wire.jsonl');
    const wireLog = [
      { dir: 'send', msg: { jsonrpc: '2.0', id: 1, method: 'ping' } },
      { dir: 'recv', msg: { jsonrpc: '2.0', id: 1, result: {} } },
    ];
    writeFileSync(log, wireLog.map((e) => JSON.stringify(e)).join('\n'));
    const bad = await npx(['validate', '--revision', '2024-11-05', '--as', 'ListToolsResult', '-'], { input: '{"tools":[{"name":"t"}]}' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('inputSchema');
    const wire = await npx(['validate', '--revision', '2025-11-25', log]);
    expect(wire.code, wire.stderr).toBe(0);
  }, 200_000);

  it('a TypeScript mock script importing mcp-conform/mock-server/index.ts (as the README shows) serves', async () => {
    writeFileSync(
      join(project, 'hello.mock.ts'),
      "import { defineServer, tool } from 'mcp-conform/mock-server/index.ts';\n" +
        "export default defineServer({ serverInfo: { name: 'hello', version: '1.0.0' } }, tool('hello', (): string => 'hi'));\n",
    );
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
    const r = await npx(['mock', '--script', 'hello.mock.ts', '--stdio'], { input: `${JSON.stringify(init)}\n` });
    expect(r.stdout, r.stderr).toContain('"name":"hello"');
  }, 90_000);

  it('a missing schema (MCP_SPEC_DIR empty, the bundled copy gone) is one line and exit 2, never a stack trace', async () => {
    const empty = join(dir, 'empty-spec');
    mkdirSync(empty);
    renameSync(join(installed, 'schema', 'bundled'), join(dir, 'bundled-aside'));
    const broken = { ...env, MCP_SPEC_DIR: empty };
    const server = await npx(['server', '--reference', '--revision', '2025-11-25', '--out', join(dir, 'out-missing')], { env: broken });
    expect(server.code).toBe(2);
    const lines = server.stderr.trim().split('\n');
    expect(lines, server.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^mcp-conform: the official MCP schema for 2025-11-25 is missing .*MCP_SPEC_DIR.*mcp-conform sync/);
    expect(server.stderr).not.toMatch(/\n\s+at /);
    const validate = await npx(['validate', '-'], { env: broken, input: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    expect(validate.code).toBe(2);
    expect(validate.stderr.trim().split('\n')).toHaveLength(1);
  }, 150_000);
});
