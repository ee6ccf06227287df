// results.schema.json must describe reports/model.ts exactly: the key lists below are checked
// against the TypeScript types at compile time (tsc) and against the schema at run time.
import { describe, expect, it } from 'vitest';
import { prop } from '../helpers/prop.ts';
import { REVISIONS } from '../../schema/index.ts';
import {
  RESULTS_SCHEMA,
  validateCheckResult,
  validateResults,
  exitCodeFor,
  type BaselineOutcome,
  type CheckResult,
  type Counts,
  type HostVerdict,
  type MessageViolation,
  type Level,
  type Mode,
  type Results,
  type RevisionToolPlan,
  type ToolDecision,
  type ToolPlan,
  type Verdict,
  type WireEntry,
} from '../../reports/index.ts';
import { arbResults, sampleResults } from './sample.ts';

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type OptionalKeys<T> = Exclude<keyof T, RequiredKeys<T>>;
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

function shape<T>() {
  return <const R extends readonly RequiredKeys<T>[], const O extends readonly OptionalKeys<T>[]>(required: R, optional: O) => ({ required, optional });
}

const shapes = {
  Results: shape<Results>()(['format', 'formatVersion', 'tool', 'mode', 'target', 'revisions', 'startedAt', 'endedAt', 'counts', 'checks', 'errors'], ['untested', 'hosts', 'baseline', 'toolPlan']),
  CheckResult: shape<CheckResult>()(['id', 'title', 'level', 'revision', 'verdict', 'message', 'requirement', 'specUrl', 'durationMs', 'wireLog'], ['evidence', 'violations', 'crossTalk', 'expected', 'stale']),
  WireEntry: shape<WireEntry>()(['t', 'dir'], ['msg', 'raw', 'note']),
  MessageViolation: shape<MessageViolation>()(['dir', 'pointer', 'message', 'excerpt'], ['type', 'count', 'at', 'level']),
  HostVerdict: shape<HostVerdict>()(['host', 'works', 'summary', 'failingChecks'], []),
  Counts: shape<Counts>()(['total', 'passed', 'failed', 'warned', 'info', 'notApplicable', 'notVerified'], []),
  BaselineOutcome: shape<BaselineOutcome>()(['source', 'newFailures', 'expectedFailures', 'staleEntries', 'unmatchedEntries', 'warningsFail'], []),
  ToolPlan: shape<ToolPlan>()(['policy', 'revisions'], []),
  RevisionToolPlan: shape<RevisionToolPlan>()(['revision', 'listed', 'call', 'skip'], ['note']),
  ToolDecision: shape<ToolDecision>()(['name', 'why'], []),
  tool: shape<Results['tool']>()(['name', 'version'], []),
  target: shape<Results['target']>()(['description', 'transport'], ['stderr']),
};
// Every key of every type is listed (tsc fails here when model.ts gains a field).
type _Shapes = [
  Assert<Equal<(typeof shapes.Results.required)[number] | (typeof shapes.Results.optional)[number], keyof Results>>,
  Assert<Equal<(typeof shapes.CheckResult.required)[number] | (typeof shapes.CheckResult.optional)[number], keyof CheckResult>>,
  Assert<Equal<(typeof shapes.WireEntry.required)[number] | (typeof shapes.WireEntry.optional)[number], keyof WireEntry>>,
  Assert<Equal<(typeof shapes.MessageViolation.required)[number] | (typeof shapes.MessageViolation.optional)[number], keyof MessageViolation>>,
  Assert<Equal<(typeof shapes.HostVerdict.required)[number], keyof HostVerdict>>,
  Assert<Equal<(typeof shapes.Counts.required)[number], keyof Counts>>,
  Assert<Equal<(typeof shapes.BaselineOutcome.required)[number], keyof BaselineOutcome>>,
  Assert<Equal<(typeof shapes.ToolPlan.required)[number], keyof ToolPlan>>,
  Assert<Equal<(typeof shapes.RevisionToolPlan.required)[number] | (typeof shapes.RevisionToolPlan.optional)[number], keyof RevisionToolPlan>>,
  Assert<Equal<(typeof shapes.ToolDecision.required)[number], keyof ToolDecision>>,
  Assert<Equal<(typeof shapes.tool.required)[number], keyof Results['tool']>>,
  Assert<Equal<(typeof shapes.target.required)[number] | (typeof shapes.target.optional)[number], keyof Results['target']>>,
];

const enums = {
  Verdict: ['pass', 'fail', 'warn', 'info', 'not-applicable', 'not-verified'] as const,
  Level: ['MUST', 'SHOULD', 'MAY'] as const,
  Mode: ['server', 'client', 'fuzz', 'auth-server'] as const,
  Transport: ['stdio', 'http', 'sse', 'memory', 'command'] as const,
  Dir: ['send', 'recv'] as const,
};
type _Enums = [
  Assert<Equal<(typeof enums.Verdict)[number], Verdict>>,
  Assert<Equal<(typeof enums.Level)[number], Level>>,
  Assert<Equal<(typeof enums.Mode)[number], Mode>>,
  Assert<Equal<(typeof enums.Transport)[number], Results['target']['transport']>>,
  Assert<Equal<(typeof enums.Dir)[number], WireEntry['dir']>>,
];

interface ObjectSchema {
  required?: string[];
  properties: Record<string, { enum?: string[]; $ref?: string }>;
  additionalProperties: boolean;
}
const schema = RESULTS_SCHEMA as unknown as ObjectSchema & { $schema: string; $defs: Record<string, ObjectSchema & { enum?: string[] }> };
const objectSchema = (name: keyof typeof shapes): ObjectSchema => {
  if (name === 'Results') return schema;
  if (name === 'tool' || name === 'target') return schema.properties[name] as unknown as ObjectSchema;
  return schema.$defs[name] as ObjectSchema;
};
const sorted = (xs: readonly string[]) => [...xs].sort();

describe('results.schema.json', () => {
  it('is a 2020-12 schema', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  for (const [name, { required, optional }] of Object.entries(shapes)) {
    it(`describes ${name} with exactly the fields of model.ts`, () => {
      const s = objectSchema(name as keyof typeof shapes);
      expect(sorted(s.required ?? [])).toEqual(sorted(required));
      expect(sorted(Object.keys(s.properties))).toEqual(sorted([...required, ...optional]));
      expect(s.additionalProperties).toBe(false);
    });
  }

  it('has the enums of model.ts and the revisions of schema/', () => {
    expect(schema.$defs.Verdict?.enum).toEqual([...enums.Verdict]);
    expect(schema.$defs.Level?.enum).toEqual([...enums.Level]);
    expect(schema.properties.mode?.enum).toEqual([...enums.Mode]);
    expect((schema.properties.target as unknown as ObjectSchema).properties.transport?.enum).toEqual([...enums.Transport]);
    expect(schema.$defs.WireEntry?.properties.dir?.enum).toEqual([...enums.Dir]);
    expect(schema.$defs.Revision?.enum).toEqual([...REVISIONS]);
  });

  it('accepts a full sample and rejects drift', () => {
    expect(validateResults(sampleResults())).toEqual({ valid: true, errors: [] });
    const extra = { ...sampleResults(), surprise: 1 };
    expect(validateResults(extra).valid).toBe(false);
    const badVerdict = sampleResults();
    (badVerdict.checks[0] as unknown as Record<string, unknown>).verdict = 'ok';
    expect(validateResults(badVerdict).errors.map((e) => e.pointer)).toContain('/checks/0/verdict');
    expect(validateResults({ ...sampleResults(), formatVersion: 2 }).valid).toBe(false);
    expect(validateCheckResult({ id: 'a/b' }).valid).toBe(false);
  });

  prop([arbResults], { numRuns: 50 })('accepts any well-typed Results after a JSON round trip', (r) => {
    const v = validateResults(JSON.parse(JSON.stringify(r)));
    expect(v.errors).toEqual([]);
  });
});

describe('exitCodeFor', () => {
  it('is 1 when a MUST failed, else 0', () => {
    expect(exitCodeFor(sampleResults())).toBe(1);
    expect(exitCodeFor({ checks: sampleResults().checks.filter((c) => c.verdict !== 'fail') })).toBe(0);
  });
  it('follows the baseline when one was applied', () => {
    const base: BaselineOutcome = { source: 'b.yml', newFailures: [], expectedFailures: ['x'], staleEntries: [], unmatchedEntries: [], warningsFail: true };
    expect(exitCodeFor({ ...sampleResults(), baseline: base })).toBe(0);
    expect(exitCodeFor({ ...sampleResults(), baseline: { ...base, staleEntries: ['y'] } })).toBe(1);
    expect(exitCodeFor({ ...sampleResults(), baseline: { ...base, newFailures: ['z'] } })).toBe(1);
  });
});

