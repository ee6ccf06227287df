// Helpers every writer shares: grouping by area, stable ordering, evidence excerpts, verdict glyphs.
import { REVISIONS, type Revision } from '../schema/index.ts';
import type { CheckResult, Verdict, WireEntry } from './model.ts';

/** The spec area of a check id: the part before the first '/' ('tools/call-unknown' → 'tools'). */
export function areaOf(id: string): string {
  const slash = id.indexOf('/');
  return slash > 0 ? id.slice(0, slash) : id;
}

/** `id [revision]`, the way checks are named in every output. */
export function checkLabel(c: Pick<CheckResult, 'id' | 'revision'>): string {
  return c.revision ? `${c.id} [${c.revision}]` : c.id;
}

/** `id@revision`, the way baselines and the official format address one check of one revision. */
export function checkKey(c: Pick<CheckResult, 'id' | 'revision'>): string {
  return c.revision ? `${c.id}@${c.revision}` : c.id;
}

function revisionRank(rev: Revision | null): number {
  return rev === null ? -1 : REVISIONS.indexOf(rev);
}

/** Orders checks by id, then revision (oldest first): output does not depend on run order. */
export function compareChecks(a: Pick<CheckResult, 'id' | 'revision'>, b: Pick<CheckResult, 'id' | 'revision'>): number {
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return revisionRank(a.revision) - revisionRank(b.revision);
}

export function sortChecks<T extends Pick<CheckResult, 'id' | 'revision'>>(checks: readonly T[]): T[] {
  return [...checks].sort(compareChecks);
}

/** Checks grouped by area, areas in alphabetical order, checks sorted within. */
export function groupByArea<T extends Pick<CheckResult, 'id' | 'revision'>>(checks: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const c of sortChecks(checks)) {
    const area = areaOf(c.id);
    let list = groups.get(area);
    if (!list) groups.set(area, (list = []));
    list.push(c);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Failing in the report's sense: a MUST or a SHOULD broken. */
export function isProblem(v: Verdict): boolean {
  return v === 'fail' || v === 'warn';
}

export const VERDICT_GLYPH: Record<Verdict, string> = {
  pass: '✓',
  fail: '✗',
  warn: '!',
  info: 'i',
  'not-applicable': '-',
  'not-verified': '?',
};

export const VERDICT_WORD: Record<Verdict, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  info: 'INFO',
  'not-applicable': 'N/A',
  'not-verified': 'NOT VERIFIED',
};

// C0/C1 controls other than newline and tab: a peer's message could carry terminal escape
// sequences, so they are shown as \uXXXX text instead of being passed through.
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** Text with control characters made visible (`\u001b`), safe to print on a terminal. */
export function printable(text: string): string {
  return text.replace(CONTROLS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The first line of a message, cut to `max` characters, controls made visible: for one-line listings. */
export function oneLine(text: string, max = 160): string {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const line = printable(first.length < text.trimEnd().length ? `${first} …` : first);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text with unpaired surrogates replaced by U+FFFD (encodeURIComponent throws on them). */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** `1 warning`, `2 warnings`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Pretty JSON of evidence entries, cut at `maxChars` with a note of how much was left out. */
export function evidenceText(evidence: readonly WireEntry[] | undefined, maxChars = 4000): string {
  if (!evidence || evidence.length === 0) return '';
  const parts: string[] = [];
  for (const e of evidence) {
    const head = `${e.dir === 'send' ? '→ sent' : '← received'} at +${e.t}ms${e.note ? ` (${e.note})` : ''}`;
    const body = e.msg !== undefined ? safeJson(e.msg) : e.raw !== undefined ? e.raw : '';
    parts.push(body ? `${head}\n${body}` : head);
  }
  const text = parts.join('\n\n');
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters; see the wire log)`;
}

/** JSON.stringify that never throws (evidence comes from untrusted peers, but is already JSON-safe). */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
