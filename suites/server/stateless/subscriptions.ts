// 2026-07-28 subscriptions/listen (basic/patterns/subscriptions): the acknowledgement comes first,
// reflects a subset of the filter, and every notification on the stream is tagged and requested.
import { isObject, META, type Stateless } from '../../../schema/index.ts';
import { check, type CheckContext } from '../../harness/index.ts';
import { type StatelessClient, at } from '../../kit/index.ts';

type Filter = Stateless['SubscriptionFilter'];

/** The notification method each filter key opts in to. */
const FILTER_METHOD: Record<string, string> = {
  toolsListChanged: 'notifications/tools/list_changed',
  promptsListChanged: 'notifications/prompts/list_changed',
  resourcesListChanged: 'notifications/resources/list_changed',
  resourceSubscriptions: 'notifications/resources/updated',
};

const subscriptionOf = (m: Record<string, unknown>): unknown => (isObject(m.params) && isObject(m.params._meta) ? m.params._meta[META.subscriptionId] : undefined);

/** Everything, with a resource subscription when the server lists a resource. */
async function fullFilter(s: StatelessClient): Promise<Filter> {
  const f: Filter = { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true };
  if (s.serverCapabilities.resources) {
    const r = await s.request('resources/list');
    const first = r.ok && Array.isArray(r.result.resources) ? r.result.resources.find(isObject) : undefined;
    if (first && typeof first.uri === 'string') f.resourceSubscriptions = [first.uri];
  }
  return f;
}

/**
 * Opens a listen stream (left open: the check's end closes it, which is the cancellation) and
 * watches it for `ms`. Returns what arrived tagged with the subscription, in order.
 */
async function listen(t: CheckContext, s: StatelessClient, filter: Filter, id: string, ms: number) {
  const start = s.peer.received.length;
  let early: unknown;
  const pending = s.request('subscriptions/listen', { notifications: filter }, { id, timeoutMs: t.config.checkTimeoutMs }).then(
    (r) => {
      early = r;
      return r;
    },
    (err: unknown) => {
      early = err;
      return undefined;
    },
  );
  void pending;
  try {
    await s.peer.waitFor((m) => m.method === 'notifications/subscriptions/acknowledged' && subscriptionOf(m) === id, t.requestTimeoutMs, { includePast: true });
  } catch {
    // judged below from what arrived
  }
  await t.sleep(ms);
  const tagged = s.peer.received.slice(start).filter((m) => typeof m.method === 'string' && subscriptionOf(m) === id);
  const untaggedChanges = s.peer.received.slice(start).filter((m) => Object.values(FILTER_METHOD).includes(String(m.method)) && subscriptionOf(m) === undefined);
  return { tagged, untaggedChanges, early };
}

function earlyEnd(t: CheckContext, early: unknown): string {
  if (early === undefined) return `no acknowledgement within ${t.requestTimeoutMs} ms`;
  if (early instanceof Error) return `the listen request failed: ${early.message}`;
  const r = early as { ok: boolean; error?: { code: number; message: string } };
  return r.ok ? 'the listen request was answered (closed) without an acknowledgement' : `the listen request was answered with error ${r.error?.code} ${JSON.stringify(r.error?.message)}`;
}

check(
  {
    id: 'subscriptions/acknowledged-first',
    title: 'subscriptions/listen is acknowledged first, tagged with the request id',
    level: 'MUST',
    requirement:
      'The server MUST send notifications/subscriptions/acknowledged as the first message carrying the subscription’s ID in _meta under io.modelcontextprotocol/subscriptionId, and MUST NOT send any notification on the subscription before it. The value is the JSON-RPC ID of the subscriptions/listen request.',
    spec: at('basic/patterns/subscriptions#acknowledgment'),
  },
  async (t) => {
    const s = await t.stateless();
    const id = 'mcp-conform-listen-1';
    const { tagged, early } = await listen(t, s, await fullFilter(s), id, t.quietMs);
    const first = tagged[0];
    if (!first) return t.fail(`no message tagged with subscription id ${JSON.stringify(id)}: ${earlyEnd(t, early)}`);
    t.expect(first.method === 'notifications/subscriptions/acknowledged', `the first message of subscription ${JSON.stringify(id)} is ${String(first.method)}, not notifications/subscriptions/acknowledged`, [first]);
  },
);

check(
  {
    id: 'subscriptions/acknowledged-subset',
    title: 'the acknowledgement lists only notification types the client asked for',
    level: 'MUST',
    requirement: 'The notifications field in the acknowledgment reflects the subset the server agreed to honor. Notification types the server does not support are omitted.',
    spec: at('basic/patterns/subscriptions#acknowledgment'),
  },
  async (t) => {
    const s = await t.stateless();
    const id = 'mcp-conform-listen-2';
    const filter: Filter = { toolsListChanged: true };
    const { tagged, early } = await listen(t, s, filter, id, 0);
    const ack = tagged.find((m) => m.method === 'notifications/subscriptions/acknowledged');
    if (!ack) return t.notVerified(`no acknowledgement: ${earlyEnd(t, early)} (see subscriptions/acknowledged-first)`);
    const agreed = isObject(ack.params) && isObject(ack.params.notifications) ? ack.params.notifications : undefined;
    if (!agreed) return t.fail('the acknowledgement has no notifications filter', [ack]);
    const extra = Object.entries(agreed).filter(([k, v]) => k !== 'toolsListChanged' && v !== false && !(Array.isArray(v) && v.length === 0));
    t.expect(extra.length === 0, `asked only for toolsListChanged, the acknowledgement also lists ${extra.map(([k]) => k).join(', ')}`, [ack]);
  },
);

check(
  {
    id: 'subscriptions/only-requested',
    title: 'a listen stream carries only the notification types the client asked for, each tagged',
    level: 'MUST',
    requirement:
      'The server MUST NOT send notification types the client has not explicitly requested. On notifications delivered via a subscriptions/listen stream, the server MUST include io.modelcontextprotocol/subscriptionId in _meta.',
    spec: at('basic/patterns/subscriptions#opening-a-stream'),
  },
  async (t) => {
    const s = await t.stateless();
    const id = 'mcp-conform-listen-3';
    // Ask for tool list changes only; watch a while for anything else.
    const { tagged, untaggedChanges, early } = await listen(t, s, { toolsListChanged: true }, id, t.quietMs * 3);
    if (!tagged.some((m) => m.method === 'notifications/subscriptions/acknowledged')) return t.notVerified(`no acknowledgement: ${earlyEnd(t, early)} (see subscriptions/acknowledged-first)`);
    const unwanted = tagged.filter((m) => m.method !== 'notifications/subscriptions/acknowledged' && m.method !== FILTER_METHOD.toolsListChanged);
    t.expect(unwanted.length === 0, `asked only for tool list changes, the stream carried ${[...new Set(unwanted.map((m) => String(m.method)))].join(', ')}`, unwanted);
    t.expect(untaggedChanges.length === 0, `change notifications arrived without ${META.subscriptionId}: ${untaggedChanges.map((m) => String(m.method)).join(', ')}`, untaggedChanges);
    if (tagged.length === 1) t.info(`no change notification arrived within ${t.quietMs * 3} ms: only the acknowledgement was observed`);
  },
);
