// The official 2026-07-28 example messages validate as their folder's type, and single-rule
// mutations of them are rejected with a pointer to the broken field.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, PROJECT_ROOT, validate } from '../../schema/index.ts';

const dir = join(PROJECT_ROOT, '..', 'shared', 'mcp-spec', '2026-07-28', 'examples');
const examples = readdirSync(dir).flatMap((type) =>
  readdirSync(join(dir, type)).map((file) => ({ type, file, value: JSON.parse(readFileSync(join(dir, type, file), 'utf8')) as Record<string, unknown> })),
);

describe('official examples (2026-07-28)', () => {
  it('there are 129 of them', () => expect(examples).toHaveLength(129));

  it.each(examples.map((e) => [`${e.type}/${e.file}`, e] as const))('%s validates as its type', (_name, e) => {
    const r = validate('2026-07-28', e.type, e.value);
    expect(r.errors).toEqual([]);
  });
});

const messages = examples.filter((e) => e.value.jsonrpc === '2.0');

describe('invalid variants are rejected with a pointer', () => {
  it('has message examples to mutate', () => expect(messages.length).toBeGreaterThan(20));

  it.each(messages.map((e) => [`${e.type}/${e.file}`, e] as const))('%s', (_name, e) => {
    const v = e.value;
    const wrongJsonrpc = validate('2026-07-28', e.type, { ...v, jsonrpc: '1.0' });
    expect(wrongJsonrpc.valid).toBe(false);
    expect(wrongJsonrpc.errors.map((x) => x.pointer)).toContain('/jsonrpc');

    const { jsonrpc: _j, ...missing } = v;
    const noJsonrpc = validate('2026-07-28', e.type, missing);
    expect(noJsonrpc.valid).toBe(false);
    expect(noJsonrpc.errors.some((x) => x.keyword === 'required' && x.message.includes('jsonrpc'))).toBe(true);

    const key = 'method' in v ? 'method' : 'result' in v ? 'result' : 'error';
    const wrongType = validate('2026-07-28', e.type, { ...v, [key]: 42 });
    expect(wrongType.valid).toBe(false);
    expect(wrongType.errors.some((x) => x.pointer === `/${key}` || x.pointer.startsWith(`/${key}`))).toBe(true);

    if ('result' in v || 'error' in v) {
      const both = classify('2026-07-28', { ...v, result: {}, error: { code: 1, message: 'x' } });
      expect(both.violations.map((x) => x.message)).toContain('a response must not carry both result and error');
    }
  });

  it('a missing nested required field is reported at its parent pointer', () => {
    const r = validate('2025-11-25', 'CallToolRequest', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} });
    expect(r.errors).toEqual([{ pointer: '/params', keyword: 'required', message: 'missing required property "name"' }]);
  });
});
