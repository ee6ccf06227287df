// The public module of the conformance harness: `check()` and what a check body gets (`t`),
// plus the runner pieces the CLI and the tool's own tests use.
//
//   check({ id: 'ping/response', title, level: 'MUST', requirement: 'the spec sentence',
//           spec: { '2025-11-25': 'basic/utilities/ping#behavior-requirements' }, requires?: 'server.tools' },
//     async (t) => {
//       const c = await t.session();          // fresh, initialized MockClient at t.revision
//       const r = t.expectResult(await c.request('ping'));
//       t.expect(Object.keys(r).length === 0, 'ping result is not empty');   // fail → verdict by level
//     });
//
// t.connect() (started, not initialized), t.session(), t.expectResult/expectError/expect/
// expectSilence, t.fail/warn/info/notApplicable/notVerified (fail & co end the check: write
// `return t.fail(…)` where TypeScript should narrow), t.wire, t.revision, t.quietMs.
export { check, checksWith, checkMeta, definedChecks, type CheckSpec } from './check.ts';
export { CheckContext, CheckOutcome, compactEntry, type ConnectOptions, type SessionOptions, type EvidenceLike, type Finding } from './context.ts';
export { walkList, short, MAX_PAGES, type Lister, type Listing, type Page, type OkReply, type WalkOptions } from './list.ts';
export { runCheck, revisionsFor, wireLogPath, type CheckBody, type CheckDef } from './run.ts';
export { runChecks, type RunChecksOptions } from './inprocess.ts';
export { validMessagesResults, groupViolations, notRunResult, VALID_MESSAGES } from './aggregate.ts';
export { CROSS_TALK, applyCrossTalk, connectionIds, crossTalkResult, withCrossTalk, type CrossTalk } from './crosstalk.ts';
export { runConfig, parseCallTools, selected, matchesGlob, describeTarget, DEFAULT_TIMEOUTS, DEFAULT_CONCURRENCY, type RunConfig, type TargetSpec, type CallToolsPolicy, type AuthRunConfig, type AuthServerTarget, type MockTokens } from './config.ts';
export { parseChallenge, authDiscovery, mintMockTokens, scopedToken, withAuthorization, fetchBounded, asMetadataUrls, type Challenge, type AuthDiscovery, type FetchedJson } from './auth.ts';
export { openTransport, type OpenedTransport } from './connect.ts';
export { stderrGist, stderrNote } from './stderr-gist.ts';
export { clientRuns, gateClient, loadClientRuns, isClientTarget, declaredCapabilities, connected, notSpoken, sent, received, ClientView, type ClientTarget, type ClientRun, type AuthRunRecord, type ClientRunsFile, type ClientRunsOptions, type RecordedEntry, type HttpRecord, type ProcessRecord, type StdioServerRecord } from './client-context.ts';
export { probeTarget, type ProbeResult, type RevisionProbe } from './probe.ts';
export { runSuites, finishResults, loadServerChecks, suiteFilesFor, vitestConcurrency, SERVER_SUITES, type SuiteRunOptions } from './suite-run.ts';
export { FIXTURE } from './fixtures.ts';
export { planToolCalls } from './tool-plan.ts';
export { mayCall, decide, formatToolPlan, CONTRACT_TOOLS, type Permission, type PolicyOptions, type ToolPlan, type RevisionToolPlan, type ToolDecision } from './tool-policy.ts';
