// basic/utilities/progress (basic/patterns/progress from 2026-07-28, where only servers send
// progress), exercised through the conformance fixture tool `test_tool_with_progress` (the
// official suite's fixture contract) or, on a server without it, a tool that reported progress in
// the tool survey (suites/kit/tool-survey.ts).
import { REVISIONS, type Current } from '../../schema/index.ts';
import { check, type CheckContext } from '../harness/index.ts';
import { cite, utilityPage, progressTool } from '../kit/index.ts';

const page = (anchor: string) => cite(REVISIONS, utilityPage('progress', anchor));

type Msg = Record<string, unknown>;
const isProgress = (m: Msg) => m.method === 'notifications/progress' && !Object.hasOwn(m, 'id');
// The schema's fields, values unknown: what the server sent is checked, not trusted.
const params = (m: Msg) => (m.params ?? {}) as Partial<Record<keyof Current['ProgressNotificationParams'], unknown>>;

/** Calls the progress tool with `token`; returns the progress notifications before and after its response. */
async function callWithProgress(t: CheckContext, token: string | number) {
  const c = await t.session();
  const tool = await progressTool(t, c);
  const since = c.peer.received.length;
  const reply = await c.request('tools/call', { name: tool.name, arguments: tool.args, _meta: { progressToken: token } });
  t.expectResult(reply, `tools/call ${tool.name}`);
  await t.sleep(t.quietMs);
  const msgs = c.peer.received.slice(since);
  const at = msgs.indexOf(reply.message);
  const during = msgs.slice(0, at).filter(isProgress);
  const after = msgs.slice(at + 1).filter(isProgress);
  if (during.length === 0 && after.length === 0) return t.notVerified(`${tool.name} sent no progress notifications (receivers MAY choose not to)`);
  return { during, after };
}

check(
  {
    id: 'progress/token-echoed',
    title: 'progress notifications carry the progress token of the request, string or integer',
    level: 'MUST',
    requirement: 'Progress notifications MUST only reference tokens that were provided in an active request and are associated with an in-progress operation.',
    spec: page('behavior-requirements'),
    requires: 'server.tools',
  },
  async (t) => {
    for (const token of ['mcp-conform-progress', 7]) {
      const { during, after } = await callWithProgress(t, token);
      const wrong = [...during, ...after].filter((m) => params(m).progressToken !== token);
      t.expect(wrong.length === 0, `progress notifications for a request with progressToken ${JSON.stringify(token)} carried ${wrong.map((m) => JSON.stringify(params(m).progressToken)).join(', ')}`, wrong);
    }
  },
);

check(
  {
    id: 'progress/increasing',
    title: 'progress increases with each notification',
    level: 'MUST',
    requirement: 'The progress value MUST increase with each notification, even if the total is unknown.',
    spec: page('progress-flow'),
    requires: 'server.tools',
  },
  async (t) => {
    const { during, after } = await callWithProgress(t, 'mcp-conform-increasing');
    let last = -Infinity;
    for (const m of [...during, ...after]) {
      const p = params(m).progress;
      t.expect(typeof p === 'number', `progress ${JSON.stringify(p)} is not a number`, [m]);
      t.expect((p as number) > last, `progress went from ${last} to ${String(p)}`, [m]);
      last = p as number;
    }
  },
);

check(
  {
    id: 'progress/stops-after-completion',
    title: 'no progress notification after the response',
    level: 'MUST',
    requirement: 'Progress notifications MUST stop after completion.',
    spec: page('implementation-notes'),
    requires: 'server.tools',
  },
  async (t) => {
    const { after } = await callWithProgress(t, 'mcp-conform-stops');
    t.expect(after.length === 0, `${after.length} progress notification(s) arrived after the response`, after);
  },
);
