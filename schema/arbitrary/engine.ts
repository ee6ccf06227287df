// Schema node → fast-check arbitrary. Values are built to satisfy the schema by construction;
// ajv is consulted (as a bounded filter) only for constructs construction does not guarantee,
// and each such place is recorded in `oracleUses`. Recursion is bounded by a depth budget: past
// `maxDepth` only required parts are generated, so recursive schemas terminate and stay small.
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { formatArbitrary, numericFormatBounds } from './formats.ts';
import { ANNOTATIONS, isObj, mergeSchemas, schemaForKey, type Normalizer } from './normalize.ts';
import { boundedFilter, escapeSegment, GenerationExhaustedError, RESIDUAL, SchemaArbitraryError, type Dialect, type JsonSchema, type Oracle, type Residual, type SchemaObject } from './oracle.ts';

export interface ArbitraryOptions {
  /** Nesting (objects, arrays) past which only required members are generated. Default 4. */
  maxDepth?: number;
  /** Soft cap on array lengths (minItems wins). Default 3. */
  maxArrayLength?: number;
  /** Soft cap on plain string lengths (minLength wins). Default 16. */
  maxStringLength?: number;
  /** Objects that allow unknown keys sometimes get one or two. Default true. */
  extraProperties?: boolean;
}

export type ResolvedOptions = Required<ArbitraryOptions>;

export function resolveOptions(opts: ArbitraryOptions = {}): ResolvedOptions {
  return {
    maxDepth: opts.maxDepth ?? 4,
    maxArrayLength: opts.maxArrayLength ?? 3,
    maxStringLength: opts.maxStringLength ?? 16,
    extraProperties: opts.extraProperties ?? true,
  };
}

/** A place where generation relies on ajv rather than on construction. */
export interface OracleUse {
  pointer: string;
  construct: string;
}

type Arb = fc.Arbitrary<unknown>;

/** Nesting allowed past maxDepth for required members before a schema is declared endless. */
const REQUIRED_NESTING_SLACK = 24;
const PENDING = Symbol('pending');
const PROBE_SEED = 0x5eed;

const OBJECT_KEYWORDS = ['properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'minProperties', 'maxProperties', 'dependentRequired', 'dependencies', 'dependentSchemas', 'unevaluatedProperties'];
const ARRAY_KEYWORDS = ['items', 'prefixItems', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains', 'minContains', 'maxContains', 'unevaluatedItems'];
const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern'];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const ALL_TYPES = ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'];
/** Keywords the typed generators honour exactly; anything else that validates goes to the oracle. */
const CONSTRUCTIVE = new Set([
  'type', 'enum', 'const', 'anyOf', 'oneOf', 'format',
  ...STRING_KEYWORDS, 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'properties', 'required', 'additionalProperties', 'propertyNames',
  'items', 'prefixItems', 'additionalItems', 'minItems', 'maxItems',
]);

export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeAllows(types: readonly string[], v: unknown): boolean {
  const t = jsonTypeOf(v);
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

/** Stable text of a JSON value (sorted keys), for uniqueness. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** -0 does not survive JSON; 0 satisfies every bound -0 does. */
const noNegativeZero = (x: number) => (x === 0 ? 0 : x);

/** fc.jsonValue may hold -0, which JSON turns into 0: values must survive the wire unchanged. */
function scrubNegativeZero(v: unknown): unknown {
  if (typeof v === 'number') return noNegativeZero(v);
  if (Array.isArray(v)) return v.map(scrubNegativeZero);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubNegativeZero(x)]));
  return v;
}

const keyName = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-zA-Z_$][a-zA-Z0-9_.$-]{0,9}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

export class Compiler {
  readonly oracleUses: OracleUse[] = [];
  /** Why subschemas had no value, causes before the nodes they sink; the error when the root has none. */
  readonly failures: { pointer: string; construct: string; reason: string }[] = [];
  private readonly memo = new WeakMap<object, Map<number, Arb | null | typeof PENDING>>();
  private readonly branchCache = new WeakMap<object, JsonSchema[]>();
  private readonly noted = new Set<string>();
  private cycleHits = 0;

  constructor(
    readonly norm: Normalizer,
    readonly oracle: Oracle,
    readonly opts: ResolvedOptions,
    readonly dialect: Dialect,
  ) {}

  /** Arbitrary of the values valid against `node`, or null when none can be produced within the budget. */
  compile(node: JsonSchema, depth: number): Arb | null {
    const s = this.norm.normalize(node);
    if (s === true) return this.anyJson(depth);
    if (s === false) {
      const conflict = typeof node === 'object' ? this.norm.conflicts.get(node) : undefined;
      if (conflict) return this.fail(node, conflict, `allOf/$ref parts disagree on ${conflict}`);
      return null; // the parent says what needed a value here
    }
    if (depth > this.opts.maxDepth + REQUIRED_NESTING_SLACK) {
      return this.fail(s, '$ref', 'required members nest without end (a recursive schema with no finite value)');
    }
    let byDepth = this.memo.get(s);
    if (!byDepth) this.memo.set(s, (byDepth = new Map()));
    const hit = byDepth.get(depth);
    if (hit === PENDING) {
      // A cycle through anyOf/$ref without nesting adds nothing new.
      this.cycleHits++;
      return null;
    }
    if (hit !== undefined) return hit;
    byDepth.set(depth, PENDING);
    const hitsBefore = this.cycleHits;
    const arb = this.build(s, depth);
    // A result shaped by a cycle cut depends on where compilation started: keep it only for this
    // call, so an arbitrary never depends on which types were compiled before it.
    if (this.cycleHits === hitsBefore) byDepth.set(depth, arb);
    else byDepth.delete(depth);
    return arb;
  }

  private ptr(s: JsonSchema): string {
    return this.norm.pointerOf(s);
  }

  private fail(s: JsonSchema, construct: string, reason: string): null {
    this.failures.push({ pointer: this.ptr(s), construct, reason });
    return null;
  }

  /** Values of `arb` that ajv accepts for `s` (or that pass `pred`); recorded in oracleUses. */
  private useOracle(s: SchemaObject, arb: Arb, construct: string, pred?: (v: unknown) => boolean): Arb | null {
    const pointer = this.ptr(s);
    const key = `${pointer} ${construct}`;
    if (!this.noted.has(key)) {
      this.noted.add(key);
      this.oracleUses.push({ pointer, construct });
    }
    return this.filtered(s, arb, pred ?? this.oracle.forNode(s), construct);
  }

  /**
   * A bounded filter, tried once here with a fixed seed: when nothing passes, the node counts as
   * having no value (null), so an optional member or an alternative is dropped instead of
   * failing every generation later.
   */
  private filtered<T>(s: SchemaObject, arb: fc.Arbitrary<T>, pred: (v: T) => boolean, construct: string, tries = 200): fc.Arbitrary<T> | null {
    const pointer = this.ptr(s);
    const out = boundedFilter(arb, pred, { pointer, construct }, tries);
    try {
      fc.sample(out, { seed: PROBE_SEED, numRuns: 3 });
    } catch (err) {
      if (!(err instanceof GenerationExhaustedError)) throw err;
      this.failures.push({ pointer: err.pointer, construct: err.construct, reason: 'no generated candidate passes it (unsatisfiable, or too hard for the generator)' });
      return null;
    }
    return out;
  }

  private build(s: SchemaObject, depth: number): Arb | null {
    if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) return this.buildBranches(s, depth);
    if (s.if !== undefined) return this.buildConditional(s, depth);
    const arb = this.buildTyped(s, depth);
    if (!arb) return null;
    const needs = this.needsOracle(s);
    return needs.length ? this.useOracle(s, arb, needs.join(', ')) : arb;
  }

  /** if/then/else as two alternatives, (if ∧ then) or else, each checked against the whole node. */
  private buildConditional(s: SchemaObject, depth: number): Arb | null {
    let branches = this.branchCache.get(s);
    if (!branches) {
      const base: SchemaObject & Residual = { ...s };
      delete base.if;
      delete base.then;
      delete base.else;
      const n = (x: unknown) => this.norm.normalize((x ?? true) as JsonSchema);
      branches = [mergeSchemas(mergeSchemas(base, n(s.if)), n(s.then)), mergeSchemas(base, n(s.else))];
      branches.forEach((b, i) => this.norm.noteOrigin(b, `${this.ptr(s)}/${i ? 'else' : 'then'}`));
      this.branchCache.set(s, branches);
    }
    const arbs = branches.map((b) => this.compile(b, depth)).filter((a): a is Arb => a !== null);
    if (arbs.length === 0) return this.fail(s, 'if', 'neither then nor else can be satisfied');
    return this.useOracle(s, arbs.length === 1 ? (arbs[0] as Arb) : fc.oneof(...arbs), 'if/then/else');
  }

  private buildBranches(s: SchemaObject, depth: number): Arb | null {
    const key = Array.isArray(s.anyOf) ? 'anyOf' : 'oneOf';
    const originals = s[key] as JsonSchema[];
    let branches = this.branchCache.get(s);
    if (!branches) {
      // Siblings of anyOf/oneOf apply to every alternative: fold them into each one.
      const base: SchemaObject & Residual = { ...s };
      delete base[key];
      branches = originals.map((b) => mergeSchemas(base, this.norm.normalize(b)));
      branches.forEach((b, i) => this.norm.noteOrigin(b, `${this.ptr(s)}/${key}/${i}`));
      this.branchCache.set(s, branches);
    }
    const arbs = branches.map((b) => this.compile(b, depth)).filter((a): a is Arb => a !== null);
    if (arbs.length === 0) return this.fail(s, key, `no alternative of ${key} can be satisfied`);
    const arb = arbs.length === 1 ? (arbs[0] as Arb) : fc.oneof(...arbs);
    if (key === 'anyOf') return arb;
    const checks = originals.map((b) => this.oracle.forNode(b));
    return this.useOracle(s, arb, 'oneOf (exactly one alternative)', (v) => checks.filter((c) => c(v)).length === 1);
  }

  /** Constructs present that the typed generators do not guarantee. */
  private needsOracle(s: SchemaObject): string[] {
    const out: string[] = [];
    const residual = (s as Residual)[RESIDUAL];
    if (residual?.length) out.push(`allOf (${[...new Set(residual.flatMap((r) => Object.keys(r)))].join(', ')})`);
    for (const k of Object.keys(s)) {
      if (CONSTRUCTIVE.has(k) || ANNOTATIONS.has(k)) continue;
      if (k === 'multipleOf' && Number.isInteger(s.multipleOf)) continue;
      if (k === 'uniqueItems' && (s.uniqueItems !== true || (!Array.isArray(s.prefixItems) && !Array.isArray(s.items) && !((s.minItems as number) > 1)))) continue;
      if (k === 'patternProperties' && isObj(s.patternProperties) && Object.keys(s.patternProperties).length <= 1) continue;
      if (k.startsWith('x-') || !VALIDATION_KEYWORDS.has(k)) continue; // ajv ignores unknown keywords
      out.push(k);
    }
    return out;
  }

  private typesOf(s: SchemaObject): string[] {
    if (typeof s.type === 'string') return [s.type];
    if (Array.isArray(s.type)) return s.type as string[];
    const has = (list: string[]) => list.some((k) => Object.hasOwn(s, k));
    const inferred: string[] = [];
    if (has(OBJECT_KEYWORDS)) inferred.push('object');
    if (has(ARRAY_KEYWORDS)) inferred.push('array');
    if (has(STRING_KEYWORDS) || (typeof s.format === 'string' && !numericFormatBounds(s.format))) inferred.push('string');
    if (has(NUMBER_KEYWORDS) || numericFormatBounds(s.format)) inferred.push('number');
    return inferred.length ? inferred : ALL_TYPES;
  }

  private buildTyped(s: SchemaObject, depth: number): Arb | null {
    if (Object.hasOwn(s, 'const') || Array.isArray(s.enum)) {
      const candidates = Object.hasOwn(s, 'const') ? [s.const] : (s.enum as unknown[]);
      const ok = candidates.filter((c) => this.acceptsCandidate(s, c));
      if (ok.length === 0) return this.fail(s, Object.hasOwn(s, 'const') ? 'const' : 'enum', `no value of ${Object.hasOwn(s, 'const') ? 'const' : 'enum'} satisfies the other keywords`);
      // Clone so that callers mutating a value cannot corrupt the schema's own constants.
      return fc.constantFrom(...ok).map((v) => (v !== null && typeof v === 'object' ? structuredClone(v) : v));
    }
    const types = this.typesOf(s);
    if (types.length === 0) return this.fail(s, 'type', 'no type is allowed (conflicting types in allOf?)');
    const arbs: Arb[] = [];
    for (const t of types) {
      // "number" already yields integers; listing both would only skew the mix.
      if (t === 'integer' && types.includes('number')) continue;
      const a = this.forType(t, s, depth);
      if (a) arbs.push(a);
    }
    if (arbs.length === 0) return null;
    return arbs.length === 1 ? (arbs[0] as Arb) : fc.oneof(...arbs);
  }

  private acceptsCandidate(s: SchemaObject, c: unknown): boolean {
    const simple = Object.keys(s).every((k) => k === 'type' || k === 'enum' || k === 'const' || ANNOTATIONS.has(k)) && !(s as Residual)[RESIDUAL];
    if (!simple) return this.oracle.forNode(s)(c);
    if (Object.hasOwn(s, 'const') && !isDeepStrictEqual(s.const, c)) return false;
    if (Array.isArray(s.enum) && !s.enum.some((e) => isDeepStrictEqual(e, c))) return false;
    if (s.type !== undefined) return typeAllows(typeof s.type === 'string' ? [s.type] : (s.type as string[]), c);
    return true;
  }

  private forType(t: string, s: SchemaObject, depth: number): Arb | null {
    switch (t) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return this.integers(s);
      case 'number':
        return this.numbers(s);
      case 'string':
        return this.strings(s);
      case 'array':
        return this.arrays(s, depth);
      case 'object':
        return this.objects(s, depth);
      default:
        return this.fail(s, 'type', `type "${t}" is not a JSON Schema type`);
    }
  }

  private bounds(s: SchemaObject): { lo: number; hi: number; loEx: boolean; hiEx: boolean } {
    let lo = -Infinity;
    let hi = Infinity;
    let loEx = false;
    let hiEx = false;
    if (typeof s.minimum === 'number') lo = s.minimum;
    if (typeof s.maximum === 'number') hi = s.maximum;
    // draft-04 style booleans, still met in the wild
    if (s.exclusiveMinimum === true) loEx = true;
    if (s.exclusiveMaximum === true) hiEx = true;
    if (typeof s.exclusiveMinimum === 'number' && s.exclusiveMinimum >= lo) [lo, loEx] = [s.exclusiveMinimum, true];
    if (typeof s.exclusiveMaximum === 'number' && s.exclusiveMaximum <= hi) [hi, hiEx] = [s.exclusiveMaximum, true];
    const f = numericFormatBounds(s.format);
    if (f) {
      if (f.min > lo) [lo, loEx] = [f.min, false];
      if (f.max < hi) [hi, hiEx] = [f.max, false];
    }
    return { lo, hi, loEx, hiEx };
  }

  private intRange(s: SchemaObject): { lo: number; hi: number } {
    const b = this.bounds(s);
    let lo = b.loEx ? Math.floor(b.lo) + 1 : Math.ceil(b.lo);
    let hi = b.hiEx ? Math.ceil(b.hi) - 1 : Math.floor(b.hi);
    // Unbounded sides: int32 is plenty of variety and stays exact in every JSON parser.
    if (!Number.isFinite(lo)) lo = Number.isFinite(hi) ? Math.max(Number.MIN_SAFE_INTEGER, hi - 2 ** 31) : -(2 ** 31);
    if (!Number.isFinite(hi)) hi = Math.min(Number.MAX_SAFE_INTEGER, lo + 2 ** 32);
    return { lo: Math.max(lo, Number.MIN_SAFE_INTEGER), hi: Math.min(hi, Number.MAX_SAFE_INTEGER) };
  }

  private integers(s: SchemaObject): Arb | null {
    const { lo, hi } = this.intRange(s);
    const m = s.multipleOf;
    if (typeof m === 'number' && Number.isInteger(m) && m > 0) {
      const klo = Math.ceil(lo / m);
      const khi = Math.floor(hi / m);
      if (klo > khi) return this.fail(s, 'multipleOf', `no multiple of ${m} between the bounds`);
      return fc.integer({ min: klo, max: khi }).map((k) => noNegativeZero(k * m));
    }
    if (lo > hi) return this.fail(s, 'minimum/maximum', 'the bounds leave no integer');
    if (typeof m === 'number') {
      // Non-integer multipleOf: candidates k·m, checked by ajv (floating point decides).
      return fc.integer({ min: -1000, max: 1000 }).map((k) => Math.round(k * m));
    }
    return fc.integer({ min: lo, max: hi });
  }

  private numbers(s: SchemaObject): Arb | null {
    if (numericFormatBounds(s.format) || (typeof s.multipleOf === 'number')) {
      if (typeof s.multipleOf === 'number' && !Number.isInteger(s.multipleOf)) {
        const m = s.multipleOf;
        const { lo, hi } = this.bounds(s);
        const klo = Number.isFinite(lo) ? Math.ceil(lo / m) : -1000;
        const khi = Number.isFinite(hi) ? Math.floor(hi / m) : klo + 2000;
        if (klo > khi) return this.fail(s, 'multipleOf', `no multiple of ${m} between the bounds`);
        return fc.integer({ min: Math.max(klo, -1e9), max: Math.min(khi, 1e9) }).map((k) => noNegativeZero(k * m));
      }
      return this.integers(s);
    }
    const { lo, hi, loEx, hiEx } = this.bounds(s);
    if (lo > hi || (lo === hi && (loEx || hiEx))) return this.fail(s, 'minimum/maximum', 'the bounds leave no number');
    const doubles = fc
      .double({
        noNaN: true,
        noDefaultInfinity: true,
        ...(Number.isFinite(lo) ? { min: lo, minExcluded: loEx } : {}),
        ...(Number.isFinite(hi) ? { max: hi, maxExcluded: hiEx } : {}),
      })
      .map(noNegativeZero);
    const ints = this.intRange(s);
    if (ints.lo > ints.hi) return doubles;
    // Most real numbers in MCP are counts and ids: mostly integers, some fractions.
    return fc.oneof({ weight: 2, arbitrary: fc.integer({ min: ints.lo, max: ints.hi }) }, { weight: 1, arbitrary: doubles });
  }

  private strings(s: SchemaObject): Arb | null {
    const minL = typeof s.minLength === 'number' ? s.minLength : 0;
    const maxL = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
    if (minL > maxL) return this.fail(s, 'minLength/maxLength', 'minLength > maxLength');
    const pointer = this.ptr(s);
    const len = (x: string) => [...x].length; // ajv counts code points
    const lengthOk = (x: string) => len(x) >= minL && len(x) <= maxL;
    const format = typeof s.format === 'string' ? s.format : undefined;
    const fmt = format ? formatArbitrary(format, pointer) : undefined;
    const bounded = minL > 0 || Number.isFinite(maxL);
    if (typeof s.pattern === 'string') {
      let re: RegExp;
      try {
        re = new RegExp(s.pattern, 'u');
      } catch (err) {
        throw new SchemaArbitraryError(`pattern at ${pointer || '/'} is not a valid ECMA-262 regular expression: ${(err as Error).message}`, pointer, 'pattern');
      }
      let matching: fc.Arbitrary<string> | undefined;
      try {
        // No maxLength here: fast-check throws at generation when the pattern needs more; the length filter below decides.
        matching = fc.stringMatching(re);
      } catch {
        // Syntax fast-check cannot invert: random strings, filtered below.
      }
      if (matching && !fmt && !bounded) return matching;
      // Candidates from every generator that fits part of the node, kept when they fit all of it.
      const sources = [matching, fmt, fc.string({ unit: 'binary-ascii', minLength: minL, maxLength: Math.max(minL, this.opts.maxStringLength) })].filter((a): a is fc.Arbitrary<string> => a !== undefined);
      const ok = (x: string) => re.test(x) && lengthOk(x) && (!format || !fmt || this.formatOk(format, x));
      const what = [`pattern ${s.pattern}`, fmt ? `format ${format}` : '', bounded ? 'minLength/maxLength' : ''].filter(Boolean).join(' with ');
      return this.filtered(s, fc.oneof(...sources), ok, what);
    }
    if (fmt) return bounded ? this.filtered(s, fmt, lengthOk, `format ${format} with minLength/maxLength`) : fmt;
    const maxLength = Math.min(maxL, Math.max(minL, this.opts.maxStringLength));
    return fc.oneof(
      { weight: 4, arbitrary: fc.string({ minLength: minL, maxLength }) },
      // Non-ASCII code points (never lone surrogates: those are an invalid-value rule of their own).
      { weight: 1, arbitrary: fc.string({ unit: codePoint(), minLength: minL, maxLength }) },
    );
  }

  private formatOk(format: string, x: string): boolean {
    return this.oracle.forNode({ type: 'string', format })(x);
  }

  private arrays(s: SchemaObject, depth: number): Arb | null {
    const tuple = Array.isArray(s.prefixItems) ? (s.prefixItems as JsonSchema[]) : Array.isArray(s.items) ? (s.items as JsonSchema[]) : undefined;
    const restSchema = (tuple ? (Array.isArray(s.prefixItems) ? s.items : s.additionalItems) : s.items) as JsonSchema | undefined;
    const minI = typeof s.minItems === 'number' ? s.minItems : 0;
    const maxI = typeof s.maxItems === 'number' ? s.maxItems : Infinity;
    if (minI > maxI) return this.fail(s, 'minItems/maxItems', 'minItems > maxItems');
    let cap = Math.min(maxI, depth >= this.opts.maxDepth ? minI : Math.max(minI, this.opts.maxArrayLength));
    const prefix = (tuple ?? []).map((t) => this.compile(t, depth + 1));
    const needRest = cap > prefix.length;
    const rest = !needRest ? null : restSchema === undefined ? this.anyJson(depth + 1) : this.compile(restSchema, depth + 1);
    let limit = prefix.findIndex((a) => a === null);
    if (limit < 0) limit = rest ? Infinity : prefix.length;
    if (minI > limit) return this.fail(s, 'minItems', `minItems ${minI} needs items the schema cannot produce`);
    cap = Math.min(cap, limit);
    if (s.contains !== undefined && s.minContains !== 0 && !this.compile(s.contains as JsonSchema, depth + 1)) {
      return this.fail(s, 'contains', 'no item can satisfy contains');
    }
    if (!tuple) {
      const item = rest ?? fc.constant(null); // cap is 0 when rest is null
      let arb: Arb | null = fc.array(item, { minLength: minI, maxLength: cap });
      if (s.uniqueItems === true) {
        // fc.uniqueArray loops forever when minLength exceeds the items it can draw: ask for
        // none and check the length here, bounded.
        arb = fc.uniqueArray(item, { maxLength: cap, selector: canonicalJson });
        if (minI > 0) arb = this.filtered(s, arb as fc.Arbitrary<unknown[]>, (a) => a.length >= minI, 'uniqueItems with minItems');
        if (!arb) return null;
      }
      if (s.contains !== undefined) arb = this.withContains(s, arb, depth);
      return arb;
    }
    const at = (i: number): Arb => (i < prefix.length ? (prefix[i] as Arb) : (rest as Arb));
    let arb: Arb = fc.integer({ min: minI, max: cap }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => at(i))));
    if (s.contains !== undefined) arb = this.withContains(s, arb, depth);
    return arb;
  }

  /** Puts one `contains` item at a random place; the oracle checks the rest (see needsOracle). */
  private withContains(s: SchemaObject, arb: Arb, depth: number): Arb {
    const item = this.compile(s.contains as JsonSchema, depth + 1);
    if (!item) return arb;
    return fc.tuple(arb, item, fc.nat()).map(([a, it, pos]) => {
      const list = [...(a as unknown[])];
      list.splice(pos % (list.length + 1), 0, it);
      return list;
    });
  }

  private objects(s: SchemaObject, depth: number): Arb | null {
    const props = isObj(s.properties) ? s.properties : {};
    const required = Array.isArray(s.required) ? (s.required as string[]) : [];
    const pn = s.propertyNames as JsonSchema | undefined;
    const nameOk = pn === undefined ? () => true : this.oracle.forNode(pn);
    const minimal = depth >= this.opts.maxDepth;
    const maxProps = typeof s.maxProperties === 'number' ? s.maxProperties : Infinity;
    if (typeof s.minProperties === 'number' && s.minProperties > maxProps) return this.fail(s, 'minProperties/maxProperties', 'minProperties > maxProperties');
    if (new Set(required).size > maxProps) return this.fail(s, 'maxProperties', 'more required properties than maxProperties allows');
    const model: Record<string, Arb> = {};
    const requiredKeys: string[] = [];
    for (const k of new Set([...required, ...Object.keys(props)])) {
      const isRequired = required.includes(k);
      if (!isRequired && (minimal || k === '__proto__')) continue;
      if (!nameOk(k)) {
        if (isRequired) return this.fail(s, 'propertyNames', `required property "${k}" is not allowed by propertyNames`);
        continue;
      }
      const sub = schemaForKey(s, k);
      this.norm.noteOrigin(sub, `${this.ptr(s)}/properties/${escapeSegment(k)}`);
      const a = this.compile(sub, depth + 1);
      if (!a) {
        if (isRequired) return this.fail(s, 'required', `required property "${k}" cannot be satisfied`);
        continue;
      }
      model[k] = a;
      if (isRequired) requiredKeys.push(k);
    }
    const record = fc.record(model, { requiredKeys, noNullPrototype: true });
    const minProps = typeof s.minProperties === 'number' ? s.minProperties : 0;
    const needExtra = Math.max(0, minProps - Object.keys(model).length);
    if ((!this.opts.extraProperties || minimal) && needExtra === 0) return record;
    const extra = this.extraEntry(s, props, nameOk, depth);
    if (!extra) return needExtra > 0 ? this.fail(s, 'minProperties', 'minProperties needs more properties than the schema allows') : record;
    const extras = needExtra > 0
      ? fc.array(extra, { minLength: needExtra, maxLength: needExtra + 2 })
      : fc.oneof({ weight: 3, arbitrary: fc.constant([] as [string, unknown][]) }, { weight: 1, arbitrary: fc.array(extra, { minLength: 1, maxLength: 2 }) });
    return fc.tuple(record, extras).map(([r, ex]) => {
      const o: Record<string, unknown> = { ...r };
      for (const [k, v] of ex) if (!Object.hasOwn(o, k)) o[k] = v;
      return o;
    });
  }

  /** One unknown member: a name the schema leaves open and a value its additional/pattern properties allow. */
  private extraEntry(s: SchemaObject, props: SchemaObject, nameOk: (k: unknown) => boolean, depth: number): fc.Arbitrary<[string, unknown]> | null {
    const patterns = isObj(s.patternProperties) ? Object.keys(s.patternProperties) : [];
    const regexes = patterns.map((p) => new RegExp(p, 'u'));
    const free = (k: string) => k !== '__proto__' && !Object.hasOwn(props, k) && nameOk(k);
    const options: fc.Arbitrary<[string, unknown]>[] = [];
    const additional = s.additionalProperties ?? s.unevaluatedProperties;
    if (additional !== false) {
      const value = additional === undefined ? this.anyJson(depth + 1) : this.compile(additional as JsonSchema, depth + 1);
      const pnArb = s.propertyNames !== undefined && s.propertyNames !== true ? this.compile(s.propertyNames as JsonSchema, depth + 1) : null;
      const names = (pnArb ?? keyName) as fc.Arbitrary<unknown>;
      const name = value && this.filtered(s, names, (k) => typeof k === 'string' && free(k) && !regexes.some((r) => r.test(k)), 'a name for an additional property', 50);
      if (value && name) options.push(fc.tuple(name as fc.Arbitrary<string>, value));
    }
    patterns.forEach((p, i) => {
      let name: fc.Arbitrary<string>;
      try {
        name = fc.stringMatching(regexes[i] as RegExp, { maxLength: this.opts.maxStringLength });
      } catch {
        return;
      }
      const value = this.compile((s.patternProperties as SchemaObject)[p] as JsonSchema, depth + 1);
      const key = value && this.filtered(s, name, free, `a name matching patternProperties ${p}`, 50);
      if (value && key) options.push(fc.tuple(key, value));
    });
    if (options.length === 0) return null;
    return options.length === 1 ? (options[0] as fc.Arbitrary<[string, unknown]>) : fc.oneof(...options);
  }

  /** Any JSON value, small; scalars only once the depth budget is spent. */
  anyJson(depth: number): Arb {
    const left = this.opts.maxDepth - depth;
    if (left <= 0) return fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 8 }));
    return fc.jsonValue({ maxDepth: Math.min(2, left), depthSize: 'xsmall' }).map(scrubNegativeZero);
  }
}

/** Keywords ajv validates with (any dialect); everything else in a schema is ignored by it. */
const VALIDATION_KEYWORDS = new Set([
  'type', 'enum', 'const', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'format', 'items', 'prefixItems', 'additionalItems', 'unevaluatedItems',
  'contains', 'minContains', 'maxContains', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties',
  'minProperties', 'required', 'dependentRequired', 'dependencies', 'properties', 'patternProperties',
  'additionalProperties', 'unevaluatedProperties', 'propertyNames', 'dependentSchemas', 'allOf', 'anyOf',
  'oneOf', 'not', 'if', 'then', 'else', '$ref', '$dynamicRef', '$recursiveRef',
]);

// fast-check's own full-Unicode unit (`unit: 'binary'`) builds a reverse map of all 1.1M code
// points when the first such string arbitrary is made: about 2 s of CPU per process, on the
// critical path of the first generated tool call. This unit is the same mapping (index → code
// point, surrogates skipped; same values for the same seed) with an O(1) inverse.
const SURROGATES = 0xe000 - 0xd800;
let codePointUnit: fc.Arbitrary<string> | undefined;
export function codePoint(): fc.Arbitrary<string> {
  codePointUnit ??= fc.nat({ max: 0x10ffff - SURROGATES }).map(
    (i) => String.fromCodePoint(i < 0xd800 ? i : i + SURROGATES),
    (v) => {
      const cp = typeof v === 'string' ? v.codePointAt(0) : undefined;
      if (cp === undefined || String.fromCodePoint(cp) !== v || (cp >= 0xd800 && cp < 0xe000)) throw new Error('not one code point');
      return cp < 0xd800 ? cp : cp - SURROGATES;
    },
  );
  return codePointUnit;
}
