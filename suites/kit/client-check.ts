// `clientCheck`: the harness's check() with side 'client' plus the scenarios the check judges, so
// a run selected with --only launches only the scenarios it needs. 'all' = it judges every run
// (tier 1: observed on anything the client does).
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

