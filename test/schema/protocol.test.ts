// The protocol constants of schema/protocol.ts and the revision sets of schema/revisions.ts agree
// with the schemas: every error code a schema defines, every reserved _meta key, the log levels,
// and which revisions have the initialize handshake.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import manifest from '../../schema/manifest.json' with { type: 'json' };
import {
  ErrorCode,
  isLoggingLevel,
  isObject,
  loadSchema,
  LOG_LEVELS,
  logSeverity,
  META,
  registry,
  REVISIONS,
  specDocsDir,
  STATEFUL_REVISIONS,
  STATEFUL_STREAMABLE_REVISIONS,
  STATELESS_REVISIONS,
  STREAMABLE_HTTP_REVISIONS,
  type Revision,
} from '../../schema/index.ts';

/** Every `code` const anywhere in a revision's definitions, by definition name. */
function schemaCodes(rev: Revision): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (node: unknown, def: string): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, def));
    if (!isObject(node)) return;
    const code = isObject(node.properties) && isObject(node.properties.code) ? node.properties.code.const : undefined;
    if (typeof code === 'number') out.set(def, code);
    for (const v of Object.values(node)) walk(v, def);
  };
  for (const [name, def] of Object.entries(loadSchema(rev).defs)) walk(def, name);
  return out;
}

/** Reserved `_meta` property keys (io.modelcontextprotocol/…) anywhere in a revision's definitions. */
function schemaMetaKeys(rev: Revision): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isObject(node)) return;
    if (isObject(node.properties)) for (const k of Object.keys(node.properties)) if (k.startsWith('io.modelcontextprotocol/')) out.add(k);
    for (const v of Object.values(node)) walk(v);
  };
  walk(loadSchema(rev).defs);
  return out;
}

/** `export const NAME = -32xxx;` lines of a revision's schema.ts (the pinned spec folder, when present). */
function schemaTsCodes(rev: Revision): Map<string, number> | undefined {
  const docs = specDocsDir(rev);
  const file = docs && join(dirname(docs), 'schema.ts');
  if (!file || !existsSync(file)) return undefined;
  const out = new Map<string, number>();
  for (const m of readFileSync(file, 'utf8').matchAll(/^export const ([A-Z_]+) = (-\d+);$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** PARSE_ERROR → ParseError, URL_ELICITATION_REQUIRED → UrlElicitationRequired. */
const pascal = (screaming: string) => screaming.toLowerCase().replace(/(?:^|_)([a-z])/g, (_, c: string) => c.toUpperCase());

describe.each(REVISIONS)('protocol constants against the %s schema', (rev) => {
  it('names every error code the schema defines, with the schema value', () => {
    const values = new Set<number>(Object.values(ErrorCode));
    const codes = schemaCodes(rev);
    for (const [def, code] of codes) expect(values.has(code), `${def}: ${code}`).toBe(true);
    // The error types are named after the codes (ParseError, HeaderMismatchError, URLElicitationRequiredError).
    for (const [def, code] of codes) {
      const name = def.replace(/Error$/, '').replace(/^URL/, 'Url');
      const key = (Object.keys(ErrorCode) as (keyof typeof ErrorCode)[]).find((k) => k === name || k === `${name}Error`);
      expect(key && ErrorCode[key], def).toBe(code);
    }
  });

  // Skipped only where the spec folder has no schema.ts beside the synced docs (an installed
  // package without ../shared); the schema.json checks above run everywhere.
  it.skipIf(!schemaTsCodes(rev))('matches the error-code constants of schema.ts', () => {
    const ts = schemaTsCodes(rev)!;
    expect(ts.size).toBeGreaterThanOrEqual(5);
    for (const [name, value] of ts) expect(ErrorCode[pascal(name) as keyof typeof ErrorCode], name).toBe(value);
  });

  it('lists exactly the LoggingLevel enum, least severe first', () => {
    const levels = loadSchema(rev).defs.LoggingLevel?.enum as string[];
    expect([...LOG_LEVELS].sort()).toEqual([...levels].sort());
    expect(logSeverity('debug')).toBe(0);
    expect(logSeverity('emergency')).toBe(LOG_LEVELS.length - 1);
    expect(isLoggingLevel('warning') && !isLoggingLevel('verbose') && !isLoggingLevel(3)).toBe(true);
  });

  it('names every reserved _meta key of the schema', () => {
    const named = new Set<string>(Object.values(META));
    for (const k of schemaMetaKeys(rev)) expect(named.has(k), k).toBe(true);
  });

  it('counts it stateful exactly when it has initialize', () => {
    const hasInitialize = registry(rev).get('initialize') !== undefined;
    expect(STATEFUL_REVISIONS.includes(rev)).toBe(hasInitialize);
    expect(STATELESS_REVISIONS.includes(rev)).toBe(!hasInitialize);
  });
});

describe('revision sets', () => {
  it('cover the manifest, in order, without overlap', () => {
    expect([...REVISIONS]).toEqual(Object.keys(manifest.revisions));
    expect([...STATEFUL_REVISIONS, ...STATELESS_REVISIONS].sort()).toEqual([...REVISIONS]);
    expect(STREAMABLE_HTTP_REVISIONS[0]).toBe('2025-03-26');
    expect(STATEFUL_STREAMABLE_REVISIONS).toEqual(STREAMABLE_HTTP_REVISIONS.filter((r) => STATEFUL_REVISIONS.includes(r)));
  });

  it('every META key the 2026-07-28 schema declares is one of them, and each of them is declared', () => {
    expect(new Set(Object.values(META))).toEqual(schemaMetaKeys('2026-07-28'));
  });
});

describe('isObject', () => {
  it('is true for plain objects only', () => {
    expect([{}, { a: 1 }].map(isObject)).toEqual([true, true]);
    expect([null, [], 'x', 1, undefined].map(isObject)).toEqual([false, false, false, false, false]);
  });
});
