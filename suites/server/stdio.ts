// The stdio transport: basic/transports#stdio up to 2025-11-25, basic/transports/stdio from
// 2026-07-28 (stateless: no initialize, server/discover instead of ping). What a server may write
// to stdout, how it copes with bad input, and at 2026-07-28 what it must not send (requests; any
// message for a cancelled request) and how it ends when its stdin closes.
import { isObject, isStateless, REVISIONS } from '../../schema/index.ts';
import { StdioClientTransport, TimeoutError, type MockClient, type Transport } from '../../mock-server/index.ts';
import type { WireEntry } from '../../reports/index.ts';
import { checksWith, FIXTURE, type CheckContext } from '../harness/index.ts';
import { CANCEL_ID, CANCEL_TOKEN, livenessMethod, startProgressCall, CONTRACT_TOOLS, mayCall, type Tool, cite, INPUT_CAPABILITIES, safeOperations } from '../kit/index.ts';

const MODERN = '2026-07-28' as const;
/**
 * The stdio section at every revision. At 2026-07-28 stdio has a page of its own; the general
 * message rules open it, before any heading (so no anchor).
 */
const STDIO = cite(REVISIONS, (r) => (isStateless(r) ? 'basic/transports/stdio' : 'basic/transports#stdio'));
/** A section of the 2026-07-28 stdio page (requirements earlier revisions do not state). */
const modern = (anchor: string) => cite([MODERN], `basic/transports/stdio#${anchor}`);

/** Fixture-contract tools that need something of the client (a 2025 server asks with a JSON-RPC request). */
const ASKING_TOOLS: string[] = [FIXTURE.samplingTool, FIXTURE.elicitationTool];

const notJson = (e: WireEntry) => e.dir === 'recv' && e.raw !== undefined && (e.note?.startsWith('not JSON') ?? false);
/** A line that is a piece of a JSON text, as pretty-printed output produces. */
const fragment = (raw: string) => /^\s*[{}[\]"]/.test(raw);

/** Every check of this file is about the stdio transport: not applicable on any other target. */
const check = checksWith({ transports: ['stdio'] });

/**
 * A session that makes the server talk: startup, the handshake (initialize up to 2025-11-25;
 * at 2026-07-28 the server/discover probe), a liveness request, the lists the server declares,
 * an unknown method.
 */
async function busySession(t: CheckContext): Promise<MockClient> {
  let c: MockClient;
  if (isStateless(t.revision)) {
    c = await t.session(); // asks server/discover first; startup banners come now, if at all
  } else {
    c = await t.connect();
    await t.sleep(t.quietMs); // startup banners come now, if at all
    t.expectResult(await c.initialize(), 'initialize');
  }
  await c.request(livenessMethod(t));
  const caps = c.serverCapabilities;
  if (caps.tools) await c.request('tools/list', {});
  if (caps.resources) await c.request('resources/list', {});
  if (caps.prompts) await c.request('prompts/list', {});
  await c.request('mcp-conform/unknown-method');
  await t.sleep(t.quietMs);
  return c;
}

check(
  {
    id: 'stdio/stdout-only-messages',
    title: 'nothing but MCP messages on stdout',
    level: 'MUST',
    requirement: 'The server MUST NOT write anything to its stdout that is not a valid MCP message.',
    spec: STDIO,
  },
  async (t) => {
    const c = await busySession(t);
    const junk = t.wire.find(notJson);
    t.expect(junk.length === 0, `the server wrote ${junk.length} line(s) to stdout that are not JSON, e.g. ${JSON.stringify(junk[0]?.raw?.slice(0, 120))}`, junk);
    const nonRpc = c.peer.received.filter((m) => m.jsonrpc !== '2.0');
    t.expect(nonRpc.length === 0, 'the server wrote JSON to stdout that is not a JSON-RPC message', nonRpc);
  },
);

check(
  {
    id: 'stdio/no-embedded-newlines',
    title: 'each message is one line',
    level: 'MUST',
    requirement: 'Messages are delimited by newlines, and MUST NOT contain embedded newlines.',
    spec: STDIO,
  },
  async (t) => {
    await busySession(t);
    const pieces = t.wire.find((e) => notJson(e) && fragment(e.raw ?? ''));
    t.expect(pieces.length === 0, `the server split messages across lines (${pieces.length} stdout line(s) are pieces of JSON, e.g. ${JSON.stringify(pieces[0]?.raw?.slice(0, 80))})`, pieces);
  },
);

check(
  {
    id: 'stdio/survives-malformed-input',
    title: 'malformed input lines do not stop the server',
    level: 'SHOULD',
    requirement: 'The client MUST NOT write anything to the server\'s stdin that is not a valid MCP message. (Our reading: a server that gets such input anyway SHOULD answer it as JSON-RPC says and go on serving.)',
    spec: STDIO,
  },
  async (t) => {
      const c = await t.session();
    const method = livenessMethod(t);
    const objectId = JSON.stringify({ jsonrpc: '2.0', id: { x: 1 }, method, ...(isStateless(t.revision) ? { params: { _meta: c.requestMeta?.() ?? {} } } : {}) });
    const bad = ['this is not JSON', '{"jsonrpc": "2.0", "id": 1,', '42', '"a string"', 'null', '{}', '[]', objectId, '\u0000\u0001\u0002', `{"pad":"${'x'.repeat(100_000)}"`];
    for (const line of bad) await t.sendRaw(c, line);
    let reply;
    try {
      reply = await c.request(method);
    } catch (err) {
      return t.fail(`after ${bad.length} malformed lines the server no longer answers: ${(err as Error).message}`);
    }
    t.expectResult(reply, `${method} after malformed input`);
  },
);

// ---- 2026-07-28 only ----

check(
  {
    id: 'stdio/no-requests-on-stdout',
    title: 'the server writes no JSON-RPC requests to stdout (it asks for input with InputRequiredResult)',
    level: 'MUST',
    requirement: 'The server MUST NOT write JSON-RPC requests to stdout. Server-to-client interactions are carried in InputRequiredResult replies.',
    spec: modern('receiving-messages'),
  },
  async (t) => {
      // Every input capability declared, so a server that would ask the client something has every
    // reason to: the 2026-07-28 way is an InputRequiredResult, a JSON-RPC request is the old way.
    const s = await t.stateless({ capabilities: INPUT_CAPABILITIES });
    const c = s.asSession();
    const ops = await safeOperations(s, t.config.callTools);
    // The fixture-contract tools that ask the client for something, wherever the server lists them.
    if (c.serverCapabilities.tools) {
      const listed = (await t.listAll(c, 'tools/list', 'tools')) as unknown as Tool[];
      for (const tool of listed.filter((x) => ASKING_TOOLS.includes(x.name) && mayCall(x, t.config.callTools).ok)) {
        const name = tool.name;
        if (!ops.some((o) => o.method === 'tools/call' && o.params.name === name)) ops.push({ method: 'tools/call', params: { name, arguments: CONTRACT_TOOLS[name] ?? {} }, label: `tools/call ${name}` });
      }
    }
    for (const op of ops) {
      try {
        await s.requestWithInput(op.method, op.params);
      } catch (err) {
        if (!(err instanceof TimeoutError)) throw err;
        t.note(`${op.label}: no answer within ${t.requestTimeoutMs} ms`);
      }
    }
    await c.request('mcp-conform/unknown-method');
    await t.sleep(t.quietMs);
    t.note(`sent server/discover, ${ops.length} side-effect-free operation(s) (${ops.map((o) => o.label).join(', ') || 'none listed'}) and an unknown method`);
    const requests = c.peer.received.filter((m) => typeof m.method === 'string' && Object.hasOwn(m, 'id'));
    const methods = [...new Set(requests.map((m) => String(m.method)))].join(', ');
    t.expect(requests.length === 0, `the server wrote ${requests.length} JSON-RPC request(s) to stdout (${methods}); at ${t.revision} it asks for input with an InputRequiredResult`, requests);
  },
);

check(
  {
    id: 'stdio/nothing-after-cancel',
    title: 'after notifications/cancelled, no further message for that request (no response, no progress)',
    level: 'MUST',
    requirement: 'Servers SHOULD stop work on a cancelled request as soon as practical and MUST NOT send any further messages for it.',
    spec: modern('cancellation'),
    requires: 'server.tools',
  },
  async (t) => {
    // cancellation/no-response-after-cancel (SHOULD, every revision) is about the response; this is
    // the 2026-07-28 stdio MUST about any message for the request: its response, progress
    // notifications for its token, anything else naming its id.
      const c = await t.session();
    const id = CANCEL_ID;
    const token = CANCEL_TOKEN;
    const forIt = (m: Record<string, unknown>) => {
      if (m.id === id && (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error'))) return true;
      const p = isObject(m.params) ? m.params : {};
      return typeof m.method === 'string' && (p.progressToken === token || p.requestId === id);
    };
    // The first progress notification shows the call is in progress; cancel then.
    const { tool } = await startProgressCall(t, c);
    const answered = c.peer.received.find((m) => m.id === id);
    if (answered) return t.notVerified(`${tool} was answered before it could be cancelled`, [answered]);
    const cancelledAt = c.peer.received.length;
    await c.notify('notifications/cancelled', { requestId: id, reason: 'mcp-conform: nothing more may follow for this request' });
    // stdio is one ordered channel: a request sent behind the cancellation is read after it, so
    // whatever the server writes after answering that request it wrote knowing of the
    // cancellation. Messages before that answer may have been on their way already: a race the
    // spec allows, not counted.
    const barrier = await c.request('server/discover');
    t.expectResult(barrier, 'server/discover sent behind the cancellation');
    const barrierAt = Math.max(c.peer.received.indexOf(barrier.message as Record<string, unknown>), cancelledAt);
    await t.sleep(Math.max(t.quietMs, 1_000));
    const raced = c.peer.received.slice(cancelledAt, barrierAt).filter(forIt);
    if (raced.length) t.note(`${raced.length} message(s) for the request arrived before server/discover sent behind the cancellation was answered (possibly sent before the server read the cancellation; not counted)`);
    const late = c.peer.received.slice(barrierAt + 1).filter(forIt);
    const what = [...new Set(late.map((m) => (typeof m.method === 'string' ? m.method : Object.hasOwn(m, 'error') ? 'an error response' : 'a result')))].join(', ');
    t.expect(late.length === 0, `after notifications/cancelled for ${tool} (and after answering a request sent behind it) the server sent ${late.length} more message(s) for the cancelled request: ${what}`, late);
  },
);

/** A stdio target whose standard input can be closed on its own, and whose exit can be watched. */
export interface InputEnding {
  /** Closes the server's standard input: its reads return end-of-file. */
  endInput(): void;
  /** Resolves with how the server exited (`code 0`, `signal SIGTERM`), or undefined if it still runs after `ms`. */
  exited(ms: number): Promise<string | undefined>;
}

/** That view of a connection's transport: a child process, or an in-process stand-in that implements InputEnding. */
function inputEnding(transport: Transport): InputEnding | undefined {
  if (transport instanceof StdioClientTransport) {
    const child = transport.child;
    if (!child) return undefined;
    const how = () => (transport.exit ? (transport.exit.signal ? `signal ${transport.exit.signal}` : `code ${transport.exit.code}`) : undefined);
    return {
      endInput: () => void child.stdin?.end(),
      exited: (ms) =>
        new Promise((resolve) => {
          if (transport.exit || child.exitCode !== null || child.signalCode !== null) return resolve(how() ?? `code ${child.exitCode}`);
          const timer = setTimeout(() => resolve(undefined), ms);
          child.once('exit', (code, signal) => {
            clearTimeout(timer);
            resolve(signal ? `signal ${signal}` : `code ${code}`);
          });
        }),
    };
  }
  const x = transport as Partial<InputEnding>;
  return typeof x.endInput === 'function' && typeof x.exited === 'function' ? (x as InputEnding) : undefined;
}

check(
  {
    id: 'stdio/exits-on-stdin-close',
    title: 'the server exits promptly when its stdin is closed',
    level: 'SHOULD',
    requirement: 'Servers SHOULD exit promptly when their standard input is closed or reads return end-of-file.',
    // Up to 2025-11-25 the shutdown text (basic/lifecycle#stdio) tells only the client what to do.
    spec: modern('shutdown'),
  },
  async (t) => {
      const c = await t.session(); // server/discover: the server is up and speaks 2026-07-28
    t.expectResult(await c.request('server/discover'), 'server/discover');
    const conn = t.connections.find((x) => x.client === c);
    const ending = conn && inputEnding(conn.opened.transport);
    if (!ending) return t.notVerified('the target is not a process of this run whose stdin can be closed on its own (an in-process server?)');
    // "Promptly": within the time any single answer is waited for (--timeout), at most half the check's time.
    const bound = Math.min(t.requestTimeoutMs, Math.floor(t.config.checkTimeoutMs / 2));
    t.note('closing the server\'s stdin, nothing else');
    const start = performance.now();
    ending.endInput();
    const how = await ending.exited(bound);
    // Whatever happened, the connection's close (when the check ends) sends SIGTERM, then SIGKILL, to the process group.
    if (how === undefined) return t.fail(`the server was still running ${bound} ms after its stdin was closed (the bound is the run's answer timeout, --timeout)`);
    t.note(`the server exited (${how}) ${Math.round(performance.now() - start)} ms after its stdin was closed`);
  },
);
