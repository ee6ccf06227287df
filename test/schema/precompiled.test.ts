// The standalone validators schema/build.ts writes (schema/generated/validators/<rev>.cjs) must
// judge exactly as validators compiled at run time: same verdict, same errors, for valid values
// and for broken ones, on every type of every revision.
import fc from 'fast-check';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { loadSchema, REVISIONS, typeNames, validatorFor } from '../../schema/index.ts';
import { arbitraryFor } from '../../schema/arbitrary/index.ts';
import { precompiledCurrent, schemaId } from '../../schema/validate.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The run-time compiled validators of a revision, as schema/validate.ts made them before. */
function compiledAtRunTime(rev: (typeof REVISIONS)[number]) {
  const loaded = loadSchema(rev);
  const opts = { strict: false, allErrors: true, validateFormats: true, allowUnionTypes: true } as const;
  const ajv = loaded.defsKey === '$defs' ? (new Ajv2020(opts) as unknown as Ajv) : new Ajv(opts);
  addFormats(ajv);
  const { $schema: _dialect, ...doc } = loaded.doc;
  ajv.addSchema({ ...doc, $id: schemaId(rev) });
  return (type: string) => ajv.getSchema(`${schemaId(rev)}#/${loaded.defsKey}/${type}`)!;
}

/** Breaks a value in a few ways a peer does: a property dropped, retyped, or added. */
function broken(v: unknown, i: number): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return i % 2 ? { v } : [v];
  const keys = Object.keys(v);
  const copy: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  if (keys.length && i % 3 === 0) delete copy[keys[i % keys.length]!];
  else if (keys.length && i % 3 === 1) copy[keys[i % keys.length]!] = i % 2 ? 42 : 'x';
  else copy.unexpected = null;
  return copy;
}

describe('precompiled validators', () => {
  for (const rev of REVISIONS) {
    it(`${rev}: written by schema/build.ts, current, and judging as run-time compiled ones`, () => {
      expect(precompiledCurrent(rev)).toBe(true);
      const runtime = compiledAtRunTime(rev);
      let compared = 0;
      for (const type of typeNames(rev)) {
        const pre = validatorFor(rev, type);
        const slow = runtime(type);
        expect(pre).not.toBe(slow);
        let values: unknown[] = [];
        try {
          values = fc.sample(arbitraryFor(rev, type), { seed: 7, numRuns: 3 });
        } catch {
          values = [{}];
        }
        for (const [i, v] of [...values, ...values.map(broken)].entries()) {
          const a = pre(v);
          const b = slow(v);
          expect({ type, v, a, errors: pre.errors ?? null }).toEqual({ type, v, a: b, errors: slow.errors ?? null });
          compared += i >= values.length ? 1 : 0;
        }
      }
      expect(compared).toBeGreaterThan(typeNames(rev).length);
    }, 120_000);
  }
});
