import { describe, expect, it } from 'vitest';
import { classify } from '../../schema/index.ts';

describe('classify', () => {
  it('names requests, notifications, responses and errors with their types', () => {
    expect(classify('2025-11-25', { jsonrpc: '2.0', id: 1, method: 'tools/list' })).toMatchObject({ kind: 'request', method: 'tools/list', schemaType: 'ListToolsRequest', violations: [] });
    expect(classify('2025-11-25', { jsonrpc: '2.0', method: 'notifications/initialized' })).toMatchObject({ kind: 'notification', schemaType: 'InitializedNotification', violations: [] });
    expect(classify('2025-11-25', { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'x' } })).toMatchObject({ kind: 'error', violations: [] });
  });

  it('validates a response against the result type of the request it answers', () => {
    const bad = { jsonrpc: '2.0', id: 7, result: { tools: [{ name: 'x' }] } };
    const c = classify('2025-11-25', bad, { requestMethod: () => 'tools/list' });
    expect(c.schemaType).toBe('ListToolsResult');
    expect(c.violations).toEqual([{ pointer: '/result/tools/0', keyword: 'required', message: 'missing required property "inputSchema"' }]);
    // Without knowing the request, only the envelope can be checked.
    expect(classify('2025-11-25', bad).violations).toEqual([]);
  });

  it('checks direction, notification-vs-request, batches per revision and raw text', () => {
    expect(classify('2025-11-25', { jsonrpc: '2.0', id: 1, method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } }, { direction: 'client-to-server' }).violations[0]?.keyword).toBe('direction');
    expect(classify('2025-11-25', { jsonrpc: '2.0', id: 1, method: 'notifications/initialized' }).violations[0]?.keyword).toBe('kind');
    const batch = [{ jsonrpc: '2.0', id: 1, method: 'ping' }];
    expect(classify('2025-03-26', batch).violations).toEqual([]);
    expect(classify('2025-06-18', batch).violations[0]?.message).toMatch(/batches are not part of revision 2025-06-18/);
    expect(classify('2025-11-25', '{"jsonrpc":').kind).toBe('invalid');
  });

  it('judges every message against the revision: unknown methods, result and error, neither, the id of an error', () => {
    expect(classify('2026-07-28', { jsonrpc: '2.0', id: 1, method: 'ping' }).violations).toEqual([
      { pointer: '/method', keyword: 'method', message: '"ping" is not a method of revision 2026-07-28: not a request of that revision' },
    ]);
    expect(classify('2025-11-25', { jsonrpc: '2.0', method: 'notifications/mcp-conform/x' }).violations[0]?.message).toBe('"notifications/mcp-conform/x" is not a method of revision 2025-11-25: not a notification of that revision');
    expect(classify('2025-11-25', { jsonrpc: '2.0', id: 1, method: 'server/discover', params: {} }).violations[0]?.keyword).toBe('method');
    expect(classify('2025-11-25', { jsonrpc: '2.0', id: 1, method: 'ping' }).violations).toEqual([]);
    expect(classify('2025-11-25', { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } }).violations[0]?.message).toBe('a response must not carry both result and error');
    expect(classify('2025-11-25', { jsonrpc: '2.0', id: 1 })).toMatchObject({ kind: 'invalid', violations: [{ keyword: 'required' }] });
    expect(classify('2025-11-25', { jsonrpc: '2.0', id: null, method: 'ping' }).violations.length).toBeGreaterThan(0);
    // An error answer to unreadable input: "id": null is right at every revision (JSON-RPC 2.0 section 5).
    const noId = { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } };
    for (const rev of ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'] as const) {
      expect(classify(rev, { ...noId, id: null }).violations, rev).toEqual([]);
      const v = classify(rev, noId).violations;
      if (rev < '2025-11-25') expect(v, rev).toEqual([{ pointer: '', keyword: 'required', message: 'missing required property "id"' }]);
      else expect(v, rev).toEqual([expect.objectContaining({ pointer: '', keyword: 'id', level: 'SHOULD' })]);
    }
  });

  it('validates input_required results in 2026-07-28', () => {
    const c = classify('2026-07-28', { jsonrpc: '2.0', id: 1, result: { resultType: 'input_required' } }, { requestMethod: 'tools/call' });
    expect(c.schemaType).toBe('InputRequiredResult');
  });
});
