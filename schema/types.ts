// The typed facade over the generated types: Schema['2025-11-25']['CallToolResult'].
// schema/generated/*.d.ts are produced by schema/build.ts on install and before tests.
import type { Types as T20241105 } from './generated/2024-11-05.js';
import type { Types as T20250326 } from './generated/2025-03-26.js';
import type { Types as T20250618 } from './generated/2025-06-18.js';
import type { Types as T20251125 } from './generated/2025-11-25.js';
import type { Types as T20260728 } from './generated/2026-07-28.js';

export interface Schema {
  '2024-11-05': T20241105;
  '2025-03-26': T20250326;
  '2025-06-18': T20250618;
  '2025-11-25': T20251125;
  '2026-07-28': T20260728;
}

/** A named type of a revision, e.g. McpType<'2025-11-25', 'Tool'>. */
export type McpType<R extends keyof Schema, N extends keyof Schema[R]> = Schema[R][N];

/** Types of the newest stateful revision, the default for the engine and checks. */
export type Current = Schema['2025-11-25'];
/** Types of the stateless revision. */
export type Stateless = Schema['2026-07-28'];

/**
 * The JSON-RPC error object (the schema's Error). `data` is any value, as the schema leaves it
 * untyped; the generator renders an untyped property as an object, so it is widened here.
 */
export type JsonRpcError = Omit<Current['Error'], 'data'> & { data?: unknown };

/** Types present in every revision with the same name (a structural union across revisions). */
export type AnyRevision<N extends string> = {
  [R in keyof Schema]: N extends keyof Schema[R] ? Schema[R][N] : never;
}[keyof Schema];

/** Whether a type is a union of several members. */
type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/** Names of a revision's request types with one literal method (ListToolsRequest…, not ClientRequest or JSONRPCRequest). */
type RequestTypeNames<S> = {
  [K in keyof S]: K extends `${string}Request` ? (S[K] extends { jsonrpc: unknown; method: infer M extends string } ? (string extends M ? never : true extends IsUnion<M> ? never : K) : never) : never;
}[keyof S];

/**
 * A revision's requests by method: the params and result types. The result of `<Name>Request` is
 * `<Name>Result`, else the schema's `Result`: the rule schema/registry.ts applies at run time.
 */
export type MethodMap<R extends keyof Schema> = {
  [K in RequestTypeNames<Schema[R]> as Schema[R][K] extends { method: infer M extends string } ? M : never]: {
    params: Schema[R][K] extends { params?: infer P } ? P : undefined;
    result: K extends `${infer B}Request` ? (`${B}Result` extends keyof Schema[R] ? Schema[R][`${B}Result`] : Schema[R]['Result' & keyof Schema[R]]) : never;
  };
};

/** The methods a check or the mock peer sends, typed: the newest stateful revision's, plus those 2026-07-28 added (server/discover…). */
export type Methods = MethodMap<'2025-11-25'> & Omit<MethodMap<'2026-07-28'>, keyof MethodMap<'2025-11-25'>>;
export type RequestMethod = keyof Methods & string;
export type ParamsOf<M extends RequestMethod> = Methods[M]['params'];
export type ResultOf<M extends RequestMethod> = Methods[M]['result'];
/** The params of a request whose `_meta` the sender fills in (the 2026-07-28 per-request fields): `_meta` optional. */
export type ParamsWithoutMeta<M extends RequestMethod> = ParamsOf<M> extends infer P ? (P extends object ? Omit<P, '_meta'> & { _meta?: Record<string, unknown> } : P) : never;
