// What the fuzzer holds a target to: one check per oracle, with the spec sentence it rests on.
// Findings become results under these ids (`fuzz/stays-alive`…), mode 'fuzz'.
import { ErrorCode, STATEFUL_REVISIONS } from '../../schema/index.ts';
import type { Revision } from '../../schema/index.ts';
import type { CheckMeta } from '../../reports/index.ts';

// Built here rather than with the harness's checkMeta(): that module pulls in vitest, which the
// fuzz CLI does not need.
function checkMeta(m: Omit<CheckMeta, 'revisions' | 'side'> & { revisions?: Revision[]; side?: 'server' | 'client' }): CheckMeta {
  return { ...m, revisions: m.revisions ?? (Object.keys(m.spec) as Revision[]), side: m.side ?? 'server' };
}

export const ORACLE_IDS = ['stays-alive', 'one-response-per-request', 'valid-responses', 'error-codes', 'tool-call-protocol-errors', 'stateful-model', 'cancellation'] as const;
export type OracleId = (typeof ORACLE_IDS)[number];

/** Oracles the message-sequence fuzzer evaluates (the model-based run has its own two). */
export const SEQUENCE_ORACLES: readonly OracleId[] = ['stays-alive', 'one-response-per-request', 'valid-responses', 'error-codes', 'tool-call-protocol-errors'];
export const MODEL_ORACLES: readonly OracleId[] = ['stateful-model', 'cancellation'];

const MESSAGES = { '2024-11-05': 'basic/messages', '2025-03-26': 'basic#messages', '2025-06-18': 'basic#messages', '2025-11-25': 'basic#messages', '2026-07-28': 'basic#messages' } as const;

export const ORACLES: Readonly<Record<OracleId, CheckMeta>> = {
  'stays-alive': checkMeta({
    id: 'fuzz/stays-alive',
    title: 'The target survives any message sequence and keeps answering',
    level: 'MUST',
    requirement:
      'All messages MUST follow JSON-RPC 2.0, under which every request gets a response: a peer that exits, stops reading or stops answering after malformed or unexpected input answers nothing more.',
    spec: MESSAGES,
  }),
  'one-response-per-request': checkMeta({
    id: 'fuzz/one-response-per-request',
    title: 'Every request gets exactly one response, with its id; notifications get none',
    level: 'MUST',
    requirement:
      'Responses MUST include the same ID as the request they correspond to; the receiver of a notification MUST NOT send a response (JSON-RPC 2.0: the server MUST reply to every request, exactly once).',
    spec: MESSAGES,
  }),
  'valid-responses': checkMeta({
    id: 'fuzz/valid-responses',
    title: 'Everything the target sends under fuzzing is schema-valid; results match their request',
    level: 'MUST',
    requirement: 'All messages between MCP clients and servers MUST follow the JSON-RPC 2.0 specification; the schema is the source of truth for all protocol messages and structures (a response carries the result type of the request it answers).',
    spec: MESSAGES,
  }),
  'error-codes': checkMeta({
    id: 'fuzz/error-codes',
    title: 'Invalid input gets the JSON-RPC error it calls for: -32700, -32600, -32601, -32602',
    level: 'MUST',
    requirement:
      'Invalid JSON is answered with -32700 Parse error, an invalid request object with -32600 Invalid Request, an unknown method with -32601 Method not found, invalid params with -32602 Invalid params (JSON-RPC 2.0 §5.1, adopted by MCP: all messages MUST follow JSON-RPC 2.0) — never a success result, never silence, never a crash.',
    spec: MESSAGES,
  }),
  'tool-call-protocol-errors': checkMeta({
    id: 'fuzz/tool-call-protocol-errors',
    title: 'Valid calls of listed tools never produce undocumented protocol errors',
    level: 'SHOULD',
    requirement:
      'Tools use two error reporting mechanisms: protocol errors (standard JSON-RPC errors) for unknown tools, malformed requests and server errors; tool execution errors (isError: true) for API failures, input validation and business logic errors.',
    spec: { '2024-11-05': 'server/tools#error-handling', '2025-03-26': 'server/tools#error-handling', '2025-06-18': 'server/tools#error-handling', '2025-11-25': 'server/tools#error-handling', '2026-07-28': 'server/tools#error-handling' },
    requires: 'server.tools',
  }),
  'stateful-model': checkMeta({
    id: 'fuzz/stateful-model',
    title: 'Sequences of initialize, list, call, cancel, ping and notifications keep the session consistent',
    level: 'MUST',
    requirement:
      'A session follows the lifecycle (initialize, then operation): requests MUST be answered with the same ID, also when several are in flight; notifications get no response; the session keeps serving after any sequence of valid lifecycle messages.',
    spec: { '2024-11-05': 'basic/lifecycle', '2025-03-26': 'basic/lifecycle', '2025-06-18': 'basic/lifecycle', '2025-11-25': 'basic/lifecycle' },
    revisions: STATEFUL_REVISIONS,
  }),
  cancellation: checkMeta({
    id: 'fuzz/cancellation',
    title: 'A request cancelled while in progress is not answered',
    level: 'SHOULD',
    requirement: 'Receivers of cancellation notifications SHOULD stop processing the cancelled request, free associated resources and not send a response for the cancelled request.',
    spec: {
      '2024-11-05': 'basic/utilities/cancellation',
      '2025-03-26': 'basic/utilities/cancellation',
      '2025-06-18': 'basic/utilities/cancellation',
      '2025-11-25': 'basic/utilities/cancellation#behavior-requirements',
    },
    revisions: STATEFUL_REVISIONS,
  }),
};

/** JSON-RPC error codes the spec documents for a tools/call of a listed tool, by revision. */
export function documentedToolCallCodes(rev: Revision): number[] {
  // -32602: unknown tool / invalid arguments / malformed request; -32603: server errors;
  // -32042: URL elicitation required (2025-11-25 only).
  return rev === '2025-11-25' ? [ErrorCode.InvalidParams, ErrorCode.InternalError, ErrorCode.UrlElicitationRequired] : [ErrorCode.InvalidParams, ErrorCode.InternalError];
}
