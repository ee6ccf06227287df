// `mcp-conform mock --reference --http --auth`: the reference server as a protected resource with
// the mock authorization server beside it, as a user runs it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { ROOT } from '../helpers/transpile.ts';

const CLI = join(ROOT, 'bin/mcp-conform.js');
const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('mcp-conform mock --auth', () => {
  it('serves the reference server as a protected resource and prints the MCP URL and the issuer', async () => {
    // The README's example config, verbatim.
    const cfg = join(ROOT, 'test/fixtures/readme/auth.yaml');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(readFileSync(cfg, 'utf8'));
    const child = spawn(process.execPath, [CLI, 'mock', '--reference', '--http', '--auth', '--auth-config', cfg], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.push(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [url, issuer] = await new Promise<string[]>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URLs printed; stderr: ${stderr}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const lines = out.split('\n').filter(Boolean);
        if (lines.length >= 2) {
          clearTimeout(timer);
          resolve(lines);
        }
      });
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tenant1$/);
    const r = await fetch(url!, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, signal: AbortSignal.timeout(5_000) });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe(`Bearer scope="mcp:read", resource_metadata="${new URL(url!).origin}/.well-known/oauth-protected-resource/mcp"`);
    const prm = (await (await fetch(`${new URL(url!).origin}/.well-known/oauth-protected-resource/mcp`, { signal: AbortSignal.timeout(5_000) })).json()) as Record<string, unknown>;
    expect(prm).toMatchObject({ resource: url, authorization_servers: [issuer] });
    const iss = new URL(issuer!);
    const meta = (await (await fetch(`${iss.origin}/.well-known/oauth-authorization-server${iss.pathname}`, { signal: AbortSignal.timeout(5_000) })).json()) as Record<string, unknown>;
    expect(meta.issuer).toBe(issuer);
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('mock: auth rs POST /mcp → 401');
  }, 90_000);

  it('exits 2 for --auth without --http, an unknown config key, or an unknown fault kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-auth-'));
    writeFileSync(join(dir, 'bad.json'), '{"authServer": {}}');
    writeFileSync(join(dir, 'typo.yaml'), 'resource:\n  requiredScope: [a]\n');
    writeFileSync(join(dir, 'fault.yaml'), 'authorizationServer:\n  faults: [{ kind: teleport }]\n');
    const cases: [string[], RegExp][] = [
      [['mock', '--reference', '--auth'], /--auth serves --script or --reference over --http/],
      [['mock', '--reference', '--http', '--auth-port', '0'], /go with --auth/],
      [['mock', '--reference', '--http', '--auth', '--auth-config', join(dir, 'bad.json')], /unknown key\(s\) authServer/],
      [['mock', '--reference', '--http', '--auth', '--auth-config', join(dir, 'typo.yaml')], /unknown key\(s\) requiredScope in resource/],
      [['mock', '--reference', '--http', '--auth', '--auth-config', join(dir, 'fault.yaml')], /unknown fault kind "teleport"/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args, 110_000)));
    cases.forEach(([args, re], i) => {
      expect(results[i]!.code, args.join(' ')).toBe(2);
      expect(results[i]!.stderr, args.join(' ')).toMatch(re);
    });
  }, 150_000);
});
