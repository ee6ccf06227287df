// A client driver for the official TypeScript SDK (`@modelcontextprotocol/sdk` v1 Client) over
// Streamable HTTP (with the SDK's documented fallback to HTTP+SSE) or stdio:
//
//   mcp-conform client -- node bin/run.js test/drivers/sdk-client.ts            (HTTP: URL appended)
//   mcp-conform client -- node bin/run.js test/drivers/sdk-client.ts --stdio {server}
//
// It does what an application built on the SDK does in every scenario: connect, list tools
// (following nextCursor, stopping on a repeated cursor), call each tool with arguments that fit
// its schema (asking for progress, with the scenario's request timeout), refetch tools on
// list_changed, answer roots/sampling/elicitation as a scripted user (who adds a root when
// context.roots.change asks; who rejects sampling when context.sampling.action says so; whose
// model calls the offered tool when toolChoice requires one),
// then close (DELETE the session on HTTP). Anything the SDK does on the wire is the SDK's
// behaviour, not the driver's.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { callArguments, driverContext, elicitationAnswer, log, parseTarget, ROOTS, samplingAnswer, type Target, runDriver } from './common.ts';

const ctx = driverContext();
const target: Target = parseTarget(process.argv.slice(2));
let refetches = 0;
const roots = [...ROOTS];
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const SECOND_ROOT = { uri: 'file:///tmp/mcp-conform-root-2', name: 'a root the user added' };

function newClient(): Client {
  const client = new Client(
    { name: 'mcp-conform-sdk-driver', version: '1.0.0' },
    {
      capabilities: { roots: { listChanged: true }, sampling: { tools: {} }, elicitation: { form: {}, url: {} } },
      listChanged: {
        tools: {
          onChanged: (error) => {
            refetches++;
            if (error) log('tools refetch failed:', String(error));
          },
        },
      },
    },
  );
  client.setRequestHandler(ListRootsRequestSchema, () => {
    const answer = { roots: [...roots] };
    // context.roots.change: the user adds a root after the first listing; the application tells
    // the SDK, which announces it (notifications/roots/list_changed).
    if (isRecord(ctx.context.roots) && ctx.context.roots.change === true && roots.length === ROOTS.length) {
      roots.push(SECOND_ROOT);
      setImmediate(() => void client.sendRootsListChanged().catch((err: unknown) => log('roots/list_changed failed:', String(err))));
    }
    return answer;
  });
  client.setRequestHandler(CreateMessageRequestSchema, (req) => {
    // context.sampling.action reject: the user says no (client/sampling#error-handling: -1).
    if (isRecord(ctx.context.sampling) && ctx.context.sampling.action === 'reject') throw new McpError(-1, 'User rejected sampling request');
    return samplingAnswer(req.params);
  });
  client.setRequestHandler(ElicitRequestSchema, (req) => elicitationAnswer(req.params as Record<string, unknown>, ctx));
  return client;
}

async function connect(): Promise<{ client: Client; transport: Transport }> {
  const opts = { timeout: ctx.requestTimeoutMs };
  if (target.kind === 'stdio') {
    const client = newClient();
    const transport = new StdioClientTransport({ command: target.command, args: target.args, stderr: 'inherit' });
    await client.connect(transport, opts);
    return { client, transport };
  }
  const url = new URL(target.url);
  const client = newClient();
  const transport = new StreamableHTTPClientTransport(url);
  try {
    await client.connect(transport, opts);
    return { client, transport };
  } catch (err) {
    // The SDK's documented backwards compatibility: a 4xx to the POST means an HTTP+SSE server.
    const status = err instanceof StreamableHTTPError ? err.code : undefined;
    if (status !== 400 && status !== 404 && status !== 405) throw err;
    log(`Streamable HTTP refused (${status}); falling back to HTTP+SSE`);
    await transport.close().catch(() => {});
    const fallback = newClient();
    const sse = new SSEClientTransport(url);
    await fallback.connect(sse, opts);
    return { client: fallback, transport: sse };
  }
}

async function listAllTools(client: Client): Promise<Tool[]> {
  const tools: Tool[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const r = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: ctx.requestTimeoutMs });
    tools.push(...r.tools);
    cursor = r.nextCursor;
    if (cursor === undefined) break;
    if (seen.has(cursor)) {
      log('the server repeated a cursor; stopping');
      break;
    }
    seen.add(cursor);
  }
  return tools;
}

async function main(): Promise<number> {
  const { client, transport } = await connect();
  let failures = 0;
  const caps = client.getServerCapabilities() ?? {};
  if (caps.tools) {
    const tools = await listAllTools(client);
    const seen = new Set<string>();
    for (const tool of tools) {
      if (seen.has(tool.name)) continue;
      seen.add(tool.name);
      try {
        if (tool.execution?.taskSupport === 'required') {
          // The SDK refuses callTool for such a tool and points to its (experimental) task API.
          for await (const m of client.experimental.tasks.callToolStream({ name: tool.name, arguments: callArguments(ctx, tool, tools) }, undefined, { timeout: ctx.requestTimeoutMs })) {
            log(`${tool.name}:`, m.type, m.type === 'taskCreated' || m.type === 'taskStatus' ? m.task.status : '');
            if (m.type === 'error') failures++;
          }
          continue;
        }
        const result = await client.callTool({ name: tool.name, arguments: callArguments(ctx, tool, tools) }, undefined, {
          timeout: ctx.requestTimeoutMs,
          onprogress: (p) => log('progress', p),
        });
        log(`${tool.name}:`, result.isError ? 'tool error' : 'ok');
      } catch (err) {
        failures++;
        log(`${tool.name} failed:`, String(err));
      }
    }
    // Let a list_changed refetch (debounced by the SDK) finish before closing.
    await new Promise((r) => setTimeout(r, refetches === 0 && ctx.scenario === 'list-changed' ? 600 : 50));
  }
  if (caps.prompts) await client.listPrompts().catch((err: unknown) => log('prompts/list failed:', String(err)));
  if (caps.resources) await client.listResources().catch((err: unknown) => log('resources/list failed:', String(err)));
  if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch((err: unknown) => log('DELETE failed:', String(err)));
  await client.close();
  log(`done (${failures} failed call(s))`);
  return 0;
}

runDriver(main);
