// server/utilities/logging: logging/setLevel for every level, invalid levels, filtering by the
// level set, and log notifications only with the logging capability.
import { ErrorCode, isObject, LOG_LEVELS, STATEFUL_REVISIONS, type LoggingLevel } from '../../schema/index.ts';
import type { MockClient } from '../../mock-server/index.ts';
import { check } from '../harness/index.ts';
import { callable, callTool, errorText, listTools, type Json, type T, cite, section } from '../kit/index.ts';

const logging = (anchor: string) => cite(STATEFUL_REVISIONS, section('server/utilities/logging', anchor));

/** The fixture-contract tool that logs while it runs. */
const LOGGING_TOOL = 'test_tool_with_logging';

const isLog = (m: Json) => m.method === 'notifications/message' && !Object.hasOwn(m, 'id');
const levelOf = (m: Json): LoggingLevel | undefined => (isObject(m.params) && LOG_LEVELS.includes(m.params.level as LoggingLevel) ? (m.params.level as LoggingLevel) : undefined);

/** Runs the contract's logging tool (if listed and callable) and returns the log messages it caused. */
async function logsOfOneCall(t: T, c: MockClient): Promise<Json[] | undefined> {
  if (!c.serverCapabilities.tools) return undefined;
  const tool = (await listTools(t, c)).find((x) => x.name === LOGGING_TOOL);
  if (!tool || callable(t, [tool]).length === 0) return undefined;
  const start = c.peer.received.length;
  const reply = await callTool(t, c, LOGGING_TOOL, {});
  if (!reply) return t.notVerified(`${LOGGING_TOOL} did not answer in time`);
  await t.sleep(Math.min(t.quietMs, 200)); // notifications sent just before the response may trail it on some transports
  return c.peer.received.slice(start).filter(isLog);
}

check(
  {
    id: 'logging/set-level',
    title: 'logging/setLevel is accepted for each of the eight RFC 5424 levels',
    level: 'MUST',
    requirement:
      'To configure the minimum log level, clients MAY send a logging/setLevel request with one of the levels debug, info, notice, warning, error, critical, alert, emergency; the server answers with an empty result.',
    spec: logging('setting-log-level'),
    requires: 'server.logging',
  },
  async (t) => {
    const c = await t.session();
    for (const level of LOG_LEVELS) {
      const reply = await c.request('logging/setLevel', { level });
      if (!reply.ok) t.fail(`logging/setLevel with level "${level}" was answered with ${errorText(reply)}`, reply);
    }
  },
);

check(
  {
    id: 'logging/set-level-invalid',
    title: 'logging/setLevel with an unknown level is answered with error -32602',
    level: 'SHOULD',
    requirement: 'Servers SHOULD return standard JSON-RPC errors for common failure cases: Invalid log level: -32602 (Invalid params).',
    spec: logging('error-handling'),
    requires: 'server.logging',
  },
  async (t) => {
    const c = await t.session();
    // A level the schema does not have, on purpose: untyped.
    const reply = await c.request<Json>('logging/setLevel', { level: 'verbose' });
    if (reply.ok) return t.fail('logging/setLevel with the unknown level "verbose" was answered with a result', reply);
    t.expectError(reply, ErrorCode.InvalidParams, 'logging/setLevel with the unknown level "verbose"');
  },
);

check(
  {
    id: 'logging/level-filter',
    title: 'after logging/setLevel, no log messages below that level are sent',
    level: 'SHOULD',
    requirement: 'logging/setLevel configures the minimum log level: the server should send all logs at this level and higher (more severe) to the client, and only those.',
    spec: logging('setting-log-level'),
    requires: 'server.logging',
  },
  async (t) => {
    const c = await t.session();
    t.expectResult(await c.request('logging/setLevel', { level: 'debug' }), 'logging/setLevel debug');
    const all = await logsOfOneCall(t, c);
    if (all === undefined) return t.notVerified(`needs a way to make the server log: the fixture-contract tool ${LOGGING_TOOL}, callable under the run's policy`);
    const seen = [...new Set(all.map(levelOf).filter((l): l is LoggingLevel => l !== undefined))].sort((a, b) => LOG_LEVELS.indexOf(a) - LOG_LEVELS.indexOf(b));
    if (seen.length === 0) return t.notVerified(`${LOGGING_TOOL} sent no log message at level debug`);
    // A threshold some of the observed levels fall below.
    const threshold: LoggingLevel = seen.length > 1 ? (seen.at(-1) as LoggingLevel) : (LOG_LEVELS[Math.min(LOG_LEVELS.indexOf(seen[0] as LoggingLevel) + 1, LOG_LEVELS.length - 1)] as LoggingLevel);
    if (threshold === seen[0]) return t.notVerified(`${LOGGING_TOOL} logs only at "${threshold}", the highest level: nothing to filter`);
    t.expectResult(await c.request('logging/setLevel', { level: threshold }), `logging/setLevel ${threshold}`);
    const after = (await logsOfOneCall(t, c)) ?? [];
    const below = after.filter((m) => LOG_LEVELS.indexOf(levelOf(m) ?? 'emergency') < LOG_LEVELS.indexOf(threshold));
    if (below.length) t.fail(`after logging/setLevel "${threshold}" the server still sent ${below.length} message(s) below it (levels ${[...new Set(below.map(levelOf))].join(', ')})`, below);
  },
);

check(
  {
    id: 'logging/capability-declared',
    title: 'log notifications only from a server that declared the logging capability',
    level: 'MUST',
    requirement: 'Servers that emit log message notifications MUST declare the logging capability.',
    spec: logging('capabilities'),
  },
  async (t) => {
    const c = await t.session();
    if (c.serverCapabilities.logging !== undefined) return t.notApplicable('the server declares the logging capability');
    const caused = await logsOfOneCall(t, c);
    await t.sleep(t.quietMs);
    const logs = c.peer.received.filter(isLog);
    if (logs.length) return t.fail(`the server sent ${logs.length} notifications/message without declaring the logging capability`, logs);
    if (caused === undefined) t.note(`the fixture-contract tool ${LOGGING_TOOL} was not available: only the session's own traffic was watched`);
  },
);
