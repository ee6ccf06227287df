// basic/utilities/ping
import { STATEFUL_REVISIONS } from '../../schema/index.ts';
import { check, CheckContext } from '../harness/index.ts';
import { cite } from '../kit/index.ts';

const page = (p: string) => cite(STATEFUL_REVISIONS, p);

/** An empty result: no members, except the _meta every result may carry. */
const isEmpty = (r: Record<string, unknown>) => Object.keys(r).every((k) => k === '_meta');

check(
  {
    id: 'ping/response',
    shared: true,
    title: 'ping is answered promptly with an empty result',
    level: 'MUST',
    requirement: 'The receiver MUST respond promptly with an empty response.',
    spec: page('basic/utilities/ping#behavior-requirements'),
    // "respond promptly": an unanswered ping breaks it.
    timely: true,
  },
  async (t) => {
    const c = await t.session();
    const reply = await c.request('ping');
    const r = t.expectResult(reply, 'ping');
    t.expect(isEmpty(r), `ping was answered with a non-empty result (${Object.keys(r).join(', ')})`, reply);
  },
);

check(
  {
    id: 'ping/before-initialize',
    title: 'ping is answered before initialize too',
    level: 'MUST',
    requirement: 'The client SHOULD NOT send requests other than pings before the server has responded to the initialize request; the receiver of a ping MUST respond promptly with an empty response.',
    spec: page('basic/lifecycle#initialization'),
    // "respond promptly": an unanswered ping breaks it.
    timely: true,
  },
  async (t) => {
    const c = await t.connect();
    let reply;
    try {
      reply = await c.request('ping');
    } catch (err) {
      const refused = CheckContext.httpRefusal(err);
      // Streamable HTTP: a server that requires a session SHOULD answer requests without one with 400.
      if (refused) return t.notApplicable(`the server wants a session before any request but initialize (HTTP ${refused.status}), as Streamable HTTP session management allows`);
      throw err;
    }
    const r = t.expectResult(reply, 'ping before initialize');
    t.expect(isEmpty(r), `ping was answered with a non-empty result (${Object.keys(r).join(', ')})`, reply);
  },
);
