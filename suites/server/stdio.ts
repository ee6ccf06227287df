// basic/transports#stdio: what a server may write to stdout, and how it copes with bad input.
import type { Revision } from '../../schema/index.ts';
import type { WireEntry } from '../../reports/model.ts';
import { check, type CheckContext } from '../harness/index.ts';

const STATEFUL: Revision[] = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
const STDIO = Object.fromEntries(STATEFUL.map((r) => [r, 'basic/transports#stdio'])) as Partial<Record<Revision, string>>;

const notJson = (e: WireEntry) => e.dir === 'recv' && e.raw !== undefined && (e.note?.startsWith('not JSON') ?? false);
/** A line that is a piece of a JSON text, as pretty-printed output produces. */
const fragment = (raw: string) => /^\s*[{}[\]"]/.test(raw);

/** A session that makes the server talk: startup, initialize, a few requests. */
async function busySession(t: CheckContext) {
  if (t.target.kind !== 'stdio') return t.notApplicable('the target does not use the stdio transport');
  const c = await t.connect();
  await t.sleep(t.quietMs); // startup banners come now, if at all
  t.expectResult(await c.initialize(), 'initialize');
  await c.request('ping');
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
    if (t.target.kind !== 'stdio') return t.notApplicable('the target does not use the stdio transport');
    const c = await t.session();
    const bad = ['this is not JSON', '{"jsonrpc": "2.0", "id": 1,', '42', '"a string"', 'null', '{}', '[]', '{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}', '\u0000\u0001\u0002', `{"pad":"${'x'.repeat(100_000)}"`];
    for (const line of bad) await t.sendRaw(c, line);
    let reply;
    try {
      reply = await c.request('ping');
    } catch (err) {
      return t.fail(`after ${bad.length} malformed lines the server no longer answers: ${(err as Error).message}`);
    }
    t.expectResult(reply, 'ping after malformed input');
  },
);
