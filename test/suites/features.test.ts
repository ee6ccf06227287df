// Every server-feature check proven both ways on the feature fixture: the correct fixture passes
// it (at every revision, 2026-07-28 through the stateless driver), and `--break <check-id>` makes
// exactly that check fail (at its newest stateful revision and at 2026-07-28 where it applies).
import { describe, expect, test } from 'vitest';
import { resolve } from 'node:path';
import { definedChecks, runChecks, type CheckDef } from '../../suites/harness/index.ts';
import { verdictForFailure, type CheckResult } from '../../reports/model.ts';
import type { Revision } from '../../schema/index.ts';
import '../../suites/server/tools.ts';
import '../../suites/server/resources.ts';
import '../../suites/server/prompts.ts';
import '../../suites/server/completion.ts';
import '../../suites/server/logging.ts';
import '../../suites/server/pagination.ts';
import '../../suites/server/tasks/_index.ts';
import '../../suites/server/server-requests.ts';
import { brief, FEATURE_AREAS, fastConfig, fixtureTarget, run } from './feature-helpers.ts';
import { serveFeaturesHttp } from '../fixtures/servers/feature-server.ts';
import { EVERY } from '../../suites/kit/index.ts';
import { STATEFUL_REVISIONS as STATEFUL } from '../../schema/index.ts';

const areaDefs: CheckDef[] = definedChecks().filter((d) => FEATURE_AREAS.includes(d.meta.id.split('/')[0] as string));
/** Checks about one transport (tasks/get-no-sse: Streamable HTTP) are proven over it, below; the rest in-process. */
const defs: CheckDef[] = areaDefs.filter((d) => !d.meta.transports);
const overHttpOnly: CheckDef[] = areaDefs.filter((d) => d.meta.transports?.includes('http'));
const ids = defs.map((d) => d.meta.id);
const BAD = new Set(['fail', 'warn', 'info']);

/** Checks that only apply when a capability is absent: the correct fixture declares it. */
const WITHOUT: Record<string, string> = {
  'tools/list-changed-gated': 'tools.listChanged',
  'resources/list-changed-gated': 'resources.listChanged',
  'prompts/list-changed-gated': 'prompts.listChanged',
  'completion/not-declared': 'completions',
  'logging/capability-declared': 'logging',
  'tasks/ignored-without-capability': 'tasks',
};

test('the feature areas define the expected checks', () => {
  expect(defs.length).toBeGreaterThanOrEqual(50);
  for (const area of FEATURE_AREAS) expect(ids.some((id) => id.startsWith(`${area}/`)), area).toBe(true);
});

test('correct fixture: every check passes at every revision (or does not apply)', async () => {
  const results = await run(defs, fixtureTarget(), EVERY, { checkTimeoutMs: 20_000 });
  // The stateless revision is exercised, not only the stateful ones.
  expect(results.filter((r) => r.revision === '2026-07-28' && r.verdict === 'pass').length).toBeGreaterThanOrEqual(30);
  const wrong = results.filter((r) => r.verdict !== 'pass' && !(r.verdict === 'not-applicable' && r.id in WITHOUT));
  expect(wrong.map(brief)).toEqual([]);
  // The fixture speaks each revision validly: no schema violations in anything it sent.
  expect(results.flatMap((r) => (r.violations ?? []).map((v) => `${r.id} [${r.revision}] ${v.pointer} ${v.message}`))).toEqual([]);
  // Every check ran (and passed) somewhere, except those needing a capability left out.
  const passed = new Set(results.filter((r) => r.verdict === 'pass').map((r) => r.id));
  expect(ids.filter((id) => !passed.has(id) && !(id in WITHOUT))).toEqual([]);
}, 120_000);

describe.concurrent('correct fixture without a capability: the checks gated on its absence pass', () => {
  test.each(Object.entries(WITHOUT))('%s', async (id, capability) => {
    const def = defs.find((d) => d.meta.id === id) as CheckDef;
    const results = await run([def], fixtureTarget({ without: [capability] }), def.meta.revisions);
    expect(results.map(brief)).toEqual(results.map((r) => `${r.id} [${r.revision}] pass`));
  });
});

/**
 * Where a check's break is proven: its newest stateful revision, and 2026-07-28 when it applies
 * there (a different driver: the stateless client with per-request _meta).
 */
const proofRevisions = (d: CheckDef): Revision[] => {
  const stateful = d.meta.revisions.filter((r) => STATEFUL.includes(r)).at(-1);
  return [...(stateful ? [stateful] : []), ...d.meta.revisions.filter((r) => !STATEFUL.includes(r))];
};
const proofs = defs.flatMap((d) => proofRevisions(d).map((rev) => [d.meta.id, rev] as const));

/** Other checks a break also fails, rightly, at a revision: check id → revision → ids. */
const ALSO_FAILS: Record<string, Partial<Record<Revision, string[]>>> = {
  // The 2026-07-28 schema caps completion values at 100 items, so the result is invalid too.
  'completion/values-limit': { '2026-07-28': ['completion/prompt-argument'] },
  // pagination/invalid-cursor tries tasks/list too (at SHOULD; the tasks page says MUST), so the two
  // breaks of the fixture's invalid-cursor handling show up in both.
  'tasks/list-invalid-cursor': { '2025-11-25': ['pagination/invalid-cursor'] },
  'pagination/invalid-cursor': { '2025-11-25': ['tasks/list-invalid-cursor'] },
  // tasks/get answering another task's id is also what tasks/related-task-param-wins looks at.
  'tasks/get': { '2025-11-25': ['tasks/related-task-param-wins'] },
  // tasks/result answering a running task at once with an empty result also answers the failing task's with one.
  'tasks/result-blocks': { '2025-11-25': ['tasks/result-error'] },
};

describe.concurrent('--break <check-id> fails exactly that check', () => {
  test.each(proofs)('%s at %s', async (id, rev) => {
    const def = defs.find((d) => d.meta.id === id) as CheckDef;
    const results = await run(
      defs.filter((d) => d.meta.revisions.includes(rev)),
      fixtureTarget({ breaks: [id] }),
      [rev],
      { checkTimeoutMs: 20_000 },
    );
    const mine = results.find((r) => r.id === id) as CheckResult;
    expect(brief(mine)).toMatch(new RegExp(`^${id.replace('/', '\\/')} \\[${rev}\\] ${verdictForFailure(def.meta.level)}: `));
    const also = ALSO_FAILS[id]?.[rev] ?? [];
    expect(results.filter((r) => r.id !== id && BAD.has(r.verdict) && !also.includes(r.id)).map(brief)).toEqual([]);
  }, 60_000);
});

test('tools/call-invalid-arguments follows each revision: protocol error before 2025-11-25, isError result from it', async () => {
  const def = defs.find((d) => d.meta.id === 'tools/call-invalid-arguments') as CheckDef;
  const good = await run([def], fixtureTarget(), STATEFUL);
  expect(good.map((r) => r.verdict)).toEqual(STATEFUL.map(() => 'pass'));
  const bad = await run([def], fixtureTarget({ breaks: [def.meta.id] }), STATEFUL);
  expect(bad.map((r) => r.verdict)).toEqual(STATEFUL.map(() => 'warn'));
  expect(bad[0]?.message).toMatch(/before 2025-11-25 invalid arguments are protocol errors/);
  expect(bad.at(-1)?.message).toMatch(/tool execution errors/);
});

test('the stdio entry point of the fixture serves the same server, and --break works there', async () => {
  const script = resolve('test/fixtures/servers/feature-server.ts');
  const target = (extra: string[]) => ({ kind: 'stdio' as const, command: process.execPath, args: [resolve('bin/run.js'), script, ...extra] });
  const pick = defs.filter((d) => d.meta.id === 'tools/call-unknown');
  const slow = { requestTimeoutMs: 15_000, startupMs: 60_000, checkTimeoutMs: 90_000 }; // tsx start-up on a busy machine
  const [[good], [bad]] = await Promise.all([
    runChecks(pick, fastConfig(target([]), ['2025-11-25'], slow)),
    runChecks(pick, fastConfig(target(['--break', 'tools/call-unknown']), ['2025-11-25'], slow)),
  ]);
  expect(good && brief(good)).toBe('tools/call-unknown [2025-11-25] pass');
  expect(bad?.verdict).toBe('warn');
}, 240_000);

describe('at 2026-07-28 over Streamable HTTP (no sessions; Mcp-Method, Mcp-Name headers)', () => {
  const at2026 = defs.filter((d) => d.meta.revisions.includes('2026-07-28'));
  const overHttp = async (breaks: string[] = []) => {
    const f = await serveFeaturesHttp({ breaks });
    try {
      return await runChecks(at2026, fastConfig({ kind: 'http', url: f.url }, ['2026-07-28']), { concurrency: 6 });
    } finally {
      await f.close();
    }
  };
  test('the correct fixture passes every check', async () => {
    const results = await overHttp();
    expect(results.filter((r) => r.verdict !== 'pass' && !(r.verdict === 'not-applicable' && r.id in WITHOUT)).map(brief)).toEqual([]);
    expect(results.flatMap((r) => (r.violations ?? []).map((v) => `${r.id}: ${v.pointer} ${v.message}`))).toEqual([]);
  }, 60_000);
  test.each(['tools/call-unknown', 'resources/read-not-found-invalid-params', 'pagination/invalid-cursor'])('--break %s fails exactly that check', async (id) => {
    const results = await overHttp([id]);
    const level = defs.find((d) => d.meta.id === id)?.meta.level ?? 'MUST';
    // (Checks that need what the break took away end not-verified, as at the other revisions.)
    expect(results.filter((r) => BAD.has(r.verdict)).map((r) => `${r.id} ${r.verdict}`)).toEqual([`${id} ${verdictForFailure(level)}`]);
  }, 60_000);
});

describe('at 2025-11-25 over Streamable HTTP with sessions: the checks about that transport', () => {
  const overHttp = async (breaks: string[] = []) => {
    const f = await serveFeaturesHttp({ breaks, stateful: true });
    try {
      return await runChecks(overHttpOnly, fastConfig({ kind: 'http', url: f.url }, ['2025-11-25']), { concurrency: 4 });
    } finally {
      await f.close();
    }
  };
  test('there are some', () => expect(overHttpOnly.map((d) => d.meta.id)).toContain('tasks/get-no-sse'));
  test('the correct fixture passes them', async () => {
    expect((await overHttp()).map(brief)).toEqual(overHttpOnly.map((d) => `${d.meta.id} [2025-11-25] pass`));
  }, 30_000);
  test.each(overHttpOnly.map((d) => [d.meta.id, d.meta.level] as const))('--break %s fails exactly that check', async (id, level) => {
    const results = await overHttp([id]);
    expect(results.filter((r) => BAD.has(r.verdict)).map((r) => `${r.id} ${r.verdict}`)).toEqual([`${id} ${verdictForFailure(level)}`]);
  }, 30_000);
});
