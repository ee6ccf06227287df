// basic/transports, session management: the Mcp-Session-Id a stateful server issues, requires,
// forgets and ends.
import { STATEFUL_STREAMABLE_REVISIONS } from '../../../schema/index.ts';
import { checksWith } from '../../harness/index.ts';
import { responseIn, type HttpProbe, describe, jsonRpcError, PING, session, type T, cite, transportPage } from '../../kit/index.ts';

/** Every check of this file is about Streamable HTTP: not applicable on any other target. */
const check = checksWith({ transports: ['http'] });

/** The session id the server issued with initialize, or not-applicable when it uses none. */
function issued(t: T, h: HttpProbe): string {
  if (h.sessionId === undefined) return t.notApplicable('the server issued no Mcp-Session-Id with initialize (it does not use sessions)');
  return h.sessionId;
}

check(
  {
    id: 'http/session-id-ascii',
    title: 'a session id has only visible ASCII characters',
    level: 'MUST',
    requirement: 'The session ID MUST only contain visible ASCII characters (ranging from 0x21 to 0x7E).',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('session-management')),
  },
  async (t) => {
    const h = await session(t);
    const sid = issued(t, h);
    t.expect(/^[\x21-\x7e]+$/.test(sid), `the session id ${JSON.stringify(sid)} has characters outside 0x21-0x7E`);
  },
);

check(
  {
    id: 'http/session-required',
    title: 'a request without the session id is refused with 400',
    level: 'SHOULD',
    requirement: 'Servers that require a session ID SHOULD respond to requests without an Mcp-Session-Id header (other than initialization) with HTTP 400 Bad Request.',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('session-management')),
  },
  async (t) => {
    const h = await session(t);
    issued(t, h);
    const id = h.id();
    const r = await h.post(PING(id), { headers: { 'mcp-session-id': null } });
    if (r.status >= 200 && r.status <= 299 && responseIn(r, id)) return t.notApplicable('the server serves requests without a session id (it does not require one)');
    t.expect(r.status === 400, `a ping without Mcp-Session-Id was answered with ${describe(r)}${jsonRpcError(r)}, not 400`);
  },
);

check(
  {
    id: 'http/session-unknown-404',
    title: 'a request naming a session the server does not know is answered 404',
    level: 'SHOULD',
    requirement:
      'The server MAY terminate the session at any time, after which it MUST respond to requests containing that session ID with HTTP 404 Not Found. (A session id the server never issued is answered the same way, so the client starts a new session.)',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('session-management')),
  },
  async (t) => {
    const h = await session(t);
    issued(t, h);
    const id = h.id();
    const r = await h.post(PING(id), { headers: { 'mcp-session-id': `mcp-conform-unknown-${Math.random().toString(36).slice(2, 10)}` } });
    t.expect(r.status === 404, `a ping naming an unknown session was answered with ${describe(r)}${jsonRpcError(r)}, not 404`);
  },
);

check(
  {
    id: 'http/session-delete',
    title: 'DELETE with the session id ends the session, or is refused with 405',
    level: 'SHOULD',
    requirement:
      'Clients that no longer need a particular session SHOULD send an HTTP DELETE to the MCP endpoint with the Mcp-Session-Id header, to explicitly terminate the session. The server MAY respond to this request with HTTP 405 Method Not Allowed, indicating that the server does not allow clients to terminate sessions.',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('session-management')),
  },
  async (t) => {
    const h = await session(t);
    issued(t, h);
    const r = await h.send({ method: 'DELETE' });
    t.expect(r.status === 405 || (r.status >= 200 && r.status <= 299), `DELETE with the session id was answered with ${describe(r)}${jsonRpcError(r)}, neither a success nor 405`);
  },
);

check(
  {
    id: 'http/session-deleted-404',
    title: 'after a DELETE ended the session, requests naming it are answered 404',
    level: 'MUST',
    requirement: 'The server MAY terminate the session at any time, after which it MUST respond to requests containing that session ID with HTTP 404 Not Found.',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('session-management')),
  },
  async (t) => {
    const h = await session(t);
    const sid = issued(t, h);
    const del = await h.send({ method: 'DELETE' });
    if (del.status === 405) return t.notApplicable('the server does not let clients end sessions (DELETE is answered 405)');
    if (del.status < 200 || del.status > 299) return t.notVerified(`DELETE was answered with ${describe(del)}, so the session may not have ended`);
    const id = h.id();
    const r = await h.post(PING(id), { headers: { 'mcp-session-id': sid } });
    t.expect(r.status === 404, `after DELETE ended session ${sid}, a ping naming it was answered with ${describe(r)}${jsonRpcError(r)}, not 404`);
  },
);

/** Why a set of session ids looks guessable (too short, repeated, or a counter), or undefined. */
function guessableSessionIds(ids: readonly string[]): string | undefined {
  const short = ids.find((s) => s.length < 16);
  if (short !== undefined) return `the session id ${JSON.stringify(short)} has ${short.length} characters, too few to hold a securely generated random value (a UUID has 36)`;
  if (new Set(ids).size < ids.length) return `the server issued the same session id twice (${JSON.stringify(ids)})`;
  // Ids that differ only in a short number where the others have one are a counter, not a secure random value.
  const shapes = new Set(ids.map((s) => s.replace(/\d{1,6}/g, '#')));
  if (shapes.size === 1 && [...shapes][0]!.replace(/[^#]/g, '').length <= 2) return `the session ids differ only in a counter (${ids.map((s) => JSON.stringify(s)).join(', ')})`;
  return undefined;
}

check(
  {
    id: 'http/session-id-unpredictable',
    title: 'session ids are unique and not guessable: no counter, no short value',
    level: 'SHOULD',
    requirement: 'The session ID SHOULD be globally unique and cryptographically secure (e.g., a securely generated UUID, a JWT, or a cryptographic hash).',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('session-management')),
  },
  async (t) => {
    // Three sessions: enough to see a repeat or a counter; secure randomness itself cannot be measured.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(issued(t, await session(t)));
    const why = guessableSessionIds(ids);
    if (why) t.fail(why);
  },
);
