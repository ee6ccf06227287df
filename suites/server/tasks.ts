// basic/utilities/tasks (2025-11-25, experimental): task-augmented tools/call, tasks/get,
// status lifecycle, TTL, tasks/result, tasks/list, tasks/cancel, error codes, tool-level
// negotiation, and servers without the capability ignoring task augmentation.
import { ErrorCode, isObject, RELATED_TASK_META, type Current } from '../../schema/index.ts';
import { DEFAULT_ANSWERS, type HandlerContext, type MockClient, type Reply } from '../../mock-server/index.ts';
import { check, CheckContext } from '../harness/index.ts';
import { callable, callTool, errorText, generateArguments, listTools, plainCallable, schemaProblem, short, unknownName, walkList, type Json, type T, type Tool, cite, section, mediaType, responseIn } from '../kit/index.ts';

const tasks = (anchor: string) => cite(['2025-11-25'], section('basic/utilities/tasks', anchor));
const TOOLS_CALL = 'server.tasks.requests.tools.call';
const TERMINAL = ['completed', 'failed', 'cancelled'];
const NEXT: Record<string, string[]> = {
  working: ['working', 'input_required', 'completed', 'failed', 'cancelled'],
  input_required: ['input_required', 'working', 'completed', 'failed', 'cancelled'],
};
/** TTL asked for on created tasks (the receiver may override it). */
const TTL = 60_000;

type TaskSupport = NonNullable<Current['ToolExecution']['taskSupport']>;
const supportOf = (tool: Tool): TaskSupport => tool.execution?.taskSupport ?? 'forbidden';

async function argsFor(t: T, tool: Tool): Promise<Json> {
  const gen = await generateArguments(t.revision, tool, 1);
  return 'args' in gen ? ((gen.args[0] as Json | undefined) ?? {}) : {};
}

/** A tool that may run as a task and that the run may call (optional ones first). */
async function taskTool(t: T, c: MockClient): Promise<Tool> {
  const capable = (await listTools(t, c)).filter((x) => supportOf(x) !== 'forbidden').sort((a, b) => Number(supportOf(a) === 'required') - Number(supportOf(b) === 'required'));
  if (capable.length === 0) return t.notVerified('no listed tool declares execution.taskSupport "optional" or "required"');
  return callable(t, capable, 'task-capable tool')[0] as Tool;
}

interface Started {
  tool: Tool;
  reply: Reply<Json>;
}

async function startTask(t: T, c: MockClient, tool?: Tool): Promise<Started> {
  const x = tool ?? (await taskTool(t, c));
  const reply = await callTool(t, c, x.name, await argsFor(t, x), { extra: { task: { ttl: TTL } } });
  if (!reply) return t.notVerified(`the task-augmented call of ${x.name} was not answered in time`);
  return { tool: x, reply };
}

/** A created task's id and its Task; anything else is not this check's business. */
async function createdTask(t: T, c: MockClient): Promise<{ taskId: string; task: Json; tool: Tool }> {
  const { tool, reply } = await startTask(t, c);
  const task = reply.ok && isObject(reply.result.task) ? reply.result.task : undefined;
  if (!task || typeof task.taskId !== 'string') return t.notVerified(`the task-augmented call of ${tool.name} created no task (see tasks/create-result)`, reply);
  return { taskId: task.taskId, task, tool };
}

/** Polls tasks/get until a terminal status (or the time is up); returns the statuses seen. */
async function poll(t: T, c: MockClient, taskId: string, ms: number): Promise<{ statuses: string[]; last?: Reply<Json> }> {
  const statuses: string[] = [];
  const end = Date.now() + ms;
  let last: Reply<Json> | undefined;
  while (Date.now() < end) {
    last = await c.request<Json>('tasks/get', { taskId });
    if (!last.ok) break;
    const status = String(last.result.status);
    statuses.push(status);
    if (TERMINAL.includes(status)) break;
    const interval = typeof last.result.pollInterval === 'number' ? last.result.pollInterval : 100;
    await t.sleep(Math.min(Math.max(interval, 20), 500));
  }
  return last ? { statuses, last } : { statuses };
}

/** How long a check waits for a task to finish. */
const finishMs = (t: T) => Math.floor(t.config.checkTimeoutMs * 0.4);

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

check(
  {
    id: 'tasks/unknown-id',
    title: 'tasks/get, tasks/result and tasks/cancel with a nonexistent taskId are answered with error -32602',
    level: 'MUST',
    requirement:
      'Receivers MUST return standard JSON-RPC errors for the following protocol error cases: Invalid or nonexistent taskId in tasks/get, tasks/result, or tasks/cancel: -32602 (Invalid params).',
    spec: tasks('protocol-errors'),
    requires: 'server.tasks',
  },
  async (t) => {
    const c = await t.session();
    const taskId = unknownName('mcp-conform-no-such-task');
    const methods = ['tasks/get', 'tasks/result', ...((c.serverCapabilities as Json).tasks && isObject(((c.serverCapabilities as Json).tasks as Json).cancel) ? ['tasks/cancel'] : [])];
    for (const method of methods) {
      const reply = await c.request(method, { taskId });
      if (reply.ok) t.fail(`${method} for the nonexistent task ${taskId} was answered with a result`, reply);
      t.expectError(reply, ErrorCode.InvalidParams, `${method} for a nonexistent taskId`);
    }
  },
);

check(
  {
    id: 'tasks/tool-forbidden',
    title: 'a task-augmented call of a tool without task support is answered with error -32601',
    level: 'SHOULD',
    requirement:
      'If execution.taskSupport is not present or "forbidden", clients MUST NOT attempt to invoke the tool as a task. Servers SHOULD return a -32601 (Method not found) error if a client attempts to do so.',
    spec: tasks('tool-level-negotiation'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const forbidden = (await listTools(t, c)).filter((x) => supportOf(x) === 'forbidden');
    if (forbidden.length === 0) return t.notApplicable('every listed tool supports task-augmented calls');
    const tool = callable(t, forbidden)[0] as Tool;
    const reply = await callTool(t, c, tool.name, await argsFor(t, tool), { extra: { task: { ttl: TTL } } });
    if (!reply) return t.notVerified(`${tool.name} did not answer in time`);
    if (reply.ok)
      return t.fail(`the task-augmented call of ${tool.name} (no task support) was answered with a ${isObject(reply.result.task) ? 'CreateTaskResult' : 'result'}, not error -32601`, reply);
    t.expectError(reply, ErrorCode.MethodNotFound, `the task-augmented call of ${tool.name}`);
  },
);

check(
  {
    id: 'tasks/tool-required',
    title: 'a plain call of a tool that requires a task is answered with error -32601',
    level: 'MUST',
    requirement: 'If execution.taskSupport is "required", clients MUST invoke the tool as a task. Servers MUST return a -32601 (Method not found) error if a client does not attempt to do so.',
    spec: tasks('tool-level-negotiation'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const required = (await listTools(t, c)).filter((x) => supportOf(x) === 'required');
    if (required.length === 0) return t.notApplicable('no listed tool requires task-augmented calls');
    const tool = callable(t, required)[0] as Tool;
    const reply = await callTool(t, c, tool.name, await argsFor(t, tool));
    if (!reply) return t.notVerified(`${tool.name} did not answer in time`);
    if (reply.ok) return t.fail(`the plain call of ${tool.name} (taskSupport "required") was answered with a result, not error -32601`, reply);
    t.expectError(reply, ErrorCode.MethodNotFound, `the plain call of ${tool.name}`);
  },
);

check(
  {
    id: 'tasks/ignored-without-capability',
    title: 'a server without task support for tools/call answers a task-augmented call normally',
    level: 'MUST',
    requirement: 'Receivers that do not declare the task capability for a request type MUST process requests of that type normally, ignoring any task-augmentation metadata if present.',
    spec: tasks('task-support-and-handling'),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session();
    const caps = c.serverCapabilities as Json;
    const declared = isObject(caps.tasks) && isObject(caps.tasks.requests) && isObject(caps.tasks.requests.tools) && isObject(caps.tasks.requests.tools.call);
    if (declared) return t.notApplicable('the server declares tasks.requests.tools.call');
    const list = plainCallable(await listTools(t, c));
    if (list.length === 0) return t.notApplicable('the server lists no tools that can be called');
    const tool = callable(t, list)[0] as Tool;
    const args = await argsFor(t, tool);
    const reply = await callTool(t, c, tool.name, args, { extra: { task: { ttl: TTL } } });
    if (!reply) return t.notVerified(`${tool.name} did not answer in time`);
    if (!reply.ok) {
      // An error is only the task field's doing if the same call without it succeeds.
      const plain = await callTool(t, c, tool.name, args);
      if (plain?.ok) return t.fail(`the task-augmented call of ${tool.name} was answered with ${errorText(reply)}, while the same call without "task" succeeds: the task field was not ignored`, reply);
      return t.notVerified(`the call of ${tool.name} fails with and without "task" (${errorText(reply)})`, reply);
    }
    if (isObject(reply.result.task)) t.fail(`the server does not declare tasks.requests.tools.call, yet answered a task-augmented call of ${tool.name} with a CreateTaskResult`, reply);
    const bad = schemaProblem(t.revision, 'CallToolResult', reply.result);
    if (bad) t.fail(`the task-augmented call of ${tool.name} was not answered with a plain CallToolResult: ${bad}`, reply);
  },
);

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

const relatedOf = (m: Json): unknown => {
  const meta = isObject(m._meta) ? m._meta : isObject(m.params) && isObject(m.params._meta) ? m.params._meta : {};
  return meta[RELATED_TASK_META];
};

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

/** A ttl no receiver should keep a task for: ten years. */
const HUGE_TTL = 10 * 365 * 24 * 3600 * 1000;

check(
  {
    id: 'tasks/ttl-capped',
    title: 'a task asked to live ten years gets a shorter ttl',
    level: 'SHOULD',
    requirement: 'Receivers SHOULD: Enforce maximum ttl durations to prevent indefinite resource retention. (Receivers MAY override the requested ttl and MUST report the actual one.)',
    spec: tasks('resource-management'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const tool = await taskTool(t, c);
    const reply = await callTool(t, c, tool.name, await argsFor(t, tool), { extra: { task: { ttl: HUGE_TTL } } });
    const task = reply?.ok && isObject(reply.result.task) ? reply.result.task : undefined;
    if (!task) return t.notVerified(`the task-augmented call of ${tool.name} created no task (see tasks/create-result)`, reply);
    const ttl = task.ttl;
    if (ttl === null) return t.fail(`asked for a ttl of ten years (${HUGE_TTL} ms), the task got ttl null: unlimited retention`, reply);
    if (typeof ttl === 'number' && ttl >= HUGE_TTL) t.fail(`asked for a ttl of ten years (${HUGE_TTL} ms), the task got ttl ${ttl}: no maximum enforced`, reply);
  },
);

/** A task run to its end: the tool, the arguments, the task's id and the last tasks/get answer. */
interface Finished {
  tool: Tool;
  args: Json;
  taskId: string;
  status: string;
  last?: Reply<Json>;
}

/** Runs each callable task-capable tool as a task (generated arguments, a few side by side) to its end. */
async function runTasks(t: T, c: MockClient, tools: readonly Tool[]): Promise<{ finished: Finished[]; tried: string[] }> {
  const tried: string[] = [];
  const one = async (tool: Tool): Promise<Finished | undefined> => {
    const args = await argsFor(t, tool);
    const reply = await callTool(t, c, tool.name, args, { extra: { task: { ttl: TTL } } });
    const task = reply?.ok && isObject(reply.result.task) ? reply.result.task : undefined;
    if (!task || typeof task.taskId !== 'string') {
      tried.push(`${tool.name} (no task created${reply && !reply.ok ? `: ${errorText(reply)}` : ''})`);
      return undefined;
    }
    const { statuses, last } = await poll(t, c, task.taskId, finishMs(t));
    const status = statuses.at(-1) ?? String(task.status);
    tried.push(`${tool.name} (${status})`);
    return { tool, args, taskId: task.taskId, status, ...(last ? { last } : {}) };
  };
  const finished = await Promise.all(tools.slice(0, MAX_TASK_TOOLS).map(one));
  return { finished: finished.filter((x): x is Finished => x !== undefined), tried };
}

/** How many task-capable tools a check runs as tasks, at most. */
const MAX_TASK_TOOLS = 4;

/** The task-capable tools this run may call, optional ones first (they can also be called plainly). */
async function taskTools(t: T, c: MockClient): Promise<Tool[]> {
  const capable = (await listTools(t, c)).filter((x) => supportOf(x) !== 'forbidden').sort((a, b) => Number(supportOf(a) === 'required') - Number(supportOf(b) === 'required'));
  if (capable.length === 0) return t.notVerified('no listed tool declares execution.taskSupport "optional" or "required"');
  return callable(t, capable, 'task-capable tool');
}

check(
  {
    id: 'tasks/failed-status-message',
    title: "a failed task's tasks/get result says why in statusMessage",
    level: 'SHOULD',
    requirement:
      'When the underlying request does not complete successfully, the task moves to the failed status. The tasks/get response SHOULD include a statusMessage field with diagnostic information about the failure.',
    spec: tasks('task-execution-errors'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const { finished, tried } = await runTasks(t, c, await taskTools(t, c));
    const failed = finished.find((x) => x.status === 'failed' && x.last?.ok);
    if (!failed?.last?.ok) return t.notVerified(`no task ended failed, so there is no failure to describe (tried: ${tried.join(', ') || 'none'})`);
    const message = failed.last.result.statusMessage;
    t.expect(typeof message === 'string' && message.trim() !== '', `tasks/get for the failed task of ${failed.tool.name} has statusMessage ${short(message)}: no diagnostic information about the failure`, failed.last);
  },
);

check(
  {
    id: 'tasks/result-error',
    title: 'a task whose request ends in a JSON-RPC error returns that error from tasks/result',
    level: 'MUST',
    requirement:
      "If the underlying request resulted in a JSON-RPC error, tasks/result MUST return that same JSON-RPC error. (Checked: a tool whose plain call is answered with a JSON-RPC error is called as a task with the same arguments; tasks/result must be answered with an error of the same code.)",
    spec: tasks('task-execution-errors'),
    requires: TOOLS_CALL,
  },
  async (t) => {
    const c = await t.session();
    const optional = (await taskTools(t, c)).filter((x) => supportOf(x) === 'optional').slice(0, MAX_TASK_TOOLS);
    if (optional.length === 0) return t.notVerified('no callable tool declares taskSupport "optional": none can be called both plainly and as a task');
    const tried: string[] = [];
    for (const tool of optional) {
      const args = await argsFor(t, tool);
      const plain = await callTool(t, c, tool.name, args);
      if (!plain || plain.ok) {
        tried.push(`${tool.name} (${plain ? (plain.result.isError === true ? 'isError result' : 'result') : 'no answer in time'})`);
        continue;
      }
      const asTask = await callTool(t, c, tool.name, args, { extra: { task: { ttl: TTL } } });
      const task = asTask?.ok && isObject(asTask.result.task) ? asTask.result.task : undefined;
      if (!task || typeof task.taskId !== 'string') {
        // Answered with the error at once, or no task: the request was not accepted as a task.
        tried.push(`${tool.name} (as a task: ${asTask ? (asTask.ok ? 'no task created' : errorText(asTask)) : 'no answer in time'})`);
        continue;
      }
      const reply = await c.request<Json>('tasks/result', { taskId: task.taskId }, { timeoutMs: finishMs(t) });
      const what = `${tool.name}(${short(args, 60)}) without "task" was answered with JSON-RPC ${errorText(plain)}; as the task ${task.taskId}, tasks/result`;
      if (reply.ok) return t.fail(`${what} returned a result${reply.result.isError === true ? ' with isError: true' : ''}, not that JSON-RPC error`, [plain.message, reply.message]);
      if (reply.error.code !== plain.error.code) return t.fail(`${what} was answered with a different error, ${errorText(reply)}`, [plain.message, reply.message]);
      return;
    }
    t.notVerified(`no task-capable tool's plain call was answered with a JSON-RPC error that a task could repeat (tried: ${tried.join(', ')})`);
  },
);

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
