// Nothing left behind (issue 13): the target is wrapped the way npx or a shell script can wrap it,
// leaving a child that ignores SIGTERM — or, in the second variant, a grandchild that moved to a
// session and process group of its own and was reparented when its parent exited at once. The
// 'both' target nests the two wrappers (the child one outermost, as the CLI's direct child), so
// one run proves both kinds are ended. After a full run, after Ctrl-C (SIGINT to the CLI mid-run),
// after a client run and after fuzzing, no process of the CLI's tree is alive. The CLI is started with TREE_KEY=<id> in its environment:
// every process below it inherits that, whatever its group, session or parent, so /proc tells
// what is left of the tree (the CLI's vitest workers included).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { markedProcesses } from '../../mock-server/index.ts';
import { validateResults, type Results } from '../../reports/index.ts';
import { transpiled } from '../helpers/transpile.ts';
import { FIXTURE, ROOT } from './server-helpers.ts';

const WRAPPER = join(ROOT, 'test/fixtures/processes/stubborn-wrapper.mjs');
const TREE_KEY = 'MCP_CONFORM_TEST_TREE';
const trees: string[] = [];
const dirs: string[] = [];

type Variant = 'child' | 'setsid' | 'both';
const wrap = (variant: Variant, command: string[]): string[] =>
  variant === 'both' ? wrap('child', wrap('setsid', command)) : [process.execPath, WRAPPER, ...(variant === 'setsid' ? ['--setsid'] : []), '--', ...command];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  tree: string;
  /** Pids of the stubborn processes the wrappers started. */
  stubborn: () => number[];
  /** Their kinds (child, setsid), as each wrote in its pid file. */
  kinds: () => Set<string>;
}

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `mcp-conform-${prefix}-`));
  dirs.push(d);
  return d;
}

/** `mcp-conform <args>` as a process; `onOutput` sees stdout+stderr so far and may signal the CLI. */
function cli(args: string[], opts: { timeoutMs?: number; onOutput?: (text: string, kill: (sig: NodeJS.Signals) => void) => void; whenStubborn?: (cliPid: number, kill: (sig: NodeJS.Signals) => void, stubborn: () => number) => void } = {}): Promise<Run> {
  const tree = randomUUID();
  trees.push(tree);
  const pids = tempDir('stubborn');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/mcp-conform.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, [TREE_KEY]: tree, STUBBORN_PIDS: pids, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const kill = (sig: NodeJS.Signals) => child.kill(sig);
    const seen = () => opts.onOutput?.(`${stdout}${stderr}`, kill);
    child.stdout.setEncoding('utf8').on('data', (d: string) => ((stdout += d), seen()));
    child.stderr.setEncoding('utf8').on('data', (d: string) => ((stderr += d), seen()));
    // Acts once a stubborn process is running (the target is up, mid-run).
    const poll = opts.whenStubborn
      ? setInterval(() => {
          if (readdirSync(pids).length === 0) return;
          clearInterval(poll);
          setTimeout(() => opts.whenStubborn?.(child.pid!, kill, () => readdirSync(pids).length), 500);
        }, 100)
      : undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-conform ${args[0]} did not end within ${opts.timeoutMs ?? 120_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ code, stdout, stderr, tree, stubborn: () => readdirSync(pids).map(Number), kinds: () => new Set(readdirSync(pids).map((f) => readFileSync(join(pids, f), 'utf8'))) });
    });
  });
}

/** What is left of the run's tree (polled briefly: SIGKILL is delivered asynchronously). */
async function leftBehind(run: Run): Promise<number[]> {
  const until = Date.now() + 3_000;
  for (;;) {
    const left = markedProcesses(run.tree, TREE_KEY);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function expectNothingLeft(run: Run, variant: Variant): Promise<void> {
  // The stubborn processes did start, of every kind the target makes (else the run proves
  // nothing), and none survived.
  expect(run.stubborn().length, `${run.stdout}\n${run.stderr}`).toBeGreaterThan(0);
  expect([...run.kinds()].sort(), `${run.stdout}\n${run.stderr}`).toEqual(variant === 'both' ? ['child', 'setsid'] : [variant]);
  expect(await leftBehind(run), `${run.stdout}\n${run.stderr}`).toEqual([]);
}

afterAll(() => {
  // Whatever a failing test left: not ours to leave running.
  for (const tree of trees) {
    for (const pid of markedProcesses(tree, TREE_KEY)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const server = (variant: Variant, extra: string[], out = tempDir('out')) => ['server', '--out', out, ...extra, '--stdio', '--', ...wrap(variant, FIXTURE)];

describe('mcp-conform server with a wrapped stdio server that leaves a SIGTERM-ignoring process', () => {
  it('after a full run: nothing of the tree is alive (a child; a grandchild in its own session)', async () => {
    const run = await cli(server('both', ['--revision', '2025-11-25', '--only', 'lifecycle/initialize-result,lifecycle/server-info,ping']), { timeoutMs: 150_000 });
    expect([0, 1], run.stderr).toContain(run.code);
    expect(run.stdout).toMatch(/✓/);
    await expectNothingLeft(run, 'both');
  }, 180_000);

  // Also the Ctrl-C case of server-robustness.test.ts (results.json written, --revision all probed).
  it('after Ctrl-C mid-run: exit 130, results.json written, and nothing of the tree is alive', async () => {
    let sent = false;
    const out = tempDir('out');
    const run = await cli(server('both', ['--revision', 'all', '--only', 'lifecycle,ping'], out), {
      timeoutMs: 150_000,
      onOutput: (text, kill) => {
        if (!sent && (text.match(/✓/g)?.length ?? 0) >= 2) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    await expectNothingLeft(run, 'both');
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(validateResults(results).errors).toEqual([]);
    // --revision all: every revision the fixture speaks (the probe asks each; 2026-07-28 through server/discover).
    expect(results.revisions).toEqual(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28']);
    expect(results.errors.join()).toMatch(/interrupted/);
    expect(results.checks.some((c) => c.verdict === 'pass')).toBe(true);
    expect(results.checks.some((c) => /interrupted/.test(c.message))).toBe(true);
  }, 180_000);
});

/** The CLI's vitest workers (its children running vitest's fork worker). */
function workersOf(cliPid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== cliPid) continue;
      if (/vitest/.test(readFileSync(`/proc/${name}/cmdline`, 'latin1'))) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

describe('mcp-conform server whose check worker is killed mid-run', () => {
  it('the servers the dead worker started are ended when the run ends', async () => {
    let killed: number[] = [];
    const run = await cli(server('setsid', ['--revision', '2025-11-25', '--only', 'lifecycle,ping']), {
      timeoutMs: 150_000,
      // The first stubborn process is the probe's (in the CLI itself): wait for the workers, and
      // for a server one of them started, then kill the workers.
      whenStubborn: (cliPid, _kill, stubborn) => {
        let before: number | undefined;
        const poll = setInterval(() => {
          const workers = workersOf(cliPid);
          if (workers.length === 0) return;
          before ??= stubborn();
          if (stubborn() <= before) return;
          clearInterval(poll);
          killed = workers;
          for (const pid of killed) process.kill(pid, 'SIGKILL');
        }, 100);
        setTimeout(() => clearInterval(poll), 120_000).unref();
      },
    });
    expect(killed.length, `${run.stdout}\n${run.stderr}`).toBeGreaterThan(0);
    await expectNothingLeft(run, 'setsid');
  }, 180_000);
});

describe('mcp-conform client, mock --client and fuzz with wrapped targets', () => {
  it('client run: the client command leaves a stubborn process; nothing of the tree is alive after the run', async () => {
    const client = [process.execPath, transpiled('test/fixtures/clients/fixture-client.ts')];
    const run = await cli(['client', '--out', tempDir('out'), '--revision', '2025-11-25', '--scenario', 'initialize', '--timeout', '30000', '--', ...wrap('both', client)], { timeoutMs: 240_000 });
    expect([0, 1], run.stderr).toContain(run.code);
    await expectNothingLeft(run, 'both');
  }, 270_000);

  it('mock --client: the scripted client against a wrapped server (itself mcp-conform) leaves nothing', async () => {
    const readme = join(ROOT, 'test/fixtures/readme');
    const target = [process.execPath, join(ROOT, 'bin/mcp-conform.js'), 'mock', '--script', join(readme, 'weather.mock.yaml'), '--stdio'];
    const run = await cli(['mock', '--client', '--timeout', '60000', '--script', join(readme, 'weather.client.yaml'), '--', ...wrap('setsid', target)], { timeoutMs: 150_000 });
    expect(run.stdout, run.stderr).toContain('PASS: 6/6 steps met');
    expect(run.code).toBe(0);
    await expectNothingLeft(run, 'setsid');
  }, 180_000);

  it('fuzz: after the time budget and after Ctrl-C, nothing of the tree is alive', async () => {
    const fuzz = (extra: string[]) => ['fuzz', '--seed', '1', '--timeout', '2000', '--no-model', '--oracles', 'stays-alive', '-o', tempDir('fuzz'), ...extra, '--', ...wrap('setsid', FIXTURE)];
    const runs = await Promise.all([
      cli(fuzz(['--runs', '5', '--time-budget', '8000']), { timeoutMs: 120_000 }),
      cli(fuzz(['--runs', '1000', '--time-budget', '60000']), { timeoutMs: 120_000, whenStubborn: (_pid, kill) => kill('SIGINT') }),
    ]);
    expect(runs[0]!.code, runs[0]!.stderr).not.toBe(2);
    expect(runs[1]!.code).not.toBe(0);
    for (const run of runs) await expectNothingLeft(run, 'setsid');
  }, 150_000);
});
