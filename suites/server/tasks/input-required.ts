// The input_required status (basic/utilities/tasks, 2025-11-25): tasks/get is polled, not streamed,
// and a task waiting for the requestor's answer is input_required until it comes.
import { isObject } from '../../../schema/index.ts';
import { DEFAULT_ANSWERS, type HandlerContext, type MockClient, type Reply } from '../../../mock-server/index.ts';
import { check } from '../../harness/index.ts';
import { tasks, TOOLS_CALL, TERMINAL, TTL, supportOf, argsFor, finishMs, relatedOf, MAX_TASK_TOOLS, taskTools, callable, callTool, errorText, mediaType, responseIn, type Json, type T, type Tool } from '../../kit/index.ts';

check(
  {
    id: 'tasks/get-no-sse',
    title: 'over Streamable HTTP, tasks/get is answered with application/json, not an SSE stream',
    level: 'SHOULD',
    requirement:
      'Where possible, servers SHOULD NOT upgrade to an SSE stream in response to a tasks/get request, as the client has indicated it wishes to poll for a result. (Checked: tasks/get POSTed with Accept: application/json, text/event-stream.)',
    spec: tasks('input-required-status'),
    requires: TOOLS_CALL,
    transports: ['http'],
  },
  async (t) => {
    // Raw HTTP, to see each answer's Content-Type; the task lives in this session.
    const h = await t.httpProbe();
    await h.initialize();
    const accept = { accept: 'application/json, text/event-stream' };
    const listId = h.id();
    const listed = responseIn(await h.request('tools/list', {}, { id: listId, headers: accept }), listId);
    const tools = (listed && isObject(listed.result) && Array.isArray(listed.result.tools) ? listed.result.tools.filter(isObject) : []) as unknown as Tool[];
    const capable = tools.filter((x) => supportOf(x) !== 'forbidden');
    if (capable.length === 0) return t.notVerified('the first page of tools/list has no tool with execution.taskSupport "optional" or "required"');
    const tool = callable(t, capable, 'task-capable tool')[0] as Tool;
    const callId = h.id();
    const created = responseIn(await h.request('tools/call', { name: tool.name, arguments: await argsFor(t, tool), task: { ttl: TTL } }, { id: callId, headers: accept }), callId);
    const task = created && isObject(created.result) && isObject(created.result.task) ? created.result.task : undefined;
    if (!task || typeof task.taskId !== 'string') return t.notVerified(`the task-augmented call of ${tool.name} created no task (see tasks/create-result)`);
    const getId = h.id();
    const from = t.wire.entries.length;
    const r = await h.request('tasks/get', { taskId: task.taskId }, { id: getId, headers: accept });
    // The evidence: this POST and its answer (the session's earlier exchanges are in the wire log).
    const exchange = t.wire.entries.slice(from, from + 2);
    const type = mediaType(r.contentType);
    if (!responseIn(r, getId)) return t.notVerified(`tasks/get was answered with HTTP ${r.status} ${type || '(no Content-Type)'} carrying no response to it`);
    t.expect(type !== 'text/event-stream', `tasks/get for the task ${task.taskId} of ${tool.name} was answered with an SSE stream (Content-Type ${JSON.stringify(r.contentType)}), though a client polling wants a plain answer`, exchange);
  },
);

/** What a requestor that can be asked anything declares (2025-11-25). */
const ASKABLE = { elicitation: { form: {} }, sampling: {}, roots: {} };
/** How long the check keeps the server's question unanswered before judging the task's status. */
const HOLD_MS = 400;

/** A task that asked the requestor something: its statuses while the question was held, and how to answer it. */
interface AskingTask {
  c: MockClient;
  tool: Tool;
  taskId: string;
  question: Json;
  /** tasks/get answers taken while the question was unanswered. */
  held: Reply<Json>[];
  /** Answers the held question (and every later one at once); returns how many questions came so far. */
  release: () => void;
  asked: () => number;
}

/**
 * Runs the callable task-capable tools as tasks, one at a time, on a session declaring elicitation,
 * sampling and roots whose answers are held back, until one of them asks the client something while
 * its task runs; tasks/result is called at once too, for servers that deliver their questions on it.
 */
async function askingTask(t: T): Promise<AskingTask> {
  const questions: Json[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let arrived: (() => void) | undefined;
  // Only a question tied to a task (related-task metadata, which such requests MUST carry) is held:
  // others (roots/list after initialize…) are the session's, answered at once.
  const hold = (method: string) => async (params: Json | undefined, ctx: HandlerContext) => {
    if (params && relatedOf({ params }) !== undefined) {
      questions.push({ method, params });
      arrived?.();
      await gate;
    }
    return DEFAULT_ANSWERS[method]!(params, ctx);
  };
  const handlers = Object.fromEntries(['elicitation/create', 'sampling/createMessage', 'roots/list'].map((m) => [m, hold(m)]));
  const c = await t.session({ fresh: true, capabilities: ASKABLE, handlers });
  const tried: string[] = [];
  for (const tool of (await taskTools(t, c)).slice(0, MAX_TASK_TOOLS)) {
    // (A question may come before the CreateTaskResult.)
    const before = questions.length;
    const asked = new Promise<void>((r) => (arrived = r));
    const reply = await callTool(t, c, tool.name, await argsFor(t, tool), { extra: { task: { ttl: TTL } } });
    const task = reply?.ok && isObject(reply.result.task) ? reply.result.task : undefined;
    if (!task || typeof task.taskId !== 'string') {
      tried.push(`${tool.name} (no task created)`);
      continue;
    }
    const taskId = task.taskId;
    void c.request('tasks/result', { taskId }, { timeoutMs: finishMs(t) }).catch(() => undefined);
    const end = Date.now() + finishMs(t);
    let status = String(task.status);
    while (questions.length === before && !TERMINAL.includes(status) && Date.now() < end) {
      const got = await c.request<Json>('tasks/get', { taskId });
      if (!got.ok) break;
      status = String(got.result.status);
      await Promise.race([asked, t.sleep(100)]);
    }
    if (questions.length === before) {
      tried.push(`${tool.name} (${status}, asked nothing)`);
      continue;
    }
    const held: Reply<Json>[] = [];
    const until = Date.now() + HOLD_MS;
    do {
      held.push(await c.request<Json>('tasks/get', { taskId }));
      await t.sleep(100);
    } while (Date.now() < until && !held.some((r) => r.ok && r.result.status === 'input_required'));
    return { c, tool, taskId, question: questions[before] as Json, held, release: open, asked: () => questions.length };
  }
  open();
  return t.notVerified(`no task sent the client a request tied to it (elicitation, sampling and roots declared) while it ran (tried: ${tried.join(', ') || 'none'})`);
}

check(
  {
    id: 'tasks/input-required',
    title: 'a task waiting for the requestor to answer its question is in the input_required status',
    level: 'SHOULD',
    requirement: 'When the task receiver has messages for the requestor that are necessary to complete the task, the receiver SHOULD move the task to the input_required status.',
    spec: tasks('input-required-status'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const a = await askingTask(t);
    try {
      const statuses = a.held.map((r) => (r.ok ? String(r.result.status) : errorText(r)));
      if (!statuses.includes('input_required'))
        t.fail(`while the task ${a.taskId} of ${a.tool.name} waited for the answer to its ${String(a.question.method)} (held ${HOLD_MS} ms), tasks/get reported ${statuses.join(', ')}, not input_required`, [a.question, ...a.held.map((r) => r.message)]);
    } finally {
      a.release();
    }
  },
);

check(
  {
    id: 'tasks/input-required-resumes',
    title: 'once its question is answered, a task leaves the input_required status',
    level: 'SHOULD',
    requirement: 'When the receiver receives all required input, the task SHOULD transition out of input_required status (typically back to working).',
    spec: tasks('input-required-status'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const a = await askingTask(t);
    a.release();
    if (!a.held.some((r) => r.ok && r.result.status === 'input_required')) return t.notVerified(`the task of ${a.tool.name} was not in input_required while its question was out (see tasks/input-required)`);
    // Answered: the task should move on, unless it asks again (then it rightly waits once more).
    const window = Math.max(1_500, t.quietMs * 5);
    let end = Date.now() + window;
    let asked = a.asked();
    let last: Reply<Json> | undefined;
    while (Date.now() < end) {
      await t.sleep(100);
      if (a.asked() > asked) {
        asked = a.asked();
        end = Date.now() + window;
      }
      last = await a.c.request<Json>('tasks/get', { taskId: a.taskId });
      if (!last.ok || last.result.status !== 'input_required') return;
    }
    t.fail(`${window} ms after its ${String(a.question.method)} was answered (and no new question), the task ${a.taskId} of ${a.tool.name} is still input_required`, last);
  },
);
