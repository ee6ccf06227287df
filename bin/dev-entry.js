// Development only (not in the npm package): runs a TypeScript entry of this checkout as one
// JavaScript bundle, built by esbuild (the compiler tsx itself uses) and cached until one of its
// sources changes. Spawned servers and clients start in about half the time they take under tsx,
// whose loader hooks resolve every import at run time (measured: the reference server answers
// its first initialize after ~610 ms under tsx, ~315 ms bundled; bare Node ~110 ms).
//
// Packages stay external (resolved from node_modules as usual); `import.meta.url` keeps naming the
// source file, so paths computed from it (schema/, suites/, package.json) are those of the
// checkout. A TypeScript file imported at run time by path (a user's mock script) registers tsx
// on first use (mock-server/script/load.ts). MCP_CONFORM_TSX=1 runs the entry under tsx instead.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'mcp-conform', 'entries');
/** Entries started as targets many times a run: see importEntry. */
const LEAN_ENTRIES = new Set([join(ROOT, 'mock-server', 'reference', 'stdio.ts')]);
/** Marks a process where tsx is registered: runtime imports of TypeScript already work there. */
export const TSX_REGISTERED = Symbol.for('mcp-conform.tsx-registered');

async function underTsx(file) {
  const { register } = await import('tsx/esm/api');
  register();
  globalThis[TSX_REGISTERED] = true;
  return import(pathToFileURL(file).href);
}

/** Whether every source the bundle was built from is as it was then. */
function fresh(metaFile) {
  let meta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  } catch {
    return false;
  }
  for (const [file, stamp] of Object.entries(meta.inputs)) {
    try {
      const s = statSync(file);
      if (`${s.mtimeMs}:${s.size}` !== stamp) return false;
    } catch {
      return false;
    }
  }
  return true;
}

const keepMetaUrl = {
  name: 'keep-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

async function bundle(file, out, metaFile) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [file],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    outfile: out,
    plugins: [keepMetaUrl],
    logLevel: 'silent',
  });
  const inputs = {};
  for (const rel of Object.keys(result.metafile.inputs)) {
    const abs = resolve(ROOT, rel);
    const s = statSync(abs);
    inputs[abs] = `${s.mtimeMs}:${s.size}`;
  }
  mkdirSync(CACHE, { recursive: true });
  // Written aside then renamed: processes started together never read a half-written bundle.
  const tmp = `.${process.pid}.tmp`;
  for (const o of result.outputFiles) writeFileSync(o.path + tmp, o.contents);
  writeFileSync(metaFile + tmp, JSON.stringify({ entry: file, inputs }));
  for (const o of result.outputFiles) renameSync(o.path + tmp, o.path);
  renameSync(metaFile + tmp, metaFile);
}

/** Imports a TypeScript entry of the checkout (bundled, or under tsx when bundling is off or fails). */
export async function importEntry(entry) {
  const file = resolve(entry);
  if (process.env.MCP_CONFORM_TSX === '1' || !file.startsWith(ROOT)) return underTsx(file);
  const key = createHash('sha256').update(file).digest('hex').slice(0, 16);
  const out = join(CACHE, `${key}.mjs`);
  const metaFile = join(CACHE, `${key}.json`);
  if (!fresh(metaFile)) {
    try {
      await bundle(file, out, metaFile);
    } catch (err) {
      process.emitWarning(`cannot bundle ${entry}, running it under tsx: ${err.message}`);
      return underTsx(file);
    }
  }
  // Stack traces through the sources, except in an entry started once per check (the reference
  // server): Node parses the bundle's source map as it loads, ~0.1 s of CPU per start.
  if (!LEAN_ENTRIES.has(file)) process.setSourceMapsEnabled(true);
  return import(pathToFileURL(out).href);
}
