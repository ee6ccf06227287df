// Output in the official MCP conformance suite's check-record shape (its checks.json), so tools
// built around that suite can read our results.
import type { CheckResult, Results, Verdict } from './model.ts';

export type OfficialStatus = 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';

export interface OfficialSpecReference {
  id: string;
  url: string;
}

export interface OfficialCheck {
  id: string;
  name: string;
  description: string;
  status: OfficialStatus;
  timestamp: string;
  specReferences: OfficialSpecReference[];
  details?: Record<string, unknown>;
  errorMessage?: string;
}

// not-verified maps to SKIPPED: like the official suite's SKIPPED it reports no requirement broken.
export const OFFICIAL_STATUS: Record<Verdict, OfficialStatus> = {
  pass: 'SUCCESS',
  fail: 'FAILURE',
  warn: 'WARNING',
  info: 'INFO',
  'not-applicable': 'SKIPPED',
  'not-verified': 'SKIPPED',
};

/** The spec page part of a spec URL (`server/tools#error-handling`), used as the reference id. */
function referenceId(url: string): string {
  return /\/specification\/[^/]+\/(.+)$/.exec(url)?.[1] ?? url;
}

export function toOfficialCheck(c: CheckResult, timestamp: string): OfficialCheck {
  const status = OFFICIAL_STATUS[c.verdict];
  const details: Record<string, unknown> = { verdict: c.verdict, level: c.level, revision: c.revision, durationMs: c.durationMs };
  if (c.message && status !== 'FAILURE' && status !== 'WARNING') details.message = c.message;
  if (c.wireLog) details.wireLog = c.wireLog;
  if (c.evidence && c.evidence.length > 0) details.evidence = c.evidence;
  if (c.expected) details.expected = true;
  const out: OfficialCheck = {
    // Ids stay ours (`area/name`) so a checks.json line leads back to our check; the revision is
    // in details, and tools that group by id get the worst verdict across revisions.
    id: c.id,
    name: c.title,
    description: c.requirement || c.title,
    status,
    timestamp,
    specReferences: c.specUrl ? [{ id: referenceId(c.specUrl), url: c.specUrl }] : [],
    details,
  };
  if ((status === 'FAILURE' || status === 'WARNING') && c.message) out.errorMessage = c.message;
  return out;
}

/** Every check as an official check record. Per-check times are not recorded, so all carry the run's end. */
export function toOfficialChecks(results: Results): OfficialCheck[] {
  return results.checks.map((c) => toOfficialCheck(c, results.endedAt));
}

/** checks.json text. */
export function renderOfficialChecks(results: Results): string {
  return `${JSON.stringify(toOfficialChecks(results), null, 2)}\n`;
}
