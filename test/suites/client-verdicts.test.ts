// Real client behaviours the client checks once judged wrong, each reproduced by the fixture
// client with a --quirk: the quirk alone passes (what it does is allowed), and the quirk with the
// --break of the same check still fails (the correction did not loosen the requirement).
import { beforeAll, describe, expect, it } from 'vitest';
import { verdictForFailure } from '../../reports/index.ts';
import { clientChecks, fixture, line, nodeClient, runAndJudge } from './client-helpers.ts';

interface Case {
  /** What the real client does. */
  what: string;
  quirk: string;
  scenario: string;
  /** The checks that once failed it and must pass now. */
  ids: string[];
}

const R = '2025-11-25';
const cases: Case[] = [
  {
    // basic#requests: unique "within the same session"; a POST refused before any session
    // existed (405 from an HTTP+SSE server) is in none, and two processes are two senders.
    what: 'two client processes each send id 0 in a POST the HTTP+SSE server refuses, then fall back',
    quirk: 'twin',
    scenario: 'legacy-sse',
    ids: ['client-messages/unique-request-ids'],
  },
  {
    // basic/transports#backwards-compatibility: after Streamable HTTP failed (404 for its session)
    // the HTTP+SSE attempt (GET, no session) is a new connection, not a request in that session.
    what: 'on a 404 for its session the client tries HTTP+SSE, then re-initializes',
    quirk: 'sse-after-404',
    scenario: 'session-expired',
    ids: ['client-transport/http-session-id', 'client-transport/http-reinitialize-after-404'],
  },
  {
    // basic/transports#session-management: "MUST start a new session by sending a new
    // InitializeRequest": a second request already in flight also gets the 404 first.
    what: 'two concurrent requests both get the 404, then the client re-initializes',
    quirk: 'concurrent',
    scenario: 'session-expired',
    ids: ['client-transport/http-reinitialize-after-404'],
  },
];

const level = (id: string) => clientChecks().find((d) => d.meta.id === id)!.meta.level;
const outcomes = new Map<string, Awaited<ReturnType<typeof runAndJudge>>>();
const key = (c: Case, broken?: string) => `${c.quirk}${broken ? ` --break ${broken}` : ''}`;

beforeAll(async () => {
  const jobs: { k: string; run: () => ReturnType<typeof runAndJudge> }[] = [];
  for (const c of cases) {
    jobs.push({ k: key(c), run: () => runAndJudge(quirky(c.quirk), [R], [c.scenario], { only: c.ids, concurrency: 1 }) });
    for (const id of c.ids) jobs.push({ k: key(c, id), run: () => runAndJudge(quirky(c.quirk, id), [R], [c.scenario], { only: [id], concurrency: 1 }) });
  }
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) outcomes.set(jobs[i]!.k, await jobs[i]!.run());
  };
  await Promise.all([worker(), worker(), worker()]);
}, 300_000);

function quirky(q: string, broken?: string) {
  const base = fixture('http', broken ? { breaks: [broken] } : {});
  // --quirk goes before the URL the runner appends, like --break.
  return nodeClient('test/fixtures/clients/fixture-client.ts', 'http', [...base.args.slice(1), '--quirk', q]);
}

describe.each(cases)('$what', (c) => {
  it.each(c.ids)('%s passes', (id) => {
    const r = outcomes.get(key(c))!.byId(id, R);
    expect(r && line(r)).toMatch(/: pass$/);
  });

  it.each(c.ids)('%s still fails when the client also breaks it', (id) => {
    const r = outcomes.get(key(c, id))!.byId(id, R);
    expect(r && line(r)).toMatch(new RegExp(`: ${verdictForFailure(level(id))} — `));
  });
});
