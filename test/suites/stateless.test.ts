// The 2026-07-28 checks proven both ways on the stateless fixture (in-process, over stdio and over
// Streamable HTTP); an older server yields not-applicable, never a crash; revision probing finds
// 2026-07-28 through server/discover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryPair, createMockServer, tool, type MockServer, type Transport } from '../../mock-server/index.ts';
import type { CheckResult } from '../../reports/model.ts';
import { definedChecks, probeTarget, runChecks, runConfig, type CheckDef, type RunConfig, type TargetSpec } from '../../suites/harness/index.ts';
import { discoverTarget } from '../../suites/harness/stateless.ts';
import '../../suites/server/stateless/_index.ts';
import '../../suites/server/http/_index.ts';
import { fixtureTransport } from '../fixtures/servers/fixture-server.ts';
import { FEATURE_AREAS } from './feature-helpers.ts';
import { startHttpFixture, type HttpFixture } from '../fixtures/servers/http-fixture.ts';
import { RewritingTransport, rewrites, slowTool, startStatelessHttp, STATELESS_BREAKS, statelessServer } from '../fixtures/servers/stateless-server.ts';

// The checks of suites/server/stateless/ (workers share modules, so feature checks other files
// defined, some of them 2026-07-28-only, are left out by area: they are proven in features.test).
// (The stateful logging checks are left out by revision: logging/setLevel is gone in 2026-07-28.)
const OTHER_AREAS = new Set([...FEATURE_AREAS.filter((a) => a !== 'logging'), 'http', 'progress', 'cancellation', 'messages']);
const stateless: CheckDef[] = definedChecks().filter((d) => d.meta.revisions.every((r) => r === '2026-07-28') && !OTHER_AREAS.has(d.meta.id.split('/')[0] as string));
const httpChecks: CheckDef[] = definedChecks().filter((d) => d.meta.id.startsWith('http/') && d.meta.revisions.includes('2026-07-28'));
const timeouts: Partial<RunConfig> = { requestTimeoutMs: 3_000, checkTimeoutMs: 15_000, quietMs: 150 };
const MEMORY: TargetSpec = { kind: 'stdio', command: 'in-process', args: [] };

/** An in-process connection to the stateless fixture (a fresh server per connection, like stdio). */
function inProcess(brk?: string): () => Transport {
  return () => {
    const [client, server] = createMemoryPair();
    void statelessServer().connect(new RewritingTransport(server, rewrites(brk)));
    return client;
  };
}

const bad = (r: CheckResult) => r.verdict === 'fail' || r.verdict === 'warn' || r.verdict === 'not-verified';
const show = (rs: CheckResult[]) => rs.map((r) => `${r.id} [${r.revision}] ${r.verdict}: ${r.message}`).join('\n');

/** Checks that cannot be exercised once another requirement is broken (they end not-verified). */
const DEPENDENTS: Record<string, string[]> = {
  'meta/required-fields': ['http/missing-meta-400'],
  // Every retry fails, so an extra entry's effect cannot be told apart.
  'mrtr/retry': ['mrtr/extra-input-ignored', 'mrtr/multi-round'],
};

/** Checks a break also fails, rightly: the broken message breaks their requirement too. */
const ALSO_FAILS: Record<string, string[]> = {
  // A resultType outside the core set on tools/call is what meta/result-type forbids as well.
  'extensions/core-fallback': ['meta/result-type'],
  // Every InputRequiredResult stripped: those of later rounds and of prompts/get too.
  'mrtr/input-required-result': ['mrtr/multi-round', 'mrtr/non-tool-request'],
  // Every retry refused: a partial one too (no new InputRequiredResult), and that of prompts/get.
  'mrtr/retry': ['mrtr/missing-input-response', 'mrtr/non-tool-request'],
};

function expectOnly(results: CheckResult[], id: string): void {
  const broken = results.filter(bad);
  expect(broken.filter((r) => r.id === id && r.verdict !== 'not-verified').length, `${id} did not fail:\n${show(results.filter((r) => r.id === id))}`).toBeGreaterThan(0);
  expect(show(broken.filter((r) => r.id !== id && !(r.verdict === 'not-verified' && DEPENDENTS[id]?.includes(r.id)) && !ALSO_FAILS[id]?.includes(r.id)))).toBe('');
}

describe('stateless checks, in-process', () => {
  it('all pass on the correct fixture', async () => {
    const results = await runChecks(stateless, runConfig(MEMORY, ['2026-07-28'], { ...timeouts, open: inProcess() }), { concurrency: 6 });
    expect(show(results.filter((r) => r.verdict !== 'pass'))).toBe('');
  });
  it('every check has a break', () => {
    expect(stateless.map((d) => d.meta.id).filter((id) => !(id in STATELESS_BREAKS))).toEqual([]);
  });
  // One after another: run side by side, the breaks of http.test.ts saw other checks' short read
  // windows expire on a loaded CI machine (the fixtures answer in this process).
  for (const id of Object.keys(STATELESS_BREAKS)) {
    it(`--break ${id} fails exactly that check`, async () => {
      const results = await runChecks(stateless, runConfig(MEMORY, ['2026-07-28'], { ...timeouts, open: inProcess(id) }), { concurrency: 6 });
      expectOnly(results, id);
    });
  }
});

describe('a long-running tool met while looking for an operation that asks for input', () => {
  // The first three: every mrtr check finds its operation through the same search (trigger()).
  const mrtr = stateless.filter((d) => ['mrtr/input-required-result', 'mrtr/undeclared-capability', 'mrtr/retry'].includes(d.meta.id));
  const fast: Partial<RunConfig> = { ...timeouts, requestTimeoutMs: 1_000 };
  const serve = (server: () => MockServer, brk?: string) => () => {
    const [client, end] = createMemoryPair();
    void server().connect(new RewritingTransport(end, rewrites(brk)));
    return client;
  };
  it('is skipped: the checks judge the operation found after it (a timeout there is no failure)', async () => {
    const results = await runChecks(mrtr, runConfig(MEMORY, ['2026-07-28'], { ...fast, open: serve(() => statelessServer({ slowToolMs: 20_000 })) }), { concurrency: 3 });
    expect(mrtr.length).toBe(3);
    expect(show(results.filter((r) => r.verdict !== 'pass'))).toBe('');
  });
  it('does not hide a broken InputRequiredResult found after it', async () => {
    const results = await runChecks(mrtr, runConfig(MEMORY, ['2026-07-28'], { ...fast, open: serve(() => statelessServer({ slowToolMs: 20_000 }), 'mrtr/input-required-result') }), { concurrency: 3 });
    expectOnly(results, 'mrtr/input-required-result');
  });
  it('leaves the checks not verified, naming what timed out after how long, when nothing else asks for input', async () => {
    const only = () => createMockServer({ revisions: ['2026-07-28'], cache: { ttlMs: 0, cacheScope: 'private' } }, slowTool(20_000));
    const results = await runChecks(mrtr, runConfig(MEMORY, ['2026-07-28'], { ...fast, open: serve(only) }), { concurrency: 3 });
    for (const r of results) {
      expect(r.verdict, `${r.id}: ${r.message}`).toBe('not-verified');
      expect(r.message).toMatch(/timed out looking: tools\/call ask_slowly \(no answer within 1000 ms\)/);
    }
  });
});

describe('stateless checks over stdio', () => {
  const target = (brk?: string): TargetSpec => ({ kind: 'stdio', command: 'node', args: ['bin/run.js', 'test/fixtures/servers/stateless-server.ts', ...(brk ? ['--break', brk] : [])] });
  const some = stateless.filter((d) => ['discover/result', 'versioning/unsupported-version', 'subscriptions/only-requested', 'logging/no-level-no-messages'].includes(d.meta.id));
  it('pass on the correct fixture process', async () => {
    const results = await runChecks(some, runConfig(target(), ['2026-07-28'], { ...timeouts, requestTimeoutMs: 8_000 }), { concurrency: 4 });
    expect(show(results.filter((r) => r.verdict !== 'pass'))).toBe('');
  }, 90_000);
  it('--break fails the check', async () => {
    const results = await runChecks(some, runConfig(target('logging/no-level-no-messages'), ['2026-07-28'], { ...timeouts, requestTimeoutMs: 8_000 }), { concurrency: 4 });
    expectOnly(results, 'logging/no-level-no-messages');
  }, 90_000);
});

describe('stateless and HTTP checks over Streamable HTTP', () => {
  const run = async (brk?: string) => {
    const f = await startStatelessHttp(brk ? { break: brk } : {});
    try {
      // (Not http/response-stream-notifications-related: it needs a tool that reports progress, which
      // this fixture lacks; http.test.ts proves it on the HTTP fixture.)
      return await runChecks([...stateless, ...httpChecks.filter((d) => d.meta.id !== 'http/response-stream-notifications-related')], runConfig({ kind: 'http', url: f.url }, ['2026-07-28'], timeouts), { concurrency: 6 });
    } finally {
      await f.close();
    }
  };
  it('all pass or do not apply on the correct fixture', async () => {
    const results = await run();
    expect(show(results.filter((r) => r.verdict !== 'pass' && r.verdict !== 'not-applicable'))).toBe('');
    expect(show(results.filter((r) => r.verdict === 'not-applicable' && !r.id.startsWith('http/')))).toBe('');
  });
  // The breaks again over HTTP, but not those of the message-level checks added with the coverage
  // work (mrtr/tampered-state …, proven in-process above; the correct fixture passes them over HTTP
  // too): CI time. Nor logging/request-scoped: over HTTP the fixture's rewriter is shared by every
  // connection, so its break would tag the log messages of all checks once any opened a listen stream;
  // nor meta/no-connection-context: that shared rewriter has seen some check's server/discover already.
  const IN_PROCESS_ONLY = ['mrtr/tampered-state', 'mrtr/extra-input-ignored', 'mrtr/invalid-input-responses', 'mrtr/state-bound-to-request', 'mrtr/multi-round', 'mrtr/missing-input-response', 'mrtr/non-tool-request', 'discover/capabilities-declared', 'logging/request-scoped', 'meta/no-connection-context'];
  for (const id of Object.keys(STATELESS_BREAKS).filter((id) => !IN_PROCESS_ONLY.includes(id))) {
    it(`--break ${id} fails exactly that check`, async () => expectOnly(await run(id), id));
  }
});

describe('an older server at 2026-07-28', () => {
  it('makes every stateless check not-applicable, saying why (stdio, in-process)', async () => {
    const results = await runChecks(stateless, runConfig(MEMORY, ['2026-07-28'], { ...timeouts, open: () => fixtureTransport({ legacy: true }) }), { concurrency: 6 });
    for (const r of results) {
      expect(r.verdict, `${r.id}: ${r.message}`).toBe('not-applicable');
      expect(r.message).toMatch(/does not speak 2026-07-28/);
    }
  });
  it('makes every stateless and 2026-07-28 HTTP check not-applicable (HTTP)', async () => {
    const f = await startHttpFixture({ server: createMockServer({ revisions: ['2025-11-25'] }, tool('echo', { result: 'e' })) });
    try {
      const results = await runChecks([...stateless, ...httpChecks], runConfig({ kind: 'http', url: f.url }, ['2026-07-28'], timeouts), { concurrency: 6 });
      for (const r of results) {
        expect(r.verdict, `${r.id}: ${r.message}`).toBe('not-applicable');
        expect(r.message).toMatch(/does not speak 2026-07-28/);
      }
    } finally {
      await f.close();
    }
  });
});

describe('revision probing', () => {
  let modern: HttpFixture;
  let dual: HttpFixture;
  let legacy: HttpFixture;
  beforeAll(async () => {
    modern = await startStatelessHttp();
    dual = await startHttpFixture();
    legacy = await startHttpFixture({ server: createMockServer({ revisions: ['2025-06-18', '2025-11-25'] }) });
  });
  afterAll(async () => {
    await Promise.all([modern.close(), dual.close(), legacy.close()]);
  });
  it('finds 2026-07-28 through server/discover', async () => {
    expect((await probeTarget({ kind: 'http', url: modern.url }, 'all', 3_000)).supported).toEqual(['2026-07-28']);
    expect((await probeTarget({ kind: 'http', url: dual.url }, 'all', 3_000)).supported).toEqual(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28']);
    expect((await probeTarget({ kind: 'http', url: legacy.url }, 'all', 3_000)).supported).toEqual(['2025-06-18', '2025-11-25']);
  });
  it('keeps an explicit 2026-07-28 for an older server (its checks say why they do not apply)', async () => {
    const p = await probeTarget({ kind: 'http', url: legacy.url }, ['2026-07-28'], 3_000);
    expect(p).toMatchObject({ reachable: true, supported: ['2026-07-28'] });
    expect(p.probes[0]?.error).toMatch(/does not speak 2026-07-28/);
  });
  it('tells an unreachable target from an older one', async () => {
    const d = await discoverTarget({ kind: 'http', url: 'http://127.0.0.1:9/mcp' }, '2026-07-28', 2_000);
    expect(d).toMatchObject({ speaks: false, unreachable: true });
    expect((await probeTarget({ kind: 'http', url: 'http://127.0.0.1:9/mcp' }, ['2026-07-28'], 2_000)).reachable).toBe(false);
    expect(await discoverTarget({ kind: 'http', url: legacy.url }, '2026-07-28', 2_000)).toMatchObject({ speaks: false });
    expect((await discoverTarget({ kind: 'http', url: legacy.url }, '2026-07-28', 2_000)).unreachable).toBeUndefined();
  });
});

describe('extension identifiers', () => {
  it('accept prefixed _meta key names and refuse others', async () => {
    const { extensionIdProblem } = await import('../../suites/server/stateless/extensions.ts');
    for (const ok of ['io.modelcontextprotocol/tasks', 'io.modelcontextprotocol/ui', 'com.example/x-1.y_z', 'a/b', 'com.example/']) expect(extensionIdProblem(ok), ok).toBeUndefined();
    for (const bad of ['tasks', '1io.example/x', 'io-.example/x', 'io..example/x', 'com.example/-x', 'com.example/x-', '/x']) expect(extensionIdProblem(bad), bad).toBeDefined();
  });
});
