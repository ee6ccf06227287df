// While a task runs (basic/utilities/tasks, 2025-11-25): tasks/result waits for its end, and its
// progress and requests keep the request's progressToken and carry related-task metadata.
import { isObject, RELATED_TASK_META } from '../../../schema/index.ts';
import type { MockClient } from '../../../mock-server/index.ts';
import { check } from '../../harness/index.ts';
import { tasks, TOOLS_CALL, TERMINAL, TTL, argsFor, taskTool, createdTask, poll, finishMs, relatedOf, callTool, errorText, short, unknownName, cite, type Json, type T, type Tool } from '../../kit/index.ts';

check(
  {
    id: 'tasks/result-blocks',
    title: 'tasks/result for a task still running is answered only once the task has finished',
    level: 'MUST',
    requirement:
      'When a receiver receives a tasks/result request for a task in any other non-terminal status (working or input_required), it MUST block the response until the task reaches a terminal status.',
    spec: tasks('result-retrieval'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { taskId } = await createdTask(t, c);
    const reply = await c.request<Json>('tasks/result', { taskId }, { timeoutMs: finishMs(t) });
    const now = await c.request<Json>('tasks/get', { taskId });
    if (!now.ok) return t.notVerified(`tasks/get after tasks/result was answered with ${errorText(now)}`, now);
    const status = String(now.result.status);
    if (!TERMINAL.includes(status)) t.fail(`tasks/result for ${taskId} was answered (with ${reply.ok ? 'a result' : errorText(reply)}) while the task was still "${status}"`, [reply.message, now.message]);
  },
);

/**
 * Runs a task-augmented call with a progressToken of our own to its end, watching what the
 * server sends meanwhile: the messages after the CreateTaskResult, and where the terminal status
 * was first reported.
 */
async function taskWithProgress(t: T, c: MockClient): Promise<{ taskId: string; token: string; during: Json[]; after: Json[]; tool: Tool }> {
  const tool = await taskTool(t, c);
  const token = unknownName('mcp-conform-task-progress');
  const start = c.peer.received.length;
  const reply = await callTool(t, c, tool.name, await argsFor(t, tool), { extra: { task: { ttl: TTL }, _meta: { progressToken: token } } });
  const task = reply?.ok && isObject(reply.result.task) ? reply.result.task : undefined;
  if (!task || typeof task.taskId !== 'string') return t.notVerified(`the task-augmented call of ${tool.name} created no task (see tasks/create-result)`, reply);
  const { statuses } = await poll(t, c, task.taskId, finishMs(t));
  if (!TERMINAL.includes(statuses.at(-1) ?? '')) return t.notVerified(`the task of ${tool.name} did not finish within ${finishMs(t)} ms`);
  const terminalAt = c.peer.received.length;
  await t.sleep(Math.max(t.quietMs, 200));
  const received = c.peer.received;
  const created = received.findIndex((m, i) => i >= start && m.id !== undefined && !m.method && isObject(m.result) && isObject(m.result.task));
  const from = created < 0 ? start : created + 1;
  return { taskId: task.taskId, token, during: received.slice(from, terminalAt), after: received.slice(terminalAt), tool };
}

const progressOf = (m: Json): unknown => (m.method === 'notifications/progress' && isObject(m.params) ? m.params.progressToken : undefined);

check(
  {
    id: 'tasks/progress-token',
    title: "a task's progress keeps the request's progressToken after the CreateTaskResult, and stops at its terminal status",
    level: 'MUST',
    requirement:
      "For task-augmented requests, the progressToken provided in the original request MUST continue to be used for progress notifications throughout the task's lifetime, even after the CreateTaskResult has been returned. Progress notifications for tasks MUST stop after the task reaches a terminal status (completed, failed, or cancelled).",
    spec: cite(['2025-11-25'], 'basic/utilities/progress#behavior-requirements'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { token, during, after, tool } = await taskWithProgress(t, c);
    const progress = during.filter((m) => m.method === 'notifications/progress');
    const foreign = progress.filter((m) => progressOf(m) !== token);
    if (foreign.length) return t.fail(`while the task of ${tool.name} ran, progress came with token(s) ${[...new Set(foreign.map(progressOf))].map((x) => short(x)).join(', ')}, not the request's ${JSON.stringify(token)}`, foreign);
    const late = after.filter((m) => progressOf(m) === token);
    if (late.length) return t.fail(`${late.length} progress notification(s) for the task of ${tool.name} arrived after tasks/get reported it finished`, late);
    if (progress.length === 0) t.notVerified(`the task of ${tool.name} reported no progress after its CreateTaskResult`);
  },
);

check(
  {
    id: 'tasks/related-task-on-messages',
    title: "a task's progress notifications and requests to the client carry related-task metadata with its id",
    level: 'MUST',
    requirement:
      'All requests, notifications, and responses related to a task MUST include the io.modelcontextprotocol/related-task key in their _meta field, with the value set to an object with a taskId matching the associated task ID. When the receiver needs input for a task, it MUST include the related-task metadata in the request to associate it with the task.',
    spec: tasks('associating-task-related-messages'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { taskId, token, during, tool } = await taskWithProgress(t, c);
    // Related to the task: its progress, and requests the server sends the client while it runs.
    const related = during.filter((m) => progressOf(m) === token || (typeof m.method === 'string' && m.id !== undefined && m.method !== 'ping'));
    if (related.length === 0) return t.notVerified(`the task of ${tool.name} sent no progress and no request while it ran`);
    const bad = related.filter((m) => {
      const r = relatedOf(m);
      return !isObject(r) || r.taskId !== taskId;
    });
    if (bad.length) t.fail(`${bad.length} of ${related.length} message(s) of the task ${taskId} (${[...new Set(bad.map((m) => String(m.method)))].join(', ')}) lack ${RELATED_TASK_META} {"taskId": ${JSON.stringify(taskId)}}`, bad);
  },
);
