// ajv validators per revision (draft-07 or 2020-12 as the schema declares), compiled once per type.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { loadSchema } from './load.ts';
import type { Revision } from './revisions.ts';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface Violation {
  /** JSON pointer into the validated value ('' for the root). */
  pointer: string;
  message: string;
  /** The schema keyword that failed (required, type, const, …). */
  keyword: string;
  /** How binding the broken rule is; absent means MUST (the schema, or a JSON-RPC MUST). */
  level?: 'SHOULD';
}

export interface ValidationResult {
  valid: boolean;
  errors: Violation[];
}

type AnyAjv = Ajv;
const instances = new Map<Revision, AnyAjv>();
const compiled = new Map<string, ValidateFunction>();

/** A fresh ajv with the dialect and formats of a revision; also used for user schemas (tool inputSchema…). */
export function createAjv(dialect: 'draft-07' | '2020-12'): AnyAjv {
  const opts = { strict: false, allErrors: true, validateFormats: true, allowUnionTypes: true } as const;
  const ajv = dialect === '2020-12' ? (new Ajv2020(opts) as unknown as AnyAjv) : new Ajv(opts);
  addFormats(ajv);
  // The MCP schemas use format "byte" for base64 (ajv-formats knows it) and "uri-template" (likewise).
  return ajv;
}

function ajvFor(rev: Revision): AnyAjv {
  let ajv = instances.get(rev);
  if (ajv) return ajv;
  const loaded = loadSchema(rev);
  ajv = createAjv(loaded.defsKey === '$defs' ? '2020-12' : 'draft-07');
  const { $schema: _dialect, ...doc } = loaded.doc;
  ajv.addSchema({ ...doc, $id: schemaId(rev) });
  instances.set(rev, ajv);
  return ajv;
}

export function schemaId(rev: Revision): string {
  return `urn:mcp-conform:schema:${rev}`;
}

/** The compiled validator of one named type of one revision. */
export function validatorFor(rev: Revision, typeName: string): ValidateFunction {
  const key = `${rev}#${typeName}`;
  let fn = compiled.get(key);
  if (fn) return fn;
  const loaded = loadSchema(rev);
  if (!Object.hasOwn(loaded.defs, typeName)) {
    throw new Error(`revision ${rev} has no type "${typeName}"`);
  }
  fn = ajvFor(rev).getSchema(`${schemaId(rev)}#/${loaded.defsKey}/${typeName}`);
  if (!fn) throw new Error(`ajv could not compile ${typeName} of ${rev}`);
  compiled.set(key, fn);
  return fn;
}

export function toViolations(errors: ErrorObject[] | null | undefined): Violation[] {
  if (!errors) return [];
  return errors.map((e) => ({ pointer: e.instancePath, keyword: e.keyword, message: describe(e) }));
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing required property "${String(p.missingProperty)}"`;
    case 'additionalProperties':
      return `unexpected property "${String(p.additionalProperty)}"`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'enum':
      return `must be one of ${JSON.stringify(p.allowedValues)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/** Validates a value as a named type of a revision. */
export function validate(rev: Revision, typeName: string, value: unknown): ValidationResult {
  const fn = validatorFor(rev, typeName);
  const valid = fn(value) as boolean;
  return { valid, errors: valid ? [] : narrowest(toViolations(fn.errors)) };
}

/**
 * anyOf failures list every branch's errors; the deepest pointers say most about what is wrong,
 * so keep those (and drop the generic "must match a schema in anyOf").
 */
export function narrowest(errors: Violation[]): Violation[] {
  if (errors.length <= 1) return errors;
  const specific = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
  const pool = specific.length ? specific : errors;
  const depth = (v: Violation) => (v.pointer === '' ? 0 : v.pointer.split('/').length);
  const max = Math.max(...pool.map(depth));
  const seen = new Set<string>();
  return pool
    .filter((e) => depth(e) === max)
    .filter((e) => {
      const k = `${e.pointer} ${e.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

export function formatViolations(errors: Violation[]): string {
  return errors.map((e) => `${e.pointer || '/'}: ${e.message}`).join('; ');
}
