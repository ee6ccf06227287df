// Loads mock scripts: YAML or JSON (parsed with source positions and validated against
// script.schema.json, so a mistake is reported as file:line:col field: message), or TypeScript
// modules whose default export is a server, a server definition, behaviours, or a plain script.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Document, LineCounter } from 'yaml';
import { createAjv, isObject } from '../../schema/index.ts';
import { flattenBehaviours, type Behaviour, type BehaviourInput } from '../behaviours.ts';
import { FaultSpecError, toFaultSpec } from '../faults/index.ts';
import { MockServer, type MockServerOptions } from '../server/index.ts';
import scriptSchema from './script.schema.json' with { type: 'json' };
import type { ScriptDoc } from './types.ts';

export { scriptSchema };

// yaml is loaded when a script is first parsed: the reference server imports this module for
// defineServer alone, and is started once per check.
const require = createRequire(import.meta.url);
let yamlLib: typeof import('yaml') | undefined;
const yaml = () => (yamlLib ??= require('yaml') as typeof import('yaml'));

export interface ScriptIssue {
  file: string;
  line: number;
  col: number;
  /** Dotted path of the offending field, e.g. tools[0].inputSchema. */
  field: string;
  message: string;
}

export class ScriptError extends Error {
  constructor(readonly issues: ScriptIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ScriptError';
  }
}

export function formatIssue(i: ScriptIssue): string {
  return `${i.file}:${i.line}:${i.col} ${i.field ? `${i.field}: ` : ''}${i.message}`;
}

/** A server to create per use (each msw setup or CLI run gets a fresh one). */
export interface ServerDefinition {
  kind: 'mcp-conform.server-definition';
  options: MockServerOptions;
  behaviours: Behaviour[];
  /** Faults to apply when serving (message- and HTTP-level). */
  faults?: ScriptDoc['faults'];
  seed?: number;
}

export function defineServer(options: MockServerOptions & { faults?: ScriptDoc['faults']; seed?: number }, ...behaviours: BehaviourInput[]): ServerDefinition {
  const { faults, seed, ...rest } = options;
  const def: ServerDefinition = { kind: 'mcp-conform.server-definition', options: rest, behaviours: flattenBehaviours(behaviours) };
  if (faults) def.faults = faults;
  if (seed !== undefined) def.seed = seed;
  return def;
}

export function isServerDefinition(v: unknown): v is ServerDefinition {
  return isObject(v) && v.kind === 'mcp-conform.server-definition';
}

let validator: ValidateFunction | undefined;
function scriptValidator(): ValidateFunction {
  validator ??= createAjv('2020-12').compile(scriptSchema);
  return validator;
}

/** Among the branches of each failed oneOf, keeps the errors of the branch the value was closest to. */
function pickBranches(errors: ErrorObject[]): ErrorObject[] {
  let out = errors;
  for (const one of errors.filter((e) => e.keyword === 'oneOf')) {
    const prefix = one.schemaPath + '/';
    const branches = new Map<string, ErrorObject[]>();
    for (const e of out) {
      if (!e.schemaPath.startsWith(prefix) || !e.instancePath.startsWith(one.instancePath)) continue;
      const b = e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(b, [...(branches.get(b) ?? []), e]);
    }
    if (branches.size === 0) continue;
    const score = (es: ErrorObject[]) => es.filter((e) => e.keyword === 'required' && e.instancePath === one.instancePath).length * 1000 + es.length;
    const best = [...branches.entries()].sort((a, b) => score(a[1]) - score(b[1]))[0]!;
    const drop = new Set<ErrorObject>();
    for (const [b, es] of branches) if (b !== best[0]) es.forEach((e) => drop.add(e));
    // Keep the oneOf error only when the chosen branch has nothing more specific to say.
    if (best[1].length && !friendly(one)) drop.add(one);
    out = out.filter((e) => !drop.has(e));
  }
  return out;
}

// ajv reports schema paths relative to the $defs entry, so combinators are told apart by keyword
// and by where in the script they are.
const FRIENDLY: [string, RegExp, string][] = [
  ['oneOf', /^\/resources\/\d+$/, 'needs exactly one of text, blob or contents'],
  ['not', /^\/tools\/\d+$/, 'has both result and error: give one'],
  ['anyOf', /\/when$/, 'needs after or during'],
  ['oneOf', /^\/client\/answers\/[^/]+$/, 'must be a reply object or "generate"'],
  ['oneOf', /^\/faults\/\d+$/, 'must be a fault spec string or an object with kind'],
];

function friendly(e: ErrorObject): string | undefined {
  return FRIENDLY.find(([kw, re]) => kw === e.keyword && re.test(e.instancePath))?.[2];
}

/** Combinator errors with a friendly message replace the errors of their branches. */
function preferFriendly(errors: ErrorObject[]): ErrorObject[] {
  const marked = errors.filter((e) => friendly(e) !== undefined);
  if (!marked.length) return errors;
  return errors.filter((e) => !marked.some((f) => f !== e && e.schemaPath.startsWith(`${f.schemaPath}/`) && e.instancePath.startsWith(f.instancePath)));
}

function describeError(e: ErrorObject): string {
  const f = friendly(e);
  if (f) return f;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing required property "${String(p.missingProperty)}"`;
    case 'additionalProperties':
      return `unknown property "${String(p.additionalProperty)}"`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    default:
      return e.message ?? e.keyword;
  }
}

function pathOf(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function fieldName(path: (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

interface Located {
  doc: Document;
  lines: LineCounter;
}

function position(loc: Located, path: (string | number)[], extraKey?: string): { line: number; col: number } {
  let node: unknown;
  for (let n = path.length; n >= 0 && node === undefined; n--) node = loc.doc.getIn(path.slice(0, n), true);
  // For an unknown property, point at its key.
  if (extraKey && yaml().isMap(node)) {
    const pair = node.items.find((it) => isObject(it.key) ? (it.key as { value?: unknown }).value === extraKey : it.key === extraKey);
    const k = pair?.key as { range?: [number, number, number] } | undefined;
    if (k?.range) return loc.lines.linePos(k.range[0]);
  }
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  return range ? loc.lines.linePos(range[0]) : { line: 1, col: 1 };
}

/** Validates a script value against script.schema.json (and its fault specs). */
export function validateScript(value: unknown, file: string, loc?: Located): ScriptIssue[] {
  const validate = scriptValidator();
  const issues: ScriptIssue[] = [];
  if (!validate(value)) {
    const errors = pickBranches(preferFriendly(validate.errors ?? []));
    // Deepest first, then one issue per field and message.
    const seen = new Set<string>();
    for (const e of errors) {
      const path = pathOf(e.instancePath);
      const extra = e.keyword === 'additionalProperties' ? String((e.params as { additionalProperty?: unknown }).additionalProperty) : undefined;
      const pos = loc ? position(loc, path, extra) : { line: 1, col: 1 };
      const issue: ScriptIssue = { file, line: pos.line, col: pos.col, field: fieldName(extra ? [...path, extra] : path), message: describeError(e) };
      const k = `${issue.field}|${issue.message}`;
      if (seen.has(k)) continue;
      seen.add(k);
      issues.push(issue);
    }
  }
  const faults = isObject(value) && Array.isArray(value.faults) ? value.faults : [];
  faults.forEach((f, i) => {
    if (typeof f !== 'string' && !isObject(f)) return;
    try {
      toFaultSpec(f as never);
    } catch (err) {
      if (!(err instanceof FaultSpecError)) throw err;
      const pos = loc ? position(loc, ['faults', i]) : { line: 1, col: 1 };
      issues.push({ file, line: pos.line, col: pos.col, field: `faults[${i}]`, message: err.message });
    }
  });
  return issues.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Parses YAML or JSON text into a validated script, or throws ScriptError with positions. */
export function parseScript(text: string, file = '<script>'): ScriptDoc {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ScriptError(
      doc.errors.map((e) => ({ file, line: e.linePos?.[0].line ?? 1, col: e.linePos?.[0].col ?? 1, field: '', message: e.message.split('\n')[0] ?? e.message })),
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isObject(value)) throw new ScriptError([{ file, line: 1, col: 1, field: '', message: 'a script must be a mapping (YAML) or an object (JSON)' }]);
  const issues = validateScript(value, file, { doc, lines });
  if (issues.length) throw new ScriptError(issues);
  return value as ScriptDoc;
}

export type LoadedScript =
  | { kind: 'script'; file: string; doc: ScriptDoc }
  | { kind: 'definition'; file: string; definition: ServerDefinition }
  | { kind: 'server'; file: string; server: MockServer }
  | { kind: 'module'; file: string; value: unknown };

const SCRIPT_EXTS = new Set(['.yaml', '.yml', '.json']);
const MODULE_EXTS = new Set(['.ts', '.mts', '.js', '.mjs']);

let tsLoader: Promise<void> | undefined;
/**
 * The installed package runs as JavaScript, and so does a bundled entry of a checkout
 * (bin/dev-entry.js): a TypeScript script needs tsx, registered on first use unless the process
 * already runs under it.
 */
function ensureTsLoader(ext: string): Promise<void> {
  if ((globalThis as Record<symbol, unknown>)[Symbol.for('mcp-conform.tsx-registered')] || (ext !== '.ts' && ext !== '.mts')) return Promise.resolve();
  tsLoader ??= import('tsx/esm/api').then(({ register }) => void register());
  return tsLoader;
}

/** Loads a script file: YAML/JSON by content, TypeScript/JavaScript by import. */
export async function loadScript(path: string): Promise<LoadedScript> {
  const file = resolve(path);
  const ext = extname(file).toLowerCase();
  if (MODULE_EXTS.has(ext)) {
    let mod: Record<string, unknown>;
    try {
      await ensureTsLoader(ext);
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (err) {
      throw new ScriptError([{ file: path, line: 1, col: 1, field: '', message: `cannot load module: ${(err as Error).message}` }]);
    }
    let value = mod.default ?? mod.server ?? mod.script;
    if (typeof value === 'function' && !(value instanceof MockServer)) value = await (value as () => unknown)();
    if (value instanceof MockServer) return { kind: 'server', file: path, server: value };
    if (isServerDefinition(value)) return { kind: 'definition', file: path, definition: value };
    if (Array.isArray(value) || (isObject(value) && typeof value.kind === 'string')) {
      return { kind: 'definition', file: path, definition: defineServer({}, value as BehaviourInput) };
    }
    if (isObject(value)) {
      if (value.kind === undefined && (Array.isArray(value.steps) || isObject(value.client)) && Object.values(value).some((v) => typeof v === 'function' || (Array.isArray(v) && v.some((x) => typeof x === 'function')))) {
        return { kind: 'module', file: path, value };
      }
      const issues = validateScript(value, path);
      if (issues.length) throw new ScriptError(issues);
      return { kind: 'script', file: path, doc: value as ScriptDoc };
    }
    throw new ScriptError([{ file: path, line: 1, col: 1, field: '', message: 'the module must default-export a MockServer, defineServer(…), behaviours, or a script object' }]);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScriptError([{ file: path, line: 1, col: 1, field: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  if (!SCRIPT_EXTS.has(ext) && ext !== '') {
    throw new ScriptError([{ file: path, line: 1, col: 1, field: '', message: `unknown script type "${ext}" (use .yaml, .yml, .json, .ts or .js)` }]);
  }
  return { kind: 'script', file: path, doc: parseScript(text, path) };
}
