// Fills the gitignored cache (schema/.cache) with the pinned official schemas, verifying sha256.
// Sources, in order: $MCP_SPEC_DIR/<rev>/schema.json, ../shared/mcp-spec/<rev>/schema.json, the pinned URL.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REVISIONS, revisionInfo, type Revision } from './revisions.ts';

export const SCHEMA_DIR = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(SCHEMA_DIR, '..');
export const CACHE_DIR = process.env.MCP_CONFORM_CACHE_DIR ?? join(SCHEMA_DIR, '.cache');

export class SpecUnavailableError extends Error {
  override name = 'SpecUnavailableError';
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function cachePath(rev: Revision, cacheDir = CACHE_DIR): string {
  return join(cacheDir, rev, 'schema.json');
}

/** Where sync looks and writes; tests inject their own. */
export interface SyncPlaces {
  cacheDir?: string;
  sources?: { label: string; dir: string }[];
}

/** Local directories that may hold <rev>/schema.json, in the order they are tried. */
export function localSources(): { label: string; dir: string }[] {
  const out: { label: string; dir: string }[] = [];
  if (process.env.MCP_SPEC_DIR) out.push({ label: 'MCP_SPEC_DIR', dir: resolve(process.env.MCP_SPEC_DIR) });
  out.push({ label: '../shared/mcp-spec', dir: resolve(PROJECT_ROOT, '..', 'shared', 'mcp-spec') });
  return out;
}

interface Attempt {
  source: string;
  outcome: string;
}

function writeCache(rev: Revision, data: Buffer, places: SyncPlaces): string {
  const target = cachePath(rev, places.cacheDir);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, target); // atomic: parallel test workers never see half a file
  return target;
}

function tryLocal(rev: Revision, attempts: Attempt[], places: SyncPlaces): string | undefined {
  const want = revisionInfo(rev).sha256;
  const cached = cachePath(rev, places.cacheDir);
  if (existsSync(cached) && sha256(readFileSync(cached)) === want) return cached;
  for (const { label, dir } of places.sources ?? localSources()) {
    const file = join(dir, rev, 'schema.json');
    if (!existsSync(file)) {
      attempts.push({ source: `${label} (${file})`, outcome: 'not found' });
      continue;
    }
    const data = readFileSync(file);
    const got = sha256(data);
    if (got !== want) {
      attempts.push({ source: `${label} (${file})`, outcome: `sha256 mismatch: got ${got}, manifest pins ${want}` });
      continue;
    }
    return writeCache(rev, data, places);
  }
  return undefined;
}

function unavailable(rev: Revision, attempts: Attempt[]): SpecUnavailableError {
  const lines = attempts.map((a) => `  - ${a.source}: ${a.outcome}`).join('\n');
  return new SpecUnavailableError(
    `cannot load the official MCP schema for revision ${rev}; tried:\n${lines}\n` +
      `Set MCP_SPEC_DIR to a folder holding <revision>/schema.json, put the spec at ../shared/mcp-spec, or allow network access to the pinned URL.`,
  );
}

/** Synchronous: cache or local copies only. Used on every load; never touches the network. */
export function resolveSchemaFileSync(rev: Revision, places: SyncPlaces = {}): string {
  const attempts: Attempt[] = [];
  const found = tryLocal(rev, attempts, places);
  if (found) return found;
  attempts.push({ source: `pinned download (${revisionInfo(rev).url})`, outcome: 'not tried: run `mcp-conform sync` to download' });
  throw unavailable(rev, attempts);
}

/** Fills the cache for the given revisions, downloading when no local copy exists. */
export async function syncSchemas(
  revs: readonly Revision[] = REVISIONS,
  opts: SyncPlaces & { download?: boolean; timeoutMs?: number; fetchImpl?: typeof fetch } = {},
): Promise<Record<Revision, string>> {
  const out = {} as Record<Revision, string>;
  // MCP_CONFORM_OFFLINE=1: never download (air-gapped CI, or to prove the local copies are used).
  const download = opts.download ?? process.env.MCP_CONFORM_OFFLINE !== '1';
  for (const rev of revs) {
    const attempts: Attempt[] = [];
    const local = tryLocal(rev, attempts, opts);
    if (local) {
      out[rev] = local;
      continue;
    }
    const { url, sha256: want } = revisionInfo(rev);
    if (!download) {
      attempts.push({ source: `pinned download (${url})`, outcome: 'disabled' });
      throw unavailable(rev, attempts);
    }
    try {
      const res = await (opts.fetchImpl ?? fetch)(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = Buffer.from(await res.arrayBuffer());
      const got = sha256(data);
      if (got !== want) throw new Error(`sha256 mismatch: got ${got}, manifest pins ${want}`);
      out[rev] = writeCache(rev, data, opts);
    } catch (err) {
      const reason = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
      attempts.push({ source: `pinned download (${url})`, outcome: reason });
      throw unavailable(rev, attempts);
    }
  }
  return out;
}
