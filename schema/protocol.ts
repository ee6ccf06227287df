// Protocol constants by name, the one copy for the whole project. Values need to exist before any
// schema is loaded (module scope, the CLI's --help), so they are written here as literals, but the
// compiler ties each to the generated schema types (the `satisfies` clauses: a value that drifts
// from the schema is a type error) and test/schema/protocol.test.ts checks them against every
// revision's schema. The few the schema does not carry cite the spec page that defines them.
import type { Current, Stateless } from './types.ts';

/** The `code` const of an error object (ParseError…) or of an error response (HeaderMismatchError…). */
type CodeOf<T> = T extends { error: { code: infer C } } ? C : T extends { code: infer C } ? C : never;

/** Codes the schemas define as the `code` const of an error type. */
interface SchemaCodes {
  ParseError: CodeOf<Stateless['ParseError']>;
  InvalidRequest: CodeOf<Stateless['InvalidRequestError']>;
  MethodNotFound: CodeOf<Stateless['MethodNotFoundError']>;
  InvalidParams: CodeOf<Stateless['InvalidParamsError']>;
  InternalError: CodeOf<Stateless['InternalError']>;
  HeaderMismatch: CodeOf<Stateless['HeaderMismatchError']>;
  MissingRequiredClientCapability: CodeOf<Stateless['MissingRequiredClientCapabilityError']>;
  UnsupportedProtocolVersion: CodeOf<Stateless['UnsupportedProtocolVersionError']>;
  UrlElicitationRequired: CodeOf<Current['URLElicitationRequiredError']>;
}

/**
 * JSON-RPC error codes by name. The standard five are JSON-RPC 2.0 §5.1 (every revision's schema.ts:
 * PARSE_ERROR … INTERNAL_ERROR); the MCP ones are the schema's error types (HEADER_MISMATCH,
 * MISSING_REQUIRED_CLIENT_CAPABILITY, UNSUPPORTED_PROTOCOL_VERSION from 2026-07-28,
 * URL_ELICITATION_REQUIRED in 2025-11-25 only).
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Resource not found up to 2025-11-25: spec text only (server/resources#error-handling); -32602 from 2026-07-28. */
  ResourceNotFound: -32002,
  HeaderMismatch: -32020,
  MissingRequiredClientCapability: -32021,
  UnsupportedProtocolVersion: -32022,
  UrlElicitationRequired: -32042,
} as const satisfies SchemaCodes & { ResourceNotFound: number };
export type ErrorCodeName = keyof typeof ErrorCode;

type MetaKey<T> = Extract<keyof T, `io.modelcontextprotocol/${string}`>;
type MetaKeys = MetaKey<Stateless['RequestMetaObject']> | MetaKey<Stateless['NotificationMetaObject']> | MetaKey<Stateless['ResultMetaObject']> | MetaKey<Stateless['SubscriptionsListenResultMetaObject']>;

/** The reserved `_meta` keys of 2026-07-28 (RequestMetaObject, NotificationMetaObject, ResultMetaObject, SubscriptionsListenResultMetaObject). */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const satisfies Record<string, MetaKeys>;

/**
 * The `_meta` key tying a message to a task (2025-11-25 RelatedTaskMetadata: "Include this in the
 * `_meta` field under the key io.modelcontextprotocol/related-task"; the schema types only its value).
 */
export const RELATED_TASK_META = 'io.modelcontextprotocol/related-task';

/**
 * Log levels from least to most severe (server/utilities/logging#log-levels: RFC 5424 severities).
 * The schema's LoggingLevel enum gives the set (alphabetically); the order is the spec text's.
 */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const satisfies readonly Current['LoggingLevel'][];
export type LoggingLevel = Current['LoggingLevel'];
// Every level of the schema is in the list (a level added to the enum is a type error here).
const _allLevels: [Exclude<LoggingLevel, (typeof LOG_LEVELS)[number]>] extends [never] ? true : false = true;
void _allLevels;

/** Whether a value is one of the schema's log levels. */
export function isLoggingLevel(v: unknown): v is LoggingLevel {
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v);
}

/** Severity rank of a level (debug 0 … emergency 7). */
export function logSeverity(level: LoggingLevel): number {
  return LOG_LEVELS.indexOf(level);
}
