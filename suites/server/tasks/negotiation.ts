// Protocol errors and negotiation (basic/utilities/tasks, 2025-11-25): unknown task ids, tool-level
// taskSupport, and servers without the capability ignoring task augmentation.
import { ErrorCode, isObject } from '../../../schema/index.ts';
import { check } from '../../harness/index.ts';
import { tasks, TOOLS_CALL, TTL, supportOf, argsFor, callable, callTool, errorText, listTools, plainCallable, schemaProblem, unknownName, type Json, type Tool } from '../../kit/index.ts';

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
