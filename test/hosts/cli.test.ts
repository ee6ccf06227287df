// mcp-conform server with host config files and --profile, end to end: the entries of Claude
// Desktop's, Claude Code's project and user files start the right fixture servers (the fixture
// refuses to start without the environment the entry should give it, and the HTTP one without
// the header), --all writes a folder per entry and a summary, and the per-host verdict lines
// reach the terminal and results.json.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttp, type ServedHttp } from '../../mock-server/index.ts';
import { PROJECT_ROOT } from '../../schema/index.ts';
import type { Results } from '../../reports/model.ts';
import { httpFrontEnd } from '../fixtures/servers/host-server.ts';

const root = mkdtempSync(join(tmpdir(), 'mcp-conform-hosts-cli-'));
const RUN_JS = join(PROJECT_ROOT, 'bin/run.js');
const SERVER = join(PROJECT_ROOT, 'test/fixtures/servers/host-server.ts');
const FAST = ['--revision', '2025-11-25', '--only', 'ping/response', '--timeout', '15000'];
let api: ServedHttp;

beforeAll(async () => {
  // Wants `Authorization: Bearer fixture-token`; answers 401 otherwise.
  api = await serveHttp(httpFrontEnd('good', 'oauth-prm'));
});
afterAll(async () => {
  await api.close();
  rmSync(root, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  out: string;
}

function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const out = mkdtempSync(join(root, 'out-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/mcp-conform.js'), 'server', '-o', out, ...args], {
      cwd: opts.cwd ?? PROJECT_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 880_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, out });
    });
  });
}

function results(dir: string): Results {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
}

function write(rel: string, doc: unknown): string {
  const file = join(root, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

/** A stdio entry that starts only when its environment holds `need` (NAME=VALUE). */
function fixtureEntry(variant: string, need: string, env: Record<string, string>, command = process.execPath) {
  return { command, args: [RUN_JS, SERVER, variant, '--require-env', need], env };
}

describe("Claude Desktop's claude_desktop_config.json", () => {
  it('runs the entry as written (no ${VAR} expansion) and ends with a verdict line per host', async () => {
    const file = write('desktop/claude_desktop_config.json', {
      mcpServers: { files: fixtureEntry('good', 'FIXTURE_SECRET=${SECRET}', { FIXTURE_SECRET: '${SECRET}' }), other: { url: 'https://example.com/mcp' } },
    });
    const run = await cli([...FAST, '--config', file, '--name', 'files', '--profile', 'claude-desktop', '--profile', 'messages-api'], { env: { SECRET: 'expanded-would-be-wrong' } });
    expect(run.code, run.stderr).toBe(1); // a MUST of the Messages API profile fails
    const r = results(run.out);
    expect(r.target.transport).toBe('stdio');
    expect(r.checks.find((c) => c.id === 'ping/response')?.verdict).toBe('pass');
    expect(r.hosts).toEqual([
      { host: 'claude-desktop', works: true, summary: 'works with Claude Desktop', failingChecks: [] },
      expect.objectContaining({ host: 'messages-api', works: false, failingChecks: ['hosts/messages-api/remote-transport'] }),
    ]);
    expect(r.hosts?.[1]?.summary).toMatch(/^does not work with the Messages API MCP connector because .*this is a stdio server.*\(hosts\/messages-api\/remote-transport\)$/);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(-2)).toEqual([`✓ works with Claude Desktop`, `✗ ${r.hosts?.[1]?.summary}`]);
  }, 900_000);
});

describe("Claude Code's .mcp.json", () => {
  const env = { NODE_BIN: process.execPath, SECRET: 's3cret', TOKEN: 'fixture-token' };
  const file = () =>
    write('project/.mcp.json', {
      mcpServers: {
        local: { type: 'stdio', command: '${NODE_BIN}', args: [RUN_JS, SERVER, '${VARIANT:-good}', '--require-env', 'FIXTURE_SECRET=s3cret'], env: { FIXTURE_SECRET: '${SECRET}' } },
        api: { type: 'http', url: `http://127.0.0.1:\${PORT:-${api.port}}/mcp`, headers: { Authorization: 'Bearer ${TOKEN}' } },
        broken: { type: 'stdio', command: 'node', args: ['${NOT_SET_ANYWHERE}'] },
      },
    });

  it('expands ${VAR} in command, args and env of a stdio entry', async () => {
    const run = await cli([...FAST, '--config', file(), '--name', 'local', '--profile', 'claude-code'], { env });
    expect(run.code, run.stderr).toBe(0);
    const r = results(run.out);
    expect(r.target.description).toContain(`${process.execPath} ${RUN_JS} ${SERVER} good --require-env FIXTURE_SECRET=s3cret`);
    expect(r.hosts).toEqual([{ host: 'claude-code', works: true, summary: 'works with Claude Code', failingChecks: [] }]);
  }, 900_000);

  it('expands ${VAR} in url and headers of an http entry, and sends the headers', async () => {
    const run = await cli([...FAST, '--config', file(), '--name', 'api'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(results(run.out).target).toMatchObject({ transport: 'http', description: expect.stringContaining(`http://127.0.0.1:${api.port}/mcp`) });
    const refused = await cli([...FAST, '--config', file(), '--name', 'api'], { env: { ...env, TOKEN: 'wrong' } });
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/401/);
  }, 900_000);

  it('a variable that is not set is a usage error naming file, entry and field', async () => {
    const run = await cli([...FAST, '--config', file(), '--name', 'broken'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(join(root, 'project/.mcp.json'));
    expect(run.stderr).toMatch(/server "broken" \(mcpServers\.broken\), field "args\[0\]": environment variable NOT_SET_ANYWHERE is not set/);
    expect(existsSync(join(run.out, 'results.json'))).toBe(false);
  }, 60_000);

  it('an unknown --profile is a usage error', async () => {
    const run = await cli([...FAST, '--config', file(), '--name', 'local', '--profile', 'claude-mobile'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown --profile "claude-mobile" \(known: claude-desktop, claude-code, claude-ai, messages-api\)/);
  }, 60_000);
});

describe("Claude Code's ~/.claude.json with several scopes", () => {
  const project = join(root, 'work', 'app');
  const other = join(root, 'work', 'other');
  const home = (servers: Record<string, unknown>, locals: Record<string, Record<string, unknown>>) => {
    mkdirSync(project, { recursive: true });
    mkdirSync(other, { recursive: true });
    write('work/app/.mcp.json', { mcpServers: { shared: fixtureEntry('good', 'WHICH=project', { WHICH: 'project' }) } });
    return write('home/.claude.json', { numStartups: 12, mcpServers: servers, projects: Object.fromEntries(Object.entries(locals).map(([p, s]) => [p, { allowedTools: [], mcpServers: s }])) });
  };

  it('picks the local entry over project and user, as Claude Code does; --scope picks another', async () => {
    const file = home({ shared: fixtureEntry('good', 'WHICH=user', { WHICH: 'user' }) }, { [project]: { shared: fixtureEntry('good', 'WHICH=local', { WHICH: 'local' }) } });
    const [local, user] = await Promise.all([cli([...FAST, '--config', file, '--name', 'shared'], { cwd: project }), cli([...FAST, '--config', file, '--name', 'shared', '--scope', 'user'], { cwd: project })]);
    for (const run of [local, user]) expect(run.code, run.stderr).toBe(0);
    expect(local.stderr).toMatch(/"shared" is in several scopes .*testing the local one/);
    expect(results(local.out).target.description).toContain('WHICH=local');
    expect(results(user.out).target.description).toContain('WHICH=user');
  }, 900_000);

  it('--all tests every entry in its own folder, writes summary.json, and prints a combined summary', async () => {
    const file = home(
      {
        remote: { type: 'http', url: `http://127.0.0.1:${api.port}/mcp`, headers: { Authorization: 'Bearer ${TOKEN:-fixture-token}' } },
      },
      { [project]: { big: fixtureEntry('big-result', 'WHICH=local', { WHICH: 'local' }) }, [other]: { elsewhere: fixtureEntry('good', 'WHICH=other', { WHICH: 'other' }) } },
    );
    const run = await cli([...FAST, '--config', file, '--all', '--profile', 'claude-code'], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
    for (const name of ['remote', 'big', 'elsewhere']) expect(existsSync(join(run.out, name, 'results.json')), name).toBe(true);
    expect(results(join(run.out, 'big')).hosts).toEqual([{ host: 'claude-code', works: true, summary: 'works with Claude Code (warnings: hosts/claude-code/tool-output-size)', failingChecks: [] }]);
    const summary = JSON.parse(readFileSync(join(run.out, 'summary.json'), 'utf8')) as { exitCode: number; entries: { name: string; scope: string; exitCode: number; hosts: unknown[] }[] };
    expect(summary.exitCode).toBe(0);
    expect(summary.entries.map((e) => `${e.scope}:${e.name}:${e.exitCode}`)).toEqual(['user:remote:0', 'local:big:0', 'local:elsewhere:0']);
    expect(run.stdout).toMatch(/3 of 3 server\(s\) of .*\.claude\.json:/);
    expect(run.stdout).toMatch(/✓ big \(local\): .*passed.*\n {4}✓ works with Claude Code \(warnings: hosts\/claude-code\/tool-output-size\)/);
  }, 900_000);
});
