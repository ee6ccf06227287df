// Wiring shared by the MCP-revision and foreign-schema entry points.
import type fc from 'fast-check';
import { Compiler, resolveOptions, type ArbitraryOptions, type OracleUse } from './engine.ts';
import { indexDocument, Normalizer } from './normalize.ts';
import { Oracle, SchemaArbitraryError, type Dialect, type SchemaObject } from './oracle.ts';

export interface CompiledArbitrary<T> {
  arbitrary: fc.Arbitrary<T>;
  /** Places where values are filtered through ajv instead of being valid by construction. */
  oracleUses: OracleUse[];
}

export interface Engine {
  compiler: Compiler;
  normalizer: Normalizer;
}

export function makeEngine(root: SchemaObject, dialect: Dialect, opts: ArbitraryOptions | undefined): Engine {
  const { pointers, anchors } = indexDocument(root);
  const normalizer = new Normalizer(root, dialect, pointers, anchors);
  const oracle = new Oracle(root, dialect, pointers);
  return { compiler: new Compiler(normalizer, oracle, resolveOptions(opts), dialect), normalizer };
}

/** The error for a schema with no value: the root's reason first, then what it came from. */
export function noValue(compiler: Compiler, what: string, from = 0): SchemaArbitraryError {
  const seen = new Set<string>();
  const found = compiler.failures.slice(from).reverse().filter((f) => {
    const k = `${f.pointer} ${f.reason}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
  const reasons = found.slice(0, 4).map((f) => `${f.pointer || '/'} (${f.construct}): ${f.reason}`);
  if (reasons.length === 0) reasons.push('/: the schema is `false`');
  const root = found[0];
  return new SchemaArbitraryError(`no value satisfies ${what} — ${reasons.join('; because ')}`, root?.pointer ?? '', root?.construct ?? 'false');
}
