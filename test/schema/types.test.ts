// The generated types are reachable through the facade and match what ajv accepts.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { validate, type McpType, type Schema } from '../../schema/index.ts';

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
