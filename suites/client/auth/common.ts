// What the client-auth checks share: the auth records of a run, and the runs of the scenarios a check
// judges (authRuns: not applicable where authorization is not).
import { AUTHORIZATION_REVISIONS, isObject } from '../../../schema/index.ts';
import { describeAuthRecord } from '../../../mock-server/index.ts';
import type { WireEntry } from '../../../reports/index.ts';
import { clientRuns, type AuthRunRecord, type ClientRun, type ClientView } from '../../harness/index.ts';
import { parseChallenge, type CheckScope } from '../../kit/index.ts';
import { AUTH_SCENARIO_NAMES, AUTHORIZED_SCENARIOS } from '../auth-scenarios.ts';

export type A = AuthRunRecord;
export const ALL_REVS = AUTHORIZATION_REVISIONS;

export const recs = (run: ClientRun): A[] => run.auth ?? [];
/** Anything but a plain MCP request without a token: the client is doing OAuth. */
export const attempted = (run: ClientRun) => recs(run).some((r) => r.endpoint !== 'mcp' || r.headers.authorization !== undefined);
export const mcpRecs = (run: ClientRun) => recs(run).filter((r) => r.side === 'rs' && r.endpoint === 'mcp');
export const of = (run: ClientRun, ...endpoints: A['endpoint'][]) => recs(run).filter((r) => endpoints.includes(r.endpoint));
export const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};

export function json(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Access tokens the run's AS issued. */
export function issuedTokens(run: ClientRun): string[] {
  return of(run, 'token')
    .filter((r) => r.status === 200)
    .map((r) => json(r.responseBody)?.access_token)
    .filter((x): x is string => typeof x === 'string');
}

export const bearerOf = (r: A) => /^Bearer\s+(\S+)/i.exec(r.headers.authorization ?? '')?.[1];

/** The first 401 the protected server answered, and its parsed challenge. */
export function firstChallenge(run: ClientRun) {
  const r = mcpRecs(run).find((x) => x.status === 401);
  const c = parseChallenge(r?.responseHeaders['www-authenticate']);
  return { record: r, params: c?.params ?? {} };
}

/** The MCP endpoint URL of the run (what the client connected to). */
export function mcpUrl(run: ClientRun): string | undefined {
  const r = mcpRecs(run)[0];
  return r ? `${new URL(r.url).origin}${pathOf(r.url)}` : undefined;
}

export function authEvidence(list: readonly A[], max = 10): WireEntry[] {
  return list.slice(-max).map((r) => ({
    t: r.t,
    dir: 'recv' as const,
    raw: r.endpoint === 'token' || r.endpoint === 'register' ? r.body.slice(0, 1000) : r.url,
    note: `${describeAuthRecord(r)}${r.headers.authorization ? ` [Authorization: ${r.headers.authorization.slice(0, 20)}…]` : ''}`,
  }));
}

/**
 * The auth runs of these scenarios at the check's revision; not-applicable over stdio, for
 * scenarios that do not apply, and when the client never attempted authorization in any auth scenario.
 */
export function authRuns(t: CheckScope, scenarios: readonly string[]): { v: ClientView; runs: ClientRun[] } {
  const v = clientRuns(t);
  v.requireTransport('http');
  const all = v.runs.filter((r) => AUTH_SCENARIO_NAMES.includes(r.scenario));
  const runs = all.filter((r) => scenarios.includes(r.scenario));
  if (runs.length === 0) {
    const skipped = v.file.skipped.filter((s) => scenarios.includes(s.scenario) && s.revision === t.revision);
    if (skipped.length && skipped.every((s) => /transport|revision/.test(s.why))) t.notApplicable(`scenario ${skipped[0]!.scenario} ${skipped[0]!.why}`);
    t.notVerified(`scenario ${scenarios.join(' / ')} was not run at ${t.revision}${skipped.length ? ` (${skipped[0]!.why})` : ''}`);
  }
  const cut = runs.find((r) => r.process.cutShort);
  if (cut) t.notVerified(`scenario ${cut.scenario} was cut short: ${cut.process.cutShort}`);
  if (!all.some(attempted)) {
    if (all.some((r) => AUTHORIZED_SCENARIOS.includes(r.scenario))) t.notApplicable('the client never attempted OAuth authorization in any auth scenario (it gave up at the 401; authorization is OPTIONAL)');
    t.notVerified('the client attempted no authorization in these scenarios, and no scenario it should get through ran to tell whether it does OAuth at all');
  }
  for (const r of runs) v.record(r);
  return { v, runs };
}

export const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
};


export const RETRY_LIMIT = 3;


/** The authorization server metadata the client read (the first document served). */
export function asMetadataOf(run: ClientRun): Record<string, unknown> | undefined {
  const r = of(run, 'as-metadata', 'oidc-metadata').find((x) => x.status === 200 && x.method === 'GET');
  return r ? json(r.responseBody) : undefined;
}

/** The metadata a client registered with: dynamic registration requests (by the client_id they got) and fetched metadata documents. */
export function registeredMetadata(run: ClientRun): Map<string, { how: 'dcr' | 'cimd'; doc: Record<string, unknown>; record: A }> {
  const out = new Map<string, { how: 'dcr' | 'cimd'; doc: Record<string, unknown>; record: A }>();
  for (const r of of(run, 'register')) {
    const id = json(r.responseBody)?.client_id;
    const doc = json(r.body);
    if (typeof id === 'string' && doc) out.set(id, { how: 'dcr', doc, record: r });
  }
  for (const r of of(run, 'cimd-fetch')) {
    const doc = json(r.responseBody);
    if (r.status === 200 && doc) out.set(r.url, { how: 'cimd', doc, record: r });
  }
  return out;
}

export const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
