// `mcp-conform server --sse` against a server that broadcasts every response to every open SSE
// stream: by default one transport/cross-talk failure names the defect (the checks are not
// blamed for it); with --concurrency 1 the checks get the verdicts of a correct server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFixture, type HttpFixture } from '../fixtures/servers/http-fixture.ts';
import { readResults, runCli } from './server-helpers.ts';

describe('mcp-conform server against a broadcasting SSE server', () => {
  let fixture: HttpFixture;
  beforeAll(async () => {
    fixture = await startHttpFixture({ broadcast: true });
  });
  afterAll(() => fixture?.close());
  const args = () => ['--sse', fixture.sseUrl, '--revision', '2024-11-05,2025-11-25', '--only', 'messages,ping', '--timeout', '10000'];

  it('default: one transport/cross-talk failure, with a count and the first stray answer; no check fails', async () => {
    const run = await runCli(args(), { timeoutMs: 240_000 });
    expect(run.code, run.stderr).toBe(1);
    const results = readResults(run);
    const failed = results.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'warn');
    expect(failed.map((c) => (c.id === 'transport/cross-talk' ? c.id : `${c.id} [${c.revision}] ${c.verdict}: ${c.message}`))).toEqual(['transport/cross-talk']);
    const x = failed[0]!;
    expect(x.revision).toBeNull();
    expect(x.crossTalk?.count).toBeGreaterThan(1);
    expect(x.message).toMatch(/^\d+ answer\(s\) arrived on connections that never sent their ids, in \d+ check\(s\).* First: id \S+ during \S+ \[/);
    expect(x.evidence?.[0]?.note).toMatch(/cross-talk: a response/);
    // Checks that could not tell their own answers from strays say so; the rest pass.
    for (const c of results.checks.filter((r) => r.id !== 'transport/cross-talk' && r.verdict !== 'pass' && r.verdict !== 'not-applicable')) {
      expect(`${c.id} ${c.verdict}: ${c.message}`).toMatch(/not-verified: not verified: (answers to ids this check sent .* came twice|the server sends answers on other clients' streams .* an answer with id null)/);
    }
    // Named once in the summary, on a short line.
    const lines = run.stdout.split('\n').filter((l) => l.includes('transport/cross-talk'));
    expect(lines.filter((l) => /✗/.test(l))).toHaveLength(1);
    for (const l of run.stdout.split('\n')) expect(l.length).toBeLessThanOrEqual(260);
  }, 300_000);

  it('--concurrency 1: the checks pass as they do against a correct server', async () => {
    const run = await runCli([...args(), '--concurrency', '1'], { timeoutMs: 240_000 });
    const results = readResults(run);
    const others = results.checks.filter((c) => c.id !== 'transport/cross-talk');
    expect(others.filter((c) => c.verdict !== 'pass' && c.verdict !== 'not-applicable').map((c) => `${c.id} [${c.revision}] ${c.verdict}: ${c.message}`)).toEqual([]);
    expect(others.length).toBeGreaterThan(10);
    expect(results.revisions).toEqual(['2024-11-05', '2025-11-25']);
    // Nothing can stray while one check's single session is the only one open.
    expect(results.checks.find((c) => c.id === 'transport/cross-talk')?.verdict).toBe('not-verified');
    expect(run.code, run.stderr).toBe(0);
  }, 300_000);

  it('--concurrency must be a positive number', async () => {
    const run = await runCli([...args(), '--concurrency', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--concurrency must be a positive number of checks, not "0"/);
  }, 60_000);
});
