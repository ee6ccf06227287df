// Schema sync: MCP_SPEC_DIR, the bundled copy, the cache, ../shared/mcp-spec, or the pinned
// download, always sha256-verified; one clear error naming every source when none works.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, resolveSchemaFileSync, REVISIONS, revisionInfo, syncSchemas } from '../../schema/index.ts';
import { BUNDLED_DIR, cachePath, localSources } from '../../schema/sync.ts';

const shared = join(PROJECT_ROOT, '..', 'shared', 'mcp-spec');
const temps: string[] = [];
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'mcp-conform-sync-'));
  temps.push(d);
  return d;
}
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('syncSchemas', () => {
  it('fills the cache from a local folder (as MCP_SPEC_DIR would)', async () => {
    const src = temp();
    for (const rev of REVISIONS) cpSync(join(shared, rev, 'schema.json'), join(src, rev, 'schema.json'));
    const cacheDir = temp();
    const files = await syncSchemas(REVISIONS, { cacheDir, sources: [{ label: 'MCP_SPEC_DIR', dir: src }], download: false });
    for (const rev of REVISIONS) expect(readFileSync(files[rev], 'utf8')).toBe(readFileSync(join(shared, rev, 'schema.json'), 'utf8'));
  });

  it('rejects a local copy whose sha256 differs, and names every source it tried', async () => {
    const src = temp();
    mkdirSync(join(src, '2025-06-18'), { recursive: true });
    writeFileSync(join(src, '2025-06-18', 'schema.json'), '{"tampered":true}');
    const err = await syncSchemas(['2025-06-18'], {
      cacheDir: temp(),
      sources: [{ label: 'MCP_SPEC_DIR', dir: src }, { label: '../shared/mcp-spec', dir: join(src, 'nowhere') }],
      fetchImpl: (async () => { throw new Error('getaddrinfo ENOTFOUND'); }) as typeof fetch,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain('MCP_SPEC_DIR');
    expect(msg).toContain('sha256 mismatch');
    expect(msg).toContain('../shared/mcp-spec');
    expect(msg).toContain('not found');
    expect(msg).toContain(revisionInfo('2025-06-18').url);
    expect(msg).toContain('ENOTFOUND');
  });

  it('downloads the pinned file when no local copy exists, verifying sha256', async () => {
    const body = readFileSync(join(shared, '2024-11-05', 'schema.json'));
    const cacheDir = temp();
    let asked = '';
    const files = await syncSchemas(['2024-11-05'], {
      cacheDir,
      sources: [],
      fetchImpl: (async (url: string) => { asked = url; return new Response(body); }) as unknown as typeof fetch,
    });
    expect(asked).toBe(revisionInfo('2024-11-05').url);
    expect(readFileSync(files['2024-11-05']).equals(body)).toBe(true);
    const bad = await syncSchemas(['2024-11-05'], {
      cacheDir: temp(),
      sources: [],
      fetchImpl: (async () => new Response('{}')) as unknown as typeof fetch,
    }).catch((e: Error) => e.message);
    expect(bad).toContain('sha256 mismatch');
  });
});

describe('the loader: MCP_SPEC_DIR, then the bundled copy, then the cache', () => {
  const rev = '2025-11-25';
  function holding(data: string | Buffer): string {
    const d = temp();
    mkdirSync(join(d, rev), { recursive: true });
    writeFileSync(join(d, rev, 'schema.json'), data);
    return d;
  }
  const good = () => readFileSync(join(shared, rev, 'schema.json'));

  it('reads MCP_SPEC_DIR and the bundled copy where they are, MCP_SPEC_DIR first, writing no cache', () => {
    const spec = holding(good());
    const bundled = holding(good());
    const cacheDir = temp();
    const sources = [{ label: 'MCP_SPEC_DIR', dir: spec, inPlace: true }, { label: 'bundled', dir: bundled, inPlace: true }];
    expect(resolveSchemaFileSync(rev, { cacheDir, sources })).toBe(join(spec, rev, 'schema.json'));
    expect(resolveSchemaFileSync(rev, { cacheDir, sources: sources.slice(1) })).toBe(join(bundled, rev, 'schema.json'));
    expect(existsSync(cachePath(rev, cacheDir))).toBe(false);
  });

  it('passes over a tampered MCP_SPEC_DIR copy to the bundled one, and over both to the cache', () => {
    const cacheDir = temp();
    const bundled = holding(good());
    const sources = [{ label: 'MCP_SPEC_DIR', dir: holding('{"tampered":true}'), inPlace: true }, { label: 'bundled', dir: bundled, inPlace: true }];
    expect(resolveSchemaFileSync(rev, { cacheDir, sources })).toBe(join(bundled, rev, 'schema.json'));
    mkdirSync(join(cacheDir, rev), { recursive: true });
    writeFileSync(cachePath(rev, cacheDir), good());
    expect(resolveSchemaFileSync(rev, { cacheDir, sources: [sources[0]!, { label: 'bundled', dir: temp(), inPlace: true }] })).toBe(cachePath(rev, cacheDir));
  });

  it('names every place it looked, in order, when none holds the pinned file', () => {
    const msg = (() => {
      try {
        resolveSchemaFileSync(rev, { cacheDir: temp(), sources: [{ label: 'MCP_SPEC_DIR', dir: temp(), inPlace: true }, { label: 'bundled', dir: temp(), inPlace: true }] });
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    const order = ['MCP_SPEC_DIR', 'bundled', 'cache', 'pinned download'].map((l) => msg.indexOf(`- ${l}`));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('by default: MCP_SPEC_DIR (when set), the package\'s schema/bundled, then ../shared/mcp-spec', () => {
    const before = process.env.MCP_SPEC_DIR;
    process.env.MCP_SPEC_DIR = '/somewhere';
    try {
      expect(localSources().map((s) => [s.dir, s.inPlace ?? false])).toEqual([
        ['/somewhere', true],
        [BUNDLED_DIR, true],
        [join(PROJECT_ROOT, '..', 'shared', 'mcp-spec'), false],
      ]);
    } finally {
      if (before === undefined) delete process.env.MCP_SPEC_DIR;
      else process.env.MCP_SPEC_DIR = before;
    }
  });
});

describe('the sync command, in a copy of the project with no ../shared beside it', () => {
  function projectCopy(): string {
    const root = join(temp(), 'proj');
    for (const p of ['schema/manifest.json', 'schema/sync.ts', 'schema/revisions.ts', 'schema/build.ts', 'schema/load.ts', 'schema/patches.ts', 'schema/validate.ts', 'package.json', 'bin']) {
      cpSync(join(PROJECT_ROOT, p), join(root, p), { recursive: true });
    }
    execFileSync('ln', ['-s', join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules')]);
    return root;
  }

  it('works with MCP_SPEC_DIR pointing elsewhere', () => {
    const root = projectCopy();
    const r = spawnSync(process.execPath, ['bin/run.js', 'schema/build.ts'], { cwd: root, env: { ...process.env, MCP_SPEC_DIR: shared, MCP_CONFORM_OFFLINE: '1' }, encoding: 'utf8' });
    expect(r.stderr).toContain('generated schema/generated/2026-07-28.d.ts');
    expect(r.status).toBe(0);
  }, 60_000);

  it('fails with one clear message when no source is available', () => {
    const root = projectCopy();
    const env: NodeJS.ProcessEnv = { ...process.env, MCP_CONFORM_OFFLINE: '1' };
    delete env.MCP_SPEC_DIR;
    const r = spawnSync(process.execPath, ['bin/run.js', 'schema/build.ts'], { cwd: root, env, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot load the official MCP schema for revision 2024-11-05/);
    expect(r.stderr).toContain('../shared/mcp-spec');
    expect(r.stderr).toContain('pinned download');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  }, 60_000);
});
