// Schema → fast-check arbitraries: valid values of any MCP type of any revision, valid values of
// any foreign JSON Schema (a tool's inputSchema…), and labelled invalid JSON-RPC messages.
import fc from 'fast-check';
import { loadSchema } from '../load.ts';
import type { Revision } from '../revisions.ts';
import type { Schema } from '../types.ts';
import { Compiler, resolveOptions, type ArbitraryOptions, type OracleUse } from './engine.ts';
import { indexDocument, Normalizer } from './normalize.ts';
import { GenerationExhaustedError, Oracle, SchemaArbitraryError, boundedFilter, type Dialect, type JsonSchema, type SchemaObject } from './oracle.ts';

export type { ArbitraryOptions, OracleUse } from './engine.ts';
export { SchemaArbitraryError, GenerationExhaustedError, type Dialect, type JsonSchema } from './oracle.ts';

export interface CompiledArbitrary<T> {
  arbitrary: fc.Arbitrary<T>;
  /** Places where values are filtered through ajv instead of being valid by construction. */
  oracleUses: OracleUse[];
}

interface Engine {
  compiler: Compiler;
  normalizer: Normalizer;
}

function makeEngine(root: SchemaObject, dialect: Dialect, opts: ArbitraryOptions | undefined): Engine {
  const { pointers, anchors } = indexDocument(root);
  const normalizer = new Normalizer(root, dialect, pointers, anchors);
  const oracle = new Oracle(root, dialect, pointers);
  return { compiler: new Compiler(normalizer, oracle, resolveOptions(opts), dialect), normalizer };
}

function noValue(compiler: Compiler, what: string): SchemaArbitraryError {
  const seen = new Set<string>();
  const reasons = compiler.failures
    .filter((f) => {
      const k = `${f.pointer} ${f.reason}`;
      return seen.has(k) ? false : (seen.add(k), true);
    })
    .slice(0, 4)
    .map((f) => `${f.pointer || '/'}: ${f.reason}`);
  const first = compiler.failures[0];
  return new SchemaArbitraryError(`no value satisfies ${what} — ${reasons.join('; ')}`, first?.pointer ?? '', first?.reason.split(' ')[0] ?? 'schema');
}

const engines = new Map<string, Engine>();

function revisionEngine(rev: Revision, opts: ArbitraryOptions | undefined): Engine {
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
  const arbitrary = compiler.compile(def, 0);
  if (!arbitrary) throw noValue(compiler, `${typeName} of ${rev}`);
  // Uses recorded while compiling this type; types compiled earlier may share nodes, so also list
  // those reachable ones found before (cheap: the list is short, usually empty).
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

export interface ForeignSchemaOptions extends ArbitraryOptions {
  /** JSON Schema dialect; default: from `$schema`, else 2020-12 (the MCP default for tool schemas). */
  dialect?: Dialect;
}

export function dialectOf(schema: JsonSchema, fallback: Dialect = '2020-12'): Dialect {
  const s = typeof schema === 'object' && typeof schema.$schema === 'string' ? schema.$schema : '';
  if (/draft-0[4-7]/.test(s)) return 'draft-07';
  if (/2019-09|2020-12/.test(s)) return '2020-12';
  return fallback;
}

/** Like arbitraryFromJsonSchema, also saying where generation leans on ajv. */
export function compileJsonSchema(schema: JsonSchema, opts: ForeignSchemaOptions = {}): CompiledArbitrary<unknown> {
  const dialect = opts.dialect ?? dialectOf(schema);
  const root: SchemaObject = typeof schema === 'boolean' ? (schema ? {} : { not: {} }) : schema;
  const { compiler } = makeEngine(root, dialect, opts);
  const check = compiler.oracle.forNode(root);
  try {
    compiler.oracle.check();
  } catch (err) {
    throw new SchemaArbitraryError(`ajv cannot compile the schema: ${(err as Error).message}`, '', 'schema');
  }
  const arb = compiler.compile(root, 0);
  if (!arb) throw noValue(compiler, 'the schema');
  // Foreign schemas get a final ajv check: whatever the generator approximates, nothing invalid leaks out.
  const arbitrary = boundedFilter(arb, check, { pointer: '', construct: 'the whole schema (ajv check of generated values)' });
  // Fail now, with the construct named, rather than on first use.
  try {
    fc.sample(arbitrary, { seed: 0x6d6370, numRuns: 5 });
  } catch (err) {
    if (err instanceof GenerationExhaustedError) throw err;
    throw err;
  }
  return { arbitrary, oracleUses: compiler.oracleUses };
}

/**
 * Values valid against any JSON Schema document (draft-07 or 2020-12), e.g. a tool's inputSchema.
 * Local references ("#/$defs/…", "#/definitions/…", "#anchor") are resolved; constructs the
 * generator cannot build directly are filtered through ajv; a schema with no reachable value
 * throws a SchemaArbitraryError naming the construct.
 */
export function arbitraryFromJsonSchema(schema: JsonSchema, opts: ForeignSchemaOptions = {}): fc.Arbitrary<unknown> {
  return compileJsonSchema(schema, opts).arbitrary;
}
