// The mock server's options and the records it keeps (plain types: every module of the server may use them).
import type { Current, Revision } from '../../schema/index.ts';
import type { ExpectationSpec, JsonObject, LoggingLevel } from '../behaviours.ts';
import type { RpcErrorBody } from '../peer.ts';

export interface MockServerOptions {
  serverInfo?: Current['Implementation'];
  /** Declared capabilities; derived from the behaviours when omitted. */
  capabilities?: Current['ServerCapabilities'];
  /**
   * Extensions advertised in the capabilities (2026-07-28 on; earlier revisions have no such
   * field). The mock answers clients that do not declare them with core results.
   */
  extensions?: Record<string, JsonObject>;
  /** Revisions served (default: all). */
  revisions?: readonly Revision[];
  instructions?: string;
  /** Page size of list results (default: everything in one page). */
  pageSize?: number;
  /** Declare the logging capability even without `logs` behaviours. */
  logging?: boolean;
  /** Level in force until a legacy client sends logging/setLevel (default 'debug': everything). */
  defaultLogLevel?: LoggingLevel;
  /** Caching hints of 2026-07-28 cacheable results. */
  cache?: { ttlMs: number; cacheScope: 'public' | 'private' };
  /** Timeout of server→client requests (default 30 s). */
  requestTimeoutMs?: number;
  /** Error code for requests sent before initialize (default -32600). */
  notInitializedCode?: number;
  /** Keep at most this many received messages per session (default 1000). */
  historyLimit?: number;
  /** Validate every message against the revision in use (default true). */
  validate?: boolean;
  /** Key for cursors and requestState integrity (default: random per server). */
  secret?: string;
}

export interface ExpectationResult {
  expectation: ExpectationSpec;
  id?: string;
  met: boolean;
  count: number;
  firstAt?: number;
  detail: string;
}

export interface ClientReply {
  session: number;
  method: string;
  params?: JsonObject;
  result?: JsonObject;
  error?: RpcErrorBody;
  at: number;
}

export interface ObservedMessage {
  session: number;
  method: string;
  params?: JsonObject;
  at: number;
}

/** A map key for a JSON-RPC id. */
export function key(id: unknown): string {
  return JSON.stringify(id);
}

export function stripUndefined<T extends JsonObject>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
