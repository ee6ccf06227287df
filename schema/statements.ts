// The normative statements of the spec pages: every sentence of docs/**/*.mdx with an RFC 2119
// keyword (MUST, MUST NOT, SHOULD, SHOULD NOT, REQUIRED, RECOMMENDED, and SHALL / SHALL NOT /
// NOT RECOMMENDED counted as their equivalents), with its page, the anchor of the nearest heading
// and a stable id. Derived from the synced spec at run time (the pages are not ours to copy).
// `mcp-conform coverage` and suites/coverage/*.json use the ids; MAY/OPTIONAL are not listed.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Revision } from './revisions.ts';
import { localSources, SpecUnavailableError } from './sync.ts';

export type StatementLevel = 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'REQUIRED' | 'RECOMMENDED';

export interface Statement {
  /** `page#anchor:hash` (`page:hash` before the first heading): survives edits elsewhere on the page. */
  id: string;
  revision: Revision;
  /** As checks cite it: `server/tools`, `basic` (basic/index.mdx). */
  page: string;
  /** Slug of the nearest heading above ('' before the first). */
  anchor: string;
  heading: string;
  level: StatementLevel;
  /** The sentence, markdown removed. */
  text: string;
}

// Strongest first: a sentence with MUST and SHOULD is a MUST statement.
const KEYWORDS: [RegExp, StatementLevel][] = [
  [/\bMUST NOT\b/, 'MUST NOT'],
  [/\bSHALL NOT\b/, 'MUST NOT'],
  [/\bMUST\b/, 'MUST'],
  [/\bSHALL\b/, 'MUST'],
  [/\bREQUIRED\b/, 'REQUIRED'],
  [/\bNOT RECOMMENDED\b/, 'SHOULD NOT'],
  [/\bSHOULD NOT\b/, 'SHOULD NOT'],
  [/\bSHOULD\b/, 'SHOULD'],
  [/\bRECOMMENDED\b/, 'RECOMMENDED'],
];

/** The level of a sentence, or undefined when it states no requirement. Quoted keywords ("MUST") are the conventions paragraph, not a requirement. */
export function levelOf(text: string): StatementLevel | undefined {
  const t = text.replace(/"(MUST|MUST NOT|REQUIRED|SHALL|SHALL NOT|SHOULD|SHOULD NOT|RECOMMENDED|NOT RECOMMENDED|MAY|OPTIONAL)"/g, '');
  for (const [re, level] of KEYWORDS) if (re.test(t)) return level;
  return undefined;
}

/** Heading → anchor, the way the spec site derives them (and the checks' `spec` fields cite them). */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

/** Text a hash is taken of: case, markdown and punctuation do not change a statement's id. */
export function normalizeStatement(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

export function statementHash(text: string): string {
  return createHash('sha256').update(normalizeStatement(text)).digest('hex').slice(0, 8);
}

/** Inline markdown and JSX to plain text. */
function plain(s: string): string {
  return s
    .replace(/<\/?[A-Za-z][^>]*>/g, ' ')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1') // reference-style links
    .replace(/\*\*|__/g, '')
    .replace(/(^|[\s(])\*(\S[^*]*?)\*(?=[\s.,;:)]|$)/g, '$1$2')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/&mdash;/g, '—')
    .replace(/&nbsp;/g, ' ')
    .replace(/\\([_*\\[\]()#.-])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Sentences of a block: split after . ! ? before a capital, quote, bracket or code span (not after e.g. / i.e.). */
export function sentences(text: string): string[] {
  const out: string[] = [];
  // Code spans may hold dots and spaces: protect them while splitting.
  const spans: string[] = [];
  const masked = text.replace(/`[^`]*`/g, (m) => `\u0000${spans.push(m) - 1}\u0000`);
  for (const part of masked.split(/(?<=(?<!\b(?:e\.g|i\.e|etc|vs))[.!?])\s+(?=[A-Z"“(\[*\u0000])/)) {
    const s = part.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => spans[Number(i)] ?? '').trim();
    if (s) out.push(s);
  }
  return out;
}

interface Block {
  kind: 'para' | 'item' | 'row' | 'code';
  text: string;
  heading: string;
  /** Of a list item: the columns before its marker (nesting). */
  indent: number;
}

/** Splits a page into paragraphs, list items and table rows, each under its heading. */
function blocks(mdx: string): Block[] {
  const lines = mdx.replace(/^---\n[\s\S]*?\n---\n/, '').split('\n');
  const out: Block[] = [];
  let heading = '';
  let fence: string | undefined;
  let cur: Block | undefined;
  const flush = () => {
    if (cur && cur.text.trim()) out.push(cur);
    cur = undefined;
  };
  for (const raw of lines) {
    const fenceMark = /^\s*(```|~~~)/.exec(raw);
    if (fence) {
      if (fenceMark && fenceMark[1] === fence) fence = undefined;
      continue;
    }
    if (fenceMark) {
      flush();
      out.push({ kind: 'code', text: '', heading, indent: -1 }); // no lead-in reaches past a code block
      fence = fenceMark[1];
      continue;
    }
    const line = raw.replace(/^\s*>\s?/, ''); // blockquotes
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      flush();
      heading = h[2] ?? '';
      continue;
    }
    if (!line.trim() || /^\s*<\/?[A-Za-z][^>]*>\s*$/.test(line)) {
      flush(); // a blank line or a line that is only a JSX tag ends the block
      continue;
    }
    if (/^\s*\|/.test(line)) {
      flush();
      if (/^\s*\|[\s:|-]+\|?\s*$/.test(line)) continue; // |---|---|
      out.push({ kind: 'row', text: line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim()).join(' | '), heading, indent: 0 });
      continue;
    }
    const item = /^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      cur = { kind: 'item', text: item[2] ?? '', heading, indent: (item[1] ?? '').length };
      continue;
    }
    if (cur) cur.text += ` ${line.trim()}`;
    else cur = { kind: 'para', text: line.trim(), heading, indent: -1 };
  }
  flush();
  return out;
}

/** The statements of one page. `page` as checks cite it (`basic`, `server/tools`). */
export function extractStatements(mdx: string, page: string, revision: Revision): Statement[] {
  const out: Statement[] = [];
  const seen = new Set<string>();
  const add = (text: string, heading: string) => {
    const level = levelOf(text);
    if (!level) return;
    const anchor = headingSlug(plain(heading));
    const id = `${page}${anchor ? `#${anchor}` : ''}:${statementHash(text)}`;
    if (seen.has(id)) return; // the same sentence twice under one heading is one statement
    seen.add(id);
    out.push({ id, revision, page, anchor, heading: plain(heading), level, text });
  };
  const bs = blocks(mdx);
  // "Servers MUST:" followed by a list (a paragraph, or an item with nested items): each item is
  // one statement, read with its lead-in. Lead-ins nest with the list.
  let intros: { text: string; heading: string; indent: number }[] = [];
  bs.forEach((b, i) => {
    if (b.kind === 'code') {
      intros = [];
      return;
    }
    intros = intros.filter((x) => x.heading === b.heading && b.kind === 'item' && b.indent > x.indent);
    const lead = intros.map((x) => x.text).join(' ');
    // Split before removing markdown: code spans may hold dots.
    const text = plain(b.text);
    const ss = b.kind === 'para' ? sentences(b.text).map(plain) : [text];
    const last = ss[ss.length - 1];
    const next = bs[i + 1];
    for (const s of ss) {
      const full = lead ? `${lead} ${s}` : s;
      // A lead-in is a statement's start only when a (deeper) list follows it under the same heading.
      if (s === last && s.endsWith(':') && levelOf(full) && next?.kind === 'item' && next.heading === b.heading && next.indent > b.indent) {
        intros.push({ text: s, heading: b.heading, indent: b.indent });
        continue;
      }
      // A list item is one statement with its lead-in; otherwise sentence by sentence.
      if (b.kind === 'item' && lead) add(full, b.heading);
      else if (b.kind === 'item') for (const t of sentences(b.text)) add(plain(t), b.heading);
      else add(s, b.heading);
    }
  });
  return out;
}

/** Pages that state no requirements of their own (the changelog describes changes). */
const SKIP_PAGES = new Set(['changelog']);

/** The docs folder of a revision in the synced spec ($MCP_SPEC_DIR or ../shared/mcp-spec), if present. */
export function specDocsDir(rev: Revision): string | undefined {
  for (const { dir } of localSources()) {
    const d = join(dir, rev, 'docs');
    if (existsSync(d)) return d;
  }
  return undefined;
}

const cache = new Map<Revision, Statement[]>();

/** Every statement of a revision, page by page (sorted by page path, then in page order). */
export function loadStatements(rev: Revision, docsDir = specDocsDir(rev)): Statement[] {
  const hit = cache.get(rev);
  if (hit && docsDir === specDocsDir(rev)) return hit;
  if (!docsDir) {
    throw new SpecUnavailableError(
      `cannot read the spec pages of ${rev}: no ${rev}/docs under $MCP_SPEC_DIR or ../shared/mcp-spec (the statements are derived from the pages; set MCP_SPEC_DIR to a folder holding <revision>/docs/**/*.mdx)`,
    );
  }
  const files = readdirSync(docsDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.mdx'))
    .map((f) => ({ f, page: f.split('\\').join('/').replace(/\.mdx$/, '').replace(/\/index$/, '') }))
    .sort((a, b) => (a.page < b.page ? -1 : a.page > b.page ? 1 : 0));
  const out: Statement[] = [];
  for (const { f, page } of files) {
    if (SKIP_PAGES.has(page)) continue;
    out.push(...extractStatements(readFileSync(join(docsDir, f), 'utf8'), page, rev));
  }
  if (docsDir === specDocsDir(rev)) cache.set(rev, out);
  return out;
}
