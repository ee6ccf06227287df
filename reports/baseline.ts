// Expected-failures baselines, in the official suite's YAML shape, extended with our check ids:
//
//   server:
//     - tools/call-unknown-tool              # one check, every revision
//     - tools/*                              # glob: * within a segment, ** across segments
//     - lifecycle                            # a bare area: all of its checks
//     - pagination/cursor-opaque@2025-06-18  # one revision only
//     - some-scenario:some/check-id          # official `scenario:check-id` style
//   client: [...]
//   fuzz: [...]
//
// As in the official suite: a listed failure is expected (exit 0), an unlisted failure is new
// (exit 1), an entry whose checks ran and passed is stale (exit 1 — update the baseline), and an
// entry whose checks were all absent, not applicable or not verified says nothing. Warnings count
// as failures unless `warningsFail: false`.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { isRevision, type Revision } from '../schema/index.ts';
import { areaOf, checkKey, oneLine, sortChecks } from './common.ts';
import type { BaselineOutcome, CheckResult, Mode, Results } from './model.ts';

export interface BaselineEntry {
  /** As written in the file. */
  text: string;
  /** The `scenario` part of a `scenario:check-id` entry. */
  scenario?: string;
  /** Check id, glob or bare area. */
  pattern: string;
  revision?: Revision;
}

export interface Baseline {
  source: string;
  sections: Partial<Record<Mode, BaselineEntry[]>>;
}

export interface ApplyBaselineOptions {
  /** Count warn (SHOULD) verdicts as failures, as the official suite does with a baseline. Default true. */
  warningsFail?: boolean;
}

export interface BaselineApplied extends BaselineOutcome {
  /** The results with `expected` / `stale` marked on checks and `baseline` set; verdicts unchanged. */
  results: Results;
}

const SECTIONS: readonly Mode[] = ['server', 'client', 'fuzz', 'auth-server'];

export class BaselineError extends Error {
  override name = 'BaselineError';
}

function parseEntry(raw: unknown, section: string, source: string): BaselineEntry {
  const where = `${source}: '${section}' entry ${JSON.stringify(raw)}`;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const pairs = Object.entries(raw as Record<string, unknown>);
    const [key, value] = pairs[0] ?? [];
    const hint = pairs.length === 1 && (typeof value === 'string' || typeof value === 'number') ? ` Did you mean '- ${key}:${String(value)}' (no space after the colon)?` : '';
    throw new BaselineError(`${where} is not a check id, glob or 'scenario:check-id'.${hint}`);
  }
  if (typeof raw !== 'string' || raw.trim() === '') throw new BaselineError(`${where} must be a non-empty string`);
  const text = raw.trim();
  let rest = text;
  let scenario: string | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    scenario = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
    if (!scenario || !rest) throw new BaselineError(`${where}: both sides of the colon are required`);
  }
  let revision: Revision | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const rev = rest.slice(at + 1);
    if (!isRevision(rev)) throw new BaselineError(`${where}: "${rev}" is not a known revision`);
    revision = rev;
    rest = rest.slice(0, at);
    if (!rest) throw new BaselineError(`${where}: a check id is required before '@'`);
  }
  const entry: BaselineEntry = { text, pattern: rest };
  if (scenario !== undefined) entry.scenario = scenario;
  if (revision !== undefined) entry.revision = revision;
  return entry;
}

/** Parses baseline YAML text; `source` names it in errors and in the outcome. */
export function parseBaseline(text: string, source = 'baseline'): Baseline {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new BaselineError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const baseline: Baseline = { source, sections: {} };
  if (doc === null || doc === undefined) return baseline;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new BaselineError(`${source}: expected a mapping with 'server', 'client' and/or 'fuzz' lists`);
  }
  for (const [key, list] of Object.entries(doc as Record<string, unknown>)) {
    if (!(SECTIONS as readonly string[]).includes(key)) {
      throw new BaselineError(`${source}: unknown section '${key}' (known: ${SECTIONS.join(', ')})`);
    }
    if (list === null) continue;
    if (!Array.isArray(list)) throw new BaselineError(`${source}: '${key}' must be a list`);
    baseline.sections[key as Mode] = list.map((raw) => parseEntry(raw, key, source));
  }
  return baseline;
}

/** Reads and parses a baseline file. */
export async function loadBaseline(file: string): Promise<Baseline> {
  return parseBaseline(await readFile(file, 'utf8'), file);
}

const globCache = new Map<string, RegExp>();

/** `*` matches within one id segment, `**` across segments, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (re) return re;
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*' && glob[i + 1] === '*') {
      src += '.*';
      i++;
    } else if (ch === '*') src += '[^/]*';
    else if (ch === '?') src += '[^/]';
    else src += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  re = new RegExp(`^${src}$`);
  globCache.set(glob, re);
  return re;
}

function matchesId(pattern: string, id: string): boolean {
  // A bare word (no '/', no glob) names an area, the way an official entry names a scenario.
  if (!/[/*?]/.test(pattern)) return id === pattern || areaOf(id) === pattern;
  return globToRegExp(pattern).test(id);
}

export function entryMatches(entry: BaselineEntry, c: Pick<CheckResult, 'id' | 'revision'>): boolean {
  if (entry.revision && c.revision !== entry.revision) return false;
  if (entry.scenario !== undefined && !matchesId(entry.scenario, c.id)) return false;
  return matchesId(entry.pattern, c.id);
}

/**
 * Compares a run with a baseline (the section of the run's mode). Returns new results with
 * `expected: true` on listed failures and `stale: true` on listed checks that passed, plus the
 * outcome, which is also stored as `results.baseline` so exitCodeFor and the writers see it.
 */
export function applyBaseline(results: Results, baseline: Baseline, options: ApplyBaselineOptions = {}): BaselineApplied {
  const warningsFail = options.warningsFail ?? true;
  const failing = (c: CheckResult) => c.verdict === 'fail' || (warningsFail && c.verdict === 'warn');
  const passed = (c: CheckResult) => c.verdict === 'pass' || c.verdict === 'info';
  const entries = baseline.sections[results.mode] ?? [];

  const checks = results.checks.map((c) => {
    const { expected: _e, stale: _s, ...rest } = c;
    return rest as CheckResult;
  });
  const expectedFailures: string[] = [];
  const staleEntries: string[] = [];
  const unmatchedEntries: string[] = [];
  for (const entry of entries) {
    const matched = checks.filter((c) => entryMatches(entry, c));
    if (matched.length === 0) {
      unmatchedEntries.push(entry.text);
      continue;
    }
    const failed = matched.filter(failing);
    if (failed.length > 0) {
      expectedFailures.push(entry.text);
      for (const c of failed) c.expected = true;
    } else if (matched.some(passed)) {
      staleEntries.push(entry.text);
      for (const c of matched) if (passed(c)) c.stale = true;
    }
  }
  const newFailures = checks.filter((c) => failing(c) && !c.expected).map(checkKey);
  const outcome: BaselineOutcome = { source: baseline.source, newFailures, expectedFailures, staleEntries, unmatchedEntries, warningsFail };
  return { ...outcome, results: { ...results, checks, baseline: outcome } };
}

/** The placeholder `--write-baseline` puts after every entry, for a person to replace. */
export const REASON_PLACEHOLDER = 'TODO: why this failure is expected';

/**
 * A baseline listing the run's failures (fail and warn verdicts: a baseline counts warnings by
 * default), in the shape parseBaseline reads: `id` when every result of that id failed, else one
 * `id@revision` entry per failing revision; each with a comment holding a reason placeholder and
 * what failed. Applied to the same results it leaves no new failure and no stale entry.
 */
export function renderBaseline(results: Results, now = new Date()): string {
  const failing = (c: CheckResult) => c.verdict === 'fail' || c.verdict === 'warn';
  const byId = new Map<string, CheckResult[]>();
  for (const c of sortChecks(results.checks)) {
    let list = byId.get(c.id);
    if (!list) byId.set(c.id, (list = []));
    list.push(c);
  }
  const lines: string[] = [];
  for (const [id, checks] of byId) {
    const bad = checks.filter(failing);
    if (bad.length === 0) continue;
    // A bare word names an area (matchesId): an id without '/' is written per revision.
    const whole = bad.length === checks.length && id.includes('/') && !/[*?@:]/.test(id);
    const rows = whole ? [{ key: id, c: bad[0] as CheckResult, revs: bad.map((c) => c.revision).filter(Boolean).join(', ') }] : bad.map((c) => ({ key: checkKey(c), c, revs: '' }));
    for (const { key, c, revs } of rows) {
      const what = `${c.verdict} (${c.level}${revs ? `; ${revs}` : ''}): ${oneLine(c.message || c.title, 120)}`;
      lines.push(`  - ${JSON.stringify(key)}  # ${REASON_PLACEHOLDER} — ${what.replace(/\s+/g, ' ')}`);
    }
  }
  const head = [
    `# Expected failures of \`mcp-conform ${results.mode}\` against ${oneLine(results.target.description, 200)},`,
    `# written by --write-baseline on ${now.toISOString()} (${lines.length} ${lines.length === 1 ? 'entry' : 'entries'}).`,
    '# Replace each TODO with the reason the failure is expected, or fix it and delete the line.',
  ];
  return `${head.join('\n')}\n${results.mode}:${lines.length ? `\n${lines.join('\n')}` : ' []'}\n`;
}
