// Helpers of the base-protocol checks (messages, cancellation): a request every server answers at
// the check's revision. Up to 2025-11-25 that is ping; 2026-07-28 removed ping, and there every
// server MUST implement server/discover, which needs nothing but the per-request _meta.
import { isStateless } from '../../schema/index.ts';
import { TimeoutError, type Reply } from '../../mock-server/index.ts';
import { FIXTURE, mayCall, type CheckContext } from '../harness/index.ts';

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
 * Calls the fixture-contract tool test_tool_with_progress with a progress token and waits for its
 * first progress notification (proof it is running; if none comes within the answer timeout the
 * caller goes on anyway). Returns the pending call (wrapped: an async function cannot return a
 * promise without awaiting it). Ends the check not-verified when tool calls are
 * disabled or the server does not list the tool.
 */
export async function startProgressCall(t: CheckContext, c: Session): Promise<{ pending: Promise<Reply> }> {
  const tool = FIXTURE.progressTool;
  if (t.config.callTools === 'none') return t.notVerified(`needs a call of the fixture tool ${tool}, but tool calls are disabled (--call-tools none)`);
  const listed = await t.findTool(c, tool);
  if (!listed) return t.notVerified(`needs a long-running tool to cancel: the fixture tool ${tool} (the server does not list it)`);
  const may = mayCall(listed, t.config.callTools);
  if (!may.ok) return t.notVerified(`needs a call of the fixture tool ${tool}, but it may not be called: ${may.why}`);
  const pending = c.request('tools/call', { name: tool, arguments: {}, _meta: { progressToken: CANCEL_TOKEN } }, { id: CANCEL_ID });
  pending.catch(() => {});
  await c.peer
    .waitFor((m) => m.method === 'notifications/progress' && (m.params as { progressToken?: unknown } | undefined)?.progressToken === CANCEL_TOKEN, t.requestTimeoutMs, { includePast: true })
    .catch((err: unknown) => {
      if (!(err instanceof TimeoutError)) throw err;
    });
  return { pending };
}
