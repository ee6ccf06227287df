// basic/utilities/cancellation
import type { Revision } from '../../schema/index.ts';
import { TimeoutError } from '../../mock-server/index.ts';
import { check, FIXTURE } from '../harness/index.ts';

const PROGRESS_TOOL = FIXTURE.progressTool;

const STATEFUL: Revision[] = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
const page = (anchor: string): Partial<Record<Revision, string>> => Object.fromEntries(STATEFUL.map((r) => [r, `basic/utilities/cancellation#${anchor}`]));

check(
  {
    id: 'cancellation/no-response-after-cancel',
    title: 'a cancelled request is not answered',
    level: 'SHOULD',
    requirement: 'Receivers of cancellation notifications SHOULD stop processing the cancelled request, free associated resources, and not send a response for the cancelled request.',
    spec: page('behavior-requirements'),
    requires: 'server.tools',
  },
  async (t) => {
    if (t.config.callTools === 'none') return t.notVerified(`needs a call of the fixture tool ${PROGRESS_TOOL}, but tool calls are disabled (--call-tools none)`);
    const c = await t.session();
    if (!(await t.findTool(c, PROGRESS_TOOL))) return t.notVerified(`needs a long-running tool: the fixture tool ${PROGRESS_TOOL} (the server does not list it)`);
    const id = 'mcp-conform-cancel-me';
    const token = 'mcp-conform-cancel';
    const pending = c.request('tools/call', { name: PROGRESS_TOOL, arguments: {}, _meta: { progressToken: token } }, { id });
    pending.catch(() => {});
    // The first progress notification shows the call is in progress; cancel then.
    await c.peer
      .waitFor((m) => m.method === 'notifications/progress' && (m.params as { progressToken?: unknown } | undefined)?.progressToken === token, t.requestTimeoutMs, { includePast: true })
      .catch((err: unknown) => {
        if (!(err instanceof TimeoutError)) throw err;
      });
    await c.notify('notifications/cancelled', { requestId: id, reason: 'mcp-conform cancellation check' });
    const answered = await Promise.race([pending.then((r) => r, () => undefined), t.sleep(Math.max(t.quietMs, 1_000)).then(() => undefined)]);
    if (answered) t.fail('the server answered the request after it was cancelled', answered);
    t.expectResult(await c.request('ping'), 'ping after a cancellation');
  },
);

check(
  {
    id: 'cancellation/invalid-ignored',
    title: 'cancellations of unknown or completed requests, and malformed ones, are ignored',
    level: 'SHOULD',
    requirement: 'Invalid cancellation notifications SHOULD be ignored: unknown request IDs, already completed requests, malformed notifications.',
    spec: page('error-handling'),
  },
  async (t) => {
    const c = await t.session();
    const done = await c.request('ping', undefined, { id: 'mcp-conform-done' });
    t.expectResult(done, 'ping');
    await c.notify('notifications/cancelled', { requestId: 'mcp-conform-never-sent', reason: 'unknown id' });
    await c.notify('notifications/cancelled', { requestId: 'mcp-conform-done', reason: 'already completed' });
    await c.notify('notifications/cancelled', { reason: 'no requestId' });
    await c.notify('notifications/cancelled');
    let reply;
    try {
      reply = await c.request('ping');
    } catch (err) {
      return t.fail(`the server stopped serving after invalid cancellation notifications: ${(err as Error).message}`);
    }
    t.expectResult(reply, 'ping after invalid cancellations');
    await t.sleep(t.quietMs);
    t.expect(c.peer.unsolicited.length === 0, 'the server answered a cancellation notification', c.peer.unsolicited);
  },
);

check(
  {
    id: 'cancellation/initialize-not-cancellable',
    title: 'initialize is answered even when a client (wrongly) cancels it',
    level: 'SHOULD',
    requirement: 'The initialize request MUST NOT be cancelled by clients; invalid cancellation notifications SHOULD be ignored.',
    spec: page('behavior-requirements'),
  },
  async (t) => {
    const c = await t.connect();
    const id = 'mcp-conform-init';
    const pending = c.peer.request('initialize', c.initializeParams(), { id });
    pending.catch(() => {});
    await c.notify('notifications/cancelled', { requestId: id, reason: 'mcp-conform: initialize must not be cancellable' });
    // A ping (allowed before initialize) shows when the server is up; after its answer, initialize
    // has had the normal time to be answered too.
    const ping = c.peer.request('ping');
    ping.catch(() => {});
    const first = await Promise.race([pending.then(() => 'initialize', () => 'initialize'), ping.then(() => 'ping', () => 'ping')]);
    let reply;
    try {
      reply = first === 'initialize' ? await pending : await Promise.race([pending, t.sleep(t.requestTimeoutMs).then(() => Promise.reject(new Error(`no answer within ${t.requestTimeoutMs} ms (a ping sent after it was answered)`)))]);
    } catch (err) {
      return t.fail(`initialize was not answered after a cancellation notification for it: ${(err as Error).message}`);
    }
    t.expectResult(reply, 'initialize');
  },
);
