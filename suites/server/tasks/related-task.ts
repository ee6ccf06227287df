// Related-task metadata on the task operations (basic/utilities/tasks, 2025-11-25): the taskId
// parameter wins over it, and results and status notifications do not carry it.
import { isObject, RELATED_TASK_META } from '../../../schema/index.ts';
import type { Reply } from '../../../mock-server/index.ts';
import { check, CheckContext } from '../../harness/index.ts';
import { tasks, TOOLS_CALL, createdTask, relatedOf, errorText, short, unknownName, type Json } from '../../kit/index.ts';

check(
  {
    id: 'tasks/related-task-param-wins',
    title: 'tasks/get goes by its taskId parameter, not by related-task metadata naming another task',
    level: 'MUST',
    requirement:
      'For tasks/get, tasks/list, tasks/result and tasks/cancel the taskId parameter is the source of truth: requestors SHOULD NOT include io.modelcontextprotocol/related-task metadata in these requests, and receivers MUST ignore such metadata if present in favor of the RPC method parameter.',
    spec: tasks('associating-task-related-messages'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { taskId } = await createdTask(t, c);
    const other = unknownName('mcp-conform-other-task');
    // tasks/get is a lookup: a short wait, judged against how fast the same request is answered without the metadata.
    const wait = Math.min(t.requestTimeoutMs, 3_000);
    let reply: Reply<Json>;
    try {
      reply = await c.request<Json>('tasks/get', { taskId, _meta: { [RELATED_TASK_META]: { taskId: other } } }, { timeoutMs: wait });
    } catch (err) {
      if (!(CheckContext.isWireError(err) && err.name === 'TimeoutError')) throw err;
      const began = Date.now();
      const plain = await c.request<Json>('tasks/get', { taskId });
      const took = Date.now() - began;
      if (!plain.ok || took > wait / 2) return t.notVerified(`tasks/get with the metadata was not answered within ${wait} ms; without it, it was answered with ${errorText(plain)} in ${took} ms: too slow to tell`, plain);
      return t.fail(`tasks/get for ${taskId}, with related-task metadata naming ${other}, was not answered within ${wait} ms, while the same request without the metadata was answered in ${took} ms: the metadata was not ignored`, plain);
    }
    if (!reply.ok) return t.fail(`tasks/get for ${taskId}, with related-task metadata naming ${other}, was answered with ${errorText(reply)}: the metadata was not ignored`, reply);
    t.expect(reply.result.taskId === taskId, `tasks/get for ${taskId}, with related-task metadata naming ${other}, returned the task ${short(reply.result.taskId)}`, reply);
  },
);

check(
  {
    id: 'tasks/no-related-task-in-operations',
    title: 'tasks/get, tasks/list and tasks/cancel results, and task status notifications, carry no related-task metadata',
    level: 'SHOULD',
    requirement:
      'For the tasks/get, tasks/list, and tasks/cancel operations, receivers SHOULD NOT include io.modelcontextprotocol/related-task metadata in the result messages, as the taskId is already present in the response structure; the notifications/tasks/status notification SHOULD NOT include it either.',
    spec: tasks('associating-task-related-messages'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const start = c.peer.received.length;
    const { taskId } = await createdTask(t, c);
    const caps = (c.serverCapabilities as Json).tasks;
    const has = (k: string) => isObject(caps) && isObject(caps[k]);
    const seen: [string, Reply<Json>][] = [['tasks/get', await c.request<Json>('tasks/get', { taskId })]];
    if (has('list')) seen.push(['tasks/list', await c.request<Json>('tasks/list', {})]);
    if (has('cancel')) seen.push(['tasks/cancel', await c.request<Json>('tasks/cancel', { taskId })]);
    for (const [method, reply] of seen) {
      if (reply.ok && relatedOf(reply.result) !== undefined) t.fail(`the ${method} result carries ${RELATED_TASK_META} metadata (${short(relatedOf(reply.result))}), though the task id is in the result itself`, reply);
    }
    await t.sleep(t.quietMs);
    const statuses = c.peer.received.slice(start).filter((m) => m.method === 'notifications/tasks/status' && relatedOf(m) !== undefined);
    if (statuses.length) t.fail(`${statuses.length} notifications/tasks/status carried ${RELATED_TASK_META} metadata, though the task id is in their parameters`, statuses);
  },
);
