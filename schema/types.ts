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
