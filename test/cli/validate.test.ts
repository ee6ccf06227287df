import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../schema/index.ts';

const bin = join(PROJECT_ROOT, 'bin', 'mcp-conform.js');
function run(args: string[], input?: string) {
  return spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', cwd: PROJECT_ROOT });
}

describe('mcp-conform validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-conform-validate-'));

  it('exit 0 for a valid message', () => {
    const r = run(['validate', '-'], '{"jsonrpc":"2.0","id":1,"method":"ping"}');
    expect(r.status).toBe(0);
  });

  it('exit 1 with line and pointer for a wire log with a bad response', () => {
    const log = join(dir, 'wire.jsonl');
    writeFileSync(
      log,
      [
        { dir: 'send', msg: { jsonrpc: '2.0', id: 1, method: 'tools/list' } },
        { dir: 'recv', msg: { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 't', inputSchema: { type: 'array' } }] } } },
        { dir: 'send', msg: { jsonrpc: '2.0', method: 'notifications/initialized' } },
      ].map((e) => JSON.stringify(e)).join('\n'),
    );
    const r = run(['validate', '--revision', '2025-06-18', log]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${log}:2: response tools/list (ListToolsResult): /result/tools/0/inputSchema/type: must be "object"`);
  });

  it('--as validates plain values as a named type', () => {
    expect(run(['validate', '--as', 'Tool', '-'], '{"name":"x","inputSchema":{"type":"object"}}').status).toBe(0);
    const r = run(['validate', '--as', 'Tool', '-'], '{"name":"x"}');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('missing required property "inputSchema"');
  });

  it('exit 2 for usage errors', () => {
    expect(run(['validate', '--revision', '1999-01-01', '-'], '{}').status).toBe(2);
    expect(run(['validate', '--as', 'NoSuchType', '-'], '{}').status).toBe(2);
    expect(run(['validate', join(dir, 'missing.json')]).status).toBe(2);
    expect(run(['--no-such-flag']).status).toBe(2);
  });

  it('--help and --version', () => {
    expect(run(['--help']).stdout).toContain('validate');
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
