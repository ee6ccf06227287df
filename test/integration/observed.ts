// Observed-tier checks of an MCP client, from a mock server's wire log of one connection: what a
// client sent, judged after the fact. A stop-gap until the client suites exist: the few
// requirements every client meets on connect (initialize, version, the initialized notification,
// schema-valid messages, the HTTP version header).
import { classify, isRevision, LATEST_STATEFUL, validate, type Revision } from '../../schema/index.ts';
import type { ServerExchange } from '../../mock-server/index.ts';
import type { WireEntry } from '../../reports/model.ts';

export interface Observation {
  id: string;
  ok: boolean;
  message: string;
  /** The spec page the requirement is on. */
  spec: string;
}

type Msg = { jsonrpc?: string; id?: unknown; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: unknown };

function isRequest(m: Msg): boolean {
  return typeof m.method === 'string' && m.id !== undefined;
}

/** Judges one connection: `entries` is the server's wire log (recv = the client sent it). */
export function observeClient(entries: readonly WireEntry[], exchanges: readonly ServerExchange[] = []): Observation[] {
  const out: Observation[] = [];
  const msgs = entries.filter((e) => e.msg !== undefined).map((e) => ({ dir: e.dir, msg: e.msg as Msg }));
  const fromClient = msgs.filter((m) => m.dir === 'recv').map((m) => m.msg);
  const initIndex = fromClient.findIndex((m) => m.method === 'initialize');
  const init = fromClient[initIndex];
  if (!init) {
    out.push({ id: 'client/initialize-sent', ok: false, message: 'the client sent no initialize request', spec: 'basic/lifecycle#initialization' });
    return out;
  }
  const asked = init.params?.protocolVersion;
  const rev: Revision = typeof asked === 'string' && isRevision(asked) ? asked : LATEST_STATEFUL;

  const v = validate(rev, 'InitializeRequest', init);
  out.push({ id: 'client/initialize-well-formed', ok: v.valid, message: v.valid ? `initialize is a valid ${rev} InitializeRequest` : v.errors.map((e) => `${e.pointer || '/'} ${e.message}`).join('; '), spec: 'basic/lifecycle#initialization' });
  out.push({
    id: 'client/protocol-version-supported',
    ok: typeof asked === 'string' && isRevision(asked),
    message: `protocolVersion ${JSON.stringify(asked)}${typeof asked === 'string' && isRevision(asked) ? ' is a published revision' : ' is not a published revision'}`,
    spec: 'basic/lifecycle#version-negotiation',
  });

  // Before initialize: pings only — and, for a dual-era client, the 2026-07-28 server/discover probe.
  const before = fromClient.slice(0, initIndex).filter((m) => isRequest(m) && m.method !== 'ping' && m.method !== 'server/discover');
  // After initialize: notifications/initialized before any request but ping.
  const initializedAt = fromClient.findIndex((m, i) => i > initIndex && m.method === 'notifications/initialized');
  const after = fromClient.slice(initIndex + 1, initializedAt === -1 ? undefined : initializedAt).filter((m) => isRequest(m) && m.method !== 'ping');
  const laterRequests = fromClient.slice(initIndex + 1).some((m) => isRequest(m) && m.method !== 'ping');
  const problems = [
    ...before.map((m) => `${m.method} was sent before initialize`),
    ...after.map((m) => `${m.method} was sent before notifications/initialized`),
    ...(initializedAt === -1 && laterRequests ? ['notifications/initialized was never sent, but requests were'] : []),
  ];
  const probed = fromClient.slice(0, initIndex).some((m) => m.method === 'server/discover');
  out.push({
    id: 'client/initialized-before-requests',
    ok: problems.length === 0,
    message: problems.length ? problems.join('; ') : `notifications/initialized came before any other request${probed ? ' (a server/discover probe came before initialize: the 2026-07-28 dual-era fallback)' : ''}`,
    spec: 'basic/lifecycle#initialization',
  });

  // Every message the client sent, against the schema of the revision it was sent under.
  const bad: string[] = [];
  for (const [i, m] of fromClient.entries()) {
    const r: Revision = i < initIndex && m.method === 'server/discover' ? '2026-07-28' : rev;
    const c = classify(r, m, { direction: 'client-to-server' });
    if (c.violations.length) bad.push(`${m.method ?? 'a response'} (${r}): ${c.violations.slice(0, 2).map((x) => `${x.pointer || '/'} ${x.message}`).join('; ')}`);
  }
  out.push({ id: 'client/valid-messages', ok: bad.length === 0, message: bad.length ? bad.join(' | ') : `${fromClient.length} message(s), all valid`, spec: 'basic#messages' });

  // Streamable HTTP, 2025-06-18 on: MCP-Protocol-Version on every request after initialize.
  if (exchanges.length && rev >= '2025-06-18') {
    const posts = exchanges.filter((x) => x.method === 'POST' && x.status < 400);
    const initPost = posts.findIndex((x) => /"method"\s*:\s*"initialize"/.test(x.requestBody));
    const missing = posts.slice(initPost + 1).filter((x) => x.requestHeaders['mcp-protocol-version'] !== rev);
    out.push({
      id: 'client/http-protocol-version-header',
      ok: initPost !== -1 && missing.length === 0,
      message: missing.length ? `${missing.length} request(s) after initialize lacked MCP-Protocol-Version: ${rev} (got ${[...new Set(missing.map((x) => x.requestHeaders['mcp-protocol-version'] ?? 'none'))].join(', ')})` : `every request after initialize carried MCP-Protocol-Version: ${rev}`,
      spec: 'basic/transports#protocol-version-header',
    });
  }
  return out;
}
