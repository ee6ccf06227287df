// `mcp-conform auth-server` as a user runs it: against the mock authorization server (exit 0, the
// usual results files with mode auth-server; a broken one exits 1), an unreachable issuer (exit 3,
// the URL named) and usage errors in-process, exit 2 and --list from the CLI.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveAuthorizationServer, serveHttp } from '../../mock-server/index.ts';
import type { Results } from '../../reports/model.ts';
import { validateResults } from '../../reports/index.ts';
import { cli } from '../helpers/cli.ts';
import { runAuthServerCommand, type AuthServerCommandOptions } from '../../cli/auth-server.ts';
import { UsageError } from '../../cli/common.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-conform-as-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const results = async (out: string) => JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;

describe('mcp-conform auth-server', () => {
  it('a correct authorization server: exit 0, results.json (mode auth-server) and the formats asked for', async () => {
    // (http loopback client_id URLs allowed: the cimd-* probes serve their documents there.)
    const s = await serveAuthorizationServer({ host: '127.0.0.1', allowInsecureClientIdUrls: true });
    try {
      const out = join(dir, 'good');
      const r = await cli(['auth-server', '--issuer', s.issuer, '--revision', '2026-07-28', '--out', out, '--format', 'json,junit', '--timeout', '3000'], 90_000);
      expect(r.stderr).toContain(`testing authorization server ${s.issuer}`);
      expect(r.code, r.stderr).toBe(0);
      const res = await results(out);
      expect(validateResults(res).valid).toBe(true);
      expect(res.mode).toBe('auth-server');
      expect(res.target).toEqual({ description: `authorization server ${s.issuer}`, transport: 'http' });
      expect(res.checks.length).toBe(21);
      expect(res.checks.filter((c) => c.verdict !== 'pass')).toEqual([]);
      expect(res.checks[0]?.wireLog).toMatch(/^wire\/auth-server_/);
      await readFile(join(out, 'junit.xml'), 'utf8');
    } finally {
      await s.close();
    }
  }, 120_000);

  it('a MUST broken: exit 1, the failing check in the summary', async () => {
    const s = await serveAuthorizationServer({ host: '127.0.0.1', lenient: ['reuse-code'] });
    try {
      const out = join(dir, 'bad');
      const r = await cli(['auth-server', '--issuer', s.issuer, '--revision', '2025-11-25', '--out', out, '--timeout', '3000'], 90_000);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('auth-server/code-single-use');
      const res = await results(out);
      expect(res.checks.filter((c) => c.verdict === 'fail').map((c) => c.id)).toEqual(['auth-server/code-single-use']);
    } finally {
      await s.close();
    }
  }, 120_000);

  // In-process (runAuthServerCommand, as the action calls it): no CLI start per case.
  const sink = () => {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        done();
      },
    });
    return { stream, text: () => text };
  };
  const base: AuthServerCommandOptions = { revision: 'all', timeout: '1000', only: [], skip: [], out: '' };
  const run = async (o: Partial<AuthServerCommandOptions>) => {
    const out = sink();
    const err = sink();
    const code = await runAuthServerCommand({ ...base, out: join(dir, 'inproc'), ...o }, { out: out.stream, err: err.stream }).catch((e: unknown) => e);
    return { code, stdout: out.text(), stderr: err.text() };
  };

  it('an unreachable issuer: exit 3, naming the URL, within the timeout', async () => {
    const s = await serveHttp(async () => new Response(''), { host: '127.0.0.1' });
    await s.close();
    const out = join(dir, 'gone');
    const r = await run({ issuer: s.url, revision: '2025-11-25', out });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot fetch ${s.url}/.well-known/oauth-authorization-server`);
    expect((await results(out)).errors[0]).toContain('cannot reach the authorization server');
  });

  it('usage errors (exit 2 from the CLI); --list prints the checks', async () => {
    const usage = async (o: Partial<AuthServerCommandOptions>) => {
      const r = await run(o);
      expect(r.code).toBeInstanceOf(UsageError);
      return (r.code as Error).message;
    };
    expect(await usage({})).toContain('give --issuer URL');
    expect(await usage({ issuer: 'ftp://x' })).toContain('not an http(s) URL');
    expect(await usage({ issuer: 'http://127.0.0.1:9', clientSecret: 's' })).toContain('--client-secret needs --client-id');
    expect(await usage({ issuer: 'http://127.0.0.1:9', revision: '2024-11-05' })).toContain('apply at 2025-03-26');
    expect(await usage({ issuer: 'http://127.0.0.1:9', only: ['nothing/here'] })).toContain('no check matches --only nothing/here');
    expect(await usage({ issuer: 'http://127.0.0.1:9', cimdBaseUrl: 'nope' })).toContain('--cimd-base-url "nope" is not an http(s) URL');
    const none = await cli(['auth-server'], 60_000);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give --issuer URL');
    const list = await cli(['auth-server', '--list'], 60_000);
    expect(list.code).toBe(0);
    expect(list.stdout.trimEnd().split('\n')).toHaveLength(23);
    expect(list.stdout).toMatch(/^auth-server\/pkce-required +MUST +2025-06-18,2025-11-25,2026-07-28 +https:/m);
  }, 120_000);
});
