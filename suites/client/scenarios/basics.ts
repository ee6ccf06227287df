// The basic scenarios: initialize, a tool call, ping, an unknown request (basic/lifecycle, basic).
import { REVISIONS, STATEFUL_REVISIONS } from '../../../schema/index.ts';
import { tool } from '../../../mock-server/index.ts';
import { type Scenario, addNumbers, trigger, BOTH, sseForToolCalls } from './kit.ts';

export const BASIC_SCENARIOS: Scenario[] = [
  {
    name: 'initialize',
    description: 'A server with one tool (add_numbers); nothing unusual.',
    expects: 'Connect (initialize, or a 2026-07-28 request), optionally list tools, then close cleanly.',
    revisions: REVISIONS,
    transports: BOTH,
    build: () => ({ behaviours: [addNumbers] }),
  },
  {
    name: 'tools_call',
    description: 'A server with the tool add_numbers(a, b).',
    expects: 'List tools and call add_numbers (e.g. a=2, b=3), then close.',
    revisions: REVISIONS,
    transports: BOTH,
    build: () => ({ behaviours: [addNumbers], http: sseForToolCalls }),
  },
  {
    name: 'ping',
    description: 'Calling trigger_ping makes the server ping the client before answering.',
    expects: 'List tools and call each; answer the ping.',
    revisions: STATEFUL_REVISIONS,
    transports: BOTH,
    build: (_rev, api) => ({ behaviours: [trigger('trigger_ping', 'The server pings you while this runs', 'ping', undefined, api)], http: sseForToolCalls }),
  },
  {
    name: 'unknown-request',
    description: 'Calling trigger_unknown_request makes the server send a request with a method no revision defines.',
    expects: 'List tools and call each; answer the unknown request with a JSON-RPC error (-32601).',
    revisions: STATEFUL_REVISIONS,
    transports: BOTH,
    build: (_rev, api) => ({ behaviours: [trigger('trigger_unknown_request', 'The server sends an unknown request while this runs', 'mcp-conform/unknown-method', { detail: 'no such method' }, api)], http: sseForToolCalls }),
  },
];
