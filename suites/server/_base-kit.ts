// Helpers of the base-protocol checks (messages, cancellation): a request every server answers at
// the check's revision. Up to 2025-11-25 that is ping; 2026-07-28 removed ping, and there every
// server MUST implement server/discover, which needs nothing but the per-request _meta.
import { isStateless } from '../../schema/index.ts';
import type { CheckContext } from '../harness/index.ts';

type Session = Awaited<ReturnType<CheckContext['session']>>;

/** `ping`, or `server/discover` at a stateless revision. */
export function livenessMethod(t: CheckContext): string {
  return isStateless(t.revision) ? 'server/discover' : 'ping';
}

/**
 * That request as a raw JSON-RPC message for t.send / t.exchange (which send messages as they
 * are): at a stateless revision it carries the per-request _meta the session's requests carry.
 * Without `id` it is a notification.
 */
export function livenessMessage(t: CheckContext, c: Session, id?: string | number): Record<string, unknown> {
  const m: Record<string, unknown> = { jsonrpc: '2.0' };
  if (id !== undefined) m.id = id;
  m.method = livenessMethod(t);
  if (isStateless(t.revision)) m.params = { _meta: c.requestMeta?.() ?? {} };
  return m;
}
