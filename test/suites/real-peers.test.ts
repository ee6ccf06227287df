// The server suites against real implementations: @modelcontextprotocol/server-everything over
// stdio, Streamable HTTP and HTTP+SSE, and a small server built on the official SDK. The expected
// outcomes are the findings (each judged against the spec text; see the harness report): a change
// here is either a fixed server or a changed check, and must be looked at.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Revision } from '../../schema/index.ts';
import type { CheckResult } from '../../reports/index.ts';
import type { TargetSpec } from '../../mock-server/index.ts';
import { EVERYTHING, everythingOver } from '../helpers/everything.ts';
import { definedChecks, runChecks, runConfig, validMessagesResults, type RunConfig } from '../../suites/harness/index.ts';
import { warmUp } from './fixture.ts';
import { ROOT } from '../cli/server-helpers.ts';
import { streamTransport, type StreamServer } from '../helpers/stream-transport.ts';
import { serveSdkServer } from '../fixtures/servers/sdk-server.ts';


/** server-everything's own server factory, served in-process over its stdio transport code. */
const everythingInProcess: StreamServer = async (stdin, stdout) => {
  const { createServer } = (await import(pathToFileURL(join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/server/index.js')).href)) as {
    createServer: () => { server: { connect(t: unknown): Promise<void>; close(): Promise<void> }; cleanup: () => void };
  };
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const { server, cleanup } = createServer();
  await server.connect(new StdioServerTransport(stdin, stdout));
  return async () => {
    await server.close();
    cleanup();
  };
};

async function run(target: TargetSpec, revisions: Revision[], over: Partial<RunConfig> = {}): Promise<CheckResult[]> {
  warmUp(revisions);
  const cfg = runConfig(target, revisions, { requestTimeoutMs: 3_000, startupMs: 20_000, checkTimeoutMs: 40_000, quietMs: 300, ...over });
  const results = await runChecks(definedChecks(), cfg, { concurrency: 4 });
  return [...results, ...validMessagesResults(results, revisions)];
}

/** `id [rev]` → verdict, for everything that did not pass. */
function findings(results: CheckResult[]): Record<string, string> {
  return Object.fromEntries(results.filter((r) => r.verdict !== 'pass').map((r) => [`${r.id} [${r.revision}]`, r.verdict]));
}

const servers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(servers.map((stop) => stop()));
});

async function everythingPort(mode: 'streamableHttp' | 'sse'): Promise<number> {
  const { port, stop } = await everythingOver(mode);
  servers.push(stop);
  return port;
}

// What server-everything (SDK-based) does not do, the same on every transport:
// prompts/get with a non-string name → -32603 (prompts: SHOULD -32602).
// It has no test_tool_with_progress; the tool survey finds trigger-long-running-operation, which
// reports progress, so the progress and cancellation checks run (and pass) with it.
// The survey calls every read-only tool: at 2024-11-05 and 2025-03-26 get-resource-links answers
// with resource_link content blocks, a type those revisions do not define (added in 2025-06-18):
// the server does not adapt its results to the negotiated version, so schema/valid-messages fails
// there. The server is wrong, not the check (tools/call-result reports the same in a full run).
const EVERYTHING_COMMON = {
  'messages/invalid-params [2025-11-25]': 'warn',
};

describe('real servers', () => {
  // In-process on streams, through the SDK's own stdio transport code (spawning ~60 servers is
  // slow on a 2-core CI machine); the CLI tests spawn real stdio servers.
  it('server-everything over stdio (its stdio transport, in-process)', async () => {
    const results = await run({ kind: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'] }, ['2025-03-26', '2025-11-25'], { open: () => streamTransport(everythingInProcess) });
    expect(findings(results)).toEqual({
      ...EVERYTHING_COMMON,
      'messages/invalid-params [2025-03-26]': 'warn',
      'schema/valid-messages [2025-03-26]': 'fail',
      // 2025-03-26 says servers MUST support receiving batches; the SDK's stdio transport drops them.
      'messages/batch-receive [2025-03-26]': 'fail',
      // Invalid JSON and invalid requests get no answer at all on stdio (JSON-RPC answers -32700/-32600).
      'messages/parse-error [2025-03-26]': 'warn',
      'messages/parse-error [2025-11-25]': 'warn',
      'messages/invalid-request [2025-03-26]': 'warn',
      'messages/invalid-request [2025-11-25]': 'warn',
      // The SDK aborts initialize when a (non-conforming) client cancels it.
      'cancellation/initialize-not-cancellable [2025-03-26]': 'warn',
      'cancellation/initialize-not-cancellable [2025-11-25]': 'warn',
    });
  }, 240_000);

  it('server-everything over Streamable HTTP', async () => {
    const port = await everythingPort('streamableHttp');
    const results = await run({ kind: 'http', url: `http://127.0.0.1:${port}/mcp` }, ['2025-11-25']);
    expect(findings(results)).toEqual({
      ...EVERYTHING_COMMON,
      // Over HTTP the SDK answers a request whose method is a number with -32700 (Parse error), not -32600.
      'messages/invalid-request [2025-11-25]': 'warn',
      // Requests before initialize are refused with HTTP 400 (no session yet), which the HTTP transport allows.
      'ping/before-initialize [2025-11-25]': 'not-applicable',
      'stdio/stdout-only-messages [2025-11-25]': 'not-applicable',
      'stdio/no-embedded-newlines [2025-11-25]': 'not-applicable',
      'stdio/survives-malformed-input [2025-11-25]': 'not-applicable',
    });
  }, 240_000);

  it('server-everything over HTTP+SSE', async () => {
    const port = await everythingPort('sse');
    const results = await run({ kind: 'sse', url: `http://127.0.0.1:${port}/sse` }, ['2024-11-05']);
    expect(findings(results)).toEqual({
      'messages/invalid-params [2024-11-05]': 'warn',
      'schema/valid-messages [2024-11-05]': 'fail',
      // Malformed POST bodies are refused with HTTP 400 and no JSON-RPC error.
      'messages/parse-error [2024-11-05]': 'warn',
      'messages/invalid-request [2024-11-05]': 'warn',
      'stdio/stdout-only-messages [2024-11-05]': 'not-applicable',
      'stdio/no-embedded-newlines [2024-11-05]': 'not-applicable',
      'stdio/survives-malformed-input [2024-11-05]': 'not-applicable',
    });
  }, 240_000);

  it('a server built on the official SDK (McpServer, stdio transport, in-process)', async () => {
    const results = await run({ kind: 'stdio', command: process.execPath, args: [join(ROOT, 'bin/run.js'), join(ROOT, 'test/fixtures/servers/sdk-server.ts')] }, ['2025-11-25'], { open: () => streamTransport(serveSdkServer) });
    expect(findings(results)).toEqual({
      'messages/invalid-params [2025-11-25]': 'warn',
      'messages/parse-error [2025-11-25]': 'warn',
      'messages/invalid-request [2025-11-25]': 'warn',
      'cancellation/initialize-not-cancellable [2025-11-25]': 'warn',
    });
  }, 240_000);
});
