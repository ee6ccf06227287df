// The real peers of `npm run test:peers`, pinned, installed on demand with one `npm install` into
// `${XDG_CACHE_HOME:-~/.cache}/mcp-conform/peers-<hash of the pins>` (survives npm ci; never a
// dependency of this package). Our small server and client scripts (test/integration/peers/*.mjs)
// are copied next to that node_modules so their bare imports resolve to the pinned packages.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every package installed, at the exact version the judged expectations were recorded with. */
export const PINNED: Readonly<Record<string, string>> = {
  // servers
  '@modelcontextprotocol/server-filesystem': '2026.8.31',
  '@modelcontextprotocol/server-memory': '2026.8.31',
  fastmcp: '4.20.16',
  tmcp: '1.20.0',
  '@tmcp/adapter-valibot': '0.1.6',
  '@tmcp/transport-stdio': '0.5.0',
  '@tmcp/transport-http': '0.9.0',
  valibot: '1.5.0',
  'kubernetes-mcp-server': '0.0.67',
  supergateway: '4.0.0',
  // clients
  '@modelcontextprotocol/inspector': '1.0.3',
  // The inspector needs Node >= 22.7.5 (engines): it runs on this Node 22 from the npm registry.
  node: '22.23.3',
  '@langchain/mcp-adapters': '1.1.4',
  '@langchain/core': '1.4.0',
  '@langchain/langgraph': '1.7.3',
};

const SCRIPTS = dirname(fileURLToPath(import.meta.url));

export function pinsHash(): string {
  const text = Object.entries(PINNED).sort(([a], [b]) => a.localeCompare(b)).map(([n, v]) => `${n}@${v}`).join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** `$MCP_CONFORM_PEERS_DIR`, else `${XDG_CACHE_HOME:-~/.cache}/mcp-conform/peers-<hash>`. */
export function peersDir(): string {
  if (process.env.MCP_CONFORM_PEERS_DIR) return process.env.MCP_CONFORM_PEERS_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'mcp-conform', `peers-${pinsHash()}`);
}

function installedVersion(dir: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The cache folder with every pinned peer installed (installing first if needed) and our scripts copied in. */
export function ensurePeers(log: (line: string) => void = () => {}): string {
  const dir = peersDir();
  const missing = Object.entries(PINNED).filter(([n, v]) => installedVersion(dir, n) !== v);
  if (missing.length) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'mcp-conform-peers-cache', private: true, type: 'module' }, null, 2)}\n`);
    log(`installing ${Object.keys(PINNED).length} pinned peers into ${dir} (once)`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const specs = Object.entries(PINNED).map(([n, v]) => `${n}@${v}`);
    const r = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--save-exact', '--loglevel=error', ...specs], { cwd: dir, encoding: 'utf8', timeout: 15 * 60_000 });
    if (r.status !== 0) throw new Error(`npm install of the pinned peers failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || r.stdout).slice(-2000)}`);
    const still = Object.entries(PINNED).filter(([n, v]) => installedVersion(dir, n) !== v);
    if (still.length) throw new Error(`after npm install, not at the pinned version: ${still.map(([n, v]) => `${n}@${v} (found ${installedVersion(dir, n) ?? 'none'})`).join(', ')}`);
  }
  // Always refreshed: the scripts are ours and change with the repo.
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  for (const f of readdirSync(SCRIPTS).filter((x) => x.endsWith('.mjs'))) copyFileSync(join(SCRIPTS, f), join(dir, 'scripts', f));
  return dir;
}

/** Path of a package's file inside the cache folder. */
export function peerFile(dir: string, ...parts: string[]): string {
  const p = join(dir, 'node_modules', ...parts);
  if (!existsSync(p)) throw new Error(`${p} is missing from the peers cache`);
  return p;
}
