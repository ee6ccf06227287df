// Arbitraries of the named types of an MCP revision, on one engine per revision and options.
import type fc from 'fast-check';
import { loadSchema } from '../load.ts';
import type { Revision } from '../revisions.ts';
import type { Schema } from '../types.ts';
import { resolveOptions, type ArbitraryOptions } from './engine.ts';
import { makeEngine, noValue, type CompiledArbitrary, type Engine } from './shared.ts';

const engines = new Map<string, Engine>();

export function revisionEngine(rev: Revision, opts: ArbitraryOptions | undefined): Engine {
  const key = `${rev} ${JSON.stringify(resolveOptions(opts))}`;
  let e = engines.get(key);
  if (!e) {
    const loaded = loadSchema(rev);
    e = makeEngine(loaded.doc, loaded.defsKey === '$defs' ? '2020-12' : 'draft-07', opts);
    engines.set(key, e);
  }
  return e;
}

/** The arbitrary of a named type of a revision, with where (if anywhere) it leans on ajv. */
export function compileFor(rev: Revision, typeName: string, opts?: ArbitraryOptions): CompiledArbitrary<unknown> {
  const loaded = loadSchema(rev);
  const def = loaded.defs[typeName];
  if (!def) throw new Error(`revision ${rev} has no type "${typeName}"`);
  const { compiler } = revisionEngine(rev, opts);
  const before = compiler.oracleUses.length;
  const failuresBefore = compiler.failures.length;
  const arbitrary = compiler.compile(def, 0);
  if (!arbitrary) throw noValue(compiler, `${typeName} of ${rev}`, failuresBefore);
  // Uses first met while compiling this type (nodes shared with types compiled earlier were
  // reported then): the union over all types of a revision is complete.
  return { arbitrary, oracleUses: compiler.oracleUses.slice(before) };
}

/**
 * Values the revision's validator accepts for `typeName`, e.g. arbitraryFor('2025-11-25', 'CallToolResult').
 * Small by default (see ArbitraryOptions); deterministic for a given fast-check seed.
 */
export function arbitraryFor<R extends Revision, N extends keyof Schema[R] & string>(rev: R, typeName: N, opts?: ArbitraryOptions): fc.Arbitrary<Schema[R][N]>;
export function arbitraryFor(rev: Revision, typeName: string, opts?: ArbitraryOptions): fc.Arbitrary<unknown>;
export function arbitraryFor(rev: Revision, typeName: string, opts?: ArbitraryOptions): fc.Arbitrary<unknown> {
  return compileFor(rev, typeName, opts).arbitrary;
}

