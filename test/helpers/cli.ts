// `mcp-conform <args>` from the checkout, as a user runs it: exit code, output and wall time.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './transpile.ts';

/** Runs the CLI (with `env` in place of this process's, when given); resolves with its exit code and output. */
export function cli(args: string[], timeoutMs = 120_000, env?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/mcp-conform.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // 'close', not 'exit': the last output may still be in the pipe when the process exits.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}
