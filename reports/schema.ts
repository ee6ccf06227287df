// The JSON Schema of results.json and validators for it (used by the reporter on harness meta,
// by tests, and by anyone reading a results.json written elsewhere).
import type { ValidateFunction } from 'ajv';
import { createAjv, toViolations, type ValidationResult } from '../schema/index.ts';
import resultsSchema from './results.schema.json' with { type: 'json' };

export const RESULTS_SCHEMA: Readonly<Record<string, unknown>> = resultsSchema;

let compiled: { results: ValidateFunction; check: ValidateFunction } | undefined;

function validators(): { results: ValidateFunction; check: ValidateFunction } {
  if (compiled) return compiled;
  const ajv = createAjv('2020-12');
  ajv.addSchema(resultsSchema);
  const get = (ref: string): ValidateFunction => {
    const fn = ajv.getSchema(ref);
    if (!fn) throw new Error(`results schema has no ${ref}`);
    return fn;
  };
  compiled = { results: get(resultsSchema.$id), check: get(`${resultsSchema.$id}#/$defs/CheckResult`) };
  return compiled;
}

function run(fn: ValidateFunction, value: unknown): ValidationResult {
  const valid = fn(value) === true;
  return { valid, errors: valid ? [] : toViolations(fn.errors) };
}

/** Validates a parsed results.json against reports/results.schema.json. */
export function validateResults(value: unknown): ValidationResult {
  return run(validators().results, value);
}

/** Validates one CheckResult (e.g. what a harness put on a vitest task's meta). */
export function validateCheckResult(value: unknown): ValidationResult {
  return run(validators().check, value);
}
