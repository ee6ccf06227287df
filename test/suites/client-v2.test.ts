// The official SDK v2 client (`@modelcontextprotocol/client` 2.4.0, test/drivers/sdk-v2-client.ts:
// dual-era, `versionNegotiation: { mode: 'auto' }`) at 2026-07-28, the revision SDK v1 does not
// speak: over Streamable HTTP and stdio through the scenarios whose verdicts were judged (and the
// basic ones), and through the auth scenarios over HTTP with its own OAuth providers. Every verdict
// that is not a pass is pinned with the judgement made from the spec text (README "Real clients"
// and "Client auth scenarios"); a change in any verdict fails here. One run per case, few scenarios:
// CI time is scarce (the full runs at 2025-06-18 and 2025-11-25 are in the README).
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../reports/index.ts';
import { line, nodeClient, runAndJudge, type Via } from './client-helpers.ts';

interface Case {
  name: string;
  via: Via;
  scenarios: string[];
  only?: string[];
  env?: Record<string, string>;
  /** Checks that neither pass nor are not applicable, with their verdict. */
  expected: Record<string, 'fail' | 'warn' | 'info' | 'not-verified'>;
  /** Checks whose verdict depends on a race the client runs (either verdict is judged). */
  racy?: Record<string, readonly string[]>;
}

const cases: Case[] = [
  {
    name: 'Streamable HTTP',
    via: 'http',
    // legacy-server: the dual-era fallback, and results from an earlier-protocol server.
    // param-headers: x-mcp-header mirroring, Base64 header values, invalid annotations (the SDK excludes those tools);
    // param-headers-changed: after HeaderMismatch it lists tools again and retries with the new header.
    // json-schema-ref-no-deref: it lists a tool whose inputSchema $refs an http:// URI and never fetches it.
    scenarios: ['initialize', 'legacy-server', 'input-required', 'unsupported-version', 'broken-stream', 'param-headers', 'param-headers-changed', 'json-schema-ref-no-deref'],
    // The broken-stream call waits for the driver's request timeout: 5 s instead of 10.
    env: { SDK_V2_DRIVER_TIMEOUT_MS: '5000' },
    expected: {
      // The transport reports a POST stream that ended without a response (onRequestStreamEnd), but
      // the Protocol layer never listens: the call waits for its timeout and fails, never re-issued
      // (changelog, SEP-2575: "clients MUST re-issue it as a new request with a new request ID"): client.
      'client-transport/reissue-after-broken-stream': 'fail',
    },
  },
  {
    name: 'stdio',
    via: 'stdio',
    // pagination-irregular: an empty-string nextCursor and pages of 2, 1 and 3 tools (the SDK follows them).
    // result-type-unknown: the SDK calls none of the tools of the tools/list result with an unknown resultType.
    // resource-not-found-legacy-code: the driver's readResource rejects on -32002 and the calls go on.
    // elicitation-url: a URL-mode elicitation and a form without mode, as input requests (both answered as they should be).
    // json-schema-2020-12-preservation: the inputSchema it echoes keeps every 2020-12 keyword as listed.
    // pagination: tools and prompts one per page (its listPrompts() follows nextCursor by itself).
    scenarios: ['initialize', 'legacy-server', 'input-required', 'pagination', 'pagination-irregular', 'legacy-server-method-not-found', 'late-response', 'result-type-unknown', 'resource-not-found-legacy-code', 'elicitation-url', 'json-schema-2020-12-preservation'],
    expected: {},
    // Its server/discover probe runs on a sibling process, disposed of by closing stdin and
    // signalling SIGTERM at once (StdioClientTransport._dispose, "signal-first"), without waiting
    // for the server to exit (basic/transports/stdio#shutdown, SHOULD): client. Seen only when the
    // SIGTERM arrives before the server has exited on its closed stdin: a pass when it has (CI saw both).
    // late-response: its 1 s tools run within the scenario's 1.5 s request timeout, except on a
    // loaded machine (a CI rehearsal): the driver then times out before it calls answers_late and
    // the check says not verified (nothing to judge), never fail.
    racy: { 'client-lifecycle/stdio-shutdown': ['warn', 'pass'], 'client-cancellation/late-response-ignored': ['pass', 'not-verified'] },
  },
  {
    name: 'caching hints, Streamable HTTP',
    via: 'http',
    scenarios: ['cache-ttl'],
    expected: {
      // The client: its result schema refuses a resources/list whose ttlMs is negative ("Invalid result
      // for resources/list"), where server/utilities/caching says clients SHOULD ignore a negative
      // ttlMs and treat it as 0. (Stale tools/list and prompts/list results are fetched again.)
      'client-caching/stale-refetched': 'warn',
    },
  },
  {
    name: 'auth scenarios, Streamable HTTP',
    via: 'http',
    scenarios: ['metadata-default', 'pre-registration', 'scope-step-up', 'pkce-not-advertised', 'state-mismatch', 'iss-wrong-issuer', 'iss-normalized', 'client-credentials-jwt', 'cross-app-access-complete-flow', 'dpop', 'dpop-nonce', 'pre-registration-server-migration', 'scope-step-up-missing-only', 'scope-challenge-outside-supported'].map((n) => `auth/${n}`),
    only: ['client-auth/**'],
    expected: {
      // startAuthorization refuses only a code_challenge_methods_supported without S256; when the
      // field is absent it goes on to /authorize (security-considerations: "MUST refuse to proceed"): client.
      'client-auth/pkce-support-verified': 'fail',
      // The driver names the official suite's placeholder client ID metadata document URL (as for
      // v1: the SDK uses CIMD only at an https URL the application hosts), which serves nothing to judge.
      'client-auth/cimd-document': 'not-verified',
      // auth/dpop and auth/dpop-nonce: with the driver's provider opting in (dpop()), the SDK's DPoP
      // (proof at the token endpoint, DPoP scheme with a fresh proof per request, both nonces) passes all five client-auth/dpop-* checks.
      // auth/pre-registration-server-migration: when the PRM names another AS, the SDK (SEP-2352
      // issuer binding) registers dynamically with it and never presents the pre-registered
      // credentials there: client-auth/pre-registered-server-mismatch and credentials-bound-to-as pass.
      // auth/scope-step-up-missing-only: the 403 names only mcp:write; its step-up asks for
      // "mcp:basic mcp:write" (the union): client-auth/step-up-keeps-scopes passes.
      // auth/scope-challenge-outside-supported: it asks for the challenge's scopes as they are
      // (mcp:special too, which scopes_supported does not list): client-auth/challenge-scope-unfiltered passes.
    },
  },
];

const results = new Map<Case, CheckResult[]>();

beforeAll(async () => {
  await Promise.all(
    cases.map(async (c) => {
      const cmd = nodeClient('test/drivers/sdk-v2-client.ts', c.via);
      const j = await runAndJudge(c.env ? { ...cmd, env: c.env } : cmd, ['2026-07-28'], c.scenarios, { ...(c.only ? { only: c.only } : {}), concurrency: 2, timeoutMs: 20_000 });
      results.set(c, j.results);
    }),
  );
}, 300_000);

describe('the official SDK v2 client at 2026-07-28', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: known failures only; everything judged passes', (_name, c) => {
    // Only the checks whose scenarios ran: the rest say "not run".
    const judged = (results.get(c) ?? []).filter((r) => !/was not run/.test(r.message));
    const racy = c.racy ?? {};
    for (const r of judged.filter((x) => x.id in racy)) expect(racy[r.id], line(r)).toContain(r.verdict);
    const actual = Object.fromEntries(judged.filter((r) => r.verdict !== 'pass' && r.verdict !== 'not-applicable' && !(r.id in racy)).map((r) => [r.id, r.verdict]));
    expect(actual, judged.map(line).join('\n')).toEqual(c.expected);
    expect(judged.filter((r) => r.verdict === 'pass').length).toBeGreaterThan(5);
  });
});
