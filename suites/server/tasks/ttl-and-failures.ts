// Resource limits and failures (basic/utilities/tasks, 2025-11-25): a ttl cap, a failed task's
// statusMessage, and a JSON-RPC error returned again by tasks/result.
import { isObject } from '../../../schema/index.ts';
import type { MockClient, Reply } from '../../../mock-server/index.ts';
import { check } from '../../harness/index.ts';
import { tasks, TOOLS_CALL, TTL, supportOf, argsFor, taskTool, poll, finishMs, MAX_TASK_TOOLS, taskTools, callTool, errorText, short, type Json, type T, type Tool } from '../../kit/index.ts';

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
