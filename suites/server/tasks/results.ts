// tasks/result (basic/utilities/tasks, 2025-11-25): the underlying call's result, and the
// related-task metadata that names the task.
import { isObject, RELATED_TASK_META } from '../../../schema/index.ts';
import { check } from '../../harness/index.ts';
import { tasks, TOOLS_CALL, createdTask, finishMs, errorText, schemaProblem, short, type Json } from '../../kit/index.ts';

check(
  {
    id: 'tasks/result',
    title: 'tasks/result returns the result of the underlying tools/call',
    level: 'MUST',
    requirement:
      'When a receiver receives a tasks/result request for a task in a terminal status, it MUST return the final result of the underlying request (for tools/call, a CallToolResult), whether that is a successful result or a JSON-RPC error.',
    spec: tasks('result-retrieval'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { taskId } = await createdTask(t, c);
    const reply = await c.request<Json>('tasks/result', { taskId }, { timeoutMs: finishMs(t) });
    if (!reply.ok) return t.notVerified(`tasks/result was answered with ${errorText(reply)}: the underlying call failed, so there is no tool result to compare`, reply);
    const bad = schemaProblem(t.revision, 'CallToolResult', reply.result);
    if (bad) t.fail(`tasks/result did not return a valid CallToolResult: ${bad}`, reply);
  },
);

check(
  {
    id: 'tasks/result-related-task',
    title: "tasks/result carries the io.modelcontextprotocol/related-task metadata with the task's id",
    level: 'MUST',
    requirement:
      'The tasks/result operation MUST include this metadata (io.modelcontextprotocol/related-task, with the taskId) in its response, as the result structure itself does not contain the task ID.',
    spec: tasks('associating-task-related-messages'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { taskId } = await createdTask(t, c);
    const reply = await c.request<Json>('tasks/result', { taskId }, { timeoutMs: finishMs(t) });
    if (!reply.ok) return t.notVerified(`tasks/result was answered with ${errorText(reply)}`, reply);
    const meta = isObject(reply.result._meta) ? reply.result._meta : {};
    const related = meta[RELATED_TASK_META];
    t.expect(isObject(related) && related.taskId === taskId, `tasks/result _meta["io.modelcontextprotocol/related-task"] is ${short(related)}, expected {"taskId": ${JSON.stringify(taskId)}}`, reply);
  },
);
