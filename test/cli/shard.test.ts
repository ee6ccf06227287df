// --shard and `report merge`: a 2-shard run of the reference server, merged, equals the
// unsharded run (same checks, same verdicts, schema/valid-messages included). Kept cheap: two
// small areas (5 check ids in 2 suite files, an initialize-era revision and the stateless one) over
// stdio; four CLI runs in all.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../reports/index.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'mcp-conform-shard-'));
const load = (d: string) => JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as Results;
const verdicts = (r: Results) => r.checks.map((c) => `${c.id}@${c.revision}: ${c.verdict}`).sort();

describe('server --shard i/n and report merge', () => {
  it('two shards merged equal the unsharded run', async () => {
    const base = ['server', '--reference', '--revision', '2025-11-25,2026-07-28', '--only', 'ping,pagination'];
    // One after the other: side by side on a busy machine, a timing verdict could differ.
    const whole = await cli([...base, '--out', join(dir, 'whole')], 120_000);
    const one = await cli([...base, '--shard', '1/2', '--out', join(dir, 's1')], 120_000);
    const two = await cli([...base, '--shard', '2/2', '--out', join(dir, 's2')], 120_000);
    for (const r of [whole, one, two]) expect(r.code, r.stderr).toBe(0);
    expect(one.stderr).toContain('shard 1/2: 2 of the 5 selected checks');
    expect(two.stderr).toContain('shard 2/2: 3 of the 5 selected checks');
    // Each shard ran only its part.
    const ids = (r: Results) => new Set(r.checks.map((c) => c.id).filter((id) => id !== 'schema/valid-messages'));
    const [i1, i2] = [ids(load(join(dir, 's1'))), ids(load(join(dir, 's2')))];
    expect([...i1].filter((id) => i2.has(id))).toEqual([]);
    expect(i1.size + i2.size).toBe(5);

    const merged = await cli(['report', 'merge', join(dir, 's1'), join(dir, 's2'), '--out', join(dir, 'merged'), '--format', 'markdown'], 60_000);
    expect(merged.code, merged.stderr).toBe(0);
    const m = load(join(dir, 'merged'));
    const w = load(join(dir, 'whole'));
    expect(verdicts(m)).toEqual(verdicts(w));
    expect(m.checks.map((c) => `${c.id}@${c.revision}`)).toEqual(w.checks.map((c) => `${c.id}@${c.revision}`));
    expect(m.counts).toEqual(w.counts);
    expect(m.revisions).toEqual(w.revisions);
    expect(m.errors).toEqual([]);
    // The wire logs came along.
    const log = m.checks.find((c) => c.id === 'ping/response')?.wireLog;
    expect(log && readFileSync(join(dir, 'merged', log), 'utf8')).toContain('"ping"');
  }, 300_000);
});

// `client --shard` cuts its scenario list with the same function (cli/shard.ts; report.test.ts
// tests the split rules); its end-to-end run is left out here: four more CLI runs of a client,
// and CI time is short.
