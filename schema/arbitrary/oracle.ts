// ajv as the oracle of the generator: compiled validators for any node of a schema document
// (original nodes by JSON pointer, merged nodes by a copy whose local refs are made absolute),
// and a filter that gives up with a clear error instead of looping forever.
import fc from 'fast-check';
import type { ValidateFunction } from 'ajv';
import { createAjv } from '../validate.ts';

export type JsonSchema = boolean | SchemaObject;
export type SchemaObject = { [keyword: string]: unknown };
export type Dialect = 'draft-07' | '2020-12';

/** The schema has no value the generator can produce (unsatisfiable, or a construct it cannot meet). */
export class SchemaArbitraryError extends Error {
  constructor(
    message: string,
    /** Where, as a JSON pointer into the schema, and which keyword. */
    readonly pointer: string,
    readonly construct: string,
  ) {
    super(message);
    this.name = 'SchemaArbitraryError';
  }
}

/** A filter gave up: the oracle rejected every candidate of a bounded number of tries. */
export class GenerationExhaustedError extends SchemaArbitraryError {
  override name = 'GenerationExhaustedError';
}

/** Internal: merged nodes keep keywords that could not be merged here; ajv checks them. */
export const RESIDUAL: unique symbol = Symbol('residual');
export type Residual = { [RESIDUAL]?: SchemaObject[] };

let counter = 0;

/** Documents added to one shared ajv instance before the next one is started (memory stays bounded). */
const SHARED_DOCS_MAX = 500;
const sharedAjvs = new Map<Dialect, { ajv: ReturnType<typeof createAjv>; docs: number }>();

/**
 * The ajv instance an oracle adds its document to. Creating one compiles the dialect's
 * meta-schema (~50–100 ms of CPU; the features tests made hundreds of oracles), so oracles share
 * one per dialect: each document is added under an id of its own. A document with an `$id`
 * anywhere gets an instance of its own, since two of them could name the same id.
 */
function instanceFor(dialect: Dialect, root: SchemaObject): ReturnType<typeof createAjv> {
  if (JSON.stringify(root).includes('"$id"')) return createAjv(dialect);
  let shared = sharedAjvs.get(dialect);
  if (!shared || shared.docs >= SHARED_DOCS_MAX) sharedAjvs.set(dialect, (shared = { ajv: createAjv(dialect), docs: 0 }));
  shared.docs++;
  return shared.ajv;
}

export class Oracle {
  readonly base: string;
  private ajv: ReturnType<typeof createAjv> | undefined;
  private readonly byNode = new WeakMap<object, (v: unknown) => boolean>();

  constructor(
    private readonly root: SchemaObject,
    readonly dialect: Dialect,
    private readonly pointers: WeakMap<object, string>,
    /** A validator of the whole document by pointer, when the caller already has one (the revision's). */
    baseId?: string,
  ) {
    const id = typeof root.$id === 'string' && !root.$id.startsWith('#') ? root.$id.replace(/#$/, '') : undefined;
    this.base = baseId ?? id ?? `urn:mcp-conform:arbitrary:${++counter}`;
  }

  private instance(): ReturnType<typeof createAjv> {
    if (this.ajv) return this.ajv;
    const ajv = instanceFor(this.dialect, this.root);
    // $schema names a meta-schema the other dialect's ajv lacks; the dialect is chosen already.
    const { $schema: _dialect, ...doc } = this.root;
    ajv.addSchema({ ...doc, $id: this.base });
    this.ajv = ajv;
    return ajv;
  }

  /** Compiles the whole document now, so a schema ajv cannot read fails early and clearly. */
  check(): void {
    const fn = this.instance().getSchema(this.base);
    if (!fn) throw new Error(`ajv could not compile the schema`);
  }

  /** Validator of a node: an original node through its pointer, a merged one through a copy. */
  forNode(node: JsonSchema): (v: unknown) => boolean {
    if (typeof node === 'boolean') return () => node;
    const hit = this.byNode.get(node);
    if (hit) return hit;
    const ptr = this.pointers.get(node);
    const residual = (node as Residual)[RESIDUAL];
    let fn: ValidateFunction | undefined;
    if (ptr !== undefined && !residual) {
      fn = this.instance().getSchema(`${this.base}#${encodePointer(ptr)}`);
    } else {
      const copy = this.absolutize(node) as SchemaObject;
      if (residual?.length) copy.allOf = [...((copy.allOf as unknown[]) ?? []), ...residual.map((r) => this.absolutize(r))];
      fn = this.instance().compile(copy);
    }
    if (!fn) throw new Error(`ajv could not compile the schema at ${ptr ?? '(merged node)'}`);
    const f = fn;
    // ajv can throw on odd data (fast-deep-equal calls a member named toString): not confirmed valid.
    const check = (v: unknown) => {
      try {
        return f(v) as boolean;
      } catch {
        return false;
      }
    };
    this.byNode.set(node, check);
    return check;
  }

  /** Deep copy with local references ('#…') rewritten against the document's id. */
  private absolutize(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((n) => this.absolutize(n));
    if (!node || typeof node !== 'object') return node;
    const out: SchemaObject = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#')) out[k] = this.base + v;
      else if (k === '$id' || k === '$schema') continue;
      else out[k] = this.absolutize(v);
    }
    const residual = (node as Residual)[RESIDUAL];
    if (residual?.length) out.allOf = [...((out.allOf as unknown[]) ?? []), ...residual.map((r) => this.absolutize(r))];
    return out;
  }
}

/** JSON pointer → URI fragment as ajv expects (each segment percent-encoded). */
export function encodePointer(ptr: string): string {
  return ptr
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/%24/g, '$'))
    .join('/');
}

export function escapeSegment(seg: string): string {
  return seg.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * `arb.filter(pred)` that tries a bounded number of times and then throws, naming what it was
 * filtering for: fast-check's own filter loops forever on a predicate that never holds.
 */
class BoundedFilterArbitrary<T> extends fc.Arbitrary<T> {
  constructor(
    private readonly arb: fc.Arbitrary<T>,
    private readonly pred: (v: T) => boolean,
    private readonly what: { pointer: string; construct: string },
    private readonly tries: number,
  ) {
    super();
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    for (let i = 0; i < this.tries; i++) {
      const g = this.arb.generate(mrng, biasFactor);
      if (this.pred(g.value)) return g;
    }
    const at = this.what.pointer || '/';
    throw new GenerationExhaustedError(
      `could not generate a value for "${this.what.construct}" at schema ${at}: ${this.tries} candidates in a row were rejected (unsatisfiable, or too hard for the generator)`,
      this.what.pointer,
      this.what.construct,
    );
  }
  canShrinkWithoutContext(value: unknown): value is T {
    return this.arb.canShrinkWithoutContext(value) && this.pred(value);
  }
  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    return this.arb.shrink(value, context).filter((v) => this.pred(v.value));
  }
}

export function boundedFilter<T>(arb: fc.Arbitrary<T>, pred: (v: T) => boolean, what: { pointer: string; construct: string }, tries = 200): fc.Arbitrary<T> {
  return new BoundedFilterArbitrary(arb, pred, what, tries);
}
