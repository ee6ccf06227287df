// Utilities as they bind a client: ping, cancellation, progress, pagination, list changes.
import { hasCapability, isObject, isStateless, REVISIONS, STATEFUL_REVISIONS } from '../../schema/index.ts';
import { clientRuns, type ClientRun } from '../harness/index.ts';
import { answerTo, brief, clientNotifications, clientRequests, exitSummary, handshakes, metaOf, mockMessages, replyTo, serverRequests, toolCalls, toolName, type Sent, clientCheck, cite, utilityPage, carriedOn } from '../kit/index.ts';
import { IRREGULAR_LAST_CURSOR, irregularSecondCursor, LATE_TOOL, PAGED_PROMPTS, scenario } from './scenarios/index.ts';

clientCheck(
  {
    id: 'client-ping/answers-ping',
    title: 'ping is answered promptly with an empty result',
    level: 'MUST',
    requirement: 'The receiver MUST respond promptly with an empty response.',
    spec: cite(STATEFUL_REVISIONS, 'basic/utilities/ping#behavior-requirements'),
    scenarios: ['ping'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('ping');
    const ping = serverRequests(run, 'ping')[0];
    if (!ping) return t.notVerified(`the server never got to ping: the client did not call trigger_ping (${exitSummary(run)})`);
    const reply = replyTo(run, ping);
    if (!reply) return t.fail('the client never answered ping', v.evidence([ping.e]));
    if (!isObject(reply.m.result)) return t.fail(`the client answered ping with ${brief(reply.m.error ?? reply.m)}`, v.evidence([ping.e, reply.e]));
    const extra = Object.keys(reply.m.result).filter((k) => k !== '_meta');
    if (extra.length) return t.fail(`the ping result is not empty: ${brief(reply.m.result)}`, v.evidence([ping.e, reply.e]));
    // "Promptly": generous, so a loaded machine does not make a correct client fail.
    if (reply.e.t - ping.e.t > 5000) t.fail(`the client took ${Math.round(reply.e.t - ping.e.t)} ms to answer ping`, v.evidence([ping.e, reply.e]));
  },
);

/** "Excessive": more than this many pings from the client within one second. */
const PING_BURST = 5;

clientCheck(
  {
    id: 'client-ping/not-excessive',
    title: 'the client does not flood the server with pings',
    level: 'SHOULD',
    requirement: 'Excessive pinging SHOULD be avoided to reduce network overhead.',
    spec: cite(STATEFUL_REVISIONS, 'basic/utilities/ping#implementation-considerations'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      const pings = clientRequests(run, 'ping');
      for (let i = PING_BURST; i < pings.length; i++) {
        const from = pings[i - PING_BURST]!;
        if (pings[i]!.e.t - from.e.t < 1000) return t.fail(`in scenario ${run.scenario} the client sent ${PING_BURST + 1} pings within ${Math.round(pings[i]!.e.t - from.e.t)} ms`, v.evidence(pings.slice(i - PING_BURST, i + 1).map((p) => p.e)));
      }
    }
  },
);

const isTaskCall = (s: Sent) => isObject(s.m.params) && isObject(s.m.params.task);

/** Task-augmented requests (params.task) a client sent whose type the server's tasks capability does not list. */
function undeclaredAugmentations(run: ClientRun): { r: Sent; path: string[]; init?: Sent }[] {
  const out: { r: Sent; path: string[]; init?: Sent }[] = [];
  for (const r of clientRequests(run)) {
    if (!isTaskCall(r) || typeof r.m.method !== 'string') continue;
    const h = handshakes(run).find((x) => x.session === r.e.session && x.result);
    const result = h?.result && isObject(h.result.m.result) ? h.result.m.result : undefined;
    // tools/call → capabilities.tasks.requests.tools.call (basic/utilities/tasks#capabilities).
    const path = ['tasks', 'requests', ...r.m.method.split('/')];
    if (!hasCapability(result?.capabilities, { side: 'server', path })) out.push({ r, path, ...(h?.result ? { init: h.result } : {}) });
  }
  return out;
}

clientCheck(
  {
    id: 'client-tasks/no-augmentation-without-capability',
    title: 'tools/call is task-augmented only when the server declares tasks.requests.tools.call',
    level: 'MUST',
    requirement: "If a server's capabilities do not include tasks.requests.tools.call, then clients MUST NOT attempt to use task augmentation on that server's tools, regardless of the execution.taskSupport value.",
    spec: cite(['2025-11-25'], 'basic/utilities/tasks#tool-level-negotiation'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      const bad = undeclaredAugmentations(run).find((x) => x.r.m.method === 'tools/call');
      if (bad) return t.fail(`in scenario ${run.scenario} the client sent a task-augmented tools/call, but the server does not declare tasks.requests.tools.call`, v.evidence([...(bad.init ? [bad.init.e] : []), bad.r.e]));
    }
  },
);

clientCheck(
  {
    id: 'client-tasks/augment-only-declared',
    title: 'no other request carries a task the server does not declare it supports',
    level: 'SHOULD',
    requirement: 'Requestors SHOULD only augment requests with a task if the corresponding capability has been declared by the receiver. If capabilities.tasks is not defined, the peer SHOULD NOT attempt to create tasks during requests.',
    spec: cite(['2025-11-25'], 'basic/utilities/tasks#capability-negotiation'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      // tools/call is judged at MUST by client-tasks/no-augmentation-without-capability.
      const bad = undeclaredAugmentations(run).find((x) => x.r.m.method !== 'tools/call');
      if (bad) return t.fail(`in scenario ${run.scenario} the client sent ${String(bad.r.m.method)} with a task (${brief(isObject(bad.r.m.params) ? bad.r.m.params.task : undefined)}), but the server does not declare ${bad.path.join('.')}`, v.evidence([...(bad.init ? [bad.init.e] : []), bad.r.e]));
    }
  },
);

// ---- tasks (2025-11-25): scenario tasks, whose server declares tasks.requests.tools.call ----

const tasksPage = (anchor: string) => cite(['2025-11-25'], `basic/utilities/tasks#${anchor}`);

clientCheck(
  {
    id: 'client-tasks/required-tool-as-task',
    title: 'a tool with execution.taskSupport "required" is called as a task',
    level: 'MUST',
    requirement: 'If execution.taskSupport is "required", clients MUST invoke the tool as a task.',
    spec: tasksPage('tool-level-negotiation'),
    scenarios: ['tasks'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('tasks');
    const calls = toolCalls(run).filter((c) => toolName(c) === 'task_required_tool');
    if (!calls.length) return t.notVerified(`the client did not call task_required_tool (${exitSummary(run)})`);
    const plain = calls.find((c) => !isTaskCall(c));
    if (plain) t.fail('the client called task_required_tool (execution.taskSupport "required", tasks declared by the server) without a task', v.evidence([plain.e, ...(answerTo(run, plain) ? [answerTo(run, plain)!.e] : [])]));
  },
);

clientCheck(
  {
    id: 'client-tasks/not-for-forbidden-tools',
    title: 'a tool whose execution.taskSupport is absent or "forbidden" is not called as a task',
    level: 'MUST',
    requirement: 'If execution.taskSupport is not present or "forbidden", clients MUST NOT attempt to invoke the tool as a task.',
    spec: tasksPage('tool-level-negotiation'),
    scenarios: ['tasks'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('tasks');
    const calls = toolCalls(run).filter((c) => toolName(c) === 'task_forbidden_tool' || toolName(c) === 'add_numbers');
    if (!calls.length) return t.notVerified(`the client called neither task_forbidden_tool nor add_numbers (${exitSummary(run)})`);
    const bad = calls.find(isTaskCall);
    if (bad) t.fail(`the client called ${toolName(bad)} (execution.taskSupport ${toolName(bad) === 'add_numbers' ? 'absent' : '"forbidden"'}) as a task`, v.evidence([bad.e]));
  },
);

/** The task the server created in scenario tasks, the client's polls of it, and whether it asked for the result. */
function taskPolls(t: Parameters<Parameters<typeof clientCheck>[1]>[0]): { run: ClientRun; created: Sent; id: string; pollInterval: number; polls: { r: Sent; status: unknown }[]; result?: Sent } {
  const v = clientRuns(t);
  const run = v.need('tasks');
  for (const c of toolCalls(run).filter(isTaskCall)) {
    const a = answerTo(run, c);
    const task = a && isObject(a.m.result) && isObject(a.m.result.task) ? a.m.result.task : undefined;
    if (!task || typeof task.taskId !== 'string') continue;
    const id = task.taskId;
    const about = (r: Sent) => isObject(r.m.params) && r.m.params.taskId === id && r.e.session === c.e.session;
    const polls = clientRequests(run, 'tasks/get')
      .filter(about)
      .map((r) => {
        const g = answerTo(run, r);
        return { r, status: g && isObject(g.m.result) ? g.m.result.status : undefined };
      });
    const result = clientRequests(run, 'tasks/result').find(about);
    return { run, created: a!, id, pollInterval: typeof task.pollInterval === 'number' ? task.pollInterval : 0, polls, ...(result ? { result } : {}) };
  }
  return t.notVerified(`no task was created: the client did not call task_required_tool as a task (${exitSummary(run)})`);
}

clientCheck(
  {
    id: 'client-tasks/poll-interval',
    title: 'tasks/get is not polled faster than the pollInterval the server gave',
    level: 'SHOULD',
    requirement: 'Requestors SHOULD respect the pollInterval provided in responses when determining polling frequency.',
    spec: tasksPage('getting-tasks'),
    scenarios: ['tasks'],
  },
  (t) => {
    const v = clientRuns(t);
    const p = taskPolls(t);
    if (p.polls.length < 3) return t.notVerified(`the client polled task ${p.id} ${p.polls.length} time(s); three polls are needed to judge their pace`);
    // The mean interval, so a delay in recording one poll cannot make a correct client look hasty.
    const mean = (p.polls.at(-1)!.r.e.t - p.polls[0]!.r.e.t) / (p.polls.length - 1);
    if (mean < p.pollInterval / 2) t.fail(`the client polled task ${p.id} ${p.polls.length} times, every ${Math.round(mean)} ms on average; the server asked for ${p.pollInterval} ms`, v.evidence(p.polls.slice(0, 4).map((x) => x.r.e)));
  },
);

clientCheck(
  {
    id: 'client-tasks/polls-until-terminal',
    title: 'the client keeps polling a task until it ends (or waits on tasks/result)',
    level: 'SHOULD',
    requirement: 'Requestors SHOULD continue polling until the task reaches a terminal status (completed, failed, or cancelled), or until encountering the input_required status; invoking tasks/result does not imply that the requestor needs to stop polling.',
    spec: tasksPage('getting-tasks'),
    scenarios: ['tasks'],
  },
  (t) => {
    const v = clientRuns(t);
    const p = taskPolls(t);
    // Waiting on tasks/result (it blocks until the task ends) is actively waiting, not giving up.
    if (p.result) return;
    const last = p.polls.at(-1);
    if (last && ['completed', 'failed', 'cancelled', 'input_required'].includes(String(last.status))) return;
    t.fail(`the client stopped following task ${p.id} while it was ${last ? String(last.status) : 'working (never polled)'}: no further tasks/get and no tasks/result`, v.evidence([p.created.e, ...p.polls.slice(-2).map((x) => x.r.e)]));
  },
);

/** How a request was cancelled: a notification, or (2026-07-28 HTTP) closing its response stream. */
function cancelOf(run: ClientRun, req: Sent): Sent | undefined {
  // A cancellation POSTed before a session existed is refused (session 'no-session') but was still sent.
  return clientNotifications(run, 'notifications/cancelled').find((n) => isObject(n.m.params) && JSON.stringify(n.m.params.requestId) === JSON.stringify(req.m.id) && (n.e.session === req.e.session || n.e.session === 'no-session') && n.e.t > req.e.t);
}

clientCheck(
  {
    id: 'client-cancellation/on-timeout',
    title: 'a request that timed out is cancelled',
    level: 'SHOULD',
    requirement: 'When the request has not received a success or error response within the timeout period, the sender SHOULD issue a cancellation notification for that request and stop waiting for a response. (2026-07-28 Streamable HTTP: closing the response stream constitutes cancellation.)',
    spec: cite(REVISIONS, (r) => (isStateless(r) ? 'basic/patterns/cancellation#timeouts' : 'basic/lifecycle#timeouts')),
    scenarios: ['request-timeout'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('request-timeout');
    const call = toolCalls(run).find((c) => toolName(c) === 'never_returns');
    if (!call) return t.notVerified(`the client did not call never_returns (${exitSummary(run)})`);
    const cancel = cancelOf(run, call);
    // The scenario's timeout, plus slack: a stream that only closes when the process exits is no cancellation.
    const timeout = Number(scenario('request-timeout')?.context?.requestTimeoutMs ?? 10_000);
    if (cancel && cancel.e.t - call.e.t <= timeout + 3_000) return;
    if (cancel) return t.fail(`the client cancelled the unanswered call only after ${Math.round(cancel.e.t - call.e.t)} ms (its timeout was ${timeout} ms${Math.abs(cancel.e.t - (run.process.exitedAt ?? -1e9)) < 200 ? ': the stream closed when the process exited' : ''})`, v.evidence([call.e, cancel.e]));
    const ended = run.process.exitedAt ?? Infinity;
    const within = ended - call.e.t;
    t.fail(`the client never cancelled the unanswered call (it ${run.process.timedOut ? 'was still waiting at the scenario timeout' : `exited ${Math.round(within)} ms after sending it`})`, v.evidence([call.e, ...run.entries.filter((e) => e.t > call.e.t).slice(0, 4)]));
  },
);

clientCheck(
  {
    id: 'client-cancellation/not-initialize',
    title: 'initialize is never cancelled',
    level: 'MUST',
    requirement: 'The initialize request MUST NOT be cancelled by clients.',
    spec: cite(STATEFUL_REVISIONS, 'basic/utilities/cancellation#behavior-requirements'),
    scenarios: ['initialize-slow'],
  },
  (t) => {
    const v = clientRuns(t);
    v.need('initialize-slow');
    for (const run of v.live()) {
      for (const h of handshakes(run)) {
        const c = cancelOf(run, h.request);
        if (c) return t.fail(`in scenario ${run.scenario} the client cancelled initialize`, v.evidence([h.request.e, c.e]));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-cancellation/only-in-flight',
    title: 'cancellations reference requests the client issued that are still in progress',
    level: 'MUST',
    requirement: 'Cancellation notifications MUST only reference requests that were previously issued in the same direction and are believed to still be in-progress.',
    spec: cite(REVISIONS, utilityPage('cancellation', 'behavior-requirements')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      for (const n of clientNotifications(run, 'notifications/cancelled')) {
        if (n.e.note?.startsWith('synthesized')) continue; // the HTTP transport's own record of a closed stream
        const id = isObject(n.m.params) ? n.m.params.requestId : undefined;
        const req = clientRequests(run).find((r) => r.e.session === n.e.session && JSON.stringify(r.m.id) === JSON.stringify(id) && r.e.t < n.e.t);
        if (!req) return t.fail(`in scenario ${run.scenario} the client cancelled request ${brief(id)}, which it never sent`, v.evidence([n.e]));
        const answer = answerTo(run, req);
        // A response that crossed the cancellation is a race the spec allows; one long delivered is not.
        if (answer && n.e.t - answer.e.t > 500) return t.fail(`in scenario ${run.scenario} the client cancelled request ${brief(id)} ${Math.round(n.e.t - answer.e.t)} ms after its response`, v.evidence([req.e, answer.e, n.e]));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-progress/notifications-accepted',
    title: 'progress notifications it asked for do not disturb the client',
    level: 'SHOULD',
    requirement: 'When a party wants to receive progress updates for a request, it includes a progressToken in the request metadata. The receiver MAY then send progress notifications containing the original progress token, the current progress value and an optional total.',
    spec: cite(REVISIONS, utilityPage('progress', 'progress-flow')),
    scenarios: ['progress'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('progress');
    const call = toolCalls(run).find((c) => toolName(c) === 'slow_with_progress');
    if (!call) return t.notVerified(`the client did not call slow_with_progress (${exitSummary(run)})`);
    if (metaOf(call.m)?.progressToken === undefined) return t.notVerified('the client did not ask for progress (no _meta.progressToken)');
    const notes = mockMessages(run, call.e.session).filter((s) => s.m.method === 'notifications/progress');
    if (!notes.length) return t.notVerified('no progress notification was sent');
    const answer = answerTo(run, call);
    const next = carriedOn(run, (answer ?? notes[0]!).e.t);
    if (next.ok || !next.crashed) return;
    t.fail(`after ${answer ? 'progress notifications and the result' : 'a progress notification'}, the client stopped: ${next.why}`, v.evidence([call.e, ...notes.map((n) => n.e), ...(answer ? [answer.e] : [])]));
  },
);

clientCheck(
  {
    id: 'client-progress/unique-tokens',
    title: 'progress tokens are unique among requests in progress',
    level: 'MUST',
    requirement: 'Progress tokens MUST be unique across all active requests.',
    spec: cite(REVISIONS, utilityPage('progress', 'progress-flow')),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      const active: { token: string; req: Sent; until: number }[] = [];
      for (const r of clientRequests(run)) {
        const token = metaOf(r.m)?.progressToken;
        if (token === undefined) continue;
        const key = `${r.e.session} ${JSON.stringify(token)}`;
        const clash = active.find((a) => a.token === key && a.until > r.e.t);
        if (clash) return t.fail(`in scenario ${run.scenario} two requests in progress share progressToken ${JSON.stringify(token)}`, v.evidence([clash.req.e, r.e]));
        active.push({ token: key, req: r, until: answerTo(run, r)?.e.t ?? Infinity });
      }
    }
  },
);

/** tools/list (or another list method's) requests and what the mock answered. */
function listing(run: ClientRun, method = 'tools/list'): { r: Sent; cursor: unknown; next: unknown }[] {
  return clientRequests(run, method).map((r) => {
    const a = answerTo(run, r);
    const result = a && isObject(a.m.result) ? a.m.result : undefined;
    return { r, cursor: isObject(r.m.params) ? r.m.params.cursor : undefined, next: result?.nextCursor };
  });
}

const paginationPage = cite(REVISIONS, 'server/utilities/pagination#implementation-guidelines');

clientCheck(
  {
    id: 'client-pagination/follows-cursor',
    title: 'the client follows nextCursor through every page',
    level: 'SHOULD',
    requirement: 'Clients SHOULD support both paginated and non-paginated flows.',
    spec: paginationPage,
    scenarios: ['pagination'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('pagination');
    const lists = listing(run);
    if (!lists.length) return t.notVerified(`the client never listed tools (${exitSummary(run)})`);
    const given = lists.map((l) => l.next).filter((c) => typeof c === 'string');
    const followed = given.filter((c) => lists.some((l) => l.cursor === c));
    if (followed.length < given.length) t.fail(`the server gave ${given.length} nextCursor(s); the client followed ${followed.length}`, v.evidence(lists.map((l) => l.r.e)));
  },
);

clientCheck(
  {
    id: 'client-pagination/cursor-opaque',
    title: 'cursors are sent back exactly as the server gave them',
    level: 'MUST',
    requirement: "Clients MUST treat cursors as opaque tokens: don't make assumptions about cursor format; don't attempt to parse or modify cursors; don't persist cursors across sessions.",
    spec: paginationPage,
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      const given = new Set<string>();
      for (const s of mockMessages(run)) {
        const next = isObject(s.m.result) ? s.m.result.nextCursor : undefined;
        if (typeof next === 'string') given.add(`${s.e.session} ${next}`);
      }
      for (const r of clientRequests(run)) {
        const cursor = isObject(r.m.params) ? r.m.params.cursor : undefined;
        if (cursor === undefined) continue;
        if (!given.has(`${r.e.session} ${String(cursor)}`)) return t.fail(`in scenario ${run.scenario} the client sent cursor ${brief(cursor)}, which the server never gave on this connection`, v.evidence([r.e]));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-pagination/stops-at-last-page',
    title: 'a page without nextCursor ends the listing',
    level: 'SHOULD',
    requirement: 'Clients SHOULD treat a missing nextCursor as the end of results.',
    spec: paginationPage,
    scenarios: ['pagination'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('pagination');
    const lists = listing(run);
    const last = lists.find((l) => l.cursor !== undefined && l.next === undefined);
    if (!last) return t.notVerified('the client never reached the last page');
    const more = lists.find((l) => l.r.e.t > last.r.e.t && l.cursor !== undefined);
    if (more) t.fail(`after the last page the client asked for another page (cursor ${brief(more.cursor)})`, v.evidence([last.r.e, more.r.e]));
  },
);

clientCheck(
  {
    id: 'client-pagination/stops-on-cursor-loop',
    title: 'a cursor that repeats does not make the client loop',
    level: 'MAY',
    requirement: 'Implementations SHOULD establish timeouts for all sent requests, to prevent hung connections and resource exhaustion. (A server that repeats a cursor would otherwise keep a client paging forever.)',
    spec: paginationPage,
    scenarios: ['pagination-loop'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('pagination-loop');
    const lists = listing(run).filter((l) => l.cursor === 'mcp-conform-loop');
    if (!listing(run).length) return t.notVerified(`the client never listed tools (${exitSummary(run)})`);
    if (lists.length > 10) t.fail(`the client requested the same cursor ${lists.length} times`, v.evidence(lists.slice(-3).map((l) => l.r.e)));
  },
);

clientCheck(
  {
    id: 'client-prompts/follows-pagination',
    title: 'a paginated prompts/list is followed through every page',
    level: 'SHOULD',
    requirement: 'Clients SHOULD handle pagination for large prompt lists. (Checked: the scenario pages prompts/list one prompt per page; a client that lists prompts follows every nextCursor.)',
    spec: cite(REVISIONS, 'server/prompts#implementation-considerations'),
    scenarios: ['pagination'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('pagination');
    const lists = listing(run, 'prompts/list');
    // A client that never lists prompts shows nothing about how it pages them.
    if (!lists.length) return t.notVerified(`the client never listed prompts (${exitSummary(run)})`);
    const given = lists.map((l) => l.next).filter((c) => typeof c === 'string');
    if (!given.length) return t.notVerified('no prompts/list page the client got carried a nextCursor');
    const unfollowed = given.filter((c) => !lists.some((l) => l.cursor === c));
    if (unfollowed.length) t.fail(`prompts/list is paged one prompt per page (${PAGED_PROMPTS.length} prompts); the server gave ${given.length} nextCursor(s) and the client followed ${given.length - unfollowed.length}, so it saw only part of the list`, v.evidence(lists.map((l) => l.r.e)));
  },
);

clientCheck(
  {
    id: 'client-tools/refetch-on-list-changed',
    title: 'notifications/tools/list_changed makes the client list tools again',
    level: 'MAY',
    requirement: 'When the list of available tools changes, servers that declared the listChanged capability SHOULD send a notification (the message flow shows the client then requesting tools/list).',
    spec: cite(REVISIONS, 'server/tools#list-changed-notification'),
    scenarios: ['list-changed'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('list-changed');
    const note = mockMessages(run).find((s) => s.m.method === 'notifications/tools/list_changed');
    if (!note) return t.notVerified(run.events.some((e) => e.what === 'list-changed') ? 'the list changed but the notification could not be delivered (no stream open for it)' : `the client did not call change_tools (${exitSummary(run)})`);
    const again = clientRequests(run, 'tools/list').find((r) => r.e.t > note.e.t);
    if (!again) t.fail('the client did not list tools again after notifications/tools/list_changed', v.evidence([note.e]));
  },
);

clientCheck(
  {
    id: 'client-tools/is-error-handled',
    title: 'after a tool result with isError the client carries on',
    level: 'SHOULD',
    requirement: 'Tool Execution Errors are reported in tool results with isError: true. Clients SHOULD provide tool execution errors to language models to enable self-correction.',
    spec: cite(REVISIONS, 'server/tools#error-handling'),
    scenarios: ['errors'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('errors');
    const call = toolCalls(run).find((c) => toolName(c) === 'returns_tool_error');
    if (!call) return t.notVerified(`the client did not call returns_tool_error (${exitSummary(run)})`);
    const answer = answerTo(run, call);
    if (!answer) return t.notVerified('the tool result was never sent');
    const next = carriedOn(run, answer.e.t);
    if (next.ok) return;
    if (next.crashed) return t.fail(`after a tool result with isError the client stopped: ${next.why}`, v.evidence([call.e, answer.e]));
    t.notVerified(`the client made no request after the isError result (${next.why})`);
  },
);

clientCheck(
  {
    id: 'client-pagination/irregular-pages',
    title: 'pages of changing size (and at 2026-07-28 an empty-string nextCursor) are followed to the last page',
    level: 'MUST',
    requirement:
      'Page size is determined by the server, and clients MUST NOT assume a fixed page size; (2026-07-28) clients MUST treat cursors as opaque tokens: an empty string is a valid cursor and thus MUST NOT be treated as the end of results.',
    // Before 2026-07-28 only the page-size rule exists: the scenario's first cursor is not empty there.
    spec: cite(REVISIONS, (r) => `server/utilities/pagination#${isStateless(r) ? 'implementation-guidelines' : 'pagination-model'}`),
    scenarios: ['pagination-irregular'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('pagination-irregular');
    const lists = listing(run);
    const second = irregularSecondCursor(t.revision);
    const first = lists.find((l) => l.next === second);
    if (!first) return t.notVerified(`the client never got the first tools/list page (${exitSummary(run)})`);
    if (!lists.some((l) => l.cursor === second)) {
      const why = second === '' ? 'the first tools/list page had nextCursor "" and the client did not request the next page with it (an empty string is a valid cursor, not the end)' : `the first tools/list page had nextCursor ${JSON.stringify(second)} and the client did not request the next page with it`;
      return t.fail(why, v.evidence(lists.map((l) => l.r.e)));
    }
    // The second page is shorter than the first: a client that took that for the end assumed a page size.
    if (!lists.some((l) => l.cursor === IRREGULAR_LAST_CURSOR)) return t.fail(`the client stopped after the second (shorter) tools/list page, whose nextCursor was ${JSON.stringify(IRREGULAR_LAST_CURSOR)}`, v.evidence(lists.map((l) => l.r.e)));
  },
);

clientCheck(
  {
    id: 'client-cancellation/late-response-ignored',
    title: 'a response that arrives after the client cancelled its request is ignored, and the client goes on',
    level: 'SHOULD',
    requirement: 'The client SHOULD ignore any response to the cancelled request that arrives afterward.',
    spec: cite(REVISIONS, utilityPage('cancellation', 'behavior-requirements')),
    scenarios: ['late-response'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('stdio');
    const run = v.need('late-response');
    const late = run.events.find((e) => e.what === 'late-response');
    if (!late) return t.notVerified(`no response crossed a cancellation: the client did not cancel ${LATE_TOOL} before it answered (${exitSummary(run)})`);
    const next = carriedOn(run, late.t);
    if (next.ok) return;
    const sent = mockMessages(run).filter((s) => s.e.t >= late.t).slice(0, 1).map((s) => s.e);
    if (next.crashed) return t.fail(`after the late response to the cancelled ${LATE_TOOL} the client stopped: ${next.why}`, v.evidence(sent));
    t.notVerified(`the client sent nothing after the late response and exited cleanly (${next.why}); whether it ignored it cannot be told`);
  },
);

clientCheck(
  {
    id: 'client-cancellation/not-for-tasks',
    title: 'a task-augmented request is never cancelled with notifications/cancelled',
    level: 'MUST',
    requirement: 'For task-augmented requests, the tasks/cancel request MUST be used instead of the notifications/cancelled notification. (Checked in scenario tasks: no notifications/cancelled names a request the client sent with a task.)',
    spec: cite(['2025-11-25'], 'basic/utilities/cancellation#behavior-requirements'),
    scenarios: ['tasks'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('tasks');
    const augmented = clientRequests(run).filter((r) => isObject(r.m.params) && isObject(r.m.params.task));
    if (!augmented.length) return t.notVerified(`the client sent no task-augmented request (${exitSummary(run)})`);
    for (const r of augmented) {
      const c = cancelOf(run, r);
      if (c) return t.fail(`the client cancelled its task-augmented ${String(r.m.method)} with notifications/cancelled (tasks/cancel is the way to cancel a task)`, v.evidence([r.e, c.e]));
    }
  },
);
