// Foreign JSON Schemas: hand-written draft-07 and 2020-12 schemas with the constructs tool
// schemas use, the real inputSchemas of @modelcontextprotocol/server-everything's tools, and the
// errors for schemas that have no value.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { fc, prop } from '../helpers/prop.ts';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAjv } from '../../schema/index.ts';
import { arbitraryFromJsonSchema, compileJsonSchema, dialectOf, SchemaArbitraryError, type JsonSchema } from '../../schema/arbitrary/index.ts';

const seed = Number(process.env.FC_SEED ?? 20261125);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function oracle(schema: JsonSchema): (v: unknown) => boolean {
  const ajv = createAjv(dialectOf(schema));
  const { $schema: _dialect, ...rest } = typeof schema === 'boolean' ? { $schema: undefined } : schema;
  const fn = ajv.compile(typeof schema === 'boolean' ? schema : rest);
  return (v) => fn(v) as boolean;
}

function expectAllValid(schema: JsonSchema, numRuns = 60): unknown[] {
  const check = oracle(schema);
  const values = fc.sample(arbitraryFromJsonSchema(schema), { seed, numRuns });
  for (const v of values) if (!check(v)) throw new Error(`invalid value ${JSON.stringify(v)} for ${JSON.stringify(schema)}`);
  return values;
}

const D7 = 'http://json-schema.org/draft-07/schema#';
const D2020 = 'https://json-schema.org/draft/2020-12/schema';

const SCHEMAS: Record<string, JsonSchema> = {
  '2020-12 $defs recursion (a tree)': {
    $schema: D2020,
    $defs: {
      node: {
        type: 'object',
        properties: { value: { type: 'integer', minimum: 0, exclusiveMaximum: 10 }, children: { type: 'array', items: { $ref: '#/$defs/node' }, maxItems: 3 } },
        required: ['value', 'children'],
        additionalProperties: false,
      },
    },
    $ref: '#/$defs/node',
  },
  'draft-07 definitions recursion (a linked list)': {
    $schema: D7,
    definitions: { list: { anyOf: [{ type: 'null' }, { type: 'object', properties: { head: { type: 'number' }, tail: { $ref: '#/definitions/list' } }, required: ['head', 'tail'] }] } },
    $ref: '#/definitions/list',
  },
  'oneOf of overlapping integers': { oneOf: [{ type: 'integer', multipleOf: 3 }, { type: 'integer', multipleOf: 5 }] },
  'oneOf of objects by required key': {
    type: 'object',
    properties: { a: { type: 'string' }, b: { type: 'number' } },
    oneOf: [{ required: ['a'] }, { required: ['b'] }],
  },
  'pattern': { type: 'string', pattern: '^[A-Z]{2}-\\d{3,5}$' },
  'pattern with lookaheads and lengths': { type: 'string', pattern: '^(?=.*\\d)(?=.*[a-z]).{4,8}$', minLength: 5 },
  'formats': {
    $schema: D7,
    type: 'object',
    required: ['uri', 'email', 'date', 'dateTime', 'byte', 'ref', 'template', 'ipv4', 'ipv6', 'uuid', 'host'],
    properties: {
      uri: { type: 'string', format: 'uri' },
      email: { type: 'string', format: 'email' },
      date: { type: 'string', format: 'date' },
      dateTime: { type: 'string', format: 'date-time' },
      byte: { type: 'string', format: 'byte' },
      ref: { type: 'string', format: 'uri-reference' },
      template: { type: 'string', format: 'uri-template' },
      ipv4: { type: 'string', format: 'ipv4' },
      ipv6: { type: 'string', format: 'ipv6' },
      uuid: { type: 'string', format: 'uuid' },
      host: { type: 'string', format: 'hostname', maxLength: 30 },
    },
  },
  'enums and consts': {
    type: 'object',
    properties: { color: { enum: ['red', 'green', 42, null] }, fixed: { const: { a: [1] } }, level: { type: 'string', enum: ['a', 'b', 7] } },
    required: ['color', 'fixed', 'level'],
  },
  'draft-07 tuple with additionalItems': { $schema: D7, type: 'array', items: [{ type: 'string' }, { type: 'boolean' }], additionalItems: false, minItems: 1 },
  '2020-12 prefixItems with items': { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: { type: 'null' }, minItems: 3 },
  'not, if/then/else': { type: 'integer', not: { enum: [1, 2, 3] }, if: { minimum: 100 }, then: { multipleOf: 2 }, else: { maximum: 50 } },
  'contains with uniqueItems': { type: 'array', contains: { const: 'x' }, items: { type: 'string' }, uniqueItems: true, minItems: 2 },
  'patternProperties, propertyNames, minProperties': {
    type: 'object',
    patternProperties: { '^x-': { type: 'integer' } },
    additionalProperties: false,
    propertyNames: { maxLength: 6 },
    minProperties: 1,
  },
  'dependentRequired': { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, dependentRequired: { a: ['b'] } },
  'unevaluatedProperties with allOf': {
    type: 'object',
    allOf: [{ properties: { a: { type: 'string' } } }],
    properties: { b: { type: 'integer' } },
    unevaluatedProperties: false,
  },
  'allOf merging properties and bounds': {
    allOf: [
      { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'], additionalProperties: { type: 'string' } },
      { properties: { a: { minimum: 5, maximum: 9 }, b: { type: 'string', maxLength: 3 } }, required: ['b'] },
    ],
  },
  'numbers: exclusive bounds and decimal multipleOf': {
    type: 'object',
    properties: { p: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, m: { type: 'number', multipleOf: 0.01, minimum: 0, maximum: 1 }, i: { type: 'integer', minimum: -3, maximum: 3 } },
    required: ['p', 'm', 'i'],
  },
  'boolean subschemas': { type: 'object', properties: { yes: true, no: false }, required: ['yes'] },
  '$anchor references': { $defs: { s: { $anchor: 'str', type: 'string', minLength: 3 } }, type: 'array', items: { $ref: '#str' } },
  'type arrays and nullable': { type: 'object', properties: { n: { type: ['integer', 'null'] }, s: { type: ['string', 'boolean'], minLength: 2 } }, required: ['n', 's'] },
  'true schema': true,
  'optional members that cannot be satisfied are left out': {
    type: 'object',
    properties: { ok: { type: 'string' }, never: { type: 'array', items: { type: 'null' }, minItems: 2, uniqueItems: true }, alsoNever: { not: {} } },
    required: ['ok'],
  },
  'pattern and format together': { type: 'string', pattern: 'x|y', format: 'email' },
};

describe('hand-written foreign schemas', () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    test(name, () => {
      expectAllValid(schema);
    });
  }

  test('a $ref spelled with the document $id is local', () => {
    expectAllValid({ $id: 'https://example.com/s.json', $defs: { a: { type: 'integer' } }, $ref: 'https://example.com/s.json#/$defs/a' });
  });

  test('recursion terminates and stays small', () => {
    for (const v of expectAllValid(SCHEMAS['2020-12 $defs recursion (a tree)'] as JsonSchema, 100)) {
      expect(JSON.stringify(v).length).toBeLessThan(5_000);
    }
  });

  test('oneOf values match exactly one alternative', () => {
    const values = expectAllValid(SCHEMAS['oneOf of overlapping integers'] as JsonSchema) as number[];
    for (const v of values) expect(v % 15).not.toBe(0);
  });

  test('the dialect comes from $schema, else 2020-12', () => {
    expect(dialectOf({ $schema: D7 })).toBe('draft-07');
    expect(dialectOf({ $schema: D2020 })).toBe('2020-12');
    expect(dialectOf({})).toBe('2020-12');
  });

  test('constructs construction cannot guarantee are reported as ajv-filtered', () => {
    const { oracleUses } = compileJsonSchema(SCHEMAS['not, if/then/else'] as JsonSchema);
    expect(oracleUses.map((u) => u.construct).join()).toMatch(/not/);
    expect(compileJsonSchema(SCHEMAS['pattern'] as JsonSchema).oracleUses).toEqual([]);
  });

  test('the same seed gives the same values (fresh engines)', () => {
    const schema = SCHEMAS['formats'] as JsonSchema;
    const a = fc.sample(arbitraryFromJsonSchema(schema), { seed: 3, numRuns: 10 });
    const b = fc.sample(arbitraryFromJsonSchema(schema), { seed: 3, numRuns: 10 });
    expect(b).toEqual(a);
  });
});

describe('schemas without values fail fast and say why', () => {
  const cases: [string, JsonSchema, RegExp][] = [
    ['minLength above maxLength', { type: 'string', minLength: 5, maxLength: 2 }, /minLength/],
    ['conflicting allOf types', { allOf: [{ type: 'string' }, { type: 'integer' }] }, /type/],
    ['a required property that is `false`', { type: 'object', properties: { a: false }, required: ['a'] }, /required property "a"/],
    ['recursion without a base case', { $defs: { a: { type: 'object', properties: { next: { $ref: '#/$defs/a' } }, required: ['next'] } }, $ref: '#/$defs/a' }, /recursive|nest without end/],
    ['an empty enum', { enum: [] }, /enum/],
    ['not: {}', { not: {} }, /\bnot\b/],
    // fast-check's own uniqueArray would loop forever here (two distinct nulls).
    ['uniqueItems beyond the item domain', { type: 'array', items: { type: 'null' }, minItems: 2, uniqueItems: true }, /uniqueItems/],
    ['a pattern longer than maxLength', { type: 'string', pattern: '^a{10}$', maxLength: 3 }, /pattern/],
    ['contains nothing can satisfy', { type: 'array', items: { type: 'string' }, contains: { type: 'integer' } }, /contains/],
    ['oneOf of identical alternatives', { oneOf: [{ type: 'string' }, { type: 'string' }] }, /oneOf/],
    ['false', false, /false/],
    ['a reference to another document', { $ref: 'https://example.com/other.json' }, /example\.com\/other\.json/],
    ['a reference to nowhere', { $ref: '#/$defs/missing' }, /missing/],
  ];
  for (const [name, schema, message] of cases) {
    test(name, () => {
      const t0 = Date.now();
      let error: unknown;
      try {
        arbitraryFromJsonSchema(schema);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SchemaArbitraryError);
      expect((error as Error).message).toMatch(message);
      expect(Date.now() - t0).toBeLessThan(5_000);
    });
  }
});

describe('tool inputSchemas of @modelcontextprotocol/server-everything', () => {
  let client: Client | undefined;
  let tools: { name: string; inputSchema: JsonSchema }[] = [];

  beforeAll(async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['node_modules/@modelcontextprotocol/server-everything/dist/index.js', 'stdio'],
      cwd: ROOT,
      stderr: 'pipe',
    });
    client = new Client({ name: 'mcp-conform-test', version: '0.0.0' });
    await client.connect(transport, { timeout: 15_000 });
    tools = (await client.listTools(undefined, { timeout: 15_000 })).tools as typeof tools;
    await client.close(); // kills the child
    client = undefined;
  }, 30_000);

  afterAll(async () => {
    await client?.close();
  });

  test('lists tools with input schemas', () => {
    expect(tools.length).toBeGreaterThan(5);
  });

  test('generated arguments validate against every inputSchema', () => {
    for (const tool of tools) {
      const check = oracle(tool.inputSchema);
      const arb = arbitraryFromJsonSchema(tool.inputSchema);
      fc.assert(fc.property(arb, (args) => check(args)), { seed, numRuns: 40 });
      // Arguments are a JSON object, as tools/call requires.
      for (const v of fc.sample(arb, { seed, numRuns: 5 })) expect(typeof v === 'object' && v !== null && !Array.isArray(v)).toBe(true);
    }
  });
});
