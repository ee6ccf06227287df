// Starts one of the real peers the example matrix tests, from the caches the integration tests
// install them into (pinned versions, installed once on first use; see test/integration/):
//
//   node bin/run.js examples/matrix/peer.ts claude-code     `claude mcp serve`, with HOME in a temporary folder
//   node bin/run.js examples/matrix/peer.ts fastmcp         a fastmcp (TypeScript framework) server over stdio
//   node bin/run.js examples/matrix/peer.ts tmcp            a tmcp server over stdio
//
// The peer inherits our stdin/stdout (the MCP stream) and stderr; we exit with it. A SIGTERM is
// passed on (mcp-conform ends the whole process tree anyway).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureClaudeCode, isolatedEnv } from '../../test/integration/claude-code.ts';
import { ensurePeers } from '../../test/integration/peers/install.ts';

const which = process.argv[2];
const log = (line: string) => process.stderr.write(`${line}\n`);
let command: string;
let args: string[];
let env: NodeJS.ProcessEnv = process.env;
let cwd = process.cwd();
if (which === 'claude-code') {
  command = ensureClaudeCode(log);
  args = ['mcp', 'serve'];
  // Never the user's configuration: a fresh home and an empty project folder.
  env = isolatedEnv(mkdtempSync(join(tmpdir(), 'mcp-conform-claude-home-')));
  cwd = mkdtempSync(join(tmpdir(), 'mcp-conform-claude-project-'));
} else if (which === 'fastmcp' || which === 'tmcp') {
  const dir = ensurePeers(log);
  command = process.execPath;
  args = [join(dir, 'scripts', `${which}-server.mjs`)];
} else {
  log('usage: node bin/run.js examples/matrix/peer.ts claude-code|fastmcp|tmcp');
  process.exit(2);
}
const child = spawn(command, args, { stdio: 'inherit', env, cwd });
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
child.on('error', (err) => {
  log(`cannot start ${command}: ${err.message}`);
  process.exit(1);
});
