// The official SDK client against the mock (reference server) over stdio, Streamable HTTP,
// legacy HTTP+SSE and msw: lists and calls tools, answers sampling, elicitation and roots.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { Transport as SdkTransport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { setupServer } from 'msw/node';
import { referenceServer, serveMockHttp, type MockServer } from '../../mock-server/index.ts';
import { mcpHandlers } from '../../mock-server/msw.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function sdkClient(): Client {
  const client = new Client({ name: 'sdk-interop', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } } });
  client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
    const last = req.params.messages.at(-1);
    const text = last && !Array.isArray(last.content) && last.content.type === 'text' ? last.content.text : '?';
    return { role: 'assistant', content: { type: 'text', text: `sampled: ${text}` }, model: 'sdk-test-model', stopReason: 'endTurn' };
  });
  client.setRequestHandler(ElicitRequestSchema, async (req) => (req.params.mode === 'url' ? { action: 'accept' } : { action: 'accept', content: { response: 'yes from the SDK' } }));
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: 'file:///sdk/root', name: 'root' }] }));
  return client;
}

async function exercise(client: Client, transport: SdkTransport, server?: MockServer): Promise<void> {
  await client.connect(transport);
  cleanup.push(() => client.close());
  expect(client.getServerVersion()?.name).toBe('mcp-conform-reference');
  // Tools come in pages of 10: follow the cursors.
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    names.push(...page.tools.map((t) => t.name));
    cursor = page.nextCursor;
  } while (cursor);
  expect(names).toEqual(expect.arrayContaining(['echo', 'add', 'test_sampling', 'test_elicitation', 'list_roots']));
  const add = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
  expect(add.structuredContent).toEqual({ sum: 42 });
  const echo = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
  expect(echo.content).toEqual([{ type: 'text', text: JSON.stringify({ echo: 'hi' }) }]); // structured content, serialized for older clients
  const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'capital of France?' } });
  expect(sampled.content).toEqual([{ type: 'text', text: 'LLM response: sampled: capital of France?' }]);
  const elicited = await client.callTool({ name: 'test_elicitation', arguments: { message: 'ok?' } });
  expect((elicited.content as { text: string }[])[0]!.text).toContain('yes from the SDK');
  const roots = await client.callTool({ name: 'list_roots', arguments: {} });
  expect(roots.content).toEqual([{ type: 'text', text: 'file:///sdk/root' }]);
  const url = await client.callTool({ name: 'elicit_url', arguments: {} });
  expect(url.content).toEqual([{ type: 'text', text: 'URL elicitation: action=accept' }]);
  const bad = await client.callTool({ name: 'add', arguments: { a: 'x' } });
  expect(bad.isError).toBe(true);
  const res = await client.readResource({ uri: 'test://template/abc/data' });
  expect(res.contents[0]).toMatchObject({ uri: 'test://template/abc/data', mimeType: 'application/json' });
  const prompt = await client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'a', arg2: 'b' } });
  expect(prompt.messages[0]!.content).toEqual({ type: 'text', text: 'Prompt with arguments: arg1=a, arg2=b' });
  const done = await client.complete({ ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' }, argument: { name: 'arg1', value: 'par' } });
  expect(done.completion.values).toEqual(['paris', 'park', 'parse']);
  if (server) {
    for (const s of server.sessions) expect(s.peer.violations).toEqual([]);
    expect(server.problems).toEqual([]);
    expect(server.clientReplies.map((r) => r.method)).toEqual(expect.arrayContaining(['sampling/createMessage', 'elicitation/create', 'roots/list']));
  }
}

describe('the official SDK client against the mock', () => {
  it('over stdio (mcp-conform mock --reference --stdio)', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [`${ROOT}bin/mcp-conform.js`, 'mock', '--reference', '--stdio'], cwd: ROOT, stderr: 'pipe' });
    await exercise(sdkClient(), transport);
  }, 60_000);

  it('over Streamable HTTP, both response modes, and hears list_changed', async () => {
    for (const responseMode of ['json', 'sse'] as const) {
      const server = referenceServer();
      const served = await serveMockHttp(server, { responseMode });
      cleanup.push(() => served.close());
      const client = sdkClient();
      await exercise(client, new StreamableHTTPClientTransport(new URL(served.url)), server);
      const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, async () => resolve()));
      await client.callTool({ name: 'toggle_bonus_tool', arguments: {} });
      await changed;
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('bonus');
    }
  }, 60_000);

  it('over the legacy HTTP+SSE transport', async () => {
    const server = referenceServer();
    const served = await serveMockHttp(server, { legacySse: true });
    cleanup.push(() => served.close());
    await exercise(sdkClient(), new SSEClientTransport(new URL(served.url)), server);
  }, 60_000);

  it('through msw, without a port', async () => {
    const mcp = mcpHandlers(referenceServer(), { url: 'http://mcp.test/mcp' });
    const mock = setupServer(...mcp);
    mock.listen({ onUnhandledRequest: 'error' });
    cleanup.push(async () => {
      await mcp.close();
      mock.close();
    });
    await exercise(sdkClient(), new StreamableHTTPClientTransport(new URL('http://mcp.test/mcp')), mcp.server);
  }, 60_000);
});
