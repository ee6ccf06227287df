// Early ends and concurrent scenario runs change when a run ends, never what it is judged to be:
// the official SDK client (test/drivers/sdk-client.ts), run with the runner's old behaviour forced
// (fixed waits, one scenario at a time) and with the new one (a run ends on the events it waits
// for, scenarios concurrently), gets the same verdict for every check × revision. The CLI keeps
// its output in a fixed order either way.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrderedLines } from '../../cli/client.ts';
import type { Results } from '../../reports/index.ts';
import { defaultConcurrency, SCENARIOS } from '../../suites/client/index.ts';
import { cli, fixture, nodeClient, runAndJudge, type Judged, type Via } from './client-helpers.ts';

const R = '2025-11-25';
const verdicts = (j: Judged) => Object.fromEntries(j.results.map((r) => [`${r.id} [${r.revision}]`, r.verdict]));

const cases: { via: Via; scenarios: string[] }[] = [
  // stdio: one scenario of each kind of end (the client closes; it answers a server request;
  // it must give up on a slow or broken server; the server lingers), not all of them: the old
  // runner waits each out in full, and CI time is short.
  { via: 'stdio', scenarios: ['initialize', 'ping', 'elicitation-decline', 'list-changed', 'request-timeout', 'initialize-slow', 'stdio-lingering-server', 'broken-stream'].filter((n) => SCENARIOS.some((s) => s.name === n)) },
  // HTTP: the scenarios whose runs hinge on the transport (sessions, DELETE, resumption, fallback).
  { via: 'http', scenarios: ['tools_call', 'session-expired', 'sse-retry', 'legacy-sse', 'request-timeout', 'ping'] },
];

describe.each(cases)('the official SDK client over $via', ({ via, scenarios }) => {
  it('gets the same verdicts with early ends and concurrent runs as with fixed waits one at a time', async () => {
    const cmd = nodeClient('test/drivers/sdk-client.ts', via);
    const t0 = Date.now();
    const old = await runAndJudge(cmd, [R], scenarios, { concurrency: 1, earlyEnd: false });
    const t1 = Date.now();
    const now = await runAndJudge(cmd, [R], scenarios, { concurrency: defaultConcurrency() });
    const t2 = Date.now();
    expect(now.file.runs.map((r) => r.scenario)).toEqual(old.file.runs.map((r) => r.scenario));
    expect(verdicts(now)).toEqual(verdicts(old));
    // Timing is the bench's business (bench/client-speed.ts); this only shows what was measured.
    console.log(`SDK client over ${via}, ${old.file.runs.length} runs: fixed waits one at a time ${t1 - t0} ms, early ends ×${defaultConcurrency()} ${t2 - t1} ms`);
  }, 400_000);
});


describe('the run lines', () => {
  it('come out in the order their places were taken, each once everything before it is known', () => {
    const out: string[] = [];
    const lines = new OrderedLines((l) => out.push(l));
    const [a, b, c] = [lines.segment(), lines.segment(), lines.segment()];
    const a1 = a.slot();
    const a2 = a.slot();
    const c1 = c.slot();
    c.seal();
    c1('c1');
    a2('a2');
    expect(out).toEqual([]);
    a1('a1');
    expect(out).toEqual(['a1', 'a2']);
    a.seal();
    expect(out).toEqual(['a1', 'a2']); // b is not sealed: it may still take places
    const b1 = b.slot();
    b.seal();
    b1('b1');
    expect(out).toEqual(['a1', 'a2', 'b1', 'c1']);
  });
});

describe('mcp-conform client', () => {
  it('with --no-early-end and without: the same verdicts, the same run lines in the same order', async () => {
    const cmd = fixture('stdio');
    const run = async (extra: string[]) => {
      const out = mkdtempSync(join(tmpdir(), 'mcp-conform-early-end-'));
      const r = await cli(['client', '--scenario', 'ping', '--out', out, ...extra, '--', cmd.command, ...cmd.args], 200_000);
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
      // Which run each line is about ("  ping [2025-06-18]"), not how it went (a busy machine may
      // slow one run past the timeout; the verdicts say whether that changed anything).
      const lines = r.stderr
        .split('\n')
        .filter((l) => /^ {2}\S+ \[|^revisions the client speaks|^ {2}\d{4}-\d\d-\d\d: /.test(l))
        .map((l) => (l.startsWith('revisions') ? l : l.split(':')[0]!));
      return { code: r.code, lines, verdicts: Object.fromEntries(results.checks.map((c) => [`${c.id} [${c.revision}]`, c.verdict])) };
    };
    const old = await run(['--no-early-end', '--concurrency', '1']);
    const now = await run(['--concurrency', '4']);
    expect(old.code).toBe(0);
    expect(now.code).toBe(0);
    expect(now.verdicts).toEqual(old.verdicts);
    expect(now.lines).toEqual(old.lines);
    // Probes first (revision order), then what they decided, then each revision's runs.
    expect(now.lines.slice(0, 5)).toEqual(['  initialize [2024-11-05]', '  initialize [2025-03-26]', '  initialize [2025-06-18]', '  initialize [2025-11-25]', '  initialize [2026-07-28]']);
    expect(now.lines[5]).toMatch(/^revisions the client speaks: 2024-11-05, 2025-03-26, 2025-06-18, 2025-11-25, 2026-07-28$/);
    expect(now.lines.slice(6)).toEqual(['  ping [2024-11-05]', '  ping [2025-03-26]', '  ping [2025-06-18]', '  ping [2025-11-25]']);
  }, 400_000);
});
