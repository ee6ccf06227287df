// The JSON-RPC message rules as they bind a client: valid messages, request ids, never answering
// a notification, answering unknown requests, and carrying on after errors and unknown input.
import { ErrorCode, isStateless, REVISIONS, STATEFUL_REVISIONS } from '../../schema/index.ts';
import { clientRuns, type ClientRun } from '../harness/index.ts';
import { answerTo, brief, refusedOutsideSession, clientMessages, clientRequests, exitSummary, isRequest, isResponse, mockMessages, replyTo, serverRequests, toolCalls, toolName, type Sent, clientCheck, messagesPage, cite, carriedOn } from '../kit/index.ts';

clientCheck(
  {
    id: 'client-messages/valid',
    title: 'every message the client sends conforms to the schema',
    level: 'MUST',
    requirement: 'All messages between MCP clients and servers MUST follow the JSON-RPC 2.0 specification; the schema is the source of truth for all protocol messages and structures.',
    spec: cite(REVISIONS, messagesPage('messages')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    let bad: { run: ClientRun; x: ClientRun['violations'][number] }[] = [];
    for (const run of v.requireLive()) {
      // A session the server answered with a version it does not speak is judged elsewhere.
      if (run.scenario === 'unsupported-server-version') continue;
      for (const x of run.violations) {
        // The initialize request is judged at the version it asks for (client-lifecycle/initialize-valid).
        if (x.excerpt.includes('"method":"initialize"')) continue;
        // A server/discover probe is the 2026-07-28 dual-era fallback, sent before the client knows
        // the server's era: not a message of the 2025 revision the mock speaks, and judged by the
        // client-versioning checks instead.
        if (x.excerpt.includes('"method":"server/discover"') && x.message.startsWith('"server/discover" is not a method of revision')) continue;
        bad.push({ run, x });
      }
    }
    // A SHOULD-level finding (a JSON-RPC rule the revision's schema leaves open) warns; it does not fail.
    for (const { run, x } of bad.filter((b) => b.x.level === 'SHOULD').slice(0, 4)) t.warn(`${run.scenario}: ${x.pointer || '/'} ${x.message} in ${x.excerpt.slice(0, 160)}`);
    bad = bad.filter((b) => b.x.level !== 'SHOULD');
    if (bad.length) {
      const lines = bad.slice(0, 4).map(({ run, x }) => `${run.scenario}: ${x.pointer || '/'} ${x.message} in ${x.excerpt.slice(0, 160)}`);
      const first = bad[0]!;
      t.fail(`${bad.length} schema violation(s) in messages the client sent: ${lines.join('; ')}`, v.evidence(first.run.entries.filter((e) => Math.abs(e.t - first.x.t) < 1 && e.session === first.x.session)));
    }
  },
);

clientCheck(
  {
    id: 'client-messages/unique-request-ids',
    title: 'request ids are never reused (stateless: never while in flight)',
    level: 'MUST',
    requirement: 'The request ID MUST NOT have been previously used by the requestor within the same session. (2026-07-28: The request ID MUST NOT match the ID of any other request the sender has issued and not yet received a response for.)',
    spec: cite(REVISIONS, messagesPage('requests')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    const stateless = isStateless(t.revision);
    for (const run of v.requireLive()) {
      const bySession = new Map<string, Sent[]>();
      for (const r of clientRequests(run)) {
        // Refused before any session existed (no Mcp-Session-Id; the mock never saw it): such
        // requests share no session — two client processes may each send id 0 — so none is judged.
        if (refusedOutsideSession(r.e)) continue;
        bySession.set(r.e.session, [...(bySession.get(r.e.session) ?? []), r]);
      }
      for (const [session, reqs] of bySession) {
        const seen = new Map<string, Sent>();
        for (const r of reqs) {
          const k = JSON.stringify(r.m.id);
          const prev = seen.get(k);
          if (prev) {
            const answer = answerTo(run, prev);
            const inFlight = !answer || answer.e.t > r.e.t;
            if (!stateless || inFlight) {
              return t.fail(`in scenario ${run.scenario} (${session}) the client reused request id ${k}${stateless ? ' while the first request was in flight' : ''}`, v.evidence([prev.e, r.e]));
            }
          }
          seen.set(k, r);
        }
      }
    }
  },
);

clientCheck(
  {
    id: 'client-messages/no-response-to-notifications',
    title: 'the client answers only requests (never a notification)',
    level: 'MUST',
    requirement: 'Notifications are sent from the client to the server or vice versa, as a one-way message. The receiver MUST NOT send a response.',
    spec: cite(REVISIONS, messagesPage('notifications')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      for (const s of clientMessages(run)) {
        if (!isResponse(s.m)) continue;
        const asked = mockMessages(run, s.e.session).some((x) => isRequest(x.m) && JSON.stringify(x.m.id) === JSON.stringify(s.m.id) && x.e.t <= s.e.t);
        if (!asked) return t.fail(`in scenario ${run.scenario} the client sent a response with id ${brief(s.m.id)} that answers no request of the server`, v.evidence(run.entries.filter((e) => e.t <= s.e.t && e.session === s.e.session).slice(-4)));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-messages/unknown-method',
    title: 'a request with an unknown method is answered with -32601',
    level: 'MUST',
    requirement: 'JSON-RPC 2.0: -32601 Method not found — the method does not exist / is not available. All messages between MCP clients and servers MUST follow the JSON-RPC 2.0 specification.',
    spec: cite(STATEFUL_REVISIONS, messagesPage('responses')),
    scenarios: ['unknown-request'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('unknown-request');
    const req = serverRequests(run, 'mcp-conform/unknown-method')[0];
    if (!req) return t.notVerified(`the server never got to send the unknown request: the client did not call trigger_unknown_request (${exitSummary(run)})`);
    const reply = replyTo(run, req);
    if (!reply) return t.fail('the client never answered the request with an unknown method', v.evidence([req.e]));
    const err = reply.m.error as { code?: unknown } | undefined;
    if (!err) return t.fail(`the client answered an unknown method with a result: ${brief(reply.m.result)}`, v.evidence([req.e, reply.e]));
    if (err.code !== ErrorCode.MethodNotFound) t.fail(`the client answered an unknown method with error code ${brief(err.code)}, not -32601`, v.evidence([req.e, reply.e]));
  },
);

clientCheck(
  {
    id: 'client-messages/error-response-handled',
    title: 'after a JSON-RPC error response the client carries on',
    level: 'MUST',
    requirement: 'Error responses MUST include an error field with a code and message; the client must treat an error response as the outcome of its request. All messages between MCP clients and servers MUST follow the JSON-RPC 2.0 specification.',
    spec: cite(REVISIONS, messagesPage('responses')),
    scenarios: ['errors'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('errors');
    const call = toolCalls(run).find((c) => toolName(c) === 'fails_with_protocol_error');
    if (!call) return t.notVerified(`the client did not call fails_with_protocol_error (${exitSummary(run)})`);
    const answer = answerTo(run, call);
    if (!answer) return t.notVerified('the error response was never sent');
    const next = carriedOn(run, answer.e.t);
    if (next.ok) return;
    if (next.crashed) return t.fail(`after the JSON-RPC error response the client stopped: ${next.why}`, v.evidence([call.e, answer.e]));
    t.notVerified(`the client made no request after the error response, so its handling is not observable (${next.why})`);
  },
);

clientCheck(
  {
    id: 'client-messages/unknown-notification-ignored',
    title: 'an unknown notification does not disturb the client',
    level: 'SHOULD',
    requirement: 'Notifications are sent as a one-way message; the receiver MUST NOT send a response. A notification the client does not know SHOULD be ignored.',
    spec: cite(REVISIONS, messagesPage('notifications')),
    scenarios: ['notifications'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('notifications');
    const n = mockMessages(run).find((s) => s.m.method === 'notifications/mcp-conform/unknown');
    if (!n) return t.notVerified(`the unknown notification was never sent: the client called no tool (${exitSummary(run)})`);
    const next = carriedOn(run, n.e.t);
    if (next.ok) return;
    if (next.crashed) return t.fail(`after an unknown notification the client stopped: ${next.why}`, v.evidence([n.e]));
    t.notVerified(`the client made no request after the unknown notification (${next.why})`);
  },
);

clientCheck(
  {
    id: 'client-messages/extra-fields-tolerated',
    title: 'unknown fields in results do not stop the client',
    level: 'MUST',
    requirement: 'The schema is the source of truth for all protocol messages; it allows additional properties, so results carrying unknown fields are valid and MUST be processed.',
    spec: cite(REVISIONS, messagesPage('responses')),
    scenarios: ['notifications'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('notifications');
    const list = clientRequests(run, 'tools/list').map((r) => ({ r, a: answerTo(run, r) })).find((x) => x.a && 'result' in x.a.m);
    if (!list) return t.notVerified(`the client never listed tools (${exitSummary(run)})`);
    const call = toolCalls(run).find((c) => c.e.t > list.a!.e.t);
    if (call) return;
    const next = carriedOn(run, list.a!.e.t);
    if (next.ok) return;
    if (next.crashed) return t.fail(`given a tools/list result with unknown fields, the client stopped: ${next.why}`, v.evidence([list.r.e, list.a!.e]));
    t.notVerified(`the client made no request after the tools/list result (${next.why})`);
  },
);
