// The version probe lists the tools on its own connection where it initialized at that revision,
// and the tool plan takes that listing instead of starting the target again (one start fewer per
// revision, issue 15): the same plan either way, one initialize fewer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Revision } from '../../schema/index.ts';
import { createMockServer, serveMockHttp, tool, type MockServer, type ServedMock } from '../../mock-server/index.ts';
import { planToolCalls, probeTarget } from '../../suites/harness/index.ts';

let server: MockServer;
let served: ServedMock;
let target: { kind: 'http'; url: string };
/** Connections that opened with initialize or, at 2026-07-28, server/discover. */
const initializes = () => server.observed.filter((o) => o.method === 'initialize' || o.method === 'server/discover').length;

beforeAll(async () => {
  server = createMockServer({ revisions: ['2025-06-18', '2025-11-25', '2026-07-28'] }, tool('look', { annotations: { readOnlyHint: true }, result: 'ok' }), tool('write', { result: 'ok' }));
  served = await serveMockHttp(server);
  target = { kind: 'http', url: served.url };
});
afterAll(() => served.close());

describe('the tool plan from the version probe', () => {
  it('lists the tools on the probe connection of each revision the server speaks (initialize, or server/discover at 2026-07-28): the same plan, one connection fewer per revision', async () => {
    const revs: Revision[] = ['2025-06-18', '2025-11-25', '2026-07-28'];
    const at0 = initializes();
    const alone = await planToolCalls(target, revs, 'safe', 5_000);
    const atPlan = initializes();
    expect(atPlan - at0).toBe(3);

    const probe = await probeTarget(target, 'all', 5_000, { listTools: true });
    expect(probe.supported).toEqual(revs);
    const atProbe = initializes();
    const fromProbe = await planToolCalls(target, revs, 'safe', 5_000, probe.tools);
    expect(initializes()).toBe(atProbe);
    expect(fromProbe).toEqual(alone);
    expect(alone.revisions.map((r) => r.call.map((c) => c.name))).toEqual([['look'], ['look'], ['look']]);
    // The listing stays out of what results.json records of the probes.
    for (const p of probe.probes) expect(Object.keys(p).sort()).not.toContain('tools');
  });

  it('a revision the probe did not initialize at is listed on a connection of its own', async () => {
    const probe = await probeTarget(target, ['2025-11-25'], 5_000, { listTools: true });
    expect([...(probe.tools?.keys() ?? [])]).toEqual(['2025-11-25']);
    const before = initializes();
    const plan = await planToolCalls(target, ['2025-06-18', '2025-11-25'], 'safe', 5_000, probe.tools);
    expect(initializes() - before).toBe(1);
    expect(plan.revisions.map((r) => r.listed)).toEqual([2, 2]);
  });
});
