// Finds the pinned official schemas, verifying sha256. Sources, in order: $MCP_SPEC_DIR/<rev>/schema.json
// and the copy bundled in the npm package (schema/bundled, made at `npm pack`), both read where they
// are; the gitignored cache (schema/.cache); ../shared/mcp-spec/<rev>/schema.json and the pinned URL,
// both copied into the cache.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REVISIONS, revisionInfo, type Revision } from './revisions.ts';

export const SCHEMA_DIR = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(SCHEMA_DIR, '..');
export const CACHE_DIR = process.env.MCP_CONFORM_CACHE_DIR ?? join(SCHEMA_DIR, '.cache');
/** The schemas shipped in the npm package (copied and verified by bin/pack.ts; absent in a checkout). */
export const BUNDLED_DIR = join(SCHEMA_DIR, 'bundled');

/**
 * '.js' when running the package's compiled JavaScript, '.ts' in a checkout (under tsx): the
 * extension of the project's own modules, for the file globs and entry points built at run time.
 */
export const MODULE_EXT: '.js' | '.ts' = extname(fileURLToPath(import.meta.url)) === '.js' ? '.js' : '.ts';

/** Node arguments that run one of the project's entry points (project-relative, no extension). */
export function entryArgs(entry: string): string[] {
  const file = join(PROJECT_ROOT, `${entry}${MODULE_EXT}`);
  // Compiled JavaScript runs as is; TypeScript through bin/run.js (tsx), as in development.
  return MODULE_EXT === '.js' ? [file] : [join(PROJECT_ROOT, 'bin', 'run.js'), file];
}

export class SpecUnavailableError extends Error {
  override name = 'SpecUnavailableError';
  constructor(
    message: string,
    readonly revision?: Revision,
  ) {
    super(message);
  }
}

/** The one line the CLI prints for a missing schema: what is missing and what to do. */
export function specUnavailableLine(err: SpecUnavailableError): string {
  const rev = err.revision ?? 'a revision';
  return (
    `the official MCP schema for ${rev} is missing (not in MCP_SPEC_DIR, the package's bundled copy or the cache): ` +
    `reinstall mcp-conform, set MCP_SPEC_DIR to a folder holding ${rev}/schema.json, or run \`mcp-conform sync\` with network access`
  );
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function cachePath(rev: Revision, cacheDir = CACHE_DIR): string {
  return join(cacheDir, rev, 'schema.json');
}

/** A local directory that may hold <rev>/schema.json. */
export interface LocalSource {
  label: string;
  dir: string;
  /** Read where it is, before the cache (else tried after the cache, and copied into it). */
  inPlace?: boolean;
}

/** Where sync looks and writes; tests inject their own. */
export interface SyncPlaces {
  cacheDir?: string;
  sources?: LocalSource[];
}

/** Local directories that may hold <rev>/schema.json, in the order they are tried. */
export function localSources(): LocalSource[] {
  const out: LocalSource[] = [];
  if (process.env.MCP_SPEC_DIR) out.push({ label: 'MCP_SPEC_DIR', dir: resolve(process.env.MCP_SPEC_DIR), inPlace: true });
  out.push({ label: 'the copy bundled in the package', dir: BUNDLED_DIR, inPlace: true });
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

/** The file's bytes when it exists and matches the pin; else records why not. */
function verified(rev: Revision, label: string, file: string, attempts: Attempt[]): Buffer | undefined {
  const want = revisionInfo(rev).sha256;
  if (!existsSync(file)) {
    attempts.push({ source: `${label} (${file})`, outcome: 'not found' });
    return undefined;
  }
  const data = readFileSync(file);
  const got = sha256(data);
  if (got === want) return data;
  attempts.push({ source: `${label} (${file})`, outcome: `sha256 mismatch: got ${got}, manifest pins ${want}` });
  return undefined;
}

function tryLocal(rev: Revision, attempts: Attempt[], places: SyncPlaces): string | undefined {
  const sources = places.sources ?? localSources();
  for (const { label, dir } of sources.filter((s) => s.inPlace)) {
    const file = join(dir, rev, 'schema.json');
    if (verified(rev, label, file, attempts)) return file;
  }
  const cached = cachePath(rev, places.cacheDir);
  if (verified(rev, 'cache', cached, attempts)) return cached;
  for (const { label, dir } of sources.filter((s) => !s.inPlace)) {
    const data = verified(rev, label, join(dir, rev, 'schema.json'), attempts);
    if (data) return writeCache(rev, data, places);
  }
  return undefined;
}

function unavailable(rev: Revision, attempts: Attempt[]): SpecUnavailableError {
  const lines = attempts.map((a) => `  - ${a.source}: ${a.outcome}`).join('\n');
  return new SpecUnavailableError(
    `cannot load the official MCP schema for revision ${rev}; tried:\n${lines}\n` +
      `Set MCP_SPEC_DIR to a folder holding <revision>/schema.json, put the spec at ../shared/mcp-spec, or allow network access to the pinned URL.`,
    rev,
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
