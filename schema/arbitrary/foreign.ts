// Arbitraries of any JSON Schema document (a tool's inputSchema, an elicitation schema…).
import fc from 'fast-check';
import type { ArbitraryOptions } from './engine.ts';
import { boundedFilter, SchemaArbitraryError, type Dialect, type JsonSchema, type SchemaObject } from './oracle.ts';
import { makeEngine, noValue, type CompiledArbitrary } from './shared.ts';

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
  if (schema === false) throw new SchemaArbitraryError('no value satisfies the schema — it is `false`', '', 'false');
  const root: SchemaObject = schema === true ? {} : schema;
  const { compiler } = makeEngine(root, dialect, opts);
  let check: (v: unknown) => boolean;
  try {
    compiler.oracle.check();
    check = compiler.oracle.forNode(root);
  } catch (err) {
    throw new SchemaArbitraryError(`ajv cannot compile the schema: ${(err as Error).message}`, '', 'schema');
  }
  const arb = compiler.compile(root, 0);
  if (!arb) throw noValue(compiler, 'the schema');
  // Foreign schemas get a final ajv check: whatever the generator approximates, nothing invalid leaks out.
  const arbitrary = boundedFilter(arb, check, { pointer: '', construct: 'the whole schema (ajv check of generated values)' });
  // Fail now, with the construct named, rather than on first use.
  fc.sample(arbitrary, { seed: 0x6d6370, numRuns: 5 });
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
