// Runs `mcp-conform server` as a child process, the way users do, and reads what it left behind.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validateResults, type Results } from '../../reports/index.ts';
import { groupGone } from '../helpers/processes.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const FIXTURE = ['node', join(ROOT, 'bin/run.js'), join(ROOT, 'test/fixtures/servers/fixture-server.ts')];

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  out: string;
  pidDir: string;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mcp-conform-${prefix}-`));
}

/**
 * `mcp-conform server <args>` with --out set to a fresh folder; the fixture (when used) records
 * its pids in pidDir. `onStdout` may act on output (e.g. send SIGINT).
 */
export function runCli(args: string[], opts: { timeoutMs?: number; onStdout?: (text: string, kill: (sig: NodeJS.Signals) => void) => void } = {}): Promise<CliRun> {
  const out = tempDir('out');
  const pidDir = tempDir('pids');
  const t0 = Date.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/mcp-conform.js'), 'server', '--out', out, ...args], {
      cwd: ROOT,
      env: { ...process.env, MCP_CONFORM_FIXTURE_PIDS: pidDir, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const kill = (sig: NodeJS.Signals) => child.kill(sig);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      opts.onStdout?.(stdout, kill);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-conform did not end within ${opts.timeoutMs ?? 120_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    // 'close', not 'exit': the last output (the summary) may still be in the pipe when the process exits.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr, ms: Date.now() - t0, out, pidDir });
    });
  });
}

export function readResults(run: CliRun): Results {
  const file = join(run.out, 'results.json');
  if (!existsSync(file)) throw new Error(`no results.json\n${run.stdout}\n${run.stderr}`);
  const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
  const v = validateResults(results);
  if (!v.valid) throw new Error(`results.json does not match its schema: ${JSON.stringify(v.errors).slice(0, 500)}`);
  return results;
}

/** Pids the fixture recorded, and whether every one's process group is gone. */
export async function leftovers(run: CliRun): Promise<{ started: number; alive: number[] }> {
  const pids = readdirSync(run.pidDir).map(Number).filter((n) => n > 0);
  const alive: number[] = [];
  for (const pid of pids) if (!(await groupGone(pid, 3_000))) alive.push(pid);
  return { started: pids.length, alive };
}
