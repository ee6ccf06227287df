// The whole feature suite against real peers: @modelcontextprotocol/server-everything over stdio
// and a server built on the official SDK (in-process). Every verdict other than pass is listed
// with the judgement made from the spec text (server wrong, or nothing to verify); a change in
// any verdict fails here, so a regression in a check or a peer is noticed.
import { expect, test } from 'vitest';
import { resolve } from 'node:path';
import { definedChecks, runChecks, runConfig, type CheckDef } from '../../suites/harness/index.ts';
import type { Verdict } from '../../reports/model.ts';
import '../../suites/server/tools.ts';
import '../../suites/server/resources.ts';
import '../../suites/server/prompts.ts';
import '../../suites/server/completion.ts';
import '../../suites/server/logging.ts';
import '../../suites/server/pagination.ts';
import '../../suites/server/tasks/_index.ts';
import '../../suites/server/server-requests.ts';
import { STATEFUL_REVISIONS as STATEFUL } from '../../schema/index.ts';
import { FEATURE_AREAS, run, sdkTarget } from './feature-helpers.ts';
import { everythingOver } from '../helpers/everything.ts';

const defs: CheckDef[] = definedChecks().filter((d) => FEATURE_AREAS.includes(d.meta.id.split('/')[0] as string));

function table(results: { id: string; revision: string | null; verdict: Verdict }[]): Record<string, Verdict> {
  return Object.fromEntries(results.filter((r) => r.verdict !== 'pass').map((r) => [`${r.id} [${r.revision}]`, r.verdict]));
}

/** Needs the fixture contract (test://…, test_tool_with_logging, json_schema_2020_12_tool), which these peers do not implement. */
const NO_CONTRACT: Record<string, Verdict> = {
  'tools/json-schema-2020-12-kept': 'not-verified',
  'resources/template-read': 'not-verified',
  'resources/subscribe-updated': 'not-verified',
  'resources/updated-unsubscribed': 'not-verified',
  'logging/level-filter': 'not-verified',
};

const everything = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
// gzip-file-as-resource (destructiveHint: false) is called only by an opt-in policy: even then, off the network.
const env = { GZIP_ALLOWED_DOMAINS: 'mcp-conform.invalid', GZIP_MAX_FETCH_TIME_MILLIS: '200' };

/**
 * Its only task-capable tool, simulate-research-query, is annotated readOnlyHint: false,
 * destructiveHint: false (additive, not read-only): by default the tasks checks may not call it.
 */
const TASKS_NEED_A_CALL = ['tasks/cancel', 'tasks/cancel-terminal', 'tasks/create-result', 'tasks/get', 'tasks/initial-working', 'tasks/list', 'tasks/result', 'tasks/result-related-task', 'tasks/status-lifecycle', 'tasks/timestamps', 'tasks/ttl', 'tasks/tool-required', 'tasks/unique-ids', 'tasks/related-task-param-wins', 'tasks/no-related-task-in-operations', 'tasks/result-blocks', 'tasks/progress-token', 'tasks/related-task-on-messages', 'tasks/ttl-capped', 'tasks/failed-status-message', 'tasks/result-error', 'tasks/input-required', 'tasks/input-required-resumes'];

test('server-everything (stdio, 2025-11-25): every verdict as judged', async () => {
  const cfg = runConfig({ kind: 'stdio', command: process.execPath, args: [everything, 'stdio'], env }, ['2025-11-25'], { quietMs: 300, checkTimeoutMs: 25_000, requestTimeoutMs: 8_000 });
  const results = await runChecks(defs, cfg, { concurrency: 4 });
  const at = (m: Record<string, Verdict>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [`${k} [2025-11-25]`, v]));
  expect(table(results)).toEqual(
    at({
      ...NO_CONTRACT,
      // Server deviates: an unknown tool is a protocol error (server/tools#error-handling, stated without
      // an RFC 2119 keyword, so checked at SHOULD); the SDK v1 McpServer answers an isError result.
      'tools/call-unknown': 'warn',
      'tools/call-unknown-code': 'not-verified',
      // Server deviates from a SHOULD: "Resource not found: -32002"; it answers -32602 (the 2026-07-28 code).
      'resources/read-not-found': 'warn',
      // Server deviates from a SHOULD: "Invalid log level: -32602"; it answers -32603.
      'logging/set-level-invalid': 'warn',
      // Server deviates from a SHOULD: "Missing required arguments: -32602"; completion/complete without
      // its argument gets the SDK's schema-validation message as -32603.
      'completion/missing-argument': 'warn',
      // Server deviates from a SHOULD: "Invalid cursors SHOULD result in an error with code -32602"; tools/list ignores the cursor.
      'pagination/invalid-cursor': 'warn',
      // Server deviates from a SHOULD: task-augmented call of a forbidden tool → -32601; it answers -32602.
      'tasks/tool-forbidden': 'warn',
      // Not verified: the only task-capable tool is additive, not read-only (below, with it named).
      ...Object.fromEntries(TASKS_NEED_A_CALL.map((id) => [id, 'not-verified' as const])),
      // Not applicable: the capability is declared, or lists fit in one page.
      'tools/list-changed-gated': 'not-applicable',
      'resources/list-changed-gated': 'not-applicable',
      'prompts/list-changed-gated': 'not-applicable',
      'completion/not-declared': 'not-applicable',
      'logging/capability-declared': 'not-applicable',
      'pagination/no-duplicates': 'not-applicable',
      'tasks/ignored-without-capability': 'not-applicable',
      // About Streamable HTTP (judged below, over it).
      'tasks/get-no-sse': 'not-applicable',
      // Its resource-prompt embeds a resource only for argument values the check does not guess.
      'prompts/embedded-resource-mime-type': 'not-applicable',
      // Not verified: its tools that ask the client (trigger-*-request, trigger-url-elicitation) are not
      // read-only, so no call shows a server request (judged below, with the tools named); not applicable:
      // no call it may make uses tools in sampling or sends elicitation completions.
      ...Object.fromEntries(ASKING_CHECKS.map((id) => [id, ASKED_IF_USED.includes(id) ? ('not-applicable' as const) : ('not-verified' as const)])),
    }),
  );
  // Whatever it sent was valid 2025-11-25.
  expect(results.flatMap((r) => (r.violations ?? []).map((v) => `${r.id}: ${v.pointer} ${v.message}`))).toEqual([]);
  const held = results.find((r) => r.id === 'tasks/create-result');
  expect(held?.message).toMatch(/"simulate-research-query" may not be called: annotated destructiveHint: false, which means additive/);
}, 240_000);

/** The checks of what a server asks the client while its tools run (suites/server/server-requests.ts). */
const ASKING_CHECKS = ['sampling/tools-only-if-declared', 'sampling/include-context-only-if-declared', 'sampling/tool-loop-balanced', 'elicitation/modes-declared', 'elicitation/complete-known-id', 'elicitation/url-required-error-data', 'elicitation/defaults-valid', 'elicitation/enum-forms'];
/** Of those, the rules that bind only a server that uses the behaviour (tools in sampling, completion notifications). */
const ASKED_IF_USED = ['sampling/tool-loop-balanced', 'elicitation/complete-known-id', 'elicitation/url-required-error-data'];

test('server-everything (stdio, 2025-11-25), its asking tools named with --call-tools: the server-request checks as judged', async () => {
  const cfg = runConfig({ kind: 'stdio', command: process.execPath, args: [everything, 'stdio'], env }, ['2025-11-25'], {
    quietMs: 300,
    checkTimeoutMs: 25_000,
    requestTimeoutMs: 8_000,
    callTools: ['trigger-sampling-request', 'trigger-elicitation-request', 'trigger-url-elicitation'],
  });
  const results = await runChecks(
    defs.filter((d) => ASKING_CHECKS.includes(d.meta.id)),
    cfg,
    { concurrency: 4 },
  );
  expect(Object.fromEntries(results.map((r) => [r.id, r.verdict]))).toEqual({
    // Declared sampling without tools or context, form-only elicitation: it asked within them.
    'sampling/tools-only-if-declared': 'pass',
    'sampling/include-context-only-if-declared': 'pass',
    'elicitation/modes-declared': 'pass',
    // trigger-elicitation-request's form has a default for a string, an integer, a number and each enum
    // form (each a value of its property), and the five enum forms, each in the spec's shape.
    'elicitation/defaults-valid': 'pass',
    'elicitation/enum-forms': 'pass',
    // Not applicable: trigger-sampling-request offers the model no tools, and it announces no URL
    // elicitation as complete (completion notifications are optional: "Servers MAY send").
    'sampling/tool-loop-balanced': 'not-applicable',
    'elicitation/complete-known-id': 'not-applicable',
    // Not applicable: trigger-url-elicitation answers -32042 only for errorPath: true, which the
    // generated arguments leave out (called by hand with it, its error data lists one URL-mode
    // elicitation with an elicitationId: it would pass).
    'elicitation/url-required-error-data': 'not-applicable',
  });
}, 120_000);

test('server-everything (stdio, 2025-11-25), its task tool named with --call-tools: the tasks checks as judged', async () => {
  const cfg = runConfig({ kind: 'stdio', command: process.execPath, args: [everything, 'stdio'], env }, ['2025-11-25'], {
    quietMs: 300,
    checkTimeoutMs: 25_000,
    requestTimeoutMs: 8_000,
    callTools: ['simulate-research-query'],
  });
  const results = await runChecks(
    defs.filter((d) => TASKS_NEED_A_CALL.includes(d.meta.id)),
    cfg,
    { concurrency: 4 },
  );
  expect(table(results)).toEqual({
    // Server wrong: "Servers MUST return a -32601 (Method not found) error" for a plain call of a task-required tool; it answers an isError result.
    'tasks/tool-required [2025-11-25]': 'fail',
    // Server wrong: receivers "MUST ignore" related-task metadata on tasks/get in favour of the taskId
    // parameter; the SDK v1 Protocol queues the answer of any request carrying it for that task's
    // message queue, so a tasks/get naming another task in _meta is never answered.
    'tasks/related-task-param-wins [2025-11-25]': 'fail',
    // Not verified: its task reports no progress and sends no request after the CreateTaskResult.
    'tasks/progress-token [2025-11-25]': 'not-verified',
    'tasks/related-task-on-messages [2025-11-25]': 'not-verified',
    // Not verified: its task completes (nothing failed to describe), and it requires a task, so no
    // plain call can show a JSON-RPC error for tasks/result to repeat.
    'tasks/failed-status-message [2025-11-25]': 'not-verified',
    'tasks/result-error [2025-11-25]': 'not-verified',
    // Not verified: its task asks for clarification (elicitation tied to the task, in input_required,
    // back to working once answered: it would pass) only for ambiguous: true; the generated arguments say false.
    'tasks/input-required [2025-11-25]': 'not-verified',
    'tasks/input-required-resumes [2025-11-25]': 'not-verified',
  });
}, 240_000);

test('server-everything (Streamable HTTP, 2025-11-25), its task tool named: tasks/get-no-sse as judged', async () => {
  const server = await everythingOver('streamableHttp');
  try {
    const cfg = runConfig({ kind: 'http', url: `http://127.0.0.1:${server.port}/mcp` }, ['2025-11-25'], { quietMs: 300, checkTimeoutMs: 25_000, requestTimeoutMs: 8_000, callTools: ['simulate-research-query'] });
    const [result] = await runChecks(defs.filter((d) => d.meta.id === 'tasks/get-no-sse'), cfg);
    // Server deviates from a SHOULD: the SDK v1 StreamableHTTPServerTransport (enableJsonResponse off, as
    // server-everything runs it) answers every POSTed request with an SSE stream, a polling tasks/get too.
    expect(`${result?.verdict}: ${result?.message}`).toMatch(/^warn: tasks\/get for the task \S+ of simulate-research-query was answered with an SSE stream/);
  } finally {
    await server.stop();
  }
}, 120_000);

test('SDK server (official TypeScript SDK, low-level Server; every stateful revision): every verdict as judged', async () => {
  const results = await run(defs, sdkTarget(), STATEFUL);
  const expected: Record<string, Verdict> = {};
  const put = (id: string, v: Verdict, revs = STATEFUL) => {
    for (const r of revs) if (defs.find((d) => d.meta.id === id)?.meta.revisions.includes(r)) expected[`${id} [${r}]`] = v;
  };
  for (const [id, v] of Object.entries(NO_CONTRACT)) put(id, v);
  // The server reports invalid arguments as isError results at every revision: right from 2025-11-25 on,
  // a deviation from the earlier revisions' "Protocol Errors: … Invalid arguments".
  put('tools/call-invalid-arguments', 'warn', ['2024-11-05', '2025-03-26', '2025-06-18']);
  // SDK deviates from a SHOULD: its built-in logging/setLevel answers an invalid level with -32603, not -32602.
  put('logging/set-level-invalid', 'warn');
  // SDK deviates from a SHOULD: completion/complete without its argument fails the SDK's request schema,
  // reported as -32603 (Internal error), not -32602 ("Missing required arguments").
  put('completion/missing-argument', 'warn');
  // Server deviates from a SHOULD: tools/list ignores an invalid cursor (resources/list rejects it).
  put('pagination/invalid-cursor', 'warn');
  // SDK wrong: without the tasks capability a task-augmented tools/call MUST be processed normally; the SDK Server answers -32603.
  put('tasks/ignored-without-capability', 'fail');
  // No prompt or tool result of this server embeds a resource.
  for (const id of ['completion/not-declared', 'logging/capability-declared', 'prompts/embedded-resource-mime-type', 'tools/embedded-resources-capability']) put(id, 'not-applicable');
  // No tool of this server asks the client anything.
  for (const id of ASKING_CHECKS) put(id, ASKED_IF_USED.includes(id) ? 'not-applicable' : 'not-verified');
  for (const id of defs.map((d) => d.meta.id).filter((id) => id.startsWith('tasks/') && id !== 'tasks/ignored-without-capability')) put(id, 'not-applicable');
  expect(table(results)).toEqual(expected);
  expect(results.flatMap((r) => (r.violations ?? []).map((v) => `${r.id} [${r.revision}]: ${v.pointer} ${v.message}`))).toEqual([]);
}, 120_000);

test('servers of earlier revisions at 2026-07-28 (SDK in-process; server-everything over stdio): every check not applicable, saying why', async () => {
  const at2026 = defs.filter((d) => d.meta.revisions.includes('2026-07-28'));
  expect(at2026.length).toBeGreaterThanOrEqual(30);
  const everything = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
  const cfg = runConfig({ kind: 'stdio', command: process.execPath, args: [everything, 'stdio'] }, ['2026-07-28'], { quietMs: 300, checkTimeoutMs: 25_000, requestTimeoutMs: 8_000 });
  const [sdk, everyone] = await Promise.all([run(at2026, sdkTarget(), ['2026-07-28']), runChecks(at2026, cfg, { concurrency: 4 })]);
  for (const r of [...sdk, ...everyone]) {
    expect(r.verdict, `${r.id}: ${r.message}`).toBe('not-applicable');
    // Both answer server/discover with -32601: a server of an earlier revision.
    expect(r.message).toMatch(/does not speak 2026-07-28: server\/discover was answered with error -32601/);
  }
}, 120_000);
