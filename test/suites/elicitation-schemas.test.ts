// The judges of a form elicitation's requested schema (suites/server/server-requests.ts), each
// way on single properties: the feature fixture's breaks prove the checks end to end
// (features.test.ts); here, the rules the breaks do not reach (bounds, each enum form's faults,
// and the fixture contract's promises: a default of each primitive type, the five enum forms).
import { describe, expect, test } from 'vitest';
import { contractMissing, defaultProblem, enumForm } from '../../suites/server/server-requests.ts';

describe('defaultProblem', () => {
  test.each([
    [{ type: 'string', default: 'x' }],
    [{ type: 'string', enum: ['a', 'b'], default: 'b' }],
    [{ type: 'string', oneOf: [{ const: 'v1', title: 'One' }], default: 'v1' }],
    [{ type: 'integer', minimum: 1, maximum: 100, default: 42 }],
    [{ type: 'number', default: 3.14 }],
    [{ type: 'boolean', default: false }],
    [{ type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1, default: ['a'] }],
    [{ type: 'array', items: { anyOf: [{ const: 'f1', title: 'Tuna' }] }, default: ['f1'] }],
    [{ type: 'string' }],
  ])('accepts %j', (p) => expect(defaultProblem(p)).toBeUndefined());
  test.each([
    [{ type: 'string', default: 7 }, /not a string/],
    [{ type: 'string', enum: ['a', 'b'], default: 'c' }, /not one of its values/],
    [{ type: 'string', oneOf: [{ const: 'v1', title: 'One' }], default: 'One' }, /not one of its values/],
    [{ type: 'string', maxLength: 3, default: 'long' }, /longer than its maxLength 3/],
    [{ type: 'integer', default: 30.5 }, /not an integer/],
    [{ type: 'number', maximum: 10, default: 11 }, /above its maximum 10/],
    [{ type: 'boolean', default: 'true' }, /not a boolean/],
    [{ type: 'array', items: { type: 'string', enum: ['a'] }, default: 'a' }, /not an array/],
    [{ type: 'array', items: { type: 'string', enum: ['a'] }, default: ['z'] }, /selects "z"/],
    [{ type: 'array', items: { type: 'string', enum: ['a', 'b'] }, maxItems: 1, default: ['a', 'b'] }, /more than its maxItems 1/],
  ])('rejects %j', (p, why) => expect(defaultProblem(p)).toMatch(why));
});

describe('enumForm', () => {
  test.each([
    [{ type: 'string', enum: ['a'] }, 'untitled single-select'],
    [{ type: 'string', oneOf: [{ const: 'a', title: 'A' }] }, 'titled single-select'],
    [{ type: 'string', enum: ['a', 'b'], enumNames: ['A', 'B'] }, 'legacy titled (enumNames)'],
    [{ type: 'array', items: { type: 'string', enum: ['a'] } }, 'untitled multi-select'],
    [{ type: 'array', items: { anyOf: [{ const: 'a', title: 'A' }] } }, 'titled multi-select'],
  ])('%j is the %s form', (p, form) => expect(enumForm(p)).toEqual({ form }));
  test('a string or number without choices is no enum', () => {
    expect(enumForm({ type: 'string', format: 'email' })).toBeUndefined();
    expect(enumForm({ type: 'integer' })).toBeUndefined();
  });
  test.each([
    [{ type: 'string', oneOf: [{ const: 'a' }] }, /string const and a string title/],
    [{ type: 'string', enum: ['a'], oneOf: [{ const: 'a', title: 'A' }] }, /both enum and oneOf/],
    [{ type: 'string', enum: [1, 2] }, /not a list of strings/],
    [{ type: 'string', enumNames: ['A'] }, /enumNames without enum/],
    [{ type: 'string', enum: ['a', 'b'], enumNames: ['A'] }, /one display name \(string\) for each of its 2/],
    [{ type: 'array', items: { anyOf: [{ const: 'a', title: 'A' }], enum: ['a'] } }, /both enum and anyOf/],
    [{ type: 'array', items: { type: 'number' } }, /neither a string enum nor anyOf/],
    [{ type: 'array' }, /without items/],
  ])('%j has none of the forms', (p, why) => expect(enumForm(p)).toEqual({ problem: expect.stringMatching(why) }));
});

describe('the fixture contract of the form tools', () => {
  const defaults = {
    name: { type: 'string', default: 'John Doe' },
    age: { type: 'integer', default: 30 },
    score: { type: 'number', default: 95.5 },
    status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
    verified: { type: 'boolean', default: true },
  };
  const enums = {
    untitledSingle: { type: 'string', enum: ['option1'] },
    titledSingle: { type: 'string', oneOf: [{ const: 'value1', title: 'First' }] },
    legacyEnum: { type: 'string', enum: ['opt1'], enumNames: ['Option One'] },
    untitledMulti: { type: 'array', items: { type: 'string', enum: ['option1'] } },
    titledMulti: { type: 'array', items: { anyOf: [{ const: 'value1', title: 'First' }] } },
  };
  test('a form as promised lacks nothing', () => {
    expect(contractMissing('defaults', defaults)).toEqual([]);
    expect(contractMissing('enums', enums)).toEqual([]);
  });
  test('a default left out, a type changed, a form replaced by another are named', () => {
    const { verified: _v, ...noVerified } = defaults;
    expect(contractMissing('defaults', { ...noVerified, verified: { type: 'boolean' }, age: { type: 'number', default: 30 } })).toEqual(['age (integer with a default)', 'verified (boolean with a default)']);
    expect(contractMissing('defaults', { ...defaults, status: { type: 'string', default: 'active' } })).toEqual(['status (string enum with a default)']);
    expect(contractMissing('enums', { ...enums, titledSingle: { type: 'string', enum: ['value1'] }, titledMulti: undefined })).toEqual(['titledSingle (titled single-select)', 'titledMulti (titled multi-select)']);
  });
});
