// What the 2026-07-28 checks share: the revision list, spec pages, and the read-only operations
// a check may send to find a server behaviour (input_required, log messages) without side effects.
import { isObject, STATELESS_REVISIONS } from '../../schema/index.ts';
import { StreamableHttpClientTransport, TimeoutError, type Reply } from '../../mock-server/index.ts';
import type { Revision } from '../../schema/index.ts';
import type { CallToolsPolicy } from '../harness/index.ts';
import type { StatelessClient, StatelessRequestOptions } from '../harness/stateless.ts';
import { walkList } from '../harness/index.ts';
import { cite } from './cite.ts';
import { mayCall } from './tools.ts';
import type { Json, Tool } from './common.ts';

/** Spec page (and anchor) at each stateless revision. */
export function at(page: string): Partial<Record<Revision, string>> {
  return cite(STATELESS_REVISIONS, page);
}

/** Every client capability that lets a server ask for input (basic/patterns/mrtr). */
export const INPUT_CAPABILITIES = { elicitation: { form: {}, url: {} }, sampling: {}, roots: {} };

export const INPUT_METHODS = ['elicitation/create', 'sampling/createMessage', 'roots/list'] as const;

/** The client capability an input request needs. */
export const CAPABILITY_OF: Record<string, string> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

/** One request a check may send freely: reading a resource, getting a prompt, a read-only tool. */
export interface Operation {
  method: 'tools/call' | 'prompts/get' | 'resources/read';
  /** Built at run time from what the server listed: requests of an operation are sent untyped (`request<Json>`). */
  params: Record<string, unknown>;
  label: string;
}

const LIMIT = 6;

function placeholder(schema: unknown): unknown {
  const s = isObject(schema) ? schema : {};
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  switch (s.type) {
    case 'string':
      return 'mcp-conform';
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 1;
    case 'boolean':
      return true;
    default:
      return undefined;
  }
}

/** Up to `limit` items of a list, following nextCursor for a few pages. */
async function list(s: StatelessClient, method: string, key: string, limit: number): Promise<Record<string, unknown>[]> {
  return (await walkList(s, method, key, { maxPages: 5, limit })).items.slice(0, limit);
}

/**
 * Side-effect-free operations of the server: resources/read of listed resources, prompts/get of
 * listed prompts (required arguments filled in), and tools/call of the tools the run's call policy
 * allows (mayCall: by default those the server marks readOnlyHint: true) whose required
 * arguments are primitives.
 */
export async function safeOperations(s: StatelessClient, policy: CallToolsPolicy = 'safe', limit = LIMIT): Promise<Operation[]> {
  const caps = s.serverCapabilities;
  const ops: Operation[] = [];
  if (caps.tools && policy !== 'none') {
    for (const tool of await list(s, 'tools/list', 'tools', limit)) {
      if (typeof tool.name !== 'string' || !mayCall(tool as unknown as Tool, policy).ok) continue;
      const schema = isObject(tool.inputSchema) ? tool.inputSchema : {};
      const props = isObject(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.filter((k): k is string => typeof k === 'string') : [];
      const args: Record<string, unknown> = {};
      let ok = true;
      for (const k of required) {
        const v = placeholder(props[k]);
        if (v === undefined) ok = false;
        else args[k] = v;
      }
      if (ok) ops.push({ method: 'tools/call', params: { name: tool.name, arguments: args }, label: `tools/call ${tool.name}` });
    }
  }
  if (caps.prompts) {
    for (const p of await list(s, 'prompts/list', 'prompts', limit)) {
      if (typeof p.name !== 'string') continue;
      const args: Record<string, string> = {};
      for (const a of Array.isArray(p.arguments) ? p.arguments.filter(isObject) : []) if (a.required === true && typeof a.name === 'string') args[a.name] = 'mcp-conform';
      ops.push({ method: 'prompts/get', params: { name: p.name, arguments: args }, label: `prompts/get ${p.name}` });
    }
  }
  if (caps.resources) {
    for (const r of await list(s, 'resources/list', 'resources', limit)) {
      if (typeof r.uri === 'string') ops.push({ method: 'resources/read', params: { uri: r.uri }, label: `resources/read ${r.uri}` });
    }
  }
  return ops;
}

/** Narrows the search of inputRequiringOperation. */
export interface InputSearch {
  /** Only these methods (default: all three). */
  methods?: readonly Operation['method'][];
  /** Operations whose tool or prompt name matches are tried first (after the tools whose names say they ask). */
  prefer?: RegExp;
  /** Whether a found operation is the one wanted (default: the first that asks); false goes on searching. */
  accept?: (op: Operation, reply: Reply & { ok: true }) => Promise<boolean>;
}

/**
 * The first safe operation the server answers with input_required (asked with every input
 * capability); otherwise the operations that got no answer in time (a long-running tool is
 * no finding: it is skipped, and the search goes on).
 */
export async function inputRequiringOperation(s: StatelessClient, policy: CallToolsPolicy, search: InputSearch = {}): Promise<{ op: Operation; reply: Reply & { ok: true } } | { timedOut: string[] }> {
  // Tools whose names say they ask (the fixture contract's test_elicitation, test_sampling…) first.
  const asks = (op: Operation) => (op.method === 'tools/call' && /elicit|sampl|confirm|roots|ask/i.test(String(op.params.name)) ? 0 : 1);
  const preferred = (op: Operation) => (search.prefer?.test(String(op.params.name ?? op.params.uri)) ? 0 : 1);
  const ops = (await safeOperations(s, policy, 32))
    .filter((op) => !search.methods || search.methods.includes(op.method))
    .sort((a, b) => preferred(a) - preferred(b) || asks(a) - asks(b));
  const timedOut: string[] = [];
  for (const op of ops) {
    let reply: Reply;
    try {
      reply = await s.request<Json>(op.method, op.params, { capabilities: INPUT_CAPABILITIES });
    } catch (err) {
      if (!(err instanceof TimeoutError)) throw err;
      timedOut.push(`${op.label} (no answer within ${err.ms} ms)`);
      continue;
    }
    if (reply.ok && reply.result.resultType === 'input_required' && (!search.accept || (await search.accept(op, reply)))) return { op, reply };
  }
  return { timedOut };
}

/** Sends a request and returns the notifications/message that arrived while it was answered. */
export async function logsOf(s: StatelessClient, op: Operation, opts: StatelessRequestOptions, graceMs: number): Promise<{ reply: Reply; logs: Record<string, unknown>[] }> {
  const start = s.peer.received.length;
  // Input requests are answered, so a tool that asks before it logs still gets to its logs.
  const replies = await s.requestWithInput(op.method, op.params, { ...opts, capabilities: opts.capabilities ?? INPUT_CAPABILITIES });
  await new Promise((r) => setTimeout(r, graceMs));
  const logs = s.peer.received.slice(start).filter((m) => m.method === 'notifications/message');
  return { reply: replies.at(-1)!, logs };
}

/** The HTTP exchange that carried a reply (for the status of JSON-RPC errors on HTTP). */
export function statusOf(transport: unknown, id: unknown): number | undefined {
  if (!(transport instanceof StreamableHttpClientTransport)) return undefined;
  const x = [...transport.exchanges].reverse().find((e) => e.kind === 'post' && e.requestBody !== undefined && e.requestBody.includes(`"id":${JSON.stringify(id)}`));
  return x?.status;
}
