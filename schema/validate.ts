// ajv validators per revision (draft-07 or 2020-12 as the schema declares), compiled once per type.
// Compiling them costs seconds of CPU per process (every vitest worker, every mock server), so
// schema/build.ts also writes each revision's validators as ajv standalone code
// (schema/generated/validators/<rev>.cjs), which loads in tens of milliseconds; it is used only
// when its key matches the schema, the ajv versions and the options in use here.
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadSchema } from './load.ts';
import type { Revision } from './revisions.ts';
import { SCHEMA_DIR } from './sync.ts';

const require = createRequire(import.meta.url);

interface AjvModules {
  Ajv: new (opts: object) => Ajv;
  Ajv2020: new (opts: object) => Ajv;
  addFormats: (ajv: Ajv) => Ajv;
  standaloneCode: (ajv: Ajv, refs: Record<string, string>) => string;
}
let ajvModules: AjvModules | undefined;
/**
 * ajv's compiler, loaded on first use: a process that only runs the precompiled validators (every
 * start of a mock or reference server) never needs it, and loading it cost ~0.1 s of CPU per start.
 */
function ajvLib(): AjvModules {
  // ajv-formats and ajv's standalone module are CommonJS with a default export.
  const dflt = <F>(m: unknown): F => ((m as { default?: unknown }).default ?? m) as F;
  ajvModules ??= {
    Ajv: (require('ajv') as typeof import('ajv')).Ajv,
    Ajv2020: (require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020 as unknown as new (opts: object) => Ajv,
    addFormats: dflt(require('ajv-formats')),
    standaloneCode: dflt(require('ajv/dist/standalone/index.js')),
  };
  return ajvModules;
}

const AJV_OPTIONS = { strict: false, allErrors: true, validateFormats: true, allowUnionTypes: true } as const;

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
export function createAjv(dialect: 'draft-07' | '2020-12', source = false): AnyAjv {
  const opts = source ? { ...AJV_OPTIONS, code: { source: true } } : AJV_OPTIONS;
  const { Ajv, Ajv2020, addFormats } = ajvLib();
  const ajv = dialect === '2020-12' ? new Ajv2020(opts) : new Ajv(opts);
  addFormats(ajv);
  // The MCP schemas use format "byte" for base64 (ajv-formats knows it) and "uri-template" (likewise).
  return ajv;
}

/** Bounds the schemas compiled by compileUserSchema (each stays in its ajv instance too). */
const USER_SCHEMAS_MAX = 2_000;
const userAjvs = new Map<'draft-07' | '2020-12', AnyAjv>();
const userSchemas = new Map<string, ValidateFunction | Error>();

/**
 * A validator for a schema that came from a peer or a user (a tool's inputSchema, an elicitation's
 * requestedSchema), compiled once per process, dialect and content. Creating an ajv instance
 * compiles the dialect's meta-schema: measured in the client tests, a fresh instance per mock
 * server and tool was ~7 s of CPU of a 57 s test file. A schema with an `$id` anywhere gets an
 * instance of its own (two different ones with one `$id` would collide in a shared one). Throws when the schema does not
 * compile, every time it is asked for.
 */
export function compileUserSchema(dialect: 'draft-07' | '2020-12', schema: unknown): ValidateFunction {
  const key = `${dialect} ${JSON.stringify(schema)}`;
  let hit = userSchemas.get(key);
  if (!hit) {
    if (userSchemas.size >= USER_SCHEMAS_MAX) {
      userSchemas.clear();
      userAjvs.clear();
    }
    const shared = !key.includes('"$id"');
    let ajv = shared ? userAjvs.get(dialect) : undefined;
    if (!ajv) {
      ajv = createAjv(dialect);
      if (shared) userAjvs.set(dialect, ajv);
    }
    try {
      hit = ajv.compile(schema as object);
    } catch (err) {
      hit = err instanceof Error ? err : new Error(String(err));
    }
    userSchemas.set(key, hit);
  }
  if (hit instanceof Error) throw hit;
  return hit;
}

/** ajv's errorsText with no data variable ("/a must be string, /b …"), without an ajv instance. */
export function errorsText(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors?.length) return 'No errors';
  return errors.map((e) => `${e.instancePath} ${e.message}`).join(', ');
}

function ajvFor(rev: Revision, source = false): AnyAjv {
  let ajv = source ? undefined : instances.get(rev);
  if (ajv) return ajv;
  const loaded = loadSchema(rev);
  ajv = createAjv(loaded.defsKey === '$defs' ? '2020-12' : 'draft-07', source);
  const { $schema: _dialect, ...doc } = loaded.doc;
  ajv.addSchema({ ...doc, $id: schemaId(rev) });
  if (!source) instances.set(rev, ajv);
  return ajv;
}

/** Where schema/build.ts writes a revision's standalone validators. */
export function precompiledPath(rev: Revision): string {
  return join(SCHEMA_DIR, 'generated', 'validators', `${rev}.cjs`);
}

/** What the standalone code of a revision depends on: the (patched) schema, ajv, ajv-formats, the options. */
function precompiledKey(rev: Revision): string {
  const versions = ['ajv', 'ajv-formats'].map((p) => (require(`${p}/package.json`) as { version: string }).version);
  return createHash('sha256')
    .update(JSON.stringify([loadSchema(rev).doc, versions, AJV_OPTIONS, 1]))
    .digest('hex');
}

/** Every named type of a revision as one CommonJS module of ajv standalone code, its key on the first line. */
export function standaloneValidators(rev: Revision): string {
  const loaded = loadSchema(rev);
  const refs = Object.fromEntries(Object.keys(loaded.defs).map((n) => [n, `${schemaId(rev)}#/${loaded.defsKey}/${n}`]));
  return `// ${precompiledKey(rev)}\n${ajvLib().standaloneCode(ajvFor(rev, true), refs)}`;
}

/** Whether the standalone validators written for a revision are current. */
export function precompiledCurrent(rev: Revision): boolean {
  try {
    return readFileSync(precompiledPath(rev), 'utf8').startsWith(`// ${precompiledKey(rev)}\n`);
  } catch {
    return false;
  }
}

const precompiled = new Map<Revision, Record<string, ValidateFunction> | null>();

/** The revision's standalone validators when schema/build.ts wrote current ones; else null (compiled lazily). */
function precompiledFor(rev: Revision): Record<string, ValidateFunction> | null {
  let mod = precompiled.get(rev);
  if (mod !== undefined) return mod;
  mod = null;
  try {
    const code = readFileSync(precompiledPath(rev), 'utf8');
    if (code.startsWith(`// ${precompiledKey(rev)}\n`)) {
      const module = { exports: {} as Record<string, ValidateFunction> };
      // Its only requires are ajv's runtime helpers and ajv-formats, resolved from here.
      new Function('require', 'module', 'exports', code)(require, module, module.exports);
      mod = module.exports;
    }
  } catch {
    mod = null;
  }
  precompiled.set(rev, mod);
  return mod;
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
  fn = precompiledFor(rev)?.[typeName] ?? ajvFor(rev).getSchema(`${schemaId(rev)}#/${loaded.defsKey}/${typeName}`);
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
