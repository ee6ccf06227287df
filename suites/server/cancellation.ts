// basic/utilities/cancellation (basic/patterns/cancellation from 2026-07-28, where only clients
// cancel requests, and servers send notifications/cancelled only to end a subscriptions/listen
// stream). At 2026-07-28 the client's signal depends on the transport: notifications/cancelled on
// stdio, closing the request's response stream on Streamable HTTP.
import { isStateless, REVISIONS, STATEFUL_REVISIONS } from '../../schema/index.ts';
import { TimeoutError } from '../../mock-server/index.ts';
import { check, type CheckContext } from '../harness/index.ts';
import { cite, utilityPage, CANCEL_ID, CANCEL_TOKEN, livenessMethod, startProgressCall } from '../kit/index.ts';

const MODERN = '2026-07-28' as const;
/** The page at every revision (`modern`: also at 2026-07-28, where it moved to basic/patterns). */
const page = (anchor: string, modern = true) => cite(modern ? REVISIONS : STATEFUL_REVISIONS, utilityPage('cancellation', anchor));

/** 2026-07-28 over Streamable HTTP: the client cancels by closing the response stream, never with notifications/cancelled. */
const httpStreamCancellation = (t: CheckContext) => isStateless(t.revision) && t.target.kind === 'http';

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
    if (httpStreamCancellation(t)) {
      return t.notApplicable(
        `at ${t.revision} a Streamable HTTP client cancels a request by closing its response stream (basic/transports/streamable-http#cancellation), not with notifications/cancelled; once that stream is closed no response can reach the client, so whether the server still answers is not observable`,
      );
    }
    const c = await t.session();
    // The first progress notification shows the call is in progress; cancel then.
    await startProgressCall(t, c);
    await c.notify('notifications/cancelled', { requestId: CANCEL_ID, reason: 'mcp-conform cancellation check' });
    // A request sent behind the cancellation: once it is answered, the server had read the
    // cancellation. An answer to the cancelled call before that may have been on its way already
    // (the spec allows the race); only one after it was sent knowing of the cancellation.
    const barrier = await c.request(livenessMethod(t));
    t.expectResult(barrier, `${livenessMethod(t)} after a cancellation`);
    await t.sleep(Math.max(t.quietMs, 1_000));
    const received = c.peer.received;
    const answer = received.findIndex((m) => m.id === CANCEL_ID && (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error')));
    if (answer === -1) return;
    if (answer < received.indexOf(barrier.message)) {
      return t.notVerified(`the call was answered before the server had read the cancellation (its answer came before the answer to a ${livenessMethod(t)} sent after the cancellation): it finished too fast to test this`, [received[answer]!]);
    }
    t.fail('the server answered the request after it had read the cancellation', [received[answer]!]);
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
    if (httpStreamCancellation(t)) return t.notApplicable(`at ${t.revision} clients send no notifications/cancelled over Streamable HTTP (closing the response stream is the cancellation), so there are none to ignore`);
    const c = await t.session();
    const method = livenessMethod(t);
    const done = await c.request(method, undefined, { id: 'mcp-conform-done' });
    t.expectResult(done, method);
    await c.notify('notifications/cancelled', { requestId: 'mcp-conform-never-sent', reason: 'unknown id' });
    await c.notify('notifications/cancelled', { requestId: 'mcp-conform-done', reason: 'already completed' });
    await c.notify('notifications/cancelled', { reason: 'no requestId' });
    await c.notify('notifications/cancelled');
    let reply;
    try {
      reply = await c.request(method);
    } catch (err) {
      // No answer in time is no verdict (a loaded machine); a closed connection is one.
      if (err instanceof TimeoutError) return t.notVerified(`timed out: ${method} after the invalid cancellation notifications: ${err.message}`);
      return t.fail(`the server stopped serving after invalid cancellation notifications: ${(err as Error).message}`);
    }
    t.expectResult(reply, `${method} after invalid cancellations`);
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
    spec: page('behavior-requirements', false), // 2026-07-28 has no initialize
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

check(
  {
    id: 'cancellation/server-only-for-listen',
    title: 'the server sends notifications/cancelled only to end a subscriptions/listen stream (not for a request the client cancelled)',
    level: 'MUST',
    requirement: 'Server-sent cancellation notifications MUST reference a subscriptions/listen request, to terminate that subscription stream. Servers MUST NOT send notifications/cancelled for any other purpose.',
    spec: { [MODERN]: 'basic/patterns/cancellation#behavior-requirements' },
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    // The moment a server might wrongly send a cancellation of its own: the client has just
    // cancelled one of its requests (stdio: notifications/cancelled; Streamable HTTP: the client
    // closes the response stream). This client opens no subscriptions/listen stream, so no
    // server-sent notifications/cancelled has a purpose.
    await startProgressCall(t, c);
    await c.notify('notifications/cancelled', { requestId: CANCEL_ID, reason: 'mcp-conform: the server must not cancel in return' });
    await t.sleep(t.quietMs);
    t.expectResult(await c.request(livenessMethod(t)), `${livenessMethod(t)} after a cancellation`);
    await t.sleep(t.quietMs);
    const cancels = c.peer.received.filter((m) => m.method === 'notifications/cancelled');
    const about = cancels.map((m) => JSON.stringify((m.params as { requestId?: unknown } | undefined)?.requestId)).join(', ');
    t.expect(cancels.length === 0, `the server sent notifications/cancelled (requestId ${about}) although no subscriptions/listen stream was open`, cancels);
  },
);

check(
  {
    id: 'cancellation/stops-processing',
    title: 'a cancelled request reports no more progress: its processing stopped',
    level: 'SHOULD',
    requirement: 'Receivers of cancellation notifications SHOULD: Stop processing the cancelled request. (Checked: a call of a long-running tool that reports progress is cancelled; once a request sent behind the cancellation is answered, no progress notification for the call\'s token follows.)',
    spec: page('behavior-requirements', false),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const { tool } = await startProgressCall(t, c);
    const answered = c.peer.received.find((m) => m.id === CANCEL_ID);
    if (answered) return t.notVerified(`${tool} was answered before it could be cancelled`, [answered]);
    const cancelledAt = c.peer.received.length;
    await c.notify('notifications/cancelled', { requestId: CANCEL_ID, reason: 'mcp-conform: stop processing this request' });
    // Progress before the answer to a request sent behind the cancellation may have been on its way
    // already (the spec allows the race); progress after it was sent knowing of the cancellation.
    const barrier = await c.request(livenessMethod(t));
    t.expectResult(barrier, `${livenessMethod(t)} after a cancellation`);
    const barrierAt = Math.max(c.peer.received.indexOf(barrier.message as Record<string, unknown>), cancelledAt);
    await t.sleep(Math.max(t.quietMs, 1_000));
    const late = c.peer.received.slice(barrierAt + 1).filter((m) => m.method === 'notifications/progress' && (m.params as { progressToken?: unknown } | undefined)?.progressToken === CANCEL_TOKEN);
    t.expect(late.length === 0, `after notifications/cancelled for ${tool} (and after answering a request sent behind it) the server sent ${late.length} more progress notification(s) for the call: it went on processing it`, late);
  },
);
