// The generated types are reachable through the facade and match what ajv accepts.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { registry, validate, type Current, type McpType, type MethodMap, type ParamsOf, type ResultOf, type Schema, type Stateless } from '../../schema/index.ts';

describe('typed facade', () => {
  it('names every revision and type', () => {
    const result: Schema['2025-11-25']['CallToolResult'] = { content: [{ type: 'text', text: 'hi' }] };
    expect(validate('2025-11-25', 'CallToolResult', result).valid).toBe(true);
    expectTypeOf<McpType<'2026-07-28', 'DiscoverRequest'>['method']>().toEqualTypeOf<'server/discover'>();
    expectTypeOf<Schema['2024-11-05']['JSONRPCRequest']['jsonrpc']>().toEqualTypeOf<'2.0'>();
    // A type that does not exist in a revision is a compile error, not `any`.
    // @ts-expect-error ElicitRequest arrived in 2025-06-18
    type _Missing = Schema['2025-03-26']['ElicitRequest'];
  });
});

describe('the method map (MethodMap, ResultOf, ParamsOf)', () => {
  // Every key, and no other (an object literal checked against the map's keys): the compiler's view.
  const STATEFUL_METHODS = {
    initialize: true, ping: true, 'resources/list': true, 'resources/templates/list': true, 'resources/read': true, 'resources/subscribe': true,
    'resources/unsubscribe': true, 'prompts/list': true, 'prompts/get': true, 'tools/list': true, 'tools/call': true, 'tasks/get': true,
    'tasks/result': true, 'tasks/cancel': true, 'tasks/list': true, 'logging/setLevel': true, 'completion/complete': true,
    'sampling/createMessage': true, 'roots/list': true, 'elicitation/create': true,
  } satisfies Record<keyof MethodMap<'2025-11-25'>, true>;

  it('has the requests of the run-time registry, with the same result types', () => {
    const requests = [...registry('2025-11-25').methods.values()].filter((m) => m.kind === 'request');
    expect(Object.keys(STATEFUL_METHODS).sort()).toEqual(requests.map((m) => m.method).sort());
    const stateless: (keyof MethodMap<'2026-07-28'>)[] = ['server/discover', 'subscriptions/listen', 'tools/list', 'tools/call', 'resources/read', 'prompts/get', 'completion/complete'];
    for (const m of stateless) expect(registry('2026-07-28').get(m)?.kind).toBe('request');
    expectTypeOf<ResultOf<'tools/list'>>().toEqualTypeOf<Current['ListToolsResult']>();
    expectTypeOf<ResultOf<'tasks/result'>>().toEqualTypeOf<Current['GetTaskPayloadResult']>();
    expectTypeOf<ResultOf<'ping'>>().toEqualTypeOf<Current['Result']>();
    expectTypeOf<ResultOf<'server/discover'>>().toEqualTypeOf<Stateless['DiscoverResult']>();
    expectTypeOf<ParamsOf<'tools/call'>>().toEqualTypeOf<Current['CallToolRequestParams']>();
    expect(registry('2025-11-25').get('tasks/result')?.resultType).toBe('GetTaskPayloadResult');
  });
});
