// Valid JSON-RPC messages of every revision, and invalid ones breaking exactly one rule: the
// schema rules are rejected by ajv at the pointer named, the others are what they claim to be.
import { fc, prop } from '../helpers/prop.ts';
import { describe, expect, test } from 'vitest';
import { classify, REVISIONS, toViolations, validatorFor, type Revision } from '../../schema/index.ts';
import { INVALID_RULES, invalidMessage, invalidMessageFor, validMessage, WIRE_RULES, type InvalidMessage } from '../../schema/arbitrary/index.ts';

const seed = Number(process.env.FC_SEED ?? 20261125);
// Small sizes keep the run fast; the defaults (1 MiB, 10 000 levels) are checked once below.
const small = { hugeStringLength: 2_000, nestingDepth: 40 };

function at(value: unknown, pointer: string): unknown {
  let node = value;
  for (const seg of pointer.split('/').slice(1)) node = (node as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}

/** Every raw ajv error of every type the message is checked against, pointers from the message root. */
function ajvErrors(rev: Revision, m: InvalidMessage): { pointer: string; keyword: string; params: Record<string, unknown> }[] {
  return m.base.checks.flatMap((c) => {
    const fn = validatorFor(rev, c.type);
    if (fn(at(m.value, c.pointer))) return [];
    return (fn.errors ?? []).map((e) => ({ pointer: c.pointer + e.instancePath, keyword: e.keyword, params: e.params as Record<string, unknown> }));
  });
}

const parent = (p: string) => p.slice(0, p.lastIndexOf('/'));
const lastSegment = (p: string) => (p.split('/').pop() as string).replace(/~1/g, '/').replace(/~0/g, '~');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function checkInvalid(rev: Revision, m: InvalidMessage): void {
  expect(m.description.length).toBeGreaterThan(0);
  if (WIRE_RULES.has(m.rule)) expect(m.raw).toBeDefined();
  else expect(m.value).toBeDefined();
  if (m.value !== undefined) {
    const errors = ajvErrors(rev, m);
    expect(errors.length > 0, `${m.rule}: ${m.description}`).toBe(m.schemaRejects);
    if (m.schemaRejects) {
      const pointer = m.pointer as string;
      switch (m.rule) {
        case 'missing-required':
          expect(errors).toContainEqual(expect.objectContaining({ pointer: parent(pointer), keyword: 'required', params: { missingProperty: lastSegment(pointer) } }));
          break;
        case 'out-of-enum':
          expect(errors.some((e) => e.pointer === pointer && (e.keyword === 'const' || e.keyword === 'enum')), m.description).toBe(true);
          break;
        case 'wrong-type':
        case 'forbidden-id-type':
          expect(errors.some((e) => e.pointer === pointer && e.keyword === 'type'), m.description).toBe(true);
          break;
        case 'extra-top-level-key':
        case 'result-and-error':
          expect(errors.some((e) => e.pointer === parent(pointer) || e.pointer === pointer), m.description).toBe(true);
          break;
        default:
          expect(errors.some((e) => e.pointer === pointer), m.description).toBe(true);
      }
    }
  }
  switch (m.rule) {
    case 'invalid-json':
    case 'truncated-frame':
      expect(() => JSON.parse(m.raw as string)).toThrow();
      if (m.rule === 'truncated-frame') expect(JSON.stringify(m.base.value).startsWith(m.raw as string)).toBe(true);
      break;
    case 'embedded-newline':
      expect(m.raw as string).toMatch(/\n/);
      expect(JSON.parse(m.raw as string)).toEqual(m.value);
      break;
    case 'invalid-utf8':
      expect(m.raw).toBeInstanceOf(Uint8Array);
      expect(() => strictUtf8.decode(m.raw as Uint8Array)).toThrow();
      break;
    case 'lone-surrogate':
      expect(at(m.value, m.pointer as string)).toMatch(LONE_SURROGATE);
      break;
    case 'huge-string':
      expect((at(m.value, m.pointer as string) as string).length).toBe(small.hugeStringLength);
      break;
    case 'deep-nesting': {
      // The raw text is the value, nested as deep as asked; JSON.parse (iterative in V8) reads it back.
      const parsed = JSON.parse(m.raw as string);
      let node = at(parsed, m.pointer as string);
      let depth = 0;
      while (node && typeof node === 'object') {
        node = Array.isArray(node) ? node[0] : (node as Record<string, unknown>).a;
        depth++;
      }
      expect(depth).toBe(small.nestingDepth);
      break;
    }
    case 'result-and-error':
      // The schema lets unknown members through; the classifier enforces the JSON-RPC rule.
      expect(classify(rev, m.value, { requestMethod: m.base.method }).violations.length).toBeGreaterThan(0);
      break;
    case 'wrong-jsonrpc':
      expect(m.pointer).toBe('/jsonrpc');
      break;
    default:
  }
}

describe.each(REVISIONS)('messages of %s', (rev) => {
  prop([validMessage(rev)], { seed, numRuns: 150 })('valid messages classify cleanly', (m) => {
    const c = classify(rev, m.value, { requestMethod: m.method });
    // Schema-valid is not always JSON-RPC-clean: from 2025-11-25 the schema lets an error response
    // omit id, which JSON-RPC 2.0 still asks for ("id": null), judged at SHOULD only.
    const idless = m.kind === 'error' && !Object.hasOwn(m.value as object, 'id');
    expect(c.violations).toEqual(idless ? [expect.objectContaining({ keyword: 'id', level: 'SHOULD' })] : []);
    expect(c.kind).toBe(m.kind);
    for (const check of m.checks) expect(validatorFor(rev, check.type)(at(m.value, check.pointer))).toBe(true);
  });

  for (const rule of INVALID_RULES) {
    prop([invalidMessageFor(rev, rule, small)], { seed, numRuns: 30 })(rule, (m) => {
      expect(m.rule).toBe(rule);
      checkInvalid(rev, m);
    });
  }
});

describe('invalid messages', () => {
  test('schema rules are rejected by the schema; the transport and JSON-RPC ones are labelled as not', () => {
    const rejects = new Map<string, Set<boolean>>();
    for (const rev of REVISIONS) {
      for (const m of fc.sample(invalidMessage(rev, small), { seed, numRuns: 300 })) {
        if (m.schemaRejects === undefined) continue;
        const set = rejects.get(m.rule) ?? new Set();
        set.add(m.schemaRejects);
        rejects.set(m.rule, set);
      }
    }
    for (const rule of ['missing-required', 'wrong-type', 'out-of-enum', 'wrong-jsonrpc', 'forbidden-id-type'] as const) expect([...(rejects.get(rule) ?? [])]).toEqual([true]);
    for (const rule of ['result-and-error', 'huge-string', 'deep-nesting', 'lone-surrogate', 'embedded-newline'] as const) expect([...(rejects.get(rule) ?? [])]).toEqual([false]);
  });

  test('the default sizes: 1 MiB strings, 10 000 levels', () => {
    const [huge] = fc.sample(invalidMessageFor('2025-11-25', 'huge-string'), { seed, numRuns: 1 });
    expect((at(huge?.value, huge?.pointer as string) as string).length).toBe(1 << 20);
    const [deep] = fc.sample(invalidMessageFor('2025-11-25', 'deep-nesting'), { seed, numRuns: 1 });
    expect((deep?.raw as string).split('[').length - 1 + ((deep?.raw as string).match(/\{"a":/g)?.length ?? 0)).toBeGreaterThanOrEqual(9_999);
  });

  test('rules and kinds can be chosen', () => {
    for (const m of fc.sample(invalidMessage('2025-06-18', { ...small, rules: ['forbidden-id-type', 'wrong-jsonrpc'], kinds: ['request'] }), { seed, numRuns: 30 })) {
      expect(['forbidden-id-type', 'wrong-jsonrpc']).toContain(m.rule);
      expect(m.base.kind).toBe('request');
    }
    expect(() => invalidMessageFor('2025-06-18', 'result-and-error', { kinds: ['request'] })).toThrow(/response\/error/);
  });

  test('the same seed gives the same cases', () => {
    const a = fc.sample(invalidMessage('2026-07-28', small), { seed: 11, numRuns: 30 });
    const b = fc.sample(invalidMessage('2026-07-28', small), { seed: 11, numRuns: 30 });
    expect(b.map((m) => [m.rule, m.pointer, m.description, m.raw, m.value])).toEqual(a.map((m) => [m.rule, m.pointer, m.description, m.raw, m.value]));
  });

  test('every rule is produced', () => {
    const seen = new Set(fc.sample(invalidMessage('2025-11-25', small), { seed, numRuns: 400 }).map((m) => m.rule));
    expect([...seen].sort()).toEqual([...INVALID_RULES].sort());
  });
});

test('toViolations keeps the pointer ajv gives', () => {
  // Guards the assumption above: raw ajv errors and schema/ violations agree on pointers.
  const fn = validatorFor('2025-11-25', 'JSONRPCRequest');
  fn({ jsonrpc: '2.0', method: 'x' });
  expect(toViolations(fn.errors)).toContainEqual(expect.objectContaining({ pointer: '', keyword: 'required' }));
});
