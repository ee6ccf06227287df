// The layout's rules (README "Architecture"). The import rules are dependency-cruiser's
// (.dependency-cruiser.cjs, run by `npm test` as lint:deps); here they are shown to bite on a tiny
// tree that breaks them. The rule "no protocol type declared outside schema/" is checked here by
// a scan, against an allowlist of today's hand-written ones; so is "no protocol constant outside
// schema/" (error codes, _meta keys, log levels, revision sets, isObject), with no allowlist.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTHORIZATION_REVISIONS,
  ErrorCode,
  LOG_LEVELS,
  META,
  PRM_REVISIONS,
  RELATED_TASK_META,
  REVISIONS,
  STATEFUL_REVISIONS,
  STATEFUL_STREAMABLE_REVISIONS,
  STATELESS_REVISIONS,
  STREAMABLE_HTTP_REVISIONS,
  typeNames,
} from '../schema/index.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

function depcruise(cwd: string, dirs: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [DEPCRUISE, ...dirs, '--config', CONFIG, '--output-type', 'err'], { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

describe('the import rules (dependency-cruiser, the project config)', () => {
  let dir: string;
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-conform-arch-'));
    await write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }));
    // A correct tree: suites → the other rooms' index modules, reports → schema.
    await write('schema/index.ts', "export type Revision = '2025-11-25';\n");
    await write('mock-server/index.ts', "export interface WireEntry { t: number }\n");
    await write('reports/index.ts', "import type { Revision } from '../schema/index.ts';\nexport type R = Revision;\n");
    await write('suites/harness/index.ts', "import type { WireEntry } from '../../mock-server/index.ts';\nimport type { R } from '../../reports/index.ts';\nexport type X = [WireEntry, R];\n");
  }, 30_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes a tree that keeps them', async () => {
    const r = await depcruise(dir, ['schema', 'suites', 'mock-server', 'reports']);
    expect(r.out).toContain('no dependency violations');
    expect(r.code).toBe(0);
  }, 60_000);

  it('fails (non-zero exit) a tree that breaks them, naming each rule', async () => {
    await write('mock-server/wire.ts', "import type { R } from '../reports/index.ts';\nexport type W = R;\n");
    await write('schema/uses.ts', "import type { X } from '../suites/harness/index.ts';\nexport type U = X;\n");
    await write('reports/deep.ts', "import type { WireEntry } from '../mock-server/index.ts';\nimport type { S } from '../schema/inner.ts';\nexport type D = [WireEntry, S];\n");
    await write('schema/inner.ts', "export type S = string;\n");
    await write('suites/harness/a.ts', "import type { B } from './b.ts';\nexport type A = B | 1;\n");
    await write('suites/harness/b.ts', "import type { A } from './a.ts';\nexport type B = A | 2;\n");
    const r = await depcruise(dir, ['schema', 'suites', 'mock-server', 'reports']);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/mock-server-stands-alone: mock-server\/wire\.ts → reports\/index\.ts/);
    expect(r.out).toMatch(/schema-imports-nothing-of-ours: schema\/uses\.ts → suites\/harness\/index\.ts/);
    expect(r.out).toMatch(/rooms-meet-at-their-index: reports\/deep\.ts → schema\/inner\.ts/);
    expect(r.out).toMatch(/no-cycles: suites\/harness\/a\.ts/);
  }, 60_000);
});

// ---- no protocol type declared outside schema/ ----

/**
 * Hand-written protocol shapes outside schema/ that exist today: the debt, named. Each should
 * become a type derived from schema/ (Current['…'], McpType<…>); a new one fails the test below.
 */
const KNOWN_PROTOCOL_TYPES: Record<string, string> = {
  // The slice of a Tool the tool plan reads (name, annotations), written out instead of Pick<Current['Tool'], …>.
  'suites/harness/tool-plan.ts Tool': 'schema type name',
  // ToolAnnotations' hints, re-declared loosely (unknown values) for the call policy.
  'suites/harness/tool-policy.ts Annotations': 'schema type name',
};

type Found = { key: string; why: string };

/** The text of a declaration: an interface/class body to its closing brace, a type alias to its end. */
function declarationText(text: string, start: number, kind: string): string {
  if (kind !== 'type') {
    const open = text.indexOf('{', start);
    let depth = 0;
    for (let i = open; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) return text.slice(start, i + 1);
    }
    return text.slice(start);
  }
  let depth = 0;
  for (let i = text.indexOf('=', start) + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (depth === 0 && (c === ';' || (c === '\n' && text[i + 1] === '\n'))) return text.slice(start, i);
  }
  return text.slice(start);
}

function scan(file: string, text: string, schemaNames: Set<string>): Found[] {
  const found: Found[] = [];
  const decl = /^[ \t]*(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(interface|class|type)\s+([A-Za-z_$][\w$]*)\s*(?:<[^=>{]*>)?\s*(?:=|extends|implements|\{)/gm;
  for (const m of text.matchAll(decl)) {
    const [, kind, name] = m as unknown as [string, string, string];
    const body = declarationText(text, m.index, kind);
    // An alias of a schema type (type Tool = Current['Tool']) is derived, not declared.
    const derived = kind === 'type' && /=\s*(?:Current|Stateless|McpType|Schema|AnyRevision)\b/.test(body);
    if (schemaNames.has(name) && !derived) found.push({ key: `${file} ${name}`, why: 'schema type name' });
    if (kind === 'class') continue; // class bodies hold values, not shapes
    if (/\bjsonrpc\??\s*:\s*(?:['"]2\.0['"]|typeof\b)/.test(body)) found.push({ key: `${file} ${name}`, why: 'JSON-RPC envelope' });
    else if (/\bcode\??\s*:\s*number\b/.test(body) && /\bmessage\??\s*:\s*string\b/.test(body) && /\bdata\??\s*:/.test(body)) found.push({ key: `${file} ${name}`, why: 'JSON-RPC error object' });
  }
  return found;
}

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await tsFiles(p)));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

describe('no protocol type declared outside schema/', () => {
  const schemaNames = new Set(REVISIONS.flatMap((r) => typeNames(r)));

  it('flags a declaration named like a schema type, a JSON-RPC envelope, an error object', () => {
    const text = [
      'export interface CallToolResult { content: unknown[] }',
      "type Env = { jsonrpc: '2.0'; id: number };",
      'interface Oops { code: number; message: string; data?: unknown }',
      "export type Tool = Current['Tool'];",
      'interface Fine { name: string }',
    ].join('\n');
    expect(scan('x.ts', text, schemaNames).map((f) => `${f.key}: ${f.why}`)).toEqual([
      'x.ts CallToolResult: schema type name',
      'x.ts Env: JSON-RPC envelope',
      'x.ts Oops: JSON-RPC error object',
    ]);
  });

  it('finds none beyond the named allowlist in suites/, mock-server/, reports/, cli/', async () => {
    const files = (await Promise.all(['suites', 'mock-server', 'reports', 'cli'].map(tsFiles))).flat();
    const found: Found[] = [];
    for (const f of files) found.push(...scan(relative(ROOT, join(ROOT, f)), await readFile(join(ROOT, f), 'utf8'), schemaNames));
    const unknown = found.filter((f) => !(f.key in KNOWN_PROTOCOL_TYPES)).map((f) => `${f.key} (${f.why}): derive it from schema/ instead`);
    expect(unknown).toEqual([]);
    // A fixed entry leaves the allowlist: a stale one fails too, so the debt list stays true.
    const stale = Object.keys(KNOWN_PROTOCOL_TYPES).filter((k) => !found.some((f) => f.key === k));
    expect(stale).toEqual([]);
  });
});

// ---- no protocol constant outside schema/ ----

/** What a file outside schema/ may not hold: schema/ names these once (schema/protocol.ts, json.ts, revisions.ts). */
function constantsScan(file: string, text: string): Found[] {
  const found: Found[] = [];
  const codes = new Set<number>(Object.values(ErrorCode));
  const metaKeys = new Set<string>([...Object.values(META), RELATED_TASK_META]);
  const revisionSets = [REVISIONS, STATEFUL_REVISIONS, STATELESS_REVISIONS, STREAMABLE_HTTP_REVISIONS, STATEFUL_STREAMABLE_REVISIONS, AUTHORIZATION_REVISIONS, PRM_REVISIONS]
    .filter((s) => s.length > 1)
    .map((s) => [...s].sort().join());
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const at = (n: ts.Node) => `${file}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
  const strings = (els: ts.NodeArray<ts.Expression>) => els.map((e) => (ts.isStringLiteral(e) ? e.text : undefined));
  const visit = (n: ts.Node): void => {
    if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(n.operand) && codes.has(-Number(n.operand.text))) {
      found.push({ key: at(n), why: `error code -${n.operand.text} (ErrorCode)` });
    } else if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && metaKeys.has(n.text)) {
      found.push({ key: at(n), why: `_meta key ${n.text} (META)` });
    } else if (ts.isArrayLiteralExpression(n)) {
      const items = strings(n.elements);
      if (items.every((s) => s !== undefined)) {
        if (LOG_LEVELS.every((l) => items.includes(l))) found.push({ key: at(n), why: 'log level list (LOG_LEVELS)' });
        else if (items.length > 1 && revisionSets.includes([...items].sort().join())) found.push({ key: at(n), why: 'revision list (schema/revisions.ts)' });
      }
    } else if ((ts.isFunctionDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && n.parameters.length === 1 && n.body) {
      // A copy of isObject, whatever its name: the body is the one test.
      const body = ts.isBlock(n.body) && n.body.statements.length === 1 && ts.isReturnStatement(n.body.statements[0]!) ? n.body.statements[0].expression : n.body;
      const p = n.parameters[0]!.name.getText(sf);
      const norm = body && !ts.isBlock(body) ? body.getText(sf).replace(/\s+/g, ' ') : '';
      if (norm === `typeof ${p} === 'object' && ${p} !== null && !Array.isArray(${p})`) found.push({ key: at(n), why: 'a copy of isObject' });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe('no protocol constant outside schema/', () => {
  it('flags error-code literals, _meta keys, log-level and revision lists, isObject copies — not their names', () => {
    const text = [
      "if (reply.error.code === -32601) fail('not -32601');",
      "const meta = { 'io.modelcontextprotocol/protocolVersion': v };",
      "const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];",
      "const STATEFUL = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];",
      "const isObj = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);",
      'function isRecord(v: unknown) {\n  return typeof v === \'object\' && v !== null && !Array.isArray(v);\n}',
      // Fine: by name, in prose, a code outside the protocol's, a revision range that is no set.
      "t.expectError(reply, ErrorCode.MethodNotFound, 'answered -32601'); const m = { [META.protocolVersion]: v };",
      "errorResponse(400, -32000, 'Bad Request'); pages(['2025-06-18', '2025-11-25'], 'x'); const ok = typeof v === 'object';",
    ].join('\n');
    expect(constantsScan('x.ts', text).map((f) => `${f.key}: ${f.why}`)).toEqual([
      'x.ts:1: error code -32601 (ErrorCode)',
      'x.ts:2: _meta key io.modelcontextprotocol/protocolVersion (META)',
      'x.ts:3: log level list (LOG_LEVELS)',
      'x.ts:4: revision list (schema/revisions.ts)',
      'x.ts:5: a copy of isObject',
      'x.ts:6: a copy of isObject',
    ]);
  });

  it('finds none in suites/, mock-server/, reports/, cli/', async () => {
    const files = (await Promise.all(['suites', 'mock-server', 'reports', 'cli'].map(tsFiles))).flat();
    const found: Found[] = [];
    for (const f of files) found.push(...constantsScan(relative(ROOT, join(ROOT, f)), await readFile(join(ROOT, f), 'utf8')));
    expect(found.map((f) => `${f.key}: ${f.why}: use schema/ instead`)).toEqual([]);
  });
});

// ---- a check file's vocabulary: the harness's index and suites/kit/ ----

/**
 * What a check file (suites/server, suites/client, suites/hosts) may import from suites/ besides
 * suites/harness/index.ts and suites/kit/index.ts: the data its checks judge, and today's named
 * debt. An area helper module beside the checks (the old server/_base-kit.ts, http/_shared.ts…)
 * belongs in suites/kit/; a new import of one fails the test below.
 */
const CHECK_FILE_IMPORTS: Record<string, string> = {
  'suites/client/scenarios/index.ts': 'the client scenarios: what the client under test is run through, the data a client check judges',
  'suites/client/auth-scenarios.ts': 'the client auth scenarios: data, as above',
  'suites/hosts/profiles.ts': 'the host profiles: the host rules as data',
  // Debt: the client-auth checks' shared reading of auth records; it reads the auth scenarios'
  // names, so in suites/kit/ it would make the kit import an area's data.
  'suites/client/auth/common.ts': 'debt: client-auth helpers that name the auth scenarios',
};

const CHECK_AREAS = ['suites/server', 'suites/client', 'suites/hosts'];
const KIT_ENTRIES = new Set(['suites/harness/index.ts', 'suites/kit/index.ts']);

/** A file that defines checks: it calls check() or one of its wrappers. */
function definesChecks(text: string): boolean {
  return /\b(?:check|clientCheck|listResultCheck|listChangedGatedCheck)\(\s*\{/.test(text);
}

/** The imports of suites/ modules a check file makes outside the harness's and the kit's index. */
function helperImports(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const s of sf.statements) {
    const spec = (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined;
    if (!spec?.startsWith('.')) continue;
    const to = join(dirname(file), spec).split('\\').join('/');
    if (to.startsWith('suites/') && !KIT_ENTRIES.has(to) && !(to in CHECK_FILE_IMPORTS)) out.push(`${file} → ${to}`);
  }
  return out;
}

describe("a check file's vocabulary comes from suites/kit/", () => {
  it('flags a check file that imports an area helper module', () => {
    const text = [
      "import { check } from '../../harness/index.ts';",
      "import { cite } from '../../kit/index.ts';",
      "import { session } from './_shared.ts';",
      "import { responseIn } from '../../harness/http.ts';",
      "check({ id: 'x' }, async () => {});",
    ].join('\n');
    expect(definesChecks(text)).toBe(true);
    expect(helperImports('suites/server/http/x.ts', text)).toEqual(['suites/server/http/x.ts → suites/server/http/_shared.ts', 'suites/server/http/x.ts → suites/harness/http.ts']);
  });

  it('finds none in suites/server, suites/client, suites/hosts beyond the named list', async () => {
    const files = (await Promise.all(CHECK_AREAS.map(tsFiles))).flat();
    const found: string[] = [];
    const used = new Set<string>();
    let checkFiles = 0;
    for (const f of files) {
      const text = await readFile(join(ROOT, f), 'utf8');
      if (!definesChecks(text)) continue;
      checkFiles++;
      found.push(...helperImports(f, text));
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) used.add(join(dirname(f), m[1]!).split('\\').join('/'));
    }
    expect(checkFiles).toBeGreaterThan(30);
    expect(found.map((x) => `${x}: import it through suites/kit/index.ts`)).toEqual([]);
    // An entry no check file imports any more leaves the list.
    expect(Object.keys(CHECK_FILE_IMPORTS).filter((k) => !used.has(k))).toEqual([]);
  });
});
