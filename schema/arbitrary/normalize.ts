// Brings a schema node to a flat form the generator reads directly: local $ref resolved, allOf
// merged into one object schema. What cannot be merged exactly is kept aside (RESIDUAL) for ajv.
import { isDeepStrictEqual } from 'node:util';
import { isObject } from '../json.ts';
import { escapeSegment, RESIDUAL, SchemaArbitraryError, type Dialect, type JsonSchema, type Residual, type SchemaObject } from './oracle.ts';

/** Keywords that never constrain a value. */
export const ANNOTATIONS = new Set([
  '$schema', '$id', '$anchor', '$dynamicAnchor', '$comment', '$defs', 'definitions', '$vocabulary',
  'title', 'description', 'default', 'examples', 'readOnly', 'writeOnly', 'deprecated',
  'contentMediaType', 'contentEncoding', 'contentSchema',
]);

/** Applicators whose subschemas are reached through one child schema (for the pointer map). */
const CHILD_ONE = ['additionalProperties', 'additionalItems', 'items', 'contains', 'not', 'if', 'then', 'else', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems'];
const CHILD_LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'];
const CHILD_MAP = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies'];

/** isObject, seen as a schema object. */
export const isObj = isObject as (v: unknown) => v is SchemaObject;

/** Every schema node of a document by identity → its JSON pointer (and $anchor names). */
export function indexDocument(root: SchemaObject): { pointers: WeakMap<object, string>; anchors: Map<string, SchemaObject> } {
  const pointers = new WeakMap<object, string>();
  const anchors = new Map<string, SchemaObject>();
  const visit = (node: unknown, ptr: string) => {
    if (!isObj(node) || pointers.has(node)) return;
    pointers.set(node, ptr);
    if (typeof node.$anchor === 'string') anchors.set(node.$anchor, node);
    if (typeof node.$id === 'string' && node.$id.startsWith('#')) anchors.set(node.$id.slice(1), node);
    for (const k of CHILD_ONE) if (isObj(node[k])) visit(node[k], `${ptr}/${k}`);
    for (const k of CHILD_LIST) {
      const list = node[k];
      if (Array.isArray(list)) list.forEach((c, i) => visit(c, `${ptr}/${k}/${i}`));
    }
    for (const k of CHILD_MAP) {
      const map = node[k];
      if (isObj(map)) for (const [name, c] of Object.entries(map)) visit(c, `${ptr}/${k}/${escapeSegment(name)}`);
    }
  };
  visit(root, '');
  return { pointers, anchors };
}

export class Normalizer {
  private readonly cache = new WeakMap<object, JsonSchema>();
  private readonly resolving = new Set<object>();

  constructor(
    private readonly root: SchemaObject,
    private readonly dialect: Dialect,
    private readonly pointers: WeakMap<object, string>,
    private readonly anchors: Map<string, SchemaObject>,
  ) {}

  /** Nodes whose allOf/$ref parts contradict each other, and on which keyword. */
  readonly conflicts = new WeakMap<object, string>();
  /** Merged nodes: the pointer of the original they were made from, for messages. */
  private readonly origins = new WeakMap<object, string>();

  pointerOf(node: JsonSchema): string {
    return typeof node === 'object' ? (this.pointers.get(node) ?? this.origins.get(node) ?? '(merged)') : '';
  }

  noteOrigin(node: JsonSchema, pointer: string): void {
    if (typeof node === 'object' && !this.pointers.has(node) && !this.origins.has(node)) this.origins.set(node, pointer);
  }

  resolveRef(ref: string, from: JsonSchema): JsonSchema {
    const at = this.pointerOf(from);
    // A reference spelled with the document's own $id is local too.
    const id = typeof this.root.$id === 'string' ? this.root.$id.replace(/#$/, '') : undefined;
    if (id && ref.startsWith(`${id}#`)) ref = ref.slice(id.length);
    else if (id && ref === id) ref = '#';
    if (!ref.startsWith('#')) {
      throw new SchemaArbitraryError(`$ref "${ref}" at ${at || '/'}: only local references ("#/…" or "#anchor") are supported`, at, '$ref');
    }
    const frag = decodeURIComponent(ref.slice(1));
    if (frag !== '' && !frag.startsWith('/')) {
      const hit = this.anchors.get(frag);
      if (!hit) throw new SchemaArbitraryError(`$ref "${ref}" at ${at || '/'}: no $anchor "${frag}" in the schema`, at, '$ref');
      return hit;
    }
    let node: unknown = this.root;
    for (const raw of frag.split('/').slice(1)) {
      const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      node = Array.isArray(node) ? node[Number(seg)] : isObj(node) ? node[seg] : undefined;
      if (node === undefined) throw new SchemaArbitraryError(`$ref "${ref}" at ${at || '/'} points nowhere`, at, '$ref');
    }
    if (typeof node !== 'boolean' && !isObj(node)) throw new SchemaArbitraryError(`$ref "${ref}" at ${at || '/'} is not a schema`, at, '$ref');
    return node;
  }

  /** $ref and allOf folded away; the result is an original node whenever nothing had to merge. */
  normalize(node: JsonSchema): JsonSchema {
    if (typeof node === 'boolean') return node;
    const hit = this.cache.get(node);
    if (hit !== undefined) return hit;
    if (this.resolving.has(node)) {
      const at = this.pointerOf(node);
      throw new SchemaArbitraryError(`schema at ${at || '/'} refers to itself through $ref/allOf without any nesting`, at, '$ref');
    }
    this.resolving.add(node);
    try {
      const out = this.flatten(node);
      this.noteOrigin(out, this.pointerOf(node));
      this.cache.set(node, out);
      return out;
    } finally {
      this.resolving.delete(node);
    }
  }

  private flatten(node: SchemaObject): JsonSchema {
    const hasRef = typeof node.$ref === 'string';
    const hasAllOf = Array.isArray(node.allOf);
    if (!hasRef && !hasAllOf) return node;
    const parts: JsonSchema[] = [];
    const rest: SchemaObject = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' || k === 'allOf') continue;
      if (ANNOTATIONS.has(k)) continue;
      rest[k] = v;
    }
    if (hasRef) {
      parts.push(this.normalize(this.resolveRef(node.$ref as string, node)));
      // Before 2019-09, keywords beside $ref are ignored.
      if (this.dialect === 'draft-07') return parts[0] as JsonSchema;
    }
    if (hasAllOf) for (const sub of node.allOf as JsonSchema[]) parts.push(this.normalize(sub));
    if (Object.keys(rest).length) parts.unshift(rest);
    let acc: JsonSchema = true;
    for (const p of parts) acc = mergeSchemas(acc, p, (kw) => this.conflicts.set(node, kw));
    return acc;
  }
}

const TYPE_NAMES = ['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'] as const;

function typeSet(s: SchemaObject): Set<string> | undefined {
  if (typeof s.type === 'string') return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type as string[]);
  return undefined;
}

function intersectTypes(a: Set<string>, b: Set<string>): string[] {
  const out = new Set<string>();
  for (const t of TYPE_NAMES) {
    if (a.has(t) && b.has(t)) out.add(t);
    // integer ⊂ number
    if (t === 'integer' && ((a.has('integer') && b.has('number')) || (a.has('number') && b.has('integer')))) out.add('integer');
  }
  return [...out];
}

/** A node that the properties map / patternProperties / additionalProperties give to a key. */
export function schemaForKey(s: SchemaObject, key: string): JsonSchema {
  const parts: JsonSchema[] = [];
  const props = isObj(s.properties) ? s.properties : {};
  if (Object.hasOwn(props, key)) parts.push(props[key] as JsonSchema);
  let matched = Object.hasOwn(props, key);
  if (isObj(s.patternProperties)) {
    for (const [pat, sub] of Object.entries(s.patternProperties)) {
      if (new RegExp(pat, 'u').test(key)) {
        parts.push(sub as JsonSchema);
        matched = true;
      }
    }
  }
  if (!matched && s.additionalProperties !== undefined) parts.push(s.additionalProperties as JsonSchema);
  if (parts.length === 0) return true;
  if (parts.length === 1) return parts[0] as JsonSchema;
  return { allOf: parts };
}

/**
 * allOf of two flat schemas as one flat schema. Exact for the keywords merged here; any other
 * keyword present on both sides keeps the left one and parks the right one as RESIDUAL.
 */
export function mergeSchemas(a: JsonSchema, b: JsonSchema, onConflict?: (keyword: string) => void): JsonSchema {
  if (a === true) return b;
  if (b === true) return a;
  if (a === false || b === false) return false;
  if (Object.keys(b).every((k) => ANNOTATIONS.has(k)) && !(b as Residual)[RESIDUAL]) return a;
  if (Object.keys(a).every((k) => ANNOTATIONS.has(k)) && !(a as Residual)[RESIDUAL]) return b;
  const out: SchemaObject & Residual = {};
  const residual: SchemaObject[] = [...((a as Residual)[RESIDUAL] ?? []), ...((b as Residual)[RESIDUAL] ?? [])];
  const park = (k: string, v: unknown) => residual.push({ [k]: v });
  for (const [k, v] of Object.entries(a)) if (!ANNOTATIONS.has(k)) out[k] = v;

  for (const [k, bv] of Object.entries(b)) {
    if (ANNOTATIONS.has(k)) continue;
    if (!Object.hasOwn(out, k)) {
      out[k] = bv;
      continue;
    }
    const av = out[k];
    if (isDeepStrictEqual(av, bv)) continue;
    switch (k) {
      case 'type': {
        const ta = typeSet(a);
        const tb = typeSet(b);
        out.type = ta && tb ? intersectTypes(ta, tb) : (tb ? [...tb] : av);
        if (Array.isArray(out.type) && out.type.length === 0) {
          onConflict?.('type');
          return false;
        }
        break;
      }
      case 'const':
        onConflict?.('const');
        return false;
      case 'enum': {
        out.enum = (av as unknown[]).filter((x) => (bv as unknown[]).some((y) => isDeepStrictEqual(x, y)));
        break;
      }
      case 'required':
        out.required = [...new Set([...(av as string[]), ...(bv as string[])])];
        break;
      case 'minimum': case 'exclusiveMinimum': case 'minLength': case 'minItems': case 'minProperties': case 'minContains':
        if (typeof av === 'number' && typeof bv === 'number') out[k] = Math.max(av, bv);
        else park(k, bv);
        break;
      case 'maximum': case 'exclusiveMaximum': case 'maxLength': case 'maxItems': case 'maxProperties': case 'maxContains':
        if (typeof av === 'number' && typeof bv === 'number') out[k] = Math.min(av, bv);
        else park(k, bv);
        break;
      case 'uniqueItems':
        out.uniqueItems = av === true || bv === true;
        break;
      case 'properties': {
        const merged: SchemaObject = { ...(av as SchemaObject) };
        for (const [pk, ps] of Object.entries(bv as SchemaObject)) {
          merged[pk] = Object.hasOwn(merged, pk) ? { allOf: [merged[pk], ps] } : ps;
        }
        out.properties = merged;
        break;
      }
      case 'patternProperties': {
        const merged: SchemaObject = { ...(av as SchemaObject) };
        for (const [pk, ps] of Object.entries(bv as SchemaObject)) {
          merged[pk] = Object.hasOwn(merged, pk) ? { allOf: [merged[pk], ps] } : ps;
        }
        out.patternProperties = merged;
        break;
      }
      case 'additionalProperties': case 'items': case 'propertyNames': case 'additionalItems': case 'contains':
        if (Array.isArray(av) || Array.isArray(bv)) park(k, bv);
        else out[k] = { allOf: [av, bv] };
        break;
      case 'not':
        out.not = { anyOf: [av, bv] };
        break;
      case 'anyOf': case 'oneOf': {
        // (A1|A2) & (B1|B2) = A1&B1 | A1&B2 | …; keep it small, else let ajv check the right side.
        const la = av as JsonSchema[];
        const lb = bv as JsonSchema[];
        if (k === 'anyOf' && la.length * lb.length <= 16) {
          out.anyOf = la.flatMap((x) => lb.map((y) => ({ allOf: [x, y] })));
        } else park(k, bv);
        break;
      }
      default:
        park(k, bv);
    }
  }
  // Keys one side names in `properties` are still bound by the other side's additional/pattern properties.
  for (const [self, other] of [[a, b], [b, a]] as const) {
    const otherProps = isObj(other.properties) ? other.properties : {};
    const closes = other.additionalProperties !== undefined || other.patternProperties !== undefined;
    if (!closes || !isObj(self.properties)) continue;
    for (const key of Object.keys(self.properties)) {
      if (Object.hasOwn(otherProps, key)) continue;
      const extra = schemaForKey(other, key);
      if (extra === true) continue;
      // Never write into the original document's maps.
      const props: SchemaObject = { ...(out.properties as SchemaObject) };
      props[key] = { allOf: [props[key], extra] };
      out.properties = props;
    }
  }
  // A key matching one side's patternProperties is also bound by the other side's
  // additionalProperties; the merged form cannot say that, so ajv keeps checking it.
  for (const [self, other] of [[a, b], [b, a]] as const) {
    if (self.patternProperties !== undefined && other.additionalProperties !== undefined) {
      const { properties, patternProperties, additionalProperties } = other;
      residual.push({ properties: properties ?? {}, patternProperties: patternProperties ?? {}, additionalProperties });
    }
  }
  if (residual.length) out[RESIDUAL] = residual;
  return out;
}
