// What the 2025-11-25 tasks checks (suites/server/tasks/) share: the citation, the capability they
// need, task-augmented calls of a task-capable tool, polling tasks/get to a terminal status, and
// reading related-task metadata.
import { isObject, RELATED_TASK_META, type Current } from '../../schema/index.ts';
import type { MockClient, Reply } from '../../mock-server/index.ts';
import { cite, section } from './cite.ts';
import { listTools } from './lists.ts';
import { callable, callTool, generateArguments } from './tools.ts';
import type { Json, T, Tool } from './common.ts';

export const tasks = (anchor: string) => cite(['2025-11-25'], section('basic/utilities/tasks', anchor));
export const TOOLS_CALL = 'server.tasks.requests.tools.call';
export const TERMINAL = ['completed', 'failed', 'cancelled'];

/** TTL asked for on created tasks (the receiver may override it). */
export const TTL = 60_000;

export type TaskSupport = NonNullable<Current['ToolExecution']['taskSupport']>;
export const supportOf = (tool: Tool): TaskSupport => tool.execution?.taskSupport ?? 'forbidden';

export async function argsFor(t: T, tool: Tool): Promise<Json> {
  const gen = await generateArguments(t.revision, tool, 1);
  return 'args' in gen ? ((gen.args[0] as Json | undefined) ?? {}) : {};
}

/** A tool that may run as a task and that the run may call (optional ones first). */
export async function taskTool(t: T, c: MockClient): Promise<Tool> {
  const capable = (await listTools(t, c)).filter((x) => supportOf(x) !== 'forbidden').sort((a, b) => Number(supportOf(a) === 'required') - Number(supportOf(b) === 'required'));
  if (capable.length === 0) return t.notVerified('no listed tool declares execution.taskSupport "optional" or "required"');
  return callable(t, capable, 'task-capable tool')[0] as Tool;
}

export interface Started {
  tool: Tool;
  reply: Reply<Json>;
}

export async function startTask(t: T, c: MockClient, tool?: Tool): Promise<Started> {
  const x = tool ?? (await taskTool(t, c));
  const reply = await callTool(t, c, x.name, await argsFor(t, x), { extra: { task: { ttl: TTL } } });
  if (!reply) return t.notVerified(`the task-augmented call of ${x.name} was not answered in time`);
  return { tool: x, reply };
}

/** A created task's id and its Task; anything else is not this check's business. */
export async function createdTask(t: T, c: MockClient): Promise<{ taskId: string; task: Json; tool: Tool }> {
  const { tool, reply } = await startTask(t, c);
  const task = reply.ok && isObject(reply.result.task) ? reply.result.task : undefined;
  if (!task || typeof task.taskId !== 'string') return t.notVerified(`the task-augmented call of ${tool.name} created no task (see tasks/create-result)`, reply);
  return { taskId: task.taskId, task, tool };
}

/** Polls tasks/get until a terminal status (or the time is up); returns the statuses seen. */
export async function poll(t: T, c: MockClient, taskId: string, ms: number): Promise<{ statuses: string[]; last?: Reply<Json> }> {
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
export const finishMs = (t: T) => Math.floor(t.config.checkTimeoutMs * 0.4);

/** The io.modelcontextprotocol/related-task value in a message's or a result's _meta, if any. */
export const relatedOf = (m: Json): unknown => {
  const meta = isObject(m._meta) ? m._meta : isObject(m.params) && isObject(m.params._meta) ? m.params._meta : {};
  return meta[RELATED_TASK_META];
};

/** How many task-capable tools a check runs as tasks, at most. */
export const MAX_TASK_TOOLS = 4;

/** The task-capable tools this run may call, optional ones first (they can also be called plainly). */
export async function taskTools(t: T, c: MockClient): Promise<Tool[]> {
  const capable = (await listTools(t, c)).filter((x) => supportOf(x) !== 'forbidden').sort((a, b) => Number(supportOf(a) === 'required') - Number(supportOf(b) === 'required'));
  if (capable.length === 0) return t.notVerified('no listed tool declares execution.taskSupport "optional" or "required"');
  return callable(t, capable, 'task-capable tool');
}
