// basic/lifecycle, client side: the initialize handshake, version negotiation, shutdown.
import { isObject, isRevision, META, REVISIONS, STATEFUL_REVISIONS, STATEFUL_STREAMABLE_REVISIONS, validate, type Revision } from '../../schema/index.ts';
import { clientRuns, connected, type ClientRun } from '../harness/index.ts';
import { brief, clientAfter, clientMessages, exitSummary, handshakes, httpMessages, isNotification, isRequest, metaOf, type Handshake, clientCheck, cite, transportPage } from '../kit/index.ts';

const lifecycle = (anchor: string) => cite(STATEFUL_REVISIONS, `basic/lifecycle#${anchor}`);

/** A message of the stateless era (or an era probe): exempt from handshake rules. */
const isModernMessage = (m: Record<string, unknown>) => m.method === 'server/discover' || typeof metaOf(m)?.[META.protocolVersion] === 'string';

clientCheck(
  {
    id: 'client-lifecycle/initialize-first',
    title: 'initialize is the first message of every session',
    level: 'MUST',
    requirement: 'The initialization phase MUST be the first interaction between client and server.',
    spec: lifecycle('initialization'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      const firsts = new Map<string, ReturnType<typeof clientMessages>[number]>();
      for (const s of clientMessages(run)) {
        if (isModernMessage(s.m)) continue;
        if (!firsts.has(s.e.session)) firsts.set(s.e.session, s);
      }
      for (const [session, s] of firsts) {
        if (s.m.method !== 'initialize') t.fail(`in scenario ${run.scenario} the client's first message on ${session} is ${brief(s.m.method ?? s.m)}, not initialize`, v.evidence(run.entries.filter((e) => e.session === session).slice(0, 4)));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-lifecycle/initialize-valid',
    title: 'the initialize request is a valid InitializeRequest',
    level: 'MUST',
    requirement: 'The client MUST initiate this phase by sending an initialize request containing: protocol version supported, client capabilities, client implementation information.',
    spec: lifecycle('initialization'),
    scenarios: ['initialize'],
  },
  (t) => {
    const v = clientRuns(t);
    v.need('initialize');
    let seen = 0;
    for (const run of v.live()) {
      for (const h of handshakes(run)) {
        seen++;
        const rev: Revision = isRevision(h.asked) ? h.asked : run.revision;
        const r = validate(rev, 'InitializeRequest', h.request.m);
        if (!r.valid) return t.fail(`in scenario ${run.scenario} the initialize request is not a valid ${rev} InitializeRequest: ${r.errors.slice(0, 3).map((e) => `${e.pointer || '/'} ${e.message}`).join('; ')}`, v.evidence([h.request.e]));
      }
    }
    if (seen === 0) t.notVerified('the client sent no initialize request');
  },
);

clientCheck(
  {
    id: 'client-lifecycle/protocol-version',
    title: 'initialize asks for a protocol version (a revision date)',
    level: 'MUST',
    requirement: 'In the initialize request, the client MUST send a protocol version it supports.',
    spec: lifecycle('version-negotiation'),
    scenarios: ['initialize'],
  },
  (t) => {
    const v = clientRuns(t);
    v.need('initialize');
    const latest = REVISIONS.filter((r) => r < '2026-07-28').at(-1)!;
    for (const run of v.live()) {
      for (const h of handshakes(run)) {
        const asked = h.asked;
        // A known revision, or a newer one than this tool knows (a client may be ahead of us).
        const ok = isRevision(asked) || (typeof asked === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(asked) && asked > latest);
        if (!ok) return t.fail(`in scenario ${run.scenario} the client asked for protocolVersion ${brief(asked)}, which is no MCP revision`, v.evidence([h.request.e]));
      }
    }
  },
);

/** Handshakes answered with a real revision (not the bogus-version scenario). */
function realHandshakes(run: ClientRun): Handshake[] {
  return handshakes(run).filter((h) => h.result && isRevision(h.answered));
}

clientCheck(
  {
    id: 'client-lifecycle/initialized-notification',
    title: 'notifications/initialized follows the initialize result, before other requests',
    level: 'MUST',
    requirement: 'After successful initialization, the client MUST send an initialized notification to indicate it is ready to begin normal operations.',
    spec: lifecycle('initialization'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    let judged = 0;
    for (const run of v.requireLive()) {
      for (const h of realHandshakes(run)) {
        const tr = h.result!.e.t;
        const after = clientMessages(run, h.session).filter((s) => s.e.t >= h.request.e.t && s !== h.request);
        const init = after.find((s) => s.m.method === 'notifications/initialized');
        // A new initialize abandons this handshake and starts another (judged on its own); the
        // rule is about the requests of normal operation.
        const firstReq = after.find((s) => isRequest(s.m) && s.m.method !== 'ping' && s.m.method !== 'initialize' && s.e.t >= tr);
        if (init && init.e.t < tr) return t.fail(`in scenario ${run.scenario} the client sent notifications/initialized before the initialize result arrived`, v.evidence([h.request.e, init.e, h.result!.e]));
        if (firstReq && (!init || init.e.t > firstReq.e.t)) {
          return t.fail(`in scenario ${run.scenario} the client sent ${String(firstReq.m.method)} ${init ? 'before' : 'without'} notifications/initialized`, v.evidence([h.result!.e, firstReq.e, ...(init ? [init.e] : [])]));
        }
        if (init || firstReq) judged++;
      }
    }
    if (judged === 0) t.notVerified('the client never went on after an initialize result');
  },
);

clientCheck(
  {
    id: 'client-lifecycle/no-requests-before-initialize-result',
    title: 'no requests (other than ping) before the initialize result',
    level: 'SHOULD',
    requirement: 'The client SHOULD NOT send requests other than pings before the server has responded to the initialize request.',
    spec: lifecycle('initialization'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      // By the order of the wire log, not its timestamps: two lines read in one chunk share a time.
      const order = new Map(run.entries.map((e, i) => [e, i]));
      const at = (e: (typeof run.entries)[number]) => order.get(e) ?? -1;
      for (const h of handshakes(run)) {
        if (h.request.e.note?.startsWith('refused')) continue; // never reached the server: nothing to wait for
        const start = at(h.request.e);
        const end = h.result ? at(h.result.e) : Infinity;
        const early = clientMessages(run, h.session).find((s) => at(s.e) > start && at(s.e) < end && isRequest(s.m) && s.m.method !== 'ping');
        if (early) return t.fail(`in scenario ${run.scenario} the client sent ${String(early.m.method)} before the initialize result`, v.evidence([h.request.e, early.e]));
      }
      // HTTP: requests POSTed before the first initialize result was out (the mock refuses those
      // without a session, so they only show in the HTTP records; concurrent POSTs may even
      // arrive before the initialize itself).
      // (HTTP+SSE answers on its stream, so only Streamable HTTP POSTs carry the timing.)
      const posts = httpMessages(run).filter((x) => x.h.method === 'POST' && !x.h.path.includes('sessionId='));
      const init = posts.find((x) => isObject(x.m) && x.m.method === 'initialize' && x.h.status < 400);
      if (init) {
        const end = init.h.t + init.h.ms;
        const early = posts.find(({ h: x, m }) => x !== init.h && x.t < end && isObject(m) && isRequest(m) && m.method !== 'ping' && m.method !== 'initialize' && typeof metaOf(m)?.[META.protocolVersion] !== 'string');
        if (early) return t.fail(`in scenario ${run.scenario} the client POSTed ${String((early.m as Record<string, unknown>).method)} before the initialize result`, v.httpEvidence([init.h, early.h]));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-lifecycle/version-adopted',
    title: 'answered an older revision, the client uses it or disconnects',
    level: 'MUST',
    requirement: 'Both parties MUST respect the negotiated protocol version. If the client does not support the version in the server\'s response, it SHOULD disconnect.',
    spec: cite(STATEFUL_REVISIONS.filter((r) => r > '2024-11-05'), 'basic/lifecycle#version-negotiation'),
    scenarios: ['version-downgrade'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('version-downgrade');
    const h = realHandshakes(run)[0];
    if (!h) return t.notVerified(`the client got no initialize result in scenario version-downgrade (${exitSummary(run)})`);
    const negotiated = h.answered!;
    const later = clientAfter(run, h.result!.e.t, h.session).filter((s) => s.m.method !== 'initialize');
    if (later.length === 0) return; // it disconnected: allowed
    const wrong = httpMessages(run)
      .filter(({ h: x, m }) => !(isObject(m) && m.method === 'initialize') && x.t > h.result!.e.t && x.session === h.session && x.headers['mcp-protocol-version'] !== undefined && x.headers['mcp-protocol-version'] !== negotiated)
      .map((x) => x.h);
    if (wrong.length) return t.fail(`negotiated ${negotiated}, the client went on with MCP-Protocol-Version ${wrong[0]!.headers['mcp-protocol-version']}`, v.httpEvidence(wrong));
    const bad = run.violations.filter((x) => x.session === h.session && x.t > h.result!.e.t);
    if (bad.length) t.fail(`negotiated ${negotiated}, the client went on with messages that are not valid at ${negotiated}: ${bad.slice(0, 2).map((b) => `${b.pointer || '/'} ${b.message}`).join('; ')}`, v.evidence(later.map((s) => s.e)));
  },
);

clientCheck(
  {
    id: 'client-lifecycle/disconnects-on-unsupported-version',
    title: 'answered a version it does not support, the client disconnects',
    level: 'SHOULD',
    requirement: "If the client does not support the version in the server's response, it SHOULD disconnect.",
    spec: lifecycle('version-negotiation'),
    scenarios: ['unsupported-server-version'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('unsupported-server-version');
    const h = handshakes(run).find((x) => x.answered === '2099-12-31');
    if (!h) return t.notVerified(`the client got no initialize result in scenario unsupported-server-version (${exitSummary(run)})`);
    const later = clientAfter(run, h.result!.e.t, h.session).filter((s) => isRequest(s.m) || isNotification(s.m));
    if (later.length) t.fail(`answered protocolVersion "2099-12-31", the client went on with ${later.map((s) => s.m.method).slice(0, 3).join(', ')}`, v.evidence([h.result!.e, ...later.slice(0, 3).map((s) => s.e)]));
  },
);

clientCheck(
  {
    id: 'client-lifecycle/stdio-shutdown',
    title: 'stdio shutdown starts by closing the server\'s stdin',
    level: 'SHOULD',
    requirement: 'For the stdio transport, the client SHOULD initiate shutdown by: first, closing the input stream to the child process (the server); waiting for the server to exit, or sending SIGTERM if the server does not exit within a reasonable time; sending SIGKILL if the server does not exit within a reasonable time after SIGTERM.',
    spec: cite(REVISIONS, (r) => (r >= '2026-07-28' ? 'basic/transports/stdio#shutdown' : 'basic/lifecycle#stdio')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('stdio');
    let judged = 0;
    for (const run of v.requireLive()) {
      if (run.process.timedOut) continue;
      for (const s of run.servers) {
        judged++;
        const firstSignal = s.signals[0];
        if (firstSignal && (s.stdinClosedAt === undefined || firstSignal.t < s.stdinClosedAt)) {
          return t.fail(`in scenario ${run.scenario} the client sent ${firstSignal.signal} to the server before closing its stdin`, v.evidence(run.entries.slice(-3)));
        }
        if (s.stdinClosedAt === undefined && s.exitReason?.startsWith('ended without')) {
          return t.fail(`in scenario ${run.scenario} the client killed the server without closing its stdin`, v.evidence(run.entries.slice(-3)));
        }
      }
    }
    if (judged === 0) t.notVerified('the client never started the stdio server in a run that ended normally');
  },
);

clientCheck(
  {
    id: 'client-lifecycle/no-leftover-processes',
    title: 'no process of the client (nor the server it started) outlives it',
    level: 'SHOULD',
    requirement: 'The client SHOULD initiate shutdown by closing the input stream to the child process, waiting for the server to exit, or sending SIGTERM (then SIGKILL) if the server does not exit within a reasonable time.',
    spec: cite(REVISIONS, (r) => (r >= '2026-07-28' ? 'basic/transports/stdio#shutdown' : 'basic/lifecycle#shutdown')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    let judged = 0;
    for (const run of v.requireLive()) {
      if (run.process.timedOut || run.process.pid === undefined) continue;
      judged++;
      const left = run.process.leftovers;
      if (left.length) return t.fail(`after scenario ${run.scenario} ${left.length} process(es) outlived the client: ${left.slice(0, 3).map((p) => `${p.pid} ${p.command.slice(0, 80)}`).join('; ')}`, v.evidence(run.entries.slice(-3)));
    }
    if (judged === 0) t.notVerified('the client never exited by itself');
  },
);

clientCheck(
  {
    id: 'client-lifecycle/http-delete-session',
    title: 'the client ends its HTTP session with DELETE',
    level: 'SHOULD',
    requirement: 'Clients that no longer need a particular session (e.g., because the user is leaving the client application) SHOULD send an HTTP DELETE to the MCP endpoint with the Mcp-Session-Id header, to explicitly terminate the session.',
    spec: cite(STATEFUL_STREAMABLE_REVISIONS, transportPage('session-management')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    let judged = 0;
    for (const run of v.requireLive()) {
      if (run.process.timedOut || run.scenario === 'legacy-sse' || run.scenario === 'unsupported-server-version') continue;
      const issued = run.http.map((x) => x.responseHeaders['mcp-session-id']).filter((s): s is string => !!s);
      const last = issued.at(-1);
      if (!last || !connected(run)) continue;
      // Only a session the client went on using (not one it abandoned at once after a bad answer).
      judged++;
      const deleted = run.http.some((x) => x.method === 'DELETE' && x.headers['mcp-session-id'] === last);
      if (!deleted) return t.fail(`in scenario ${run.scenario} the client left session ${last} without DELETE (${exitSummary(run)})`, v.httpEvidence(run.http.slice(-3)));
    }
    if (judged === 0) t.notVerified('the client was never given a session it then ended');
  },
);
