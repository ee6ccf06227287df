// The plan printed before the first check: at each revision, the tools the server lists and
// which of them the run may call (tool-policy.ts decides). The version probe lists them on its own
// connection where it initialized at that revision (one server start fewer per revision); other
// revisions get a connection each, opened in parallel, closed before returning. Never throws (a
// failed listing is a note).
import { isStateless, type Revision } from '../../schema/index.ts';
import { MockClient, WireLog, type Reply } from '../../mock-server/index.ts';
import type { TargetSpec } from './config.ts';
import { openTransport } from './connect.ts';
import { StatelessClient } from './stateless.ts';
import { decide, type CallToolsPolicy, type RevisionToolPlan, type ToolPlan } from './tool-policy.ts';

export type Tool = { name: string; annotations?: unknown };
/** A revision's tools, or why there are none. */
export type Listed = Tool[] | string;
const MAX_PAGES = 20;

async function listAll(request: (params: Record<string, unknown>) => Promise<Reply>): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: unknown;
  for (let page = 0; page < MAX_PAGES; page++) {
    const reply = await request(typeof cursor === 'string' ? { cursor } : {});
    if (!reply.ok) throw new Error(`tools/list was answered with error ${reply.error.code}: ${reply.error.message}`);
    const list = reply.result.tools;
    if (Array.isArray(list)) tools.push(...list.filter((t): t is Tool => typeof t === 'object' && t !== null && typeof (t as Tool).name === 'string'));
    cursor = reply.result.nextCursor;
    if (typeof cursor !== 'string') break;
  }
  return tools;
}

/** The tools of a session already initialized (the version probe's), or why there are none. */
export async function listInitialized(client: MockClient, timeoutMs: number): Promise<Listed> {
  if (!client.serverCapabilities.tools) return 'the server does not declare the tools capability';
  try {
    return await listAll((p) => client.request('tools/list', p, { timeoutMs }));
  } catch (err) {
    return `could not list the tools: ${(err as Error).message}`;
  }
}

/** The tools of a 2026-07-28 target that answered server/discover (the version probe's connection). */
export async function listDiscovered(s: StatelessClient, discovered: { capabilities?: { tools?: unknown } } | undefined, timeoutMs: number): Promise<Listed> {
  if (!discovered?.capabilities?.tools) return 'the server does not declare the tools capability';
  try {
    return await listAll((p) => s.request('tools/list', p, { timeoutMs }));
  } catch (err) {
    return `could not list the tools: ${(err as Error).message}`;
  }
}

/** The tools the target lists at `rev`, or why there are none. */
async function toolsAt(target: TargetSpec, rev: Revision, timeoutMs: number): Promise<Listed> {
  const opened = openTransport(target, timeoutMs);
  const client = new MockClient(opened.transport, { protocolVersion: rev, requestTimeoutMs: timeoutMs, wire: new WireLog(50) });
  client.peer.revision = undefined; // listing validates nothing: the checks do
  try {
    await client.start();
    if (isStateless(rev)) {
      opened.transport.setProtocolVersion?.(rev);
      const s = new StatelessClient(client, { protocolVersion: rev });
      const d = await s.discover({ timeoutMs });
      if (!d.ok) return `server/discover was answered with error ${d.error.code}: ${d.error.message}`;
      return await listDiscovered(s, d.result, timeoutMs);
    }
    const init = await client.initialize({ timeoutMs });
    if (!init.ok) return `initialize was answered with error ${init.error.code}: ${init.error.message}`;
    return await listInitialized(client, timeoutMs);
  } catch (err) {
    return `could not list the tools: ${(err as Error).message}`;
  } finally {
    await client.close().catch(() => {});
  }
}

/** Which tools the run may call at each revision, and why; lists nothing under 'none'. */
export async function planToolCalls(target: TargetSpec, revisions: readonly Revision[], policy: CallToolsPolicy, timeoutMs: number, listed?: ReadonlyMap<Revision, Listed>): Promise<ToolPlan> {
  const label = Array.isArray(policy) ? policy.join(',') : policy;
  if (policy === 'none') return { policy: label, revisions: revisions.map((revision) => ({ revision, listed: 0, call: [], skip: [], note: 'tool calls are disabled (--call-tools none)' })) };
  const plans = await Promise.all(
    revisions.map(async (revision): Promise<RevisionToolPlan> => {
      const tools = listed?.get(revision) ?? (await toolsAt(target, revision, timeoutMs));
      return typeof tools === 'string' ? { revision, listed: 0, call: [], skip: [], note: tools } : { revision, ...decide(tools, policy) };
    }),
  );
  return { policy: label, revisions: plans };
}
