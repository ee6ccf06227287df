// Which of the target's tools report progress, and which run long enough to be cancelled. The
// progress and cancellation checks used to need the official suite's fixture tool
// (test_tool_with_progress); real servers never have that name. So when it is not listed (or may
// not be called), every tool the run may call is called once with a progress token and generated
// arguments, and the checks use a tool that showed the behaviour: not verified only when none did,
// naming the tools tried. Made once per run and revision (a fact about the target, shared by the
// checks that ask; each check's own under --isolate), on a session of its own.
import { isStateless } from '../../schema/index.ts';
import type { MockClient } from '../../mock-server/index.ts';
import { FIXTURE, mayCall } from '../harness/index.ts';
import { callable, callTimeout, generateArguments, plainCallable } from './tools.ts';
import { listTools } from './lists.ts';
import type { Json, T, Tool } from './common.ts';

export interface Surveyed {
  tool: string;
  args: Json;
  /** Progress notifications for the call's token before its answer (or before it was given up). */
  progress: number;
  /** Whether it was answered (result or error) within the call timeout. */
  answered: boolean;
  ms: number;
}

export interface Survey {
  tried: string[];
  calls: Surveyed[];
}

/** At most this many tools are surveyed, four at a time. */
const MAX_TOOLS = 24;
const AT_ONCE = 6;
const TOKEN = 'mcp-conform-survey-';
/** A call still running this long after it reported progress counts as long-running. */
const LONG_MS = 1_000;

interface Running {
  abort: AbortController;
  progressed: () => boolean;
  since: number;
}

/** Calls each tool the run may call once, with a progress token; what each did. */
export async function surveyTools(t: T): Promise<Survey> {
  return t.sharedValue('the tool survey (which tools report progress)', () => survey(t), 'tool survey', { anyCheck: true });
}

async function survey(t: T): Promise<Survey> {
  const c = await t.session({ fresh: true });
  const tools = callable(t, plainCallable(await listTools(t, c))).slice(0, MAX_TOOLS);
  t.note(`tool survey: calling ${tools.length} tool(s) with a progress token, to find one that reports progress`);
  // Each tool with generated arguments and, where it requires none, with none at all: its
  // defaults are often what makes it run long (a demo operation's duration) rather than a random value.
  const jobs: { tool: Tool; args?: Json }[] = [];
  for (const tool of tools) {
    jobs.push({ tool });
    const required = (tool.inputSchema as { required?: unknown } | undefined)?.required;
    if (!Array.isArray(required) || required.length === 0) jobs.push({ tool, args: {} });
  }
  const calls: Surveyed[] = [];
  const running = new Map<string, Running>();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) {
      const r = await surveyOne(t, c, jobs[i]!.tool, `${TOKEN}${i}`, jobs[i]!.args, running);
      if (r) calls.push(r);
    }
  };
  // A call that reported progress and still runs after a second is all the survey needs to know
  // of it (it runs long): once every call is either done or such a one, those are cancelled
  // rather than waited out to the call timeout.
  const sweep = setInterval(() => {
    if (next < jobs.length || running.size === 0) return;
    const all = [...running.values()];
    if (all.every((x) => x.progressed() && Date.now() - x.since >= LONG_MS)) for (const x of all) x.abort.abort();
  }, 100);
  try {
    await Promise.all(Array.from({ length: Math.min(AT_ONCE, jobs.length) }, worker));
  } finally {
    clearInterval(sweep);
  }
  return { tried: tools.map((x) => x.name), calls };
}

async function surveyOne(t: T, c: MockClient, tool: Tool, token: string, given: Json | undefined, running: Map<string, Running>): Promise<Surveyed | undefined> {
  let args = given;
  if (!args) {
    const gen = await generateArguments(t.revision, tool, 1);
    if ('error' in gen) return undefined;
    args = gen.args[0]!;
  }
  const isMine = (m: Record<string, unknown>) => m.method === 'notifications/progress' && (m.params as { progressToken?: unknown } | undefined)?.progressToken === token;
  const progress = () => c.peer.received.filter(isMine).length;
  const abort = new AbortController();
  const started = Date.now();
  let answered = true;
  // An id of our choosing: a call the survey stops is cancelled by it.
  const id = `${token}-call`;
  running.set(token, { abort, progressed: () => progress() > 0, since: started });
  try {
    await c.request('tools/call', { name: tool.name, arguments: args, _meta: { progressToken: token } }, { id, timeoutMs: callTimeout(t), cancelOnTimeout: true, signal: abort.signal });
  } catch (err) {
    // (At 2026-07-28 over Streamable HTTP a client cancels by closing the stream: the session's close does.)
    if (abort.signal.aborted && !(isStateless(t.revision) && t.target.kind === 'http')) void c.notify('notifications/cancelled', { requestId: id, reason: 'mcp-conform tool survey: seen running' }).catch(() => {});
    else if ((err as Error).name !== 'TimeoutError') throw err;
    answered = false;
  } finally {
    running.delete(token);
  }
  return { tool: tool.name, args, progress: progress(), answered, ms: Date.now() - started };
}

/**
 * The tool the progress checks call, with its arguments: the fixture contract's progress tool when
 * the server lists it and the run may call it; else the surveyed tool that reported progress and
 * answered in time, fastest first. Ends the check not verified when there is none.
 */
export async function progressTool(t: T, c: MockClient): Promise<{ name: string; args: Json }> {
  const fixture = await fixtureTool(t, c);
  if (fixture) return fixture;
  const { tried, calls } = await surveyTools(t);
  const fit = calls.filter((x) => x.progress > 0 && x.answered).sort((a, b) => a.ms - b.ms)[0];
  if (fit) {
    t.note(`using "${fit.tool}": it reported progress in the tool survey`);
    return { name: fit.tool, args: fit.args };
  }
  return t.notVerified(`needs a tool that reports progress: the fixture tool ${FIXTURE.progressTool} is not listed, and ${none(tried, calls, 'reported progress and answered in time')}`);
}

/**
 * The tool the cancellation checks start and cancel: the fixture progress tool, else the surveyed
 * tool that reported progress and ran longest (a progress notification shows it is running).
 */
export async function longRunningTool(t: T, c: MockClient): Promise<{ name: string; args: Json }> {
  const fixture = await fixtureTool(t, c);
  if (fixture) return fixture;
  const { tried, calls } = await surveyTools(t);
  const fit = calls.filter((x) => x.progress > 0).sort((a, b) => b.ms - a.ms)[0];
  if (fit) {
    t.note(`using "${fit.tool}": it reported progress in the tool survey and ${fit.answered ? `answered after ${fit.ms} ms` : `was still running after ${fit.ms} ms`}`);
    return { name: fit.tool, args: fit.args };
  }
  return t.notVerified(`needs a long-running tool to cancel: the fixture tool ${FIXTURE.progressTool} is not listed, and ${none(tried, calls, 'reported progress')}`);
}

async function fixtureTool(t: T, c: MockClient): Promise<{ name: string; args: Json } | undefined> {
  if (t.config.callTools === 'none') return t.notVerified(`needs a tool call (a tool that reports progress), but tool calls are disabled (--call-tools none)`);
  const name = FIXTURE.progressTool;
  const listed = await t.findTool(c, name);
  if (!listed) return undefined;
  const may = mayCall(listed, t.config.callTools);
  if (!may.ok) {
    t.note(`the fixture tool ${name} may not be called (${may.why}); looking for another tool that reports progress`);
    return undefined;
  }
  return { name, args: {} };
}

function none(tried: string[], calls: Surveyed[], what: string): string {
  if (tried.length === 0) return 'the run may call no other tool';
  const named = tried.length > 6 ? `${tried.slice(0, 6).join(', ')} and ${tried.length - 6} more` : tried.join(', ');
  const answered = calls.filter((x) => x.answered).length;
  return `none of the ${tried.length} tool(s) the run may call (${named}) ${what} when called once with a progress token (${answered} answered in time)`;
}
