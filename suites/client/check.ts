// `clientCheck`: the harness's check() with side 'client' plus the scenarios the check judges, so
// a run selected with --only launches only the scenarios it needs. 'all' = it judges every run
// (tier 1: observed on anything the client does).
import { isStateless, REVISIONS, type Revision } from '../../schema/index.ts';
import { check, type CheckBody, type CheckDef, type CheckSpec } from '../harness/index.ts';

export interface ClientCheckSpec extends Omit<CheckSpec, 'side'> {
  scenarios: readonly string[] | 'all';
}

const needs = new Map<string, readonly string[] | 'all'>();

export function clientCheck(spec: ClientCheckSpec, body: CheckBody): CheckDef {
  const { scenarios, ...rest } = spec;
  needs.set(spec.id, scenarios);
  return check({ ...rest, side: 'client' }, body);
}

/** The scenarios a set of checks needs ('all' when any judges every run). */
export function scenariosNeeded(ids: readonly string[]): Set<string> | 'all' {
  const out = new Set<string>();
  for (const id of ids) {
    const n = needs.get(id);
    if (n === undefined) continue;
    if (n === 'all') return 'all';
    for (const s of n) out.add(s);
  }
  return out;
}

export function scenariosOf(id: string): readonly string[] | 'all' | undefined {
  return needs.get(id);
}

/** The same page for each revision given: `{ '2025-11-25': 'basic/lifecycle#initialization', … }`. */
export function pages(revs: readonly Revision[], page: string | ((r: Revision) => string)): Partial<Record<Revision, string>> {
  return Object.fromEntries(revs.map((r) => [r, typeof page === 'string' ? page : page(r)]));
}

/** Where the JSON-RPC message rules live in each revision. */
export const messagesPage = (anchor: string) => (r: Revision) => (r === '2024-11-05' ? `basic/messages#${anchor}` : `basic#${anchor}`);
/** The transports page (one page until 2025-11-25; split by transport from 2026-07-28). */
export const transportPage = (anchor: string, modernPage: 'stdio' | 'streamable-http' = 'streamable-http', modernAnchor = anchor) => (r: Revision) =>
  isStateless(r) ? `basic/transports/${modernPage}#${modernAnchor}` : `basic/transports#${anchor}`;
/** Utilities moved from basic/utilities to basic/patterns in 2026-07-28. */
export const utilityPage = (name: string, anchor: string) => (r: Revision) => (isStateless(r) ? `basic/patterns/${name}#${anchor}` : `basic/utilities/${name}#${anchor}`);
