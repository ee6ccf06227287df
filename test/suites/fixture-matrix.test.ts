// Every server check proven both ways: the fixture passes all of them when correct, and with
// `--break <id>` exactly that check (and what BREAKS says necessarily follows) fails.
import { describe, expect, it } from 'vitest';
import { definedChecks } from '../../suites/harness/index.ts';
import { BREAKS } from '../fixtures/servers/fixture-server.ts';
import { label, runAgainstFixture } from './fixture.ts';

describe('fixture server, in-process', () => {
  it('passes every check at every revision when correct', async () => {
    const results = await runAgainstFixture({}, ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']);
    const bad = results.filter((r) => r.verdict !== 'pass').map(label);
    expect(bad).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
  }, 120_000);

  it('has a break for every check (and every break names a check)', () => {
    const ids = definedChecks().map((d) => d.meta.id);
    expect(Object.keys(BREAKS).sort()).toEqual([...ids, 'schema/valid-messages'].sort());
  });

  const ids = Object.keys(BREAKS);
  it.each(ids)('--break %s fails that check, and only what follows from it', async (id) => {
    const results = await runAgainstFixture({ break: id }, ['2025-03-26', '2025-11-25']);
    const def = definedChecks().find((d) => d.meta.id === id);
    const level = def?.meta.level ?? 'MUST';
    const expected = level === 'MUST' ? 'fail' : level === 'SHOULD' ? 'warn' : 'info';
    const mine = results.filter((r) => r.id === id);
    expect(mine.map((r) => r.verdict), mine.map(label).join('\n')).toContain(expected);
    const allowed = new Set([id, ...(BREAKS[id]?.alsoFails ?? [])]);
    const others = results.filter((r) => (r.verdict === 'fail' || r.verdict === 'warn') && !allowed.has(r.id)).map(label);
    expect(others).toEqual([]);
  }, 60_000);
});
