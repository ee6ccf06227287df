// Real clients from the npm registry, unchanged, through every scenario at 2025-11-25: the official
// SDK client (v1, over Streamable HTTP and stdio, driven by test/drivers/sdk-client.ts), the Vercel
// AI SDK's own MCP client (@ai-sdk/mcp, test/drivers/ai-sdk-client.ts) and mcp-remote's
// `mcp-remote-client` (run as is: it lists tools and resources and exits). What each one fails is
// pinned here with the judgement of whether the client or the check is wrong; see the README
// section "Testing MCP clients" for the reasoning.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../reports/index.ts';
import { SCENARIOS, type ClientCommand } from '../../suites/client/index.ts';
import { ROOT } from '../helpers/transpile.ts';
import { nodeClient, runAndJudge } from './client-helpers.ts';

// The auth scenarios need a driver with an OAuth provider: client-auth-sdk.test.ts.
const ALL = SCENARIOS.filter((s) => !s.auth).map((s) => s.name);

interface RealClient {
  name: string;
  cmd: () => ClientCommand;
  /** Scenarios to run (default: all); a client that never calls tools cannot be provoked by the rest. */
  scenarios?: string[];
  /** Checks that do not pass (fail, warn or info), each with the verdict the spec text gives. */
  expected: Record<string, 'fail' | 'warn' | 'info'>;
}

const clients: RealClient[] = [
  {
    name: 'official SDK v1 Client, Streamable HTTP',
    cmd: () => nodeClient('test/drivers/sdk-client.ts', 'http'),
    expected: {
      // (The SDK's cancellation of initialize, seen over stdio, does not reach the wire over HTTP:
      // connect() closes the transport first.)
      // StreamableHTTPClientTransport surfaces a 404 as an error; nothing starts a new session: client.
      'client-transport/http-reinitialize-after-404': 'fail',
      // …so the session it gave up on is never DELETEd.
      'client-lifecycle/http-delete-session': 'warn',
      // The Client checks a sampling request against its schema only, not the tool_use/tool_result
      // rules (which Server.createMessage enforces before sending): a request breaking them reaches
      // the application's handler and is answered (SHOULD -32602): client.
      'client-sampling/tool-messages-validated': 'warn',
      // Its task API (experimental.tasks.callToolStream) copies the call's task into every tasks/get
      // and tasks/result it polls with (a task on a request that is no task request; SHOULD): client.
      'client-tasks/augment-only-declared': 'warn',
      // Client.listPrompts returns one page and leaves nextCursor to the application; the driver, as
      // a plain application does, lists prompts once (tools it pages): the client, not the check.
      'client-prompts/follows-pagination': 'warn',
    },
  },
  {
    name: 'official SDK v1 Client, stdio',
    cmd: () => nodeClient('test/drivers/sdk-client.ts', 'stdio'),
    expected: {
      // The SDK's Protocol.request sends notifications/cancelled for any timed-out request, initialize
      // included ("The initialize request MUST NOT be cancelled by clients"): the client is wrong.
      'client-cancellation/not-initialize': 'fail',
      // As over HTTP: no tool_use/tool_result validation of a received sampling request (SHOULD): client.
      'client-sampling/tool-messages-validated': 'warn',
      // As over HTTP: task params on tasks/get and tasks/result (SHOULD): client.
      'client-tasks/augment-only-declared': 'warn',
      // As over HTTP: one page of prompts (SHOULD): client.
      'client-prompts/follows-pagination': 'warn',
    },
  },
  {
    name: 'Vercel AI SDK MCP client (@ai-sdk/mcp 1.0.102), Streamable HTTP',
    cmd: () => nodeClient('test/drivers/ai-sdk-client.ts', 'http'),
    expected: {
      // An aborted call is dropped without notifications/cancelled (SHOULD): client.
      'client-cancellation/on-timeout': 'warn',
      // No new session after a 404 (MUST): client.
      'client-transport/http-reinitialize-after-404': 'fail',
      // A POST SSE stream that breaks is not resumed with GET + Last-Event-ID (SHOULD): client.
      'client-transport/sse-resume': 'warn',
      // …and the session of that run is then left without DELETE.
      'client-lifecycle/http-delete-session': 'warn',
      // It has no task support and lists a tool with execution.taskSupport "required" like any other;
      // calling it sends a plain tools/call ("clients MUST invoke the tool as a task"): client.
      'client-tasks/required-tool-as-task': 'fail',
      // No HTTP+SSE fallback (MAY) and no refetch on list_changed (MAY): information only.
      'client-transport/legacy-sse-fallback': 'info',
      'client-tools/refetch-on-list-changed': 'info',
    },
  },
  {
    name: 'mcp-remote-client (mcp-remote 0.15.1), Streamable HTTP',
    cmd: () => ({ command: process.execPath, args: [join(ROOT, 'node_modules/mcp-remote/dist/client.js')], cwd: ROOT, env: { HOME: mkdtempSync(join(tmpdir(), 'mcp-remote-home-')) } }),
    // It only initializes, lists tools and resources, and exits: the scenarios that judge that.
    scenarios: ['initialize', 'tools_call', 'pagination', 'pagination-loop', 'notifications', 'json-response', 'sse-response', 'session-expired', 'legacy-sse', 'unsupported-server-version', 'version-downgrade', 'initialize-slow'],
    expected: {
      // It exits with process.exit(0) and never DELETEs its session (SHOULD): client.
      'client-lifecycle/http-delete-session': 'warn',
      // After the 404 it keeps using the expired session for resources/list (MUST): client.
      'client-transport/http-reinitialize-after-404': 'fail',
      // It lists one page of tools and ignores nextCursor (SHOULD support paginated flows): client.
      'client-pagination/follows-cursor': 'warn',
    },
  },
];

describe.each(clients)('$name', (c) => {
  let results: CheckResult[] = [];

  beforeAll(async () => {
    results = (await runAndJudge(c.cmd(), ['2025-11-25'], c.scenarios ?? ALL, { concurrency: 4, timeoutMs: 20_000 })).results;
  }, 300_000);

  it('fails exactly the requirements it is known to break, and passes or skips (with a reason) the rest', () => {
    const actual = Object.fromEntries(results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn' || r.verdict === 'info').map((r) => [r.id, r.verdict]));
    expect(actual, results.filter((r) => r.id in actual).map((r) => `${r.id}: ${r.message}`).join('\n')).toEqual(c.expected);
    for (const r of results) if (r.verdict === 'not-verified' || r.verdict === 'not-applicable') expect(r.message, r.id).not.toBe('');
  });
});
