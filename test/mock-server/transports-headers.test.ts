import { describe, expect, it } from 'vitest';
import {
  checkRequestHeaders,
  createStreamableHttpHandler,
  decodeHeaderValue,
  encodeHeaderValue,
  paramHeaders,
  paramHeaderSpecs,
  Peer,
  standardRequestHeaders,
  StreamableHttpClientTransport,
} from '../../mock-server/index.ts';
import { echoServer } from './transports-fixtures.ts';

describe('2026-07-28 request-metadata headers', () => {
  it('encodes header values with the Base64 sentinel exactly when needed (spec examples)', () => {
    expect(encodeHeaderValue('us-west1')).toBe('us-west1');
    expect(encodeHeaderValue('Hello, 世界')).toBe('=?base64?SGVsbG8sIOS4lueVjA==?=');
    expect(encodeHeaderValue(' padded ')).toBe('=?base64?IHBhZGRlZCA=?=');
    expect(encodeHeaderValue('line1\nline2')).toBe('=?base64?bGluZTEKbGluZTI=?=');
    expect(encodeHeaderValue('=?base64?literal?=')).toBe('=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=');
    for (const v of ['us-west1', 'Hello, 世界', ' padded ', 'line1\nline2', '=?base64?literal?=']) {
      expect(decodeHeaderValue(encodeHeaderValue(v))).toEqual({ ok: true, value: v });
    }
    expect(decodeHeaderValue('=?base64?!!!?=').ok).toBe(false);
  });

  it('derives Mcp-Method and Mcp-Name from the body', () => {
    expect(standardRequestHeaders({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///a b' } })).toEqual({
      'mcp-method': 'resources/read',
      'mcp-name': 'file:///a b',
    });
    expect(standardRequestHeaders({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toEqual({ 'mcp-method': 'tools/list' });
    expect(standardRequestHeaders({ jsonrpc: '2.0', method: 'notifications/x' })).toEqual({});
  });

  it('reads x-mcp-header annotations and rejects invalid ones', () => {
    const good = { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, opts: { type: 'object', properties: { n: { type: 'integer', 'x-mcp-header': 'N' } } } } };
    expect(paramHeaderSpecs(good)).toEqual({ specs: [{ name: 'Region', path: ['region'], type: 'string' }, { name: 'N', path: ['opts', 'n'], type: 'integer' }], errors: [] });
    expect(paramHeaders(paramHeaderSpecs(good).specs, { region: 'us-west1', opts: { n: 42 } })).toEqual({ 'mcp-param-region': 'us-west1', 'mcp-param-n': '42' });
    const bad = [
      { type: 'object', properties: { x: { type: 'number', 'x-mcp-header': 'X' } } },
      { type: 'object', properties: { x: { type: 'string', 'x-mcp-header': 'a b' } } },
      { type: 'object', properties: { x: { type: 'string', 'x-mcp-header': 'X' }, y: { type: 'string', 'x-mcp-header': 'x' } } },
      { type: 'object', properties: { list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } } } },
      { type: 'object', properties: { x: { anyOf: [{ type: 'string', 'x-mcp-header': 'X' }] } } },
      // Integer values must be within the safe range (2026-07-28 server/tools#x-mcp-header).
      { type: 'object', properties: { n: { type: 'integer', 'x-mcp-header': 'N', maximum: 2 ** 63 } } },
      { type: 'object', properties: { n: { type: 'integer', 'x-mcp-header': 'N', enum: [1, -(2 ** 53)] } } },
    ];
    for (const schema of bad) expect(paramHeaderSpecs(schema).errors).toHaveLength(1);
    expect(paramHeaderSpecs(bad.at(-1)).errors[0]).toMatch(/states enum -9007199254740992, outside the safe integer range/);
    // Bounds at the edges of the safe range are fine.
    expect(paramHeaderSpecs({ type: 'object', properties: { n: { type: 'integer', 'x-mcp-header': 'N', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER } } }).errors).toEqual([]);
  });

  it('checks headers against the body the way a server must', () => {
    const msg = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'sql', arguments: { region: 'eu', n: 42 }, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } };
    const schema = { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, n: { type: 'integer', 'x-mcp-header': 'N' } } };
    const h = (extra: Record<string, string>) => new Headers({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'sql', 'mcp-param-region': 'eu', 'mcp-param-n': '42.0', ...extra });
    expect(checkRequestHeaders(h({}), msg, () => schema)).toBeUndefined();
    expect(checkRequestHeaders(h({ 'mcp-name': 'other' }), msg, () => schema)).toMatch(/Mcp-Name/);
    expect(checkRequestHeaders(h({ 'mcp-method': 'tools/list' }), msg)).toMatch(/Mcp-Method/);
    expect(checkRequestHeaders(h({ 'mcp-protocol-version': '2025-11-25' }), msg)).toMatch(/MCP-Protocol-Version/);
    expect(checkRequestHeaders(h({ 'mcp-param-region': 'us' }), msg, () => schema)).toMatch(/Mcp-Param-Region/);
    const missing = new Headers({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' });
    expect(checkRequestHeaders(missing, msg)).toMatch(/Mcp-Name is missing/);
    // A value in the body needs its header; a null or absent one must not be expected.
    const base = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'sql', 'mcp-param-n': '42' };
    expect(checkRequestHeaders(new Headers(base), msg, () => schema)).toMatch(/Mcp-Param-Region is missing/);
    const withArgs = (args: Record<string, unknown>) => ({ ...msg, params: { ...msg.params, arguments: args } });
    expect(checkRequestHeaders(new Headers(base), withArgs({ region: null, n: 42 }), () => schema)).toBeUndefined();
    expect(checkRequestHeaders(new Headers(base), withArgs({ n: 42 }), () => schema)).toBeUndefined();
  });

  it('the client mirrors x-mcp-header arguments and the server checks them (handler called directly as fetch)', async () => {
    const schema = { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } };
    const handler = createStreamableHttpHandler({
      toolInputSchema: () => schema,
      onSession: async (t) => {
        const p = echoServer(t);
        p.revision = '2026-07-28';
        await p.start();
      },
    });
    // Call the handler directly as fetch: no socket at all.
    const fetchFn: typeof fetch = (input, init) => handler(new Request(input as URL, init));
    const t = new StreamableHttpClientTransport({ url: 'http://127.0.0.1:9/mcp', protocolVersion: '2026-07-28', fetch: fetchFn });
    expect(t.setToolSchemas([{ name: 'sql', inputSchema: schema }])).toEqual([]);
    const client = new Peer(t, { role: 'client', revision: '2026-07-28', validate: false });
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const r = await client.request('tools/call', { name: 'sql', arguments: { region: 'Zürich', text: 'ok' }, _meta: meta });
    expect(r.ok).toBe(true);
    expect(t.exchanges.at(-1)!.requestHeaders['mcp-param-region']).toBe(encodeHeaderValue('Zürich'));
    const refused = await t.rawRequest({ body: { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'sql', arguments: { region: 'a' }, _meta: meta } }, headers: { 'mcp-param-region': 'b' } });
    expect(refused).toMatchObject({ status: 400, json: { id: 9, error: { code: -32020 } } });
    await client.close();
    await handler.close();
  });

  it('the client learns x-mcp-header parameters from every tools/list page it receives', async () => {
    const schema = { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } };
    const tools = [{ name: 'plain', inputSchema: { type: 'object' } }, { name: 'sql', inputSchema: schema }];
    const handler = createStreamableHttpHandler({
      toolInputSchema: (name) => tools.find((x) => x.name === name)?.inputSchema,
      onSession: async (t) => {
        const p = new Peer(t, { role: 'server', revision: '2026-07-28', validate: false });
        // One tool a page: the annotated one is on the second.
        p.setRequestHandler('tools/list', (params) => (params?.cursor === 'p2' ? { resultType: 'complete', tools: [tools[1]] } : { resultType: 'complete', tools: [tools[0]], nextCursor: 'p2' }));
        p.setRequestHandler('tools/call', () => ({ resultType: 'complete', content: [] }));
        await p.start();
      },
    });
    const fetchFn: typeof fetch = (input, init) => handler(new Request(input as URL, init));
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const call = { name: 'sql', arguments: { region: 'eu' }, _meta: meta };
    const open = () => {
      const t = new StreamableHttpClientTransport({ url: 'http://127.0.0.1:9/mcp', protocolVersion: '2026-07-28', fetch: fetchFn });
      return { t, client: new Peer(t, { role: 'client', revision: '2026-07-28', validate: false }) };
    };
    // Not listed yet: nothing to mirror, and the server refuses the call.
    const before = open();
    const refused = await before.client.request('tools/call', call);
    expect(refused.ok ? undefined : refused.error.code).toBe(-32020);
    await before.client.close();
    const after = open();
    await after.client.request('tools/list', { _meta: meta });
    await after.client.request('tools/list', { cursor: 'p2', _meta: meta });
    expect((await after.client.request('tools/call', call)).ok).toBe(true);
    expect(after.t.exchanges.at(-1)!.requestHeaders['mcp-param-region']).toBe('eu');
    await after.client.close();
    await handler.close();
  });
});
