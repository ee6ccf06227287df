// 2026-07-28 logging (server/utilities/logging): the log level travels in each request's _meta;
// without it the server sends no notifications/message for that request.
import { ErrorCode, isObject, LOG_LEVELS, META, type LoggingLevel } from '../../../schema/index.ts';
import { check, type CheckContext } from '../../harness/index.ts';
import { type StatelessClient, at, INPUT_CAPABILITIES, logsOf, safeOperations, type Operation } from '../../kit/index.ts';

const rank = (l: unknown) => LOG_LEVELS.indexOf(l as LoggingLevel);

/** The first safe operation that logs when asked at level debug, with the levels it logged. */
async function loggingOperation(t: CheckContext): Promise<{ s: StatelessClient; op: Operation; levels: number[] }> {
  const s = await t.stateless();
  for (const op of await safeOperations(s, t.config.callTools)) {
    const { logs } = await logsOf(s, op, { logLevel: 'debug' }, Math.min(t.quietMs, 200));
    if (logs.length) return { s, op, levels: logs.map((m) => rank(isObject(m.params) ? m.params.level : undefined)) };
  }
  return t.notVerified('no operation the checks may send (resources/read, prompts/get, tools/call of tools the --call-tools policy allows) logged when asked at level debug');
}

check(
  {
    id: 'logging/no-level-no-messages',
    title: 'no notifications/message for a request without io.modelcontextprotocol/logLevel',
    level: 'MUST',
    requirement: 'To receive log messages for a specific request, include io.modelcontextprotocol/logLevel in the request’s _meta. The server MUST NOT emit notifications/message for a request that does not include this field.',
    spec: at('server/utilities/logging#per-request-log-level'),
  },
  async (t) => {
    const { s, op } = await loggingOperation(t);
    const { logs } = await logsOf(s, op, { logLevel: null }, t.quietMs);
    t.expect(logs.length === 0, `${op.label} without a log level still sent ${logs.length} notifications/message`, logs);
  },
);

check(
  {
    id: 'logging/level-threshold',
    title: 'only messages at or above the requested level',
    level: 'SHOULD',
    requirement: 'When the field is present, the server MAY send notifications/message notifications at or above the requested level on the response stream of that request, before the final response.',
    spec: at('server/utilities/logging#per-request-log-level'),
  },
  async (t) => {
    const { s, op, levels } = await loggingOperation(t);
    const lowest = Math.min(...levels.filter((l) => l >= 0));
    if (!Number.isFinite(lowest) || lowest >= LOG_LEVELS.length - 1) return t.notVerified(`${op.label} logged only at level emergency`);
    const threshold = LOG_LEVELS[lowest + 1]!;
    const { logs } = await logsOf(s, op, { logLevel: threshold }, t.quietMs);
    const below = logs.filter((m) => rank(isObject(m.params) ? m.params.level : undefined) < lowest + 1);
    t.expect(below.length === 0, `${op.label} at log level ${threshold} sent messages below it (${below.map((m) => String(isObject(m.params) ? m.params.level : '?')).join(', ')})`, below);
  },
);

check(
  {
    id: 'logging/invalid-level',
    title: 'an unknown io.modelcontextprotocol/logLevel is refused with -32602',
    level: 'SHOULD',
    requirement: 'If the io.modelcontextprotocol/logLevel value carried in a request’s _meta is not a recognized log level, the server SHOULD reject that request with a standard JSON-RPC error: Invalid log level: -32602 (Invalid params).',
    spec: at('server/utilities/logging#error-handling'),
  },
  async (t) => {
    const s = await t.stateless();
    const reply = await s.request('server/discover', {}, { logLevel: 'mcp-conform-loud' });
    t.expectError(reply, ErrorCode.InvalidParams, 'server/discover with log level "mcp-conform-loud"');
  },
);

check(
  {
    id: 'logging/request-scoped',
    title: "log messages travel only with the request that asked for them: not on a listen stream, not after the response",
    level: 'MUST',
    requirement:
      'notifications/message is request-scoped: the server MUST NOT deliver it on a subscriptions/listen stream or on any stream other than the one carrying the response to the request that set the log level.',
    spec: at('server/utilities/logging#per-request-log-level'),
  },
  async (t) => {
    const { s, op } = await loggingOperation(t);
    // A listen stream open meanwhile (the check's end closes it): no log message may come on it.
    const listenId = 'mcp-conform-listen-logging';
    void s.request('subscriptions/listen', { notifications: { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true } }, { id: listenId, timeoutMs: t.config.checkTimeoutMs }).catch(() => undefined);
    try {
      await s.peer.waitFor((m) => m.method === 'notifications/subscriptions/acknowledged', t.requestTimeoutMs, { includePast: true });
    } catch {
      t.note('the listen stream was not acknowledged: only messages after the response are watched');
    }
    const start = s.peer.received.length;
    const replies = await s.requestWithInput(op.method, op.params, { logLevel: 'debug', capabilities: INPUT_CAPABILITIES });
    const answeredAt = s.peer.received.length;
    await t.sleep(t.quietMs);
    const logs = (from: number, to?: number) => s.peer.received.slice(from, to).filter((m) => m.method === 'notifications/message');
    const tagged = logs(start).filter((m) => isObject(m.params) && isObject(m.params._meta) && m.params._meta[META.subscriptionId] !== undefined);
    t.expect(tagged.length === 0, `${tagged.length} notifications/message of ${op.label} came on the listen stream (tagged with its subscription id)`, tagged);
    const late = logs(answeredAt);
    t.expect(late.length === 0, `${late.length} notifications/message arrived after ${op.label} was answered: on no stream carrying its response`, [...late, ...replies.map((r) => r.message)]);
  },
);
