import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, type Revision } from '../../schema/index.ts';
import { readEntries, validateEntries } from '../../cli/validate.ts';

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

  // In-process (validateEntries is what the command runs): spawning the CLI per case is slow on a busy machine.
  const check = (rev: Revision, text: string, as?: string) => validateEntries(rev, readEntries(text), as);
  const messages = (r: ReturnType<typeof check>, which: 'invalid' | 'warnings' = 'invalid') => r[which].flatMap((b) => b.violations.map((v) => `${b.line}: ${b.summary}: ${v.pointer || '/'}: ${v.message}`));

  it('a method the revision does not define is not a message of that revision', () => {
    expect(messages(check('2026-07-28', '{"jsonrpc":"2.0","id":1,"method":"ping"}'))).toEqual(['1: request ping: /method: "ping" is not a method of revision 2026-07-28: not a request of that revision']);
    expect(messages(check('2025-11-25', '{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{}}'))).toEqual(['1: request server/discover: /method: "server/discover" is not a method of revision 2025-11-25: not a request of that revision']);
    expect(messages(check('2025-11-25', '{"jsonrpc":"2.0","method":"notifications/x"}'))[0]).toContain('not a notification of that revision');
    expect(check('2025-11-25', '{"jsonrpc":"2.0","id":1,"method":"ping"}').invalid).toEqual([]);
  });

  it('--as a JSON-RPC response type still enforces the JSON-RPC response rules', () => {
    const both = '{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":-32603,"message":"x"}}';
    const cases: [Revision, string][] = [['2025-11-25', 'JSONRPCResultResponse'], ['2025-11-25', 'JSONRPCResponse'], ['2025-06-18', 'JSONRPCResponse'], ['2025-06-18', 'JSONRPCError'], ['2026-07-28', 'JSONRPCErrorResponse']];
    for (const [rev, type] of cases) {
      expect(messages(check(rev, both, type)), `${rev} ${type}`).toContain(`1: ${type}: /: a response must not carry both result and error`);
    }
    expect(messages(check('2025-11-25', '{"jsonrpc":"2.0","id":1}', 'JSONRPCResponse'))).toContain('1: JSONRPCResponse: /: neither a request/notification (method) nor a response (result or error)');
    expect(check('2025-11-25', '{"jsonrpc":"2.0","id":1,"result":{}}', 'JSONRPCResultResponse').invalid).toEqual([]);
    // Not a response type: the value is only checked against the type.
    expect(check('2025-11-25', '{"error":1}', 'Result').invalid).toEqual([]);
  });

  it('an error response without id: invalid where the schema requires id, a SHOULD warning where it is optional', () => {
    const noId = '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}}';
    for (const rev of ['2024-11-05', '2025-03-26', '2025-06-18'] as const) {
      expect(messages(check(rev, noId)), rev).toEqual(['1: error (JSONRPCError): /: missing required property "id"']);
    }
    for (const rev of ['2025-11-25', '2026-07-28'] as const) {
      const r = check(rev, noId);
      expect(r.invalid, rev).toEqual([]);
      expect(messages(r, 'warnings')[0]).toContain('1: error (JSONRPCErrorResponse): /: an error response without "id": JSON-RPC 2.0 (section 5) requires "id": null');
    }
    expect(check('2025-06-18', noId.replace('{', '{"id":null,'))).toMatchObject({ invalid: [], warnings: [] });
  });

  it('prints SHOULD-level findings as warnings and exits 0 for them', () => {
    const r = run(['validate', '--revision', '2025-11-25', '-'], '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}}');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('-:1: warning (SHOULD): error (JSONRPCErrorResponse): /: an error response without "id"');
    expect(r.stderr).toContain('1 message(s) checked against 2025-11-25: all valid, 1 with SHOULD-level findings');
  }, 120_000);

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
