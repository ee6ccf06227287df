// Helpers of the base-protocol checks (messages, cancellation): a request every server answers at
// the check's revision. Up to 2025-11-25 that is ping; 2026-07-28 removed ping, and there every
// server MUST implement server/discover, which needs nothing but the per-request _meta.
import { isStateless } from '../../schema/index.ts';
import { TimeoutError, type Reply } from '../../mock-server/index.ts';
import type { CheckContext } from '../harness/index.ts';
import { longRunningTool } from './tool-survey.ts';

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

/** The request id and progress token of the call the cancellation checks cancel. */
export const CANCEL_ID = 'mcp-conform-cancel-me';
export const CANCEL_TOKEN = 'mcp-conform-cancel';

/**
 * Starts a long-running tool with a progress token (the fixture tool test_tool_with_progress, else
 * one the tool survey found: tool-survey.ts) and waits for its first progress notification (proof
 * it is running; if none comes within the answer timeout the caller goes on anyway). Returns the
 * pending call (wrapped: an async function cannot return a promise without awaiting it). Ends the
 * check not verified when there is no such tool the run may call.
 */
export async function startProgressCall(t: CheckContext, c: Session): Promise<{ pending: Promise<Reply>; tool: string }> {
  const tool = await longRunningTool(t, c);
  const pending = c.request('tools/call', { name: tool.name, arguments: tool.args, _meta: { progressToken: CANCEL_TOKEN } }, { id: CANCEL_ID });
  pending.catch(() => {});
  await c.peer
    .waitFor((m) => m.method === 'notifications/progress' && (m.params as { progressToken?: unknown } | undefined)?.progressToken === CANCEL_TOKEN, t.requestTimeoutMs, { includePast: true })
    .catch((err: unknown) => {
      if (!(err instanceof TimeoutError)) throw err;
    });
  return { pending, tool: tool.name };
}
