import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_FILES, REPORT_FORMATS, renderJUnit, validateResults, writeAll, writeResults, type Results } from '../../reports/index.ts';
import { sampleResults } from './sample.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-conform-write-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeAll', () => {
  it('writes every format to its file, creating the folder, leaving no temporary files', async () => {
    const out = join(dir, 'all', 'nested');
    const paths = await writeAll(sampleResults(), out);
    expect(paths.map((p) => p.slice(out.length + 1))).toEqual(REPORT_FORMATS.map((f) => FORMAT_FILES[f]));
    expect((await readdir(out)).sort()).toEqual(['checks.json', 'junit.xml', 'report.html', 'report.md', 'results.json', 'summary.txt']);
    const json = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
    expect(validateResults(json).errors).toEqual([]);
    expect(json).toEqual(sampleResults());
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toBe(renderJUnit(sampleResults()));
    expect(await readFile(join(out, 'summary.txt'), 'utf8')).not.toContain('\u001b[');
  });

  it('writes only the formats asked for, and overwrites in place', async () => {
    const out = join(dir, 'some');
    await writeAll(sampleResults(), out, ['markdown']);
    const path = await writeResults(sampleResults({ errors: ['second'] }), out);
    expect(path).toBe(join(out, 'results.json'));
    expect((await readdir(out)).sort()).toEqual(['report.md', 'results.json']);
    expect((JSON.parse(await readFile(path, 'utf8')) as Results).errors).toEqual(['second']);
  });

  it('rejects an unknown format', async () => {
    await expect(writeAll(sampleResults(), join(dir, 'bad'), ['pdf' as never])).rejects.toThrow(/unknown report format "pdf"/);
  });
});
