// The stdio transport: basic/transports#stdio up to 2025-11-25, basic/transports/stdio from
// 2026-07-28 (stateless: no initialize, server/discover instead of ping). What a server may write
// to stdout, and how it copes with bad input.
import { isStateless, type Revision } from '../../schema/index.ts';
import type { MockClient } from '../../mock-server/index.ts';
import type { WireEntry } from '../../reports/model.ts';
import { check, type CheckContext } from '../harness/index.ts';
import { livenessMethod } from './_base-kit.ts';

const STATEFUL: Revision[] = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
const MODERN = '2026-07-28' as const;
/**
 * The stdio section at every revision. At 2026-07-28 stdio has a page of its own; the general
 * message rules open it, before any heading (so no anchor).
 */
const STDIO = { ...Object.fromEntries(STATEFUL.map((r) => [r, 'basic/transports#stdio'])), [MODERN]: 'basic/transports/stdio' } as Partial<Record<Revision, string>>;

const notJson = (e: WireEntry) => e.dir === 'recv' && e.raw !== undefined && (e.note?.startsWith('not JSON') ?? false);
/** A line that is a piece of a JSON text, as pretty-printed output produces. */
const fragment = (raw: string) => /^\s*[{}[\]"]/.test(raw);

function stdioOnly(t: CheckContext): void {
  if (t.target.kind !== 'stdio') t.notApplicable('the target does not use the stdio transport');
}

/**
 * A session that makes the server talk: startup, the handshake (initialize up to 2025-11-25;
 * at 2026-07-28 the server/discover probe), a liveness request, the lists the server declares,
 * an unknown method.
 */
async function busySession(t: CheckContext): Promise<MockClient> {
  stdioOnly(t);
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
    stdioOnly(t);
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
