// Small words every check family uses: the types a check reads, revision ranges, text for messages,
// schema problems, and watching the notifications a target sent.
import { REVISIONS, STATEFUL_REVISIONS, revisionsFrom, validate, type Current, type Revision } from '../../schema/index.ts';
import type { MockClient, Reply } from '../../mock-server/index.ts';
import { short, type CheckContext } from '../harness/index.ts';

export type T = CheckContext;
export type Json = Record<string, unknown>;
export type Tool = Current['Tool'];

/** Stateful revisions from `first` on. */
export function since(first: Revision): Revision[] {
  return revisionsFrom(first, STATEFUL_REVISIONS);
}

/**
 * Every revision. At a stateless one (2026-07-28) `t.session()` is a client whose requests carry
 * the per-request _meta, so a check about a feature both eras share reads the same in both.
 */
export const EVERY: Revision[] = [...REVISIONS];

/** Every revision from `first` on, stateless ones included. */
export function from(first: Revision): Revision[] {
  return revisionsFrom(first);
}

export { short };

/** A string no server has as a name, URI or id. */
export function unknownName(prefix = 'mcp-conform-unknown'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** "code 123 \"message\"" of an error reply. */
export function errorText(reply: Reply<unknown>): string {
  return reply.ok ? 'a result' : `error ${reply.error.code} ${JSON.stringify(reply.error.message)}`;
}

/** Why `value` is not a valid `typeName` of the check's revision, or undefined. */
export function schemaProblem(rev: Revision, typeName: string, value: unknown): string | undefined {
  const v = validate(rev, typeName, value);
  if (v.valid) return undefined;
  return v.errors
    .slice(0, 3)
    .map((e) => `${e.pointer || '/'} ${e.message}`)
    .join('; ');
}

/** Notifications of `method` the target sent on this connection so far. */
export function received(c: MockClient, method: string): Json[] {
  return c.peer.received.filter((m) => m.method === method && !Object.hasOwn(m, 'id'));
}

/** Waits up to `ms` for a message matching `pred` (past ones count); undefined on timeout. */
export async function waitFor(c: MockClient, pred: (m: Json) => boolean, ms: number): Promise<Json | undefined> {
  try {
    return await c.peer.waitFor(pred, ms, { includePast: true });
  } catch {
    return undefined;
  }
}
