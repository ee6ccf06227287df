// basic/transports, the legacy HTTP+SSE transport (2024-11-05, and the backwards compatibility of later
// revisions): the endpoint event, messages on the stream, Origin validation.
import { STATEFUL_REVISIONS } from '../../../schema/index.ts';
import { checksWith } from '../../harness/index.ts';
import { legacyTransportOf, mediaType, openLegacyStream, FOREIGN_ORIGIN, cite } from '../../kit/index.ts';

/** Every check of this file is about the legacy HTTP+SSE transport: not applicable on any other target. */
const check = checksWith({ transports: ['sse'] });

const LEGACY_PAGES = cite(STATEFUL_REVISIONS, (r) => (r === '2024-11-05' ? 'basic/transports#http-with-sse' : 'basic/transports#backwards-compatibility'));

check(
  {
    id: 'sse/endpoint-event',
    title: 'the SSE stream opens with an endpoint event naming the POST URI',
    level: 'MUST',
    requirement: 'When a client connects, the server MUST send an endpoint event containing a URI for the client to use for sending messages.',
    spec: LEGACY_PAGES,
  },
  async (t) => {
    const s = await openLegacyStream(t);
    if (s.status === 0) return t.notVerified(`GET ${t.target.kind === 'sse' ? t.target.url : ''} got no answer: ${s.error ?? ''}`);
    if (!(s.status >= 200 && s.status <= 299) || mediaType(s.contentType) !== 'text/event-stream') {
      return t.fail(`GET with Accept: text/event-stream was answered with HTTP ${s.status} ${s.contentType || 'without a content type'}, not an SSE stream`);
    }
    const first = await s.next(() => true, t.requestTimeoutMs);
    if (!first) return t.fail(`the SSE stream carried no event within ${t.requestTimeoutMs} ms`);
    t.expect(first.event === 'endpoint', `the first SSE event is ${first.event ? `a "${first.event}" event` : 'a message event'}, not the endpoint event`);
    let uri: URL | undefined;
    try {
      uri = new URL(first.data.trim(), t.target.kind === 'sse' ? t.target.url : undefined);
    } catch {
      uri = undefined;
    }
    t.expect(uri !== undefined && first.data.trim() !== '', `the endpoint event data ${JSON.stringify(first.data)} is not a URI`);
  },
);

check(
  {
    id: 'sse/messages-on-stream',
    title: 'a request POSTed to the endpoint is accepted and answered as an SSE message event',
    level: 'MUST',
    requirement: 'All subsequent client messages MUST be sent as HTTP POST requests to this endpoint. Server messages are sent as SSE message events, with the message content encoded as JSON in the event data.',
    spec: LEGACY_PAGES,
  },
  async (t) => {
    const c = await t.connect();
    const transport = legacyTransportOf(t, c.transport);
    // An answer sent as an SSE event of another type is ignored by clients: seeing one while the
    // initialize waits is the failure (without it, the wait would only end in a timeout).
    const init = c.initialize().then((v) => ({ v }), (e: unknown) => ({ e }));
    let reply: Awaited<ReturnType<typeof c.initialize>> | undefined;
    while (!reply) {
      const r = await Promise.race([init, t.sleep(50).then(() => undefined)]);
      if (r && 'e' in r) throw r.e;
      if (r) reply = r.v;
      const other = t.wire.find((e) => e.dir === 'recv' && /event type ".*" ignored \(its data is a JSON-RPC message\)/.test(e.note ?? ''))[0];
      if (!reply && other) t.fail(`no SSE message event answered initialize; the stream carried: ${other.note}`, [other]);
    }
    t.expectResult(reply, 'initialize');
    const post = transport.exchanges.find((x) => x.kind === 'post');
    if (!post) return t.notVerified('no POST was recorded');
    t.expect(post.status >= 200 && post.status <= 299, `the POST of initialize was answered with HTTP ${post.status}`);
    if (post.status !== 202) t.info(`the POST was answered with HTTP ${post.status}; legacy servers conventionally answer 202 Accepted`);
    const entry = t.wire.find((e) => e.dir === 'recv' && e.msg === reply.message)[0];
    t.expect(entry?.note?.startsWith('SSE message event'), `the initialize response did not arrive as an SSE message event (${entry?.note ?? 'no note'})`, [entry ?? t.wire.tail(1)[0]!]);
    const ping = await c.request('ping');
    t.expectResult(ping, 'ping');
  },
);

check(
  {
    id: 'sse/origin-validated',
    title: 'the SSE stream is refused to a foreign Origin',
    level: 'MUST',
    requirement: 'Servers MUST validate the Origin header on all incoming connections to prevent DNS rebinding attacks.',
    spec: LEGACY_PAGES,
  },
  async (t) => {
    const s = await openLegacyStream(t, { origin: FOREIGN_ORIGIN });
    if (s.status === 0) return t.notVerified(`the GET got no answer: ${s.error ?? ''}`);
    t.expect(s.status >= 400 && s.status <= 499, `GET of the SSE stream with Origin: ${FOREIGN_ORIGIN} was answered with HTTP ${s.status}; a server that validates Origin refuses it`);
  },
);
