// The correct side of every client check: the fixture client, correct by default, run through
// every scenario at several revisions and over both transports, passes every check that applies;
// what does not apply says why (capability not declared, other transport). Together with
// client-breaks.test.ts (the failing side) every check is proven both ways.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Revision } from '../../schema/index.ts';
import type { CheckResult } from '../../reports/index.ts';
import { SCENARIOS, scenariosOf } from '../../suites/client/index.ts';
import { clientChecks, fixture, line, runAndJudge, type Via } from './client-helpers.ts';

// The auth scenarios are run by their own combos below (HTTP; a few revisions).
const ALL = SCENARIOS.filter((s) => !s.auth).map((s) => s.name);
const NOT_APPLICABLE_WHY = /declares (the|URL-mode)|declare (the capability|elicitation at all)|applies to the (http|stdio) transport|needs the .* transport|does not fall back to initialize/;

const combos: { rev: Revision; via: Via; caps?: string; scenarios: string[] }[] = [
  { rev: '2025-11-25', via: 'http', scenarios: ALL },
  { rev: '2025-11-25', via: 'stdio', scenarios: ALL },
  { rev: '2026-07-28', via: 'http', scenarios: ALL },
  { rev: '2026-07-28', via: 'stdio', scenarios: ALL },
  // Older revisions: the scenarios whose behaviour differs by revision (headers, sessions, resumption, features).
  { rev: '2025-03-26', via: 'http', scenarios: ['initialize', 'tools_call', 'ping', 'sampling', 'json-response', 'sse-response', 'session-expired', 'sse-retry', 'legacy-sse', 'version-downgrade', 'request-timeout'] },
  { rev: '2024-11-05', via: 'stdio', scenarios: ['initialize', 'tools_call', 'ping', 'roots', 'sampling', 'pagination', 'progress', 'errors', 'notifications', 'stdio-lingering-server'] },
  // Capabilities not declared: the client must refuse what it did not declare.
  { rev: '2025-11-25', via: 'stdio', caps: 'none', scenarios: ['roots', 'sampling', 'elicitation', 'elicitation-url'] },
  // (Without sampling.tools: a tool-enabled sampling request is answered without tool use.)
  { rev: '2025-11-25', via: 'http', caps: 'roots,sampling,elicitation', scenarios: ['elicitation-url', 'sampling-tools'] },
  // Authorization: the scenarios each client-auth check judges (one of each kind, not every variant).
  {
    rev: '2025-11-25',
    via: 'http',
    scenarios: ['metadata-default', 'metadata-var1', 'metadata-var3', 'basic-cimd', 'pre-registration', 'token-endpoint-auth-none', 'scope-from-www-authenticate', 'scope-from-scopes-supported', 'scope-challenge-outside-supported', 'scope-omitted-when-undefined', 'scope-step-up', 'scope-retry-limit', 'resource-mismatch', 'pkce-not-advertised', 'state-mismatch', 'client-credentials-jwt', 'cross-app-access-complete-flow', 'wif-jwt-bearer', 'dpop', 'dpop-nonce'].map((n) => `auth/${n}`),
  },
  {
    rev: '2026-07-28',
    via: 'http',
    scenarios: ['metadata-default', 'iss-supported', 'iss-not-advertised', 'iss-supported-missing', 'iss-wrong-issuer', 'iss-unexpected', 'iss-normalized', 'offline-access-scope', 'offline-access-not-supported', 'metadata-issuer-mismatch', 'registration-refused', 'authorization-server-migration', 'pre-registration-server-migration', 'scope-step-up-missing-only'].map((n) => `auth/${n}`),
  },
  { rev: '2025-03-26', via: 'http', scenarios: ['auth/2025-03-26-oauth-metadata-backcompat', 'auth/2025-03-26-oauth-endpoint-fallback'] },
];

const passedSomewhere = new Set<string>();

describe.each(combos)('the correct fixture client at $rev over $via (caps: $caps)', ({ rev, via, caps, scenarios }) => {
  let results: CheckResult[] = [];

  beforeAll(async () => {
    const j = await runAndJudge(fixture(via, caps === undefined ? {} : { caps }), [rev], scenarios, { concurrency: 4 });
    results = j.results;
    for (const r of results) if (r.verdict === 'pass') passedSomewhere.add(r.id);
  }, 300_000);

  it('passes every check that applies', () => {
    // With only some scenarios run, only the checks of those scenarios are judged here.
    const judged = (id: string) => {
      const s = scenariosOf(id);
      // An auth check judges whichever of its scenarios ran (they are variants of one flow).
      return s === 'all' || (s !== undefined && (id.startsWith('client-auth/') ? s.some((x) => scenarios.includes(x)) : s.every((x) => scenarios.includes(x))));
    };
    const bad = results.filter((r) => r.verdict !== 'pass' && r.verdict !== 'not-applicable' && judged(r.id));
    expect(bad.map(line)).toEqual([]);
  });

  it('is not-applicable only for an undeclared capability or the other transport', () => {
    const odd = results.filter((r) => r.verdict === 'not-applicable' && !NOT_APPLICABLE_WHY.test(r.message));
    expect(odd.map(line)).toEqual([]);
  });
});

describe('coverage of the correct side', () => {
  it('every client check passes in at least one run of the correct fixture', () => {
    const never = clientChecks()
      .map((d) => d.meta.id)
      .filter((id) => !passedSomewhere.has(id));
    expect(never).toEqual([]);
  });
});
