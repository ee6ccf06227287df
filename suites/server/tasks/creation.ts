// Creating a task and polling it (basic/utilities/tasks, 2025-11-25): the CreateTaskResult, the
// initial working status, tasks/get, the actual ttl, and the status lifecycle.
import { isObject } from '../../../schema/index.ts';
import { check } from '../../harness/index.ts';
import { tasks, TOOLS_CALL, TERMINAL, supportOf, startTask, createdTask, poll, finishMs, errorText, schemaProblem, short, type Json } from '../../kit/index.ts';

const NEXT: Record<string, string[]> = {
  working: ['working', 'input_required', 'completed', 'failed', 'cancelled'],
  input_required: ['input_required', 'working', 'completed', 'failed', 'cancelled'],
};

check(
  {
    id: 'tasks/create-result',
    title: 'a task-augmented tools/call is answered with a CreateTaskResult',
    level: 'MUST',
    requirement: 'Receivers that accept a task-augmented request MUST return a CreateTaskResult as the response. This result SHOULD be returned as soon as possible after accepting the task.',
    spec: tasks('result-retrieval'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { tool, reply } = await startTask(t, c);
    if (!reply.ok) return t.fail(`the task-augmented call of ${tool.name} (taskSupport "${supportOf(tool)}") was answered with ${errorText(reply)}`, reply);
    if (!isObject(reply.result.task)) return t.fail(`the task-augmented call of ${tool.name} was answered with ${short(reply.result, 100)}, not a CreateTaskResult`, reply);
    const bad = schemaProblem(t.revision, 'CreateTaskResult', reply.result);
    if (bad) t.fail(`the CreateTaskResult is invalid: ${bad}`, reply);
  },
);

check(
  {
    id: 'tasks/initial-working',
    title: 'a new task begins in the working status',
    level: 'MUST',
    requirement: 'Tasks MUST begin in the working status when created.',
    spec: tasks('task-status-lifecycle'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { task } = await createdTask(t, c);
    t.expect(task.status === 'working', `the created task's status is ${JSON.stringify(task.status)}, not "working"`);
  },
);

check(
  {
    id: 'tasks/get',
    title: 'tasks/get returns the task asked for',
    level: 'MUST',
    requirement: 'Requestors poll for task completion by sending tasks/get requests; the taskId parameter MUST be used as the source of truth for identifying the target task.',
    spec: tasks('getting-tasks'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { taskId } = await createdTask(t, c);
    const reply = await c.request<Json>('tasks/get', { taskId });
    if (!reply.ok) return t.fail(`tasks/get for the new task ${taskId} was answered with ${errorText(reply)}`, reply);
    t.expect(reply.result.taskId === taskId, `tasks/get for ${taskId} returned the task ${JSON.stringify(reply.result.taskId)}`, reply);
    t.expect(typeof reply.result.status === 'string', 'tasks/get returned no status', reply);
  },
);

check(
  {
    id: 'tasks/ttl',
    title: 'created tasks and tasks/get results carry the actual ttl (a number, or null for unlimited)',
    level: 'MUST',
    requirement: 'Receivers MAY override the requested ttl duration. Receivers MUST include the actual ttl duration (or null for unlimited) in tasks/get responses.',
    spec: tasks('ttl-and-resource-management'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { taskId, task } = await createdTask(t, c);
    const ok = (v: unknown) => v === null || (typeof v === 'number' && v >= 0);
    t.expect(ok(task.ttl), `the created task's ttl is ${short(task.ttl)}, not a duration or null`);
    const reply = await c.request<Json>('tasks/get', { taskId });
    if (!reply.ok) return t.notVerified(`tasks/get was answered with ${errorText(reply)} (see tasks/get)`, reply);
    t.expect(Object.hasOwn(reply.result, 'ttl') && ok(reply.result.ttl), `tasks/get returned ttl ${short(reply.result.ttl)}: the actual ttl (or null) must be included`, reply);
  },
);

check(
  {
    id: 'tasks/status-lifecycle',
    title: 'task statuses move only along valid paths, and terminal statuses stay',
    level: 'MUST',
    requirement:
      'Receivers MUST only transition tasks through the valid paths (working → input_required, completed, failed or cancelled; input_required → working, completed, failed or cancelled); completed, failed and cancelled are terminal and MUST NOT transition to any other status.',
    spec: tasks('task-status-lifecycle'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { taskId, task } = await createdTask(t, c);
    const { statuses, last } = await poll(t, c, taskId, finishMs(t));
    if (last && !last.ok) return t.notVerified(`tasks/get was answered with ${errorText(last)}`, last);
    const seq = [String(task.status), ...statuses];
    if (!TERMINAL.includes(seq.at(-1) as string)) return t.notVerified(`the task did not finish within ${finishMs(t)} ms (statuses: ${seq.join(' → ')})`);
    // Terminal must stay terminal: look again a little later.
    for (let i = 0; i < 3; i++) {
      await t.sleep(60);
      const again = await c.request<Json>('tasks/get', { taskId });
      if (again.ok) seq.push(String(again.result.status));
    }
    for (let i = 1; i < seq.length; i++) {
      const from = seq[i - 1] as string;
      const to = seq[i] as string;
      const allowed = TERMINAL.includes(from) ? [from] : (NEXT[from] ?? []);
      if (!allowed.includes(to)) t.fail(`the task went from "${from}" to "${to}" (statuses seen: ${seq.join(' → ')})`);
    }
  },
);
