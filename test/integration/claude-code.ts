// Claude Code as a real peer: installs the pinned @anthropic-ai/claude-code on demand into a
// cache folder (never a dependency of this package: it is ~400 MB), and runs it with HOME in a
// temporary folder so a user's real configuration is never read or written.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The version the integration results below were judged against. */
export const CLAUDE_CODE_VERSION = '2.1.332';

/** `$MCP_CONFORM_CLAUDE_CODE_DIR`, else `${XDG_CACHE_HOME:-~/.cache}/mcp-conform/claude-code-<version>` (survives npm ci). */
export function cacheDir(): string {
  if (process.env.MCP_CONFORM_CLAUDE_CODE_DIR) return process.env.MCP_CONFORM_CLAUDE_CODE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'mcp-conform', `claude-code-${CLAUDE_CODE_VERSION}`);
}

/** The native binary of the platform package (the wrapper's bin is a copy of it once installed). */
function binaryIn(dir: string): string | undefined {
  const musl = process.platform === 'linux' && !(process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
  const platform = `${process.platform}-${process.arch}${musl ? '-musl' : ''}`;
  const exe = process.platform === 'win32' ? 'claude.exe' : 'claude';
  for (const p of [join(dir, 'node_modules', '@anthropic-ai', `claude-code-${platform}`, exe), join(dir, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', exe === 'claude' ? 'claude.exe' : exe)]) {
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Path of the `claude` binary, installing the pinned version first when it is not there. */
export function ensureClaudeCode(log: (line: string) => void = () => {}): string {
  const dir = cacheDir();
  const found = binaryIn(dir);
  if (found && versionOf(found) === CLAUDE_CODE_VERSION) return found;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'mcp-conform-claude-code-cache', private: true }, null, 2)}\n`);
  log(`installing @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} into ${dir} (once; about 400 MB)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--save-exact', '--loglevel=error', `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`], { cwd: dir, encoding: 'utf8', timeout: 15 * 60_000 });
  if (r.status !== 0) throw new Error(`npm install of @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || r.stdout).slice(-2000)}`);
  const bin = binaryIn(dir);
  if (!bin) throw new Error(`@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} installed in ${dir}, but no binary for ${process.platform}-${process.arch} is in it`);
  return bin;
}

function versionOf(bin: string): string | undefined {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 60_000, env: isolatedEnv(mkdtempSync(join(tmpdir(), 'claude-home-'))) });
  return /^(\d+\.\d+\.\d+)/.exec(r.stdout.trim())?.[1];
}

/**
 * The environment Claude Code runs in: HOME (and XDG/config folders) in `home`, no API key, no
 * telemetry, no auto-update; PATH and the like are kept so stdio servers can start.
 */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const keep = ['PATH', 'LANG', 'TERM', 'TMPDIR', 'SystemRoot', 'ComSpec', 'PATHEXT'];
  const env: Record<string, string> = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k] as string;
  return {
    ...env,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    NO_COLOR: '1',
    ...extra,
  };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `claude ARGS` in `cwd` with the isolated environment; killed after `timeoutMs`. */
export function runClaude(bin: string, args: string[], opts: { home: string; cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: isolatedEnv(opts.home, opts.env), stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = () => {
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(kill, opts.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      kill(); // the servers it started, should any outlive it
      resolve({ code, stdout, stderr });
    });
  });
}
