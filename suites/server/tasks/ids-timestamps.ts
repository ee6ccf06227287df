// What identifies a task (basic/utilities/tasks, 2025-11-25): ISO 8601 timestamps, unique ids, and
// tasks/list refusing a cursor it never gave.
import { ErrorCode } from '../../../schema/index.ts';
import type { Reply } from '../../../mock-server/index.ts';
import { check } from '../../harness/index.ts';
import { tasks, TOOLS_CALL, createdTask, short, type Json } from '../../kit/index.ts';

/** ISO 8601 date and time (extended or basic format; fraction and offset optional). */
const ISO_8601 = /^\d{4}(-\d{2}-\d{2}|\d{4})T\d{2}(:?\d{2}(:?\d{2}([.,]\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

check(
  {
    id: 'tasks/timestamps',
    title: 'task responses carry ISO 8601 createdAt and lastUpdatedAt timestamps',
    level: 'MUST',
    requirement:
      'Receivers MUST include a createdAt ISO 8601-formatted timestamp in all task responses to indicate when the task was created. Receivers MUST include a lastUpdatedAt ISO 8601-formatted timestamp in all task responses to indicate when the task was last updated.',
    spec: tasks('ttl-and-resource-management'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { taskId, task } = await createdTask(t, c);
    const got = await c.request<Json>('tasks/get', { taskId });
    const seen: [string, Json, Json | Reply<Json>][] = [['CreateTaskResult', task, task]];
    if (got.ok) seen.push(['tasks/get', got.result, got]);
    for (const [where, x, evidence] of seen) {
      for (const k of ['createdAt', 'lastUpdatedAt']) {
        if (typeof x[k] !== 'string' || !ISO_8601.test(x[k])) t.fail(`the ${where} task's ${k} is ${short(x[k])}, not an ISO 8601 timestamp`, evidence);
      }
    }
  },
);

check(
  {
    id: 'tasks/unique-ids',
    title: 'each task created gets a task id of its own',
    level: 'MUST',
    requirement: 'Task IDs MUST be unique among all tasks controlled by the receiver.',
    spec: tasks('task-id-requirements'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const one = await createdTask(t, c);
    const two = await createdTask(t, c);
    t.expect(one.taskId !== two.taskId, `two task-augmented calls created tasks with the same id ${short(one.taskId)}`);
  },
);

check(
  {
    id: 'tasks/list-invalid-cursor',
    title: 'tasks/list with a cursor the server never gave is answered with error -32602',
    level: 'MUST',
    requirement: 'Receivers MUST return standard JSON-RPC errors for the following protocol error cases: Invalid or nonexistent cursor in tasks/list: -32602 (Invalid params).',
    spec: tasks('protocol-errors'),
    requires: 'server.tasks.list',
  },
  async (t) => {
    const c = await t.session();
    const reply = await c.request('tasks/list', { cursor: 'mcp-conform-invalid-cursor' });
    if (reply.ok) return t.fail('tasks/list with the made-up cursor "mcp-conform-invalid-cursor" was answered with a result', reply);
    t.expectError(reply, ErrorCode.InvalidParams, 'tasks/list with an invalid cursor');
  },
);
