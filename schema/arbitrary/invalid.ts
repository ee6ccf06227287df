// Invalid JSON-RPC messages for fuzzing peers: a valid message of the revision with exactly one
// rule broken, labelled with the rule, where, and whether the revision's schema rejects it.
// Value-level rules give `value` (send JSON.stringify(value)); wire-level rules give `raw` text
// or bytes, to be framed as the transport frames a message.
import fc from 'fast-check';
import { loadSchema } from '../load.ts';
import { ErrorCode } from '../protocol.ts';
import type { Revision } from '../revisions.ts';
import { jsonTypeOf, type ArbitraryOptions } from './engine.ts';
import { revisionEngine } from './mcp.ts';
import { validMessage, type MessageKind, type MessageOptions, type SchemaCheck, type ValidMessage } from './messages.ts';
import { ANNOTATIONS, isObj, mergeSchemas, schemaForKey, type Normalizer } from './normalize.ts';
import { boundedFilter, escapeSegment, RESIDUAL, type JsonSchema, type Oracle, type Residual, type SchemaObject } from './oracle.ts';

export const INVALID_RULES = [
  'missing-required',
  'wrong-type',
  'out-of-enum',
  'wrong-jsonrpc',
  'forbidden-id-type',
  'result-and-error',
  'extra-top-level-key',
  'huge-string',
  'deep-nesting',
  'lone-surrogate',
  'invalid-json',
  'truncated-frame',
  'embedded-newline',
  'invalid-utf8',
] as const;
export type InvalidRule = (typeof INVALID_RULES)[number];

/** Rules broken on the wire: they come as `raw` text or bytes. */
export const WIRE_RULES: ReadonlySet<InvalidRule> = new Set(['invalid-json', 'truncated-frame', 'embedded-newline', 'invalid-utf8']);

export interface InvalidMessage {
  rule: InvalidRule;
  /** What was done, for reports: 'removed required member "name" of /params'. */
  description: string;
  /**
   * JSON pointer of the member removed, replaced or added. ajv reports missing-required and
   * unknown members at the parent object, the others at this pointer.
   */
  pointer?: string;
  /** The message to send (as JSON.stringify(value)); absent for rules that only exist as bytes. */
  value?: unknown;
  /** Exact text or bytes to put in one frame (wire rules; also deep-nesting, whose value is too deep to stringify recursively). */
  raw?: string | Uint8Array;
  /**
   * Whether the revision's JSON schema rejects `value` (set when `value` is). False for rules that
   * break the JSON-RPC or transport rules the schema cannot express (a response with both result
   * and error, unknown top-level members where the schema allows them, sizes, lone surrogates).
   */
  schemaRejects?: boolean;
  /** The valid message this one was made from. */
  base: ValidMessage;
}

export interface InvalidOptions extends ArbitraryOptions {
  rules?: readonly InvalidRule[];
  /** Kinds of message to start from (each rule also needs a kind it applies to). */
  kinds?: readonly MessageKind[];
  /** Restrict base messages to these methods. */
  methods?: readonly string[];
  /** Length of 'huge-string' strings. Default 1 MiB of characters. */
  hugeStringLength?: number;
  /** Depth of 'deep-nesting' values. Default 10 000. */
  nestingDepth?: number;
}

// ---------------------------------------------------------------------------------------------
// What the schema says about each place of a value: found by walking value and schema together.

interface Facts {
  /** Pointers of members some check requires. */
  required: string[];
  /** Pointer → JSON types a check allows there (one entry per check reaching it). */
  typed: { pointer: string; allowed: string[] }[];
  /** Pointer → values an enum/const of a check allows there. */
  enums: { pointer: string; values: unknown[] }[];
  freeStrings: Set<string>;
  constrained: Set<string>;
  openObjects: Set<string>;
  closedObjects: Set<string>;
}

const newFacts = (): Facts => ({ required: [], typed: [], enums: [], freeStrings: new Set(), constrained: new Set(), openObjects: new Set(), closedObjects: new Set() });

const STRING_CONSTRAINTS = ['format', 'pattern', 'minLength', 'maxLength', 'enum', 'const', 'not'];
const OBJECT_CLOSERS = ['patternProperties', 'propertyNames', 'unevaluatedProperties', 'maxProperties', 'not', 'dependentSchemas', 'if'];

interface Branches {
  key: 'anyOf' | 'oneOf';
  originals: JsonSchema[];
  merged: JsonSchema[];
}

class Walker {
  constructor(
    private readonly norm: Normalizer,
    private readonly oracle: Oracle,
  ) {}

  private readonly branchCache = new WeakMap<object, Branches>();
  private readonly keyCache = new WeakMap<object, Map<string, JsonSchema>>();

  private branches(s: SchemaObject): Branches | undefined {
    const key = Array.isArray(s.anyOf) ? 'anyOf' : Array.isArray(s.oneOf) ? 'oneOf' : undefined;
    if (!key) return undefined;
    let hit = this.branchCache.get(s);
    if (!hit) {
      const base: SchemaObject & Residual = { ...s };
      delete base[key];
      const originals = s[key] as JsonSchema[];
      hit = { key, originals, merged: originals.map((b) => mergeSchemas(base, this.norm.normalize(b))) };
      this.branchCache.set(s, hit);
    }
    return hit;
  }

  /** schemaForKey, one node per (schema, key) so ajv compiles each once. */
  private forKey(s: SchemaObject, key: string): JsonSchema {
    let byKey = this.keyCache.get(s);
    if (!byKey) this.keyCache.set(s, (byKey = new Map()));
    let hit = byKey.get(key);
    if (hit === undefined) byKey.set(key, (hit = schemaForKey(s, key)));
    return hit;
  }

  /** JSON types a schema admits at its own level; undefined when any type may do. */
  allowedTypes(node: JsonSchema): string[] | undefined {
    const s = this.norm.normalize(node);
    if (typeof s === 'boolean') return s ? undefined : [];
    const br = this.branches(s);
    if (br) {
      const all = new Set<string>();
      for (const b of br.merged) {
        const t = this.allowedTypes(b);
        if (!t) return undefined;
        t.forEach((x) => all.add(x));
      }
      return [...all];
    }
    if (typeof s.type === 'string') return [s.type];
    if (Array.isArray(s.type)) return s.type as string[];
    if (Object.hasOwn(s, 'const')) return [jsonTypeOf(s.const)];
    if (Array.isArray(s.enum)) return [...new Set(s.enum.map(jsonTypeOf))];
    return undefined;
  }

  /** Values an enum/const admits; undefined when not limited to a list. */
  enumValues(node: JsonSchema): unknown[] | undefined {
    const s = this.norm.normalize(node);
    if (typeof s === 'boolean') return undefined;
    const br = this.branches(s);
    if (br) {
      const all: unknown[] = [];
      for (const b of br.merged) {
        const v = this.enumValues(b);
        if (!v) return undefined;
        all.push(...v);
      }
      return all;
    }
    if (Object.hasOwn(s, 'const')) return [s.const];
    if (Array.isArray(s.enum)) return s.enum;
    return undefined;
  }

  walk(node: JsonSchema, value: unknown, pointer: string, facts: Facts, depth = 0, sameLevel = false): void {
    if (depth > 16) return;
    const s = this.norm.normalize(node);
    if (typeof s === 'boolean') {
      if (!s) return;
      if (typeof value === 'string') facts.freeStrings.add(pointer);
      if (isObj(value)) facts.openObjects.add(pointer);
      return;
    }
    if (!sameLevel) {
      const allowed = this.allowedTypes(s);
      if (allowed) facts.typed.push({ pointer, allowed });
      const values = this.enumValues(s);
      if (values) facts.enums.push({ pointer, values });
    }
    const br = this.branches(s);
    if (br) {
      // Follow the one alternative the value takes; with several, a change could move it to another.
      const taken = br.originals.map((b, i) => (this.oracle.forNode(b)(value) ? i : -1)).filter((i) => i >= 0);
      if (taken.length === 1) this.walk(br.merged[taken[0] as number] as JsonSchema, value, pointer, facts, depth, true);
      else this.constrain(value, pointer, facts);
      return;
    }
    if (typeof value === 'string') {
      const constrained = STRING_CONSTRAINTS.some((k) => Object.hasOwn(s, k)) || (s as Residual)[RESIDUAL];
      (constrained ? facts.constrained : facts.freeStrings).add(pointer);
      return;
    }
    if (Array.isArray(value)) {
      const tuple = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
      const rest = (tuple ? (Array.isArray(s.prefixItems) ? s.items : s.additionalItems) : s.items) as JsonSchema | undefined;
      value.forEach((item, i) => {
        const sub = tuple && i < tuple.length ? (tuple[i] as JsonSchema) : rest ?? true;
        this.walk(sub, item, `${pointer}/${i}`, facts, depth + 1);
      });
      return;
    }
    if (isObj(value)) {
      const required = Array.isArray(s.required) ? (s.required as string[]) : [];
      for (const k of required) if (Object.hasOwn(value, k)) facts.required.push(`${pointer}/${escapeSegment(k)}`);
      const ap = s.additionalProperties;
      const open = (ap === undefined || ap === true || (isObj(ap) && Object.keys(ap).every((k) => ANNOTATIONS.has(k)))) && !OBJECT_CLOSERS.some((k) => Object.hasOwn(s, k)) && !(s as Residual)[RESIDUAL];
      (open ? facts.openObjects : facts.closedObjects).add(pointer);
      for (const [k, v] of Object.entries(value)) this.walk(this.forKey(s, k), v, `${pointer}/${escapeSegment(k)}`, facts, depth + 1);
    }
  }

  /** Marks everything below as off-limits for the "schema accepts it" rules. */
  private constrain(value: unknown, pointer: string, facts: Facts): void {
    if (typeof value === 'string') facts.constrained.add(pointer);
    else if (Array.isArray(value)) value.forEach((v, i) => this.constrain(v, `${pointer}/${i}`, facts));
    else if (isObj(value)) {
      facts.closedObjects.add(pointer);
      for (const [k, v] of Object.entries(value)) this.constrain(v, `${pointer}/${escapeSegment(k)}`, facts);
    }
  }

  /** Whether the schema of a top-level check rejects `member` under `key` (unknown members included). */
  memberRejected(check: JsonSchema, key: string, member: unknown): boolean {
    const s = this.norm.normalize(check);
    if (typeof s === 'boolean') return !s;
    const br = this.branches(s);
    if (br) return br.merged.every((b) => this.memberRejected(b, key, member));
    return !this.oracle.forNode(this.forKey(s, key))(member);
  }
}

// ---------------------------------------------------------------------------------------------
// Pointer helpers (values are plain JSON, cloned before any change).

function segments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function getAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const seg of segments(pointer)) node = (node as Record<string, unknown> | undefined)?.[seg];
  return node;
}

function parentAndKey(root: unknown, pointer: string): [Record<string, unknown>, string] {
  const segs = segments(pointer);
  const key = segs.pop() as string;
  return [getAt(root, segs.length ? `/${segs.map(escapeSegment).join('/')}` : '') as Record<string, unknown>, key];
}

function withChange(value: unknown, pointer: string, change: (parent: Record<string, unknown>, key: string) => void): Record<string, unknown> {
  const copy = structuredClone(value) as Record<string, unknown>;
  const [parent, key] = parentAndKey(copy, pointer);
  change(parent, key);
  return copy;
}

const replaced = (value: unknown, pointer: string, next: unknown) => withChange(value, pointer, (p, k) => void (p[k] = next));
const parentOf = (pointer: string) => pointer.slice(0, pointer.lastIndexOf('/'));
const show = (v: unknown) => (typeof v === 'string' && v.length > 40 ? `${JSON.stringify(v.slice(0, 40))}…` : JSON.stringify(v));

// ---------------------------------------------------------------------------------------------

interface Context {
  rev: Revision;
  walker: Walker;
  defs: Record<string, JsonSchema>;
  opts: Required<Pick<InvalidOptions, 'hugeStringLength' | 'nestingDepth'>>;
}

interface Analysed {
  base: ValidMessage;
  facts: Facts;
}

function analyse(ctx: Context, base: ValidMessage): Analysed {
  const facts = newFacts();
  for (const c of base.checks) {
    const def = ctx.defs[c.type];
    if (def !== undefined) ctx.walker.walk(def, getAt(base.value, c.pointer), c.pointer, facts);
  }
  return { base, facts };
}

const freeStrings = (f: Facts) => [...f.freeStrings].filter((p) => !f.constrained.has(p) && p !== '/jsonrpc' && p !== '/method');
const openObjects = (f: Facts) => [...f.openObjects].filter((p) => !f.closedObjects.has(p));
const RESERVED = new Set(['', '/jsonrpc', '/id', '/method']);

/** Candidate values of another JSON type than the one at hand, nearest misses first. */
const WRONG_TYPES: Record<string, unknown[]> = {
  string: [42, null, true, ['text'], {}],
  integer: ['42', 1.5, null, true],
  number: ['42', null, false],
  boolean: ['true', 1, null],
  object: [[], 'object', null, 7],
  array: [{}, 'array', null],
  null: [0, 'null', false, {}],
};

function typeAllows(allowed: string[], v: unknown): boolean {
  const t = jsonTypeOf(v);
  return allowed.includes(t) || (t === 'integer' && allowed.includes('number'));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function outsideEnum(current: unknown, values: unknown[]): unknown[] {
  const c: unknown[] =
    typeof current === 'string'
      ? [`${current}-x`, current.toUpperCase(), current === '' ? 'x' : current.slice(1), 'not-a-listed-value']
      : typeof current === 'number'
        ? [current + 1, current - 1, -current - 7]
        : typeof current === 'boolean'
          ? [!current]
          : ['not-a-listed-value'];
  const sameType = c.filter((x) => typeAllows([jsonTypeOf(current)], x) || typeof x === typeof current);
  return sameType.filter((x) => !values.some((v) => sameJson(v, x)));
}

type Builder = (ctx: Context, a: Analysed) => fc.Arbitrary<InvalidMessage> | undefined;

const pick = <T>(list: readonly T[]) => fc.constantFrom(...list);

const BUILDERS: Record<InvalidRule, { kinds: readonly MessageKind[]; build: Builder }> = {
  'missing-required': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (_ctx, { base, facts }) => {
      const sites = [...new Set(facts.required)];
      if (!sites.length) return undefined;
      return pick(sites).map((pointer) => ({
        rule: 'missing-required' as const,
        pointer,
        description: `removed required member "${segments(pointer).pop()}" of ${parentOf(pointer) || 'the message'}`,
        value: withChange(base.value, pointer, (p, k) => void delete p[k]),
        schemaRejects: true,
        base,
      }));
    },
  },
  'wrong-type': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (_ctx, { base, facts }) => {
      const sites = facts.typed
        .filter((t) => !RESERVED.has(t.pointer))
        .map((t) => ({ ...t, current: getAt(base.value, t.pointer) }))
        .map((t) => ({ ...t, options: (WRONG_TYPES[jsonTypeOf(t.current)] ?? []).filter((x) => !typeAllows(t.allowed, x)) }))
        .filter((t) => t.options.length > 0);
      if (!sites.length) return undefined;
      return pick(sites).chain((site) =>
        pick(site.options).map((next) => ({
          rule: 'wrong-type' as const,
          pointer: site.pointer,
          description: `${site.pointer} is ${show(next)} (${jsonTypeOf(next)}); the schema allows ${site.allowed.join(' or ')}`,
          value: replaced(base.value, site.pointer, next),
          schemaRejects: true,
          base,
        })),
      );
    },
  },
  'out-of-enum': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (_ctx, { base, facts }) => {
      const sites = facts.enums
        .filter((e) => !RESERVED.has(e.pointer))
        .map((e) => ({ ...e, options: outsideEnum(getAt(base.value, e.pointer), e.values) }))
        .filter((e) => e.options.length > 0);
      if (!sites.length) return undefined;
      return pick(sites).chain((site) =>
        pick(site.options).map((next) => ({
          rule: 'out-of-enum' as const,
          pointer: site.pointer,
          description: `${site.pointer} is ${show(next)}, not one of ${show(site.values)}`,
          value: replaced(base.value, site.pointer, next),
          schemaRejects: true,
          base,
        })),
      );
    },
  },
  'wrong-jsonrpc': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (_ctx, { base }) =>
      pick(['1.0', '2', '2.0.0', ' 2.0', 'JSON-RPC 2.0', 2, 2.1, null] as unknown[]).map((next) => ({
        rule: 'wrong-jsonrpc' as const,
        pointer: '/jsonrpc',
        description: `"jsonrpc" is ${show(next)} instead of "2.0"`,
        value: replaced(base.value, '/jsonrpc', next),
        schemaRejects: true,
        base,
      })),
  },
  'forbidden-id-type': {
    kinds: ['request', 'response', 'error'],
    build: (ctx, { base }) =>
      // null is JSON-RPC's id for an error whose request id could not be read: allowed there.
      pick([...(base.kind === 'error' ? [] : [null]), 1.5, true, false, {}, [], [1], { id: 1 }, -0.5] as unknown[]).map((next) => {
        const value = Object.hasOwn(base.value, 'id') ? replaced(base.value, '/id', next) : { ...base.value, id: next };
        return {
          rule: 'forbidden-id-type' as const,
          pointer: '/id',
          description: `"id" is ${show(next)} (${jsonTypeOf(next)}); JSON-RPC ids in MCP are strings or integers`,
          value,
          schemaRejects: topLevelRejects(ctx, base, 'id', next),
          base,
        };
      }),
  },
  'result-and-error': {
    kinds: ['response', 'error'],
    build: (ctx, { base }) => {
      const [key, member] = base.kind === 'response' ? ['error', { code: ErrorCode.InternalError, message: 'Internal error' }] : ['result', {}];
      return fc.constant({
        rule: 'result-and-error' as const,
        pointer: `/${key}`,
        description: `a ${base.kind === 'response' ? 'result' : 'error'} response that also carries "${key}"`,
        value: { ...base.value, [key]: member },
        schemaRejects: topLevelRejects(ctx, base, key, member),
        base,
      });
    },
  },
  'extra-top-level-key': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (ctx, { base }) => {
      const names = ['extra', 'x-mcp-conform', 'Jsonrpc', 'ID', 'METHOD', 'params ', '$schema'].filter((n) => !Object.hasOwn(base.value, n));
      return fc.tuple(pick(names), pick([true, 1, 'x', null, {}] as unknown[])).map(([key, member]) => ({
        rule: 'extra-top-level-key' as const,
        pointer: `/${escapeSegment(key)}`,
        description: `unknown top-level member ${JSON.stringify(key)}`,
        value: { ...base.value, [key]: member },
        schemaRejects: topLevelRejects(ctx, base, key, member),
        base,
      }));
    },
  },
  'huge-string': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (ctx, { base, facts }) => {
      const sites = freeStrings(facts);
      if (!sites.length) return undefined;
      const n = ctx.opts.hugeStringLength;
      return fc.tuple(pick(sites), pick(['x', 'é', '😀', 'a\\"'])).map(([pointer, unit]) => ({
        rule: 'huge-string' as const,
        pointer,
        description: `${pointer} is a string of ${n} × ${JSON.stringify(unit)}`,
        value: replaced(base.value, pointer, unit.repeat(Math.ceil(n / unit.length)).slice(0, n)),
        schemaRejects: false,
        base,
      }));
    },
  },
  'deep-nesting': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (ctx, { base, facts }) => {
      // Below the top level, so that the message has no unknown top-level member as well.
      const sites = openObjects(facts).filter((p) => p !== '');
      if (!sites.length) return undefined;
      const depth = ctx.opts.nestingDepth;
      return fc.tuple(pick(sites), fc.boolean()).map(([at, arrays]) => {
        const key = 'nested';
        const pointer = `${at}/${key}`;
        let deep: unknown = arrays ? [] : {};
        for (let i = 1; i < depth; i++) deep = arrays ? [deep] : { a: deep };
        const marker = '@@mcp-conform-nesting@@';
        const text = JSON.stringify(withChange(base.value, pointer, (p, k) => void (p[k] = marker)));
        const nested = arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
        return {
          rule: 'deep-nesting' as const,
          pointer,
          description: `${pointer} holds ${arrays ? 'arrays' : 'objects'} nested ${depth} deep`,
          value: withChange(base.value, pointer, (p, k) => void (p[k] = deep)),
          raw: text.replace(JSON.stringify(marker), nested),
          schemaRejects: false,
          base,
        };
      });
    },
  },
  'lone-surrogate': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (_ctx, { base, facts }) => {
      const sites = freeStrings(facts);
      if (!sites.length) return undefined;
      return fc.tuple(pick(sites), pick(['\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uDE00\uD83D']), fc.nat()).map(([pointer, bad, at]) => {
        // Split between code points: inside a pair, the halves would pair up with ours.
        const current = [...(getAt(base.value, pointer) as string)];
        const i = at % (current.length + 1);
        return {
          rule: 'lone-surrogate' as const,
          pointer,
          description: `${pointer} contains an unpaired surrogate (${[...bad].map((c) => `U+${c.charCodeAt(0).toString(16).toUpperCase()}`).join(' ')}), sent as a \\u escape`,
          value: replaced(base.value, pointer, current.slice(0, i).join('') + bad + current.slice(i).join('')),
          schemaRejects: false,
          base,
        };
      });
    },
  },
  'invalid-json': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (_ctx, { base }) => {
      const text = JSON.stringify(base.value);
      const member = '"jsonrpc":"2.0"';
      const variants: [string, string][] = [
        ['a trailing comma before the closing brace', `${text.slice(0, -1)},}`],
        ['a single-quoted string', text.replace(member, `"jsonrpc":'2.0'`)],
        ['an unquoted member name', text.replace(member, 'jsonrpc:"2.0"')],
        ['a missing colon', text.replace(member, '"jsonrpc" "2.0"')],
        ['a missing comma between members', text.replace(`${member},`, member)],
        ['a comment', `/* mcp-conform */${text}`],
        ['a raw control character inside a string', text.replace(member, '"jsonrpc":"2.0\u0001"')],
        ['a NaN literal', text.replace(member, `${member},"n":NaN`)],
        ['an unterminated string', `${text.slice(0, -1)},"s":"abc}`],
        ['two JSON values in one frame', text + text],
        ['an unbalanced closing brace', `${text}}`],
        ['only whitespace', ' \t '],
      ];
      return pick(variants.filter(([, raw]) => raw !== text)).map(([what, raw]) => ({ rule: 'invalid-json' as const, description: `not JSON: ${what}`, raw, base }));
    },
  },
  'truncated-frame': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (_ctx, { base }) => {
      const text = JSON.stringify(base.value);
      return fc.integer({ min: 1, max: text.length - 1 }).map((n) => ({
        rule: 'truncated-frame' as const,
        description: `the first ${n} of ${text.length} characters of a message`,
        raw: text.slice(0, n),
        base,
      }));
    },
  },
  'embedded-newline': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (_ctx, { base }) => {
      const text = JSON.stringify(base.value);
      const variants: [string, string][] = [
        ['pretty-printed over several lines', JSON.stringify(base.value, null, 2)],
        ['a line feed after the opening brace', `{\n${text.slice(1)}`],
        ['a CR LF before the closing brace', `${text.slice(0, -1)}\r\n}`],
      ];
      return pick(variants).map(([what, raw]) => ({
        rule: 'embedded-newline' as const,
        description: `valid JSON, ${what}: breaks newline-delimited framing (stdio)`,
        value: base.value,
        raw,
        schemaRejects: false,
        base,
      }));
    },
  },
  'invalid-utf8': {
    kinds: ['request', 'notification', 'response', 'error'],
    build: (_ctx, { base, facts }) => {
      const sites = freeStrings(facts);
      if (!sites.length) return undefined;
      const sequences: [string, number[]][] = [
        ['a lone continuation byte', [0x80]],
        ['the byte 0xFF', [0xff]],
        ['an overlong encoding of "/"', [0xc0, 0xaf]],
        ['a UTF-8-encoded surrogate', [0xed, 0xa0, 0x80]],
        ['a truncated 3-byte sequence', [0xe2, 0x82]],
        ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ];
      return fc.tuple(pick(sites), pick(sequences)).map(([pointer, [what, bytes]]) => {
        const marker = '@@mcp-conform-bytes@@';
        const current = getAt(base.value, pointer) as string;
        const text = JSON.stringify(replaced(base.value, pointer, current + marker));
        const [before, after] = text.split(marker) as [string, string];
        const raw = Buffer.concat([Buffer.from(before, 'utf8'), Buffer.from(bytes), Buffer.from(after, 'utf8')]);
        return {
          rule: 'invalid-utf8' as const,
          pointer,
          description: `${pointer} contains ${what} (invalid UTF-8)`,
          raw: new Uint8Array(raw),
          base,
        };
      });
    },
  },
};

function topLevelRejects(ctx: Context, base: ValidMessage, key: string, member: unknown): boolean {
  return base.checks.some((c: SchemaCheck) => {
    if (c.pointer !== '') return false;
    const def = ctx.defs[c.type];
    return def !== undefined && ctx.walker.memberRejected(def, key, member);
  });
}

const contexts = new Map<string, Context>();

function contextFor(rev: Revision, opts: InvalidOptions): Context {
  const key = `${rev} ${JSON.stringify(opts)}`;
  let ctx = contexts.get(key);
  if (!ctx) {
    const engine = revisionEngine(rev, opts);
    ctx = {
      rev,
      walker: new Walker(engine.normalizer, engine.compiler.oracle),
      defs: loadSchema(rev).defs as Record<string, JsonSchema>,
      opts: { hugeStringLength: opts.hugeStringLength ?? 1 << 20, nestingDepth: opts.nestingDepth ?? 10_000 },
    };
    contexts.set(key, ctx);
  }
  return ctx;
}

/** Invalid messages breaking one given rule. */
export function invalidMessageFor(rev: Revision, rule: InvalidRule, opts: InvalidOptions = {}): fc.Arbitrary<InvalidMessage> {
  const ctx = contextFor(rev, opts);
  const { kinds, build } = BUILDERS[rule];
  const wanted = kinds.filter((k) => !opts.kinds || opts.kinds.includes(k));
  if (wanted.length === 0) throw new Error(`rule ${rule} applies to ${kinds.join('/')} messages only`);
  const messageOpts: MessageOptions = { ...opts, kinds: wanted };
  // Not every message has a place for every rule (a notification without params has no free
  // string): keep drawing messages until one has.
  const usable = boundedFilter(
    validMessage(rev, messageOpts).map((base) => {
      const analysed = analyse(ctx, base);
      return { analysed, arb: build(ctx, analysed) };
    }),
    (x) => x.arb !== undefined,
    { pointer: '', construct: `a ${wanted.join('/')} message with a place to apply ${rule}` },
    500,
  );
  return usable.chain((x) => x.arb as fc.Arbitrary<InvalidMessage>);
}

/**
 * Invalid messages of a revision, each breaking exactly one rule, e.g.
 * `fc.sample(invalidMessage('2025-11-25', { rules: ['wrong-type'] }), 5)`.
 */
export function invalidMessage(rev: Revision, opts: InvalidOptions = {}): fc.Arbitrary<InvalidMessage> {
  const rules = (opts.rules ?? INVALID_RULES).filter((r) => !opts.kinds || BUILDERS[r].kinds.some((k) => opts.kinds?.includes(k)));
  if (rules.length === 0) throw new Error('no rule applies to the message kinds asked for');
  return fc.oneof(...rules.map((r) => invalidMessageFor(rev, r, opts)));
}
