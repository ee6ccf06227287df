// Client fixtures and drivers are TypeScript; the tests launch them hundreds of times, so they are
// transpiled once (TypeScript's transpileModule, no type check) to plain .mjs under
// node_modules/.cache and started with plain node: no tsx start-up on every launch.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CACHE = join(ROOT, 'node_modules', '.cache', 'mcp-conform-tests');

/** The .mjs for a .ts file of the project (and, transitively, its relative .ts imports). */
export function transpiled(file: string): string {
  const src = resolve(ROOT, file);
  const out = join(CACHE, relative(ROOT, src)).replace(/\.ts$/, '.mjs');
  let fresh = false;
  try {
    fresh = statSync(out).mtimeMs >= statSync(src).mtimeMs;
  } catch {
    fresh = false;
  }
  const text = readFileSync(src, 'utf8');
  const relatives = [...text.matchAll(/from\s+'(\.{1,2}\/[^']+\.ts)'/g)].map((m) => m[1]!);
  for (const r of relatives) transpiled(relative(ROOT, resolve(dirname(src), r)));
  if (fresh) return out;
  const js = ts.transpileModule(text, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false, isolatedModules: true },
    fileName: src,
  }).outputText.replace(/(from\s+'\.{1,2}\/[^']+)\.ts'/g, "$1.mjs'");
  mkdirSync(dirname(out), { recursive: true });
  // Written aside, then renamed: test files transpile in parallel, and one may start the client
  // while another rewrites it (a half-written .mjs once made a fixture run send nothing).
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, js);
  renameSync(tmp, out);
  return out;
}
