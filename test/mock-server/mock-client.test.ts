// The scripted mock client: against server-everything over stdio, and against the reference
// mock in memory in both eras (2026-07-28 follows input_required rounds).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMemoryPair, generateAnswer, parseScript, Peer, referenceServer, runClientScript, ScriptedClient, serveMockHttp, StdioClientTransport, StreamableHttpClientTransport, type StepFunction } from '../../mock-server/index.ts';
import { groupGone } from '../helpers/processes.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EVERYTHING = `${ROOT}node_modules/@modelcontextprotocol/server-everything/dist/index.js`;

const everythingScript = parseScript(`
client:
  protocolVersion: "2025-11-25"
  capabilities: { sampling: {}, elicitation: {}, roots: {} }
  answers:
    sampling/createMessage: { role: assistant, content: { type: text, text: "canned: {{params.messages.0.content.text}}" }, model: canned }
    elicitation/create: generate
    roots/list: { roots: [{ uri: "file:///work", name: work }] }
steps:
  - request: tools/list
    expect: { result: { tools: [{ name: echo }] } }
  - request: tools/call
    params: { name: echo, arguments: { message: hello } }
    expect: { result: { content: [{ type: text, text: "Echo: hello" }] } }
  - request: tools/call
    params: { name: get-sum, arguments: { a: 2, b: 3 } }
    expect: { result: { content: [{ type: text }] } }
  - request: tools/call
    params: { name: trigger-sampling-request, arguments: { prompt: "two plus two" } }
    expect: { ok: true }
  - request: tools/call
    params: { name: get-roots-list, arguments: {} }
    expect: { ok: true }
  - request: prompts/get
    params: { name: simple-prompt }
    expect: { result: { messages: [{ role: user }] } }
  - request: resources/templates/list
  - request: nonexistent/method
    expect: { error: { code: -32601 } }
  - request: ping
`, 'everything.yaml');

describe('scripted mock client', () => {
  it('drives server-everything over stdio: initialize, calls, canned and generated answers', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'] });
    const report = await runClientScript(transport, everythingScript, { timeoutMs: 15_000 });
    const failed = report.steps.filter((s) => !s.ok);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
    expect(report.negotiated).toBe('2025-11-25');
    // The canned sampling answer went to the server, which put it in its result.
    const sampling = report.steps.find((s) => s.name.includes('trigger-sampling-request'));
    expect(JSON.stringify(sampling?.reply?.message)).toContain('canned: ');
    expect(JSON.stringify(sampling?.reply?.message)).toContain('two plus two');
    const roots = report.steps.find((s) => s.name.includes('get-roots-list'));
    expect(JSON.stringify(roots?.reply?.message)).toContain('file:///work');
    expect(report.ok).toBe(true);
    expect(await groupGone(transport.pid!)).toBe(true);
  }, 60_000);

  it('runs against the reference mock in 2026-07-28, following input_required rounds', async () => {
    const server = referenceServer();
    const [a, b] = createMemoryPair();
    await server.connect(b);
    const check: StepFunction = async (c) => {
      const r = await c.request('tools/call', { name: 'test_elicitation', arguments: { message: 'ok?' } });
      if (!r.ok || !JSON.stringify(r.result).includes('mock')) throw new Error(`unexpected ${JSON.stringify(r)}`);
      return 'elicitation answered through input_required';
    };
    const report = await runClientScript(a, {
      client: { protocolVersion: '2026-07-28', capabilities: { elicitation: {}, sampling: {}, roots: {} }, answers: { 'elicitation/create': 'generate' } },
      steps: [
        { request: 'server/discover', expect: { result: { supportedVersions: ['2026-07-28'] } } },
        { request: 'tools/call', params: { name: 'test_sampling', arguments: { prompt: 'hi' } }, expect: { result: { resultType: 'complete', content: [{ text: 'LLM response: mock reply to: hi' }] } } },
        { request: 'tools/call', params: { name: 'list_roots', arguments: {} }, expect: { result: { resultType: 'complete' } } },
        check,
        { request: 'resources/read', params: { uri: 'test://nope' }, expect: { error: { code: -32602 } } },
      ],
    });
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    await server.close();
  });

  it('reports unmet step expectations and goes on', async () => {
    const server = referenceServer();
    const [a, b] = createMemoryPair();
    await server.connect(b);
    const report = await runClientScript(a, {
      steps: [
        { request: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } }, expect: { result: { content: [{ text: 'y' }] } } },
        { request: 'tools/call', params: { name: 'nope' } },
        { request: 'ping' },
      ],
    });
    expect(report.steps.map((s) => s.ok)).toEqual([true, false, false, true]);
    expect(report.steps[1]!.detail).toContain('/content/0/text');
    expect(report.steps[2]!.detail).toContain('-32602');
    expect(report.ok).toBe(false);
    await server.close();
  });

  it('generates valid answers from requested schemas', () => {
    const form = generateAnswer('elicitation/create', {
      mode: 'form',
      message: 'm',
      requestedSchema: { type: 'object', properties: { a: { type: 'string', default: 'd' }, b: { type: 'integer', minimum: 3 }, c: { type: 'boolean' }, e: { type: 'string', enum: ['x', 'y'] }, f: { type: 'string', format: 'email' } } },
    });
    expect(form).toEqual({ action: 'accept', content: { a: 'd', b: 3, c: false, e: 'x', f: 'mock@example.com' } });
    expect(generateAnswer('elicitation/create', { mode: 'url', url: 'https://x', message: 'm', elicitationId: '1' })).toEqual({ action: 'accept' });
  });

  it('speaks 2026-07-28 over Streamable HTTP: input_required rounds, a listen stream that carries its notifications', async () => {
    const server = referenceServer();
    const served = await serveMockHttp(server, { responseMode: 'sse' });
    try {
      const caps = { elicitation: {}, sampling: {}, roots: {} };
      const c = new ScriptedClient(new StreamableHttpClientTransport({ url: served.url, protocolVersion: '2026-07-28', requestTimeoutMs: 10_000 }), { protocolVersion: '2026-07-28', capabilities: caps });
      await c.start();
      const r = await c.request('tools/call', { name: 'test_elicitation', arguments: { message: 'ok?' } });
      expect(r).toMatchObject({ ok: true, result: { resultType: 'complete', content: [{ text: 'User response: action=accept, content={"response":"mock"}' }] } });
      // A listen stream on one POST; a tool call on another changes the tool list.
      const listener = new Peer(new StreamableHttpClientTransport({ url: served.url, protocolVersion: '2026-07-28', requestTimeoutMs: 10_000 }), { role: 'client', revision: '2026-07-28' });
      await listener.start();
      const listen = listener.request('subscriptions/listen', { _meta: c.requestMeta(), notifications: { toolsListChanged: true } }, { id: 'L', timeoutMs: 10_000 });
      await listener.waitFor((m) => m.method === 'notifications/subscriptions/acknowledged', 5_000, { includePast: true });
      expect((await c.request('tools/call', { name: 'toggle_bonus_tool', arguments: {} })).ok).toBe(true);
      const changed = await listener.waitFor((m) => m.method === 'notifications/tools/list_changed', 5_000, { includePast: true });
      expect(changed.params).toEqual({ _meta: { 'io.modelcontextprotocol/subscriptionId': 'L' } });
      // The caller of toggle_bonus_tool did not get the listen notification on its own stream.
      expect(c.peer.received.some((m) => m.method === 'notifications/tools/list_changed')).toBe(false);
      await server.close();
      expect(await listen).toMatchObject({ ok: true, result: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'L' } } });
      expect(c.peer.violations).toEqual([]);
      expect(listener.violations).toEqual([]);
      await c.close();
      await listener.close();
    } finally {
      await served.close();
    }
  }, 60_000);
});
