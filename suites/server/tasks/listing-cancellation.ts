// tasks/list and tasks/cancel (basic/utilities/tasks, 2025-11-25): a task is listed; a running task
// is cancelled and stays so; a finished one cannot be.
import { ErrorCode, isObject } from '../../../schema/index.ts';
import { check } from '../../harness/index.ts';
import { tasks, TERMINAL, createdTask, poll, finishMs, errorText, walkList, type Json } from '../../kit/index.ts';

check(
  {
    id: 'tasks/list',
    title: 'a task retrievable with tasks/get is listed by tasks/list',
    level: 'MUST',
    requirement: 'If a task is retrievable via tasks/get for a requestor, it MUST be retrievable via tasks/list for that requestor.',
    spec: tasks('task-listing'),
    requires: 'server.tasks.list',
  },
  async (t) => {
    const c = await t.session();
    if (!(c.serverCapabilities as Json).tasks || !isObject(((c.serverCapabilities as Json).tasks as Json).requests))
      return t.notVerified('the server declares tasks.list but no task-augmented requests to create a task with');
    const { taskId } = await createdTask(t, c);
    const walk = await walkList(c, 'tasks/list', 'tasks');
    if (walk.error) return t.fail(`tasks/list was answered with ${errorText(walk.error)}`, walk.error);
    if (!walk.items.some((x) => x.taskId === taskId)) t.fail(`tasks/list (${walk.items.length} tasks on ${walk.pages.length} page(s)) does not list the task ${taskId}`, walk.pages.at(-1)?.reply);
  },
);

check(
  {
    id: 'tasks/cancel',
    title: 'tasks/cancel moves a running task to cancelled, where it stays',
    level: 'MUST',
    requirement:
      'Upon receiving a valid cancellation request, receivers MUST transition the task to cancelled status before sending the response. Once a task is cancelled, it MUST remain in cancelled status even if execution continues to completion or fails.',
    spec: tasks('task-cancellation'),
    requires: 'server.tasks.cancel',
  },
  async (t) => {
    const c = await t.session();
    const { taskId } = await createdTask(t, c);
    const reply = await c.request<Json>('tasks/cancel', { taskId });
    if (!reply.ok) {
      const now = await c.request<Json>('tasks/get', { taskId });
      if (reply.error.code === ErrorCode.InvalidParams && now.ok && TERMINAL.includes(String(now.result.status)))
        return t.notVerified(`the task finished (${String(now.result.status)}) before it could be cancelled`, reply);
      return t.fail(`tasks/cancel of the running task ${taskId} was answered with ${errorText(reply)}`, reply);
    }
    t.expect(reply.result.status === 'cancelled', `tasks/cancel answered with status ${JSON.stringify(reply.result.status)}, not "cancelled"`, reply);
    // Give the underlying work time to finish: the task must stay cancelled.
    const end = Date.now() + Math.max(t.quietMs * 3, 1_000);
    while (Date.now() < end) {
      await t.sleep(80);
      const g = await c.request<Json>('tasks/get', { taskId });
      if (!g.ok) return; // receivers MAY delete cancelled tasks at any time
      if (g.result.status !== 'cancelled') return t.fail(`the cancelled task ${taskId} later reported status ${JSON.stringify(g.result.status)}`, g);
    }
  },
);

check(
  {
    id: 'tasks/cancel-terminal',
    title: 'cancelling a task in a terminal status is answered with error -32602',
    level: 'MUST',
    requirement: 'Receivers MUST reject cancellation requests for tasks already in a terminal status (completed, failed, or cancelled) with error code -32602 (Invalid params).',
    spec: tasks('task-cancellation'),
    requires: 'server.tasks.cancel',
  },
  async (t) => {
    const c = await t.session();
    const { taskId } = await createdTask(t, c);
    const { statuses } = await poll(t, c, taskId, finishMs(t));
    const status = statuses.at(-1);
    if (!status || !TERMINAL.includes(status)) return t.notVerified(`the task did not reach a terminal status within ${finishMs(t)} ms`);
    const reply = await c.request('tasks/cancel', { taskId });
    if (reply.ok) return t.fail(`tasks/cancel of the ${status} task ${taskId} was answered with a result`, reply);
    t.expectError(reply, ErrorCode.InvalidParams, `tasks/cancel of a ${status} task`);
  },
);
