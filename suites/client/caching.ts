// server/utilities/caching (2026-07-28), the client's side: a result whose ttlMs made it stale
// (0, negative, or positive and expired) is fetched again on the next access, and a request with
// other parameters is never answered from the cache of another. Judged in scenario cache-ttl,
// whose driver lists and reads twice, then calls a tool (never cached: the end of the second round).
import { isObject, STATELESS_REVISIONS } from '../../schema/index.ts';
import { clientRuns } from '../harness/index.ts';
import { answerTo, clientRequests, exitSummary, toolCalls, toolName, type Sent, clientCheck, cite, carriedOn } from '../kit/index.ts';
import { CACHE_TTL, CACHE_URIS, CACHE_WAIT_MS } from './scenarios/index.ts';

type T = Parameters<Parameters<typeof clientCheck>[1]>[0];

/** The first listing/read of round one, and the tools/call that ends round two; not verified when the driver did not get there. */
function rounds(t: T): { run: ReturnType<ReturnType<typeof clientRuns>['need']>; first: Sent; end: Sent } {
  const v = clientRuns(t);
  const run = v.need('cache-ttl');
  const first = clientRequests(run).find((r) => r.m.method === 'tools/list' && !(isObject(r.m.params) && 'cursor' in r.m.params));
  if (!first) return t.notVerified(`the client never listed tools (${exitSummary(run)})`);
  // Round two ends with a tool call, which no cache answers; it comes after the wait.
  const end = toolCalls(run).find((c) => toolName(c) === 'add_numbers' && c.e.t >= first.e.t + CACHE_WAIT_MS * 0.9);
  if (!end) return t.notVerified(`the client did not call add_numbers after the scenario's wait, so its second round is not on the wire (${exitSummary(run)})`);
  return { run, first, end };
}

const firstPage = (r: Sent) => !(isObject(r.m.params) && 'cursor' in r.m.params);

clientCheck(
  {
    id: 'client-caching/stale-refetched',
    title: 'a result made stale by its ttlMs (0, negative, or expired) is fetched again on the next access',
    level: 'SHOULD',
    requirement:
      'If ttlMs is 0, the response SHOULD be considered immediately stale. If ttlMs is negative, clients SHOULD ignore it and treat it as 0. Once the TTL expires, the response is stale and the client SHOULD re-fetch on next access. (Checked: tools/list ttlMs 300 listed again after 1 s, prompts/list ttlMs 0 listed again, resources/list with a negative ttlMs listed twice in a row.)',
    spec: cite(STATELESS_REVISIONS, 'server/utilities/caching#time-to-live-ttl-field'),
    scenarios: ['cache-ttl'],
  },
  (t) => {
    const v = clientRuns(t);
    const { run, first, end } = rounds(t);
    const missed: string[] = [];
    for (const method of ['tools/list', 'prompts/list'] as const) {
      const asks = clientRequests(run, method).filter((r) => firstPage(r) && r.e.t >= first.e.t && r.e.t <= end.e.t);
      if (asks.length === 0) continue; // never listed at all: nothing cached to judge
      if (!asks.some((r) => r.e.t >= asks[0]!.e.t + CACHE_WAIT_MS * 0.9)) missed.push(`${method} (ttlMs ${CACHE_TTL[method]})`);
    }
    if (missed.length) return t.fail(`the client listed ${missed.join(', ')} once and not again in the second round: the stale result was served from its cache`, v.evidence([first.e, end.e]));
    // After the tool call, resources are listed twice; a negative ttlMs makes the first result stale at once.
    const lists = clientRequests(run, 'resources/list').filter((r) => firstPage(r) && r.e.t > end.e.t);
    if (lists.length === 0) return t.notVerified(`the client did not list resources after add_numbers (${exitSummary(run)})`);
    if (lists.length >= 2) return;
    const answer = answerTo(run, lists[0]!);
    const next = answer ? carriedOn(run, answer.e.t) : undefined;
    // A negative ttlMs is to be ignored, not a reason to refuse the result (schema-invalid: minimum 0).
    if (next && !next.ok && next.crashed) return t.fail(`after a resources/list result with ttlMs ${CACHE_TTL['resources/list']} the client stopped (clients SHOULD ignore a negative ttlMs and treat it as 0): ${next.why}`, v.evidence([lists[0]!.e, answer!.e]));
    t.fail(`the client listed resources (ttlMs ${CACHE_TTL['resources/list']}) once where the scenario lists them twice: the result, stale at once, was served from its cache`, v.evidence(answer ? [lists[0]!.e, answer.e] : [lists[0]!.e]));
  },
);

clientCheck(
  {
    id: 'client-caching/distinct-params-fetched',
    title: 'a request with other parameters is sent, not answered from the cache of another',
    level: 'MUST',
    requirement: 'Clients MUST NOT serve a cached response for a request whose method or parameters differ from the request that produced it. (Checked: resources/read of one URI with ttlMs 60000, then of another.)',
    spec: cite(STATELESS_REVISIONS, 'server/utilities/caching#cache-key'),
    scenarios: ['cache-ttl'],
  },
  (t) => {
    const v = clientRuns(t);
    const { run, end } = rounds(t);
    const reads = clientRequests(run, 'resources/read').filter((r) => r.e.t <= end.e.t);
    const uri = (r: Sent) => (isObject(r.m.params) ? r.m.params.uri : undefined);
    const a = reads.find((r) => uri(r) === CACHE_URIS[0]);
    if (!a) return t.notVerified(`the client did not read ${CACHE_URIS[0]} in the first round (${exitSummary(run)})`);
    if (!reads.some((r) => uri(r) === CACHE_URIS[1])) t.fail(`the client read ${CACHE_URIS[0]} (ttlMs ${CACHE_TTL['resources/read']}) and then sent no resources/read for ${CACHE_URIS[1]} before its closing tool call: the other URI was not fetched`, v.evidence([a.e, end.e]));
  },
);

clientCheck(
  {
    id: 'client-caching/no-background-refetch',
    title: 'an expiring ttlMs does not make an idle client fetch the result again',
    level: 'SHOULD',
    requirement: 'Clients SHOULD NOT treat TTL as a polling interval that triggers automatic background refetches. (Checked: tools/list has ttlMs 300; no tools/list is sent while the driver waits between its two rounds.)',
    spec: cite(STATELESS_REVISIONS, 'server/utilities/caching#freshness-calculation'),
    scenarios: ['cache-ttl'],
  },
  (t) => {
    const v = clientRuns(t);
    const { run, first } = rounds(t);
    // Round two starts no sooner than the wait after round one, itself after the first listing.
    const polls = clientRequests(run, 'tools/list').filter((r) => firstPage(r) && r.e.t > first.e.t + CACHE_TTL['tools/list'] * 0.8 && r.e.t < first.e.t + CACHE_WAIT_MS - 50);
    if (polls.length) t.fail(`while the driver waited, the client listed tools ${polls.length} more time(s) (${polls.map((p) => `+${Math.round(p.e.t - first.e.t)} ms`).join(', ')}): the ttlMs of ${CACHE_TTL['tools/list']} ms drove background refetches`, v.evidence([first.e, ...polls.map((p) => p.e)]));
  },
);
