// The 2026-07-28 driver: no initialize, every request carries its own `_meta`
// (basic/index#meta): protocol version and client capabilities (required), clientInfo (SHOULD),
// log level (optional). Checks get one with `t.stateless()`; the CLI's revision probing uses
// discoverTarget() to ask a target whether it speaks the stateless revision at all.
import { ErrorCode, isObject, isStateless, META, type LoggingLevel, type Revision, type Stateless, type ParamsWithoutMeta, type RequestMethod, type ResultOf } from '../../schema/index.ts';
import { DEFAULT_CLIENT_INFO, HttpError, MockClient, StreamableHttpClientTransport, TimeoutError, WireLog, type Reply, type RequestOptions } from '../../mock-server/index.ts';
import { CheckOutcome } from './outcome.ts';
import type { CheckScope } from './types.ts';
import type { TargetSpec } from './config.ts';
import { connectionIds } from './crosstalk.ts';
import { openTransport } from './connect.ts';

export type DiscoverResult = Stateless['DiscoverResult'];
export type ClientCapabilities = Stateless['ClientCapabilities'];
export type InputRequiredResult = Stateless['InputRequiredResult'];

export interface StatelessOptions {
  /** Protocol version sent in `_meta` (default: the check's revision). Any string may be sent. */
  protocolVersion?: string;
  /** Declared on every request (default `{}`: no optional capability). */
  capabilities?: ClientCapabilities;
  /** Sent on every request (default mcp-conform's); `null` leaves it out. */
  clientInfo?: Stateless['Implementation'] | null;
  /** `io.modelcontextprotocol/logLevel` on every request (default: none, so no log messages). */
  logLevel?: LoggingLevel;
  requestTimeoutMs?: number;
  /** Ask server/discover first and end the check not-applicable when the revision is not spoken (default true). */
  probe?: boolean;
}

export interface StatelessRequestOptions extends RequestOptions {
  /** Per-request overrides of `_meta` keys; `undefined` removes a key. */
  meta?: Record<string, unknown>;
  /** Capabilities for this request instead of the client's. */
  capabilities?: ClientCapabilities;
  /** Log level for this request (null: none, even if the client has one). */
  logLevel?: LoggingLevel | string | null;
}

/** Valid answers to the input requests a server may send (basic/patterns/mrtr#inputrequests). */
export function cannedInputResponse(request: unknown): Record<string, unknown> {
  const method = isObject(request) ? request.method : undefined;
  const params = isObject(request) && isObject(request.params) ? request.params : {};
  switch (method) {
    case 'elicitation/create': {
      if (params.mode === 'url') return { action: 'accept' };
      // Fill every requested property with a value of its type, so `accept` passes validation.
      const schema = isObject(params.requestedSchema) ? params.requestedSchema : {};
      const props = isObject(schema.properties) ? schema.properties : {};
      const content: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(props)) {
        const prop = isObject(p) ? p : {};
        const options = Array.isArray(prop.enum) ? prop.enum : Array.isArray(prop.oneOf) ? prop.oneOf.map((o) => (isObject(o) ? o.const : undefined)) : undefined;
        if (prop.type === 'array') {
          const items = isObject(prop.items) ? prop.items : {};
          const first = Array.isArray(items.enum) ? items.enum[0] : Array.isArray(items.anyOf) && isObject(items.anyOf[0]) ? items.anyOf[0].const : undefined;
          content[k] = first === undefined ? [] : [first];
        } else if (options && options.length) content[k] = options[0];
        else if (prop.type === 'boolean') content[k] = true;
        else if (prop.type === 'number' || prop.type === 'integer') content[k] = typeof prop.minimum === 'number' ? prop.minimum : 1;
        else if (prop.format === 'email') content[k] = 'mcp-conform@example.com';
        else if (prop.format === 'uri') content[k] = 'https://example.com/';
        else if (prop.format === 'date') content[k] = '2026-01-01';
        else if (prop.format === 'date-time') content[k] = '2026-01-01T00:00:00Z';
        else content[k] = 'mcp-conform';
      }
      return { action: 'accept', content };
    }
    case 'sampling/createMessage':
      return { role: 'assistant', content: { type: 'text', text: 'mcp-conform mock reply' }, model: 'mcp-conform-mock', stopReason: 'endTurn' };
    case 'roots/list':
      return { roots: [] };
    default:
      return {};
  }
}

/** Why a target does not speak a stateless revision, from its answer to server/discover. */
export interface DiscoverProbe {
  /** The target answered server/discover listing the revision. */
  speaks: boolean;
  /** Its supportedVersions, when it answered. */
  supportedVersions?: string[];
  result?: DiscoverResult;
  /** A sentence for not-applicable verdicts and the CLI. */
  reason: string;
  /** The question could not be asked (no connection, the target went away): not an answer. */
  unreachable?: boolean;
}

/** Interprets one server/discover attempt (a reply, or the error the request failed with). */
export function judgeDiscover(revision: string, outcome: { reply: Reply<DiscoverResult> } | { error: unknown }, timeoutMs: number): DiscoverProbe {
  const prefix = `the server does not speak ${revision}`;
  if ('error' in outcome) {
    const err = outcome.error;
    if (err instanceof TimeoutError) return { speaks: false, reason: `${prefix}: server/discover got no answer within ${timeoutMs} ms (a server of an earlier revision?)` };
    if (err instanceof HttpError && err.status !== 0) {
      return { speaks: false, reason: `${prefix}: server/discover was refused with HTTP ${err.status}${err.body ? ` (${err.body.slice(0, 120).trim()})` : ''}, without a 2026-07-28 JSON-RPC error` };
    }
    return { speaks: false, unreachable: true, reason: `cannot ask the server whether it speaks ${revision}: server/discover failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const { reply } = outcome;
  if (!reply.ok) {
    const { code, message, data } = reply.error;
    if (code === ErrorCode.UnsupportedProtocolVersion && isObject(data) && Array.isArray(data.supported)) {
      const supported = data.supported.filter((v): v is string => typeof v === 'string');
      return { speaks: false, supportedVersions: supported, reason: `${prefix}: it answered UnsupportedProtocolVersionError, supporting ${supported.join(', ') || 'nothing'}` };
    }
    return { speaks: false, reason: `${prefix}: server/discover was answered with error ${code} ${JSON.stringify(message)} (a server of an earlier revision; 2026-07-28 servers MUST implement server/discover)` };
  }
  const versions = isObject(reply.result) && Array.isArray(reply.result.supportedVersions) ? reply.result.supportedVersions.filter((v): v is string => typeof v === 'string') : undefined;
  if (!versions) return { speaks: false, result: reply.result, reason: `${prefix}: its server/discover result has no supportedVersions list` };
  if (!versions.includes(revision)) return { speaks: false, supportedVersions: versions, result: reply.result, reason: `${prefix}: server/discover lists supportedVersions ${versions.join(', ')}` };
  return { speaks: true, supportedVersions: versions, result: reply.result, reason: `server/discover lists ${revision}` };
}

export interface InputRounds {
  /** The answer to one input request (default: a valid canned one). */
  answer?: (key: string, request: unknown) => Record<string, unknown>;
  /** Most requests sent in all (default 4). */
  maxRounds?: number;
}

/**
 * Sends a request (through `send`) and, while it is answered input_required, sends it again with
 * answers to its inputRequests and the requestState echoed (basic/patterns/mrtr). Returns every
 * reply in order; the last is the final one (or the last input_required after maxRounds).
 */
export async function followInputRequired<R>(send: (params: Record<string, unknown>) => Promise<Reply<R>>, params: Record<string, unknown>, opts: InputRounds = {}): Promise<Reply<R>[]> {
  const { answer = (_k, r) => cannedInputResponse(r), maxRounds = 4 } = opts;
  const replies: Reply<R>[] = [];
  let next = params;
  for (let round = 0; round < maxRounds; round++) {
    const reply = await send(next);
    replies.push(reply);
    const result: unknown = reply.ok ? reply.result : undefined;
    if (!isObject(result) || result.resultType !== 'input_required') break;
    const retry: Record<string, unknown> = { ...params };
    const requests = isObject(result.inputRequests) ? result.inputRequests : undefined;
    if (requests) retry.inputResponses = Object.fromEntries(Object.entries(requests).map(([k, r]) => [k, answer(k, r)]));
    if (typeof result.requestState === 'string') retry.requestState = result.requestState;
    next = retry;
  }
  return replies;
}

/** A client of the stateless revision over one connection of a check. */
export class StatelessClient {
  /** The discover result from the probe (when probed). */
  discovery?: DiscoverResult;

  constructor(
    readonly client: MockClient,
    readonly options: StatelessOptions & { protocolVersion: string },
  ) {}

  get peer(): MockClient['peer'] {
    return this.client.peer;
  }

  /** Capabilities from server/discover (empty before a probe). */
  get serverCapabilities(): Record<string, unknown> {
    return (this.discovery?.capabilities ?? {}) as Record<string, unknown>;
  }

  /** The Streamable HTTP transport under this client, when the target is HTTP. */
  get http(): StreamableHttpClientTransport | undefined {
    return this.client.transport instanceof StreamableHttpClientTransport ? this.client.transport : undefined;
  }

  /** The per-request `_meta` this client sends, with overrides (an undefined value removes a key). */
  meta(opts: Pick<StatelessRequestOptions, 'meta' | 'capabilities' | 'logLevel'> = {}): Record<string, unknown> {
    const m: Record<string, unknown> = {
      [META.protocolVersion]: this.options.protocolVersion,
      [META.clientCapabilities]: opts.capabilities ?? this.options.capabilities ?? {},
    };
    if (this.options.clientInfo !== null) m[META.clientInfo] = this.options.clientInfo ?? DEFAULT_CLIENT_INFO;
    const level = opts.logLevel === undefined ? this.options.logLevel : opts.logLevel;
    if (level !== undefined && level !== null) m[META.logLevel] = level;
    for (const [k, v] of Object.entries(opts.meta ?? {})) {
      if (v === undefined) delete m[k];
      else m[k] = v;
    }
    return m;
  }

  /** Sends a request with the per-request `_meta` merged into params._meta; a method the schema defines is typed (schema/ MethodMap). */
  request<M extends RequestMethod>(method: M, params?: ParamsWithoutMeta<M> & Record<string, unknown>, opts?: StatelessRequestOptions): Promise<Reply<ResultOf<M> & Record<string, unknown>>>;
  /** Any other request: a method the schema does not define, or params invalid on purpose (`request<Json>(…)`, or the method as a plain string). */
  request<R = Record<string, unknown>, M extends string = string>(method: M extends RequestMethod ? never : M, params?: Record<string, unknown>, opts?: StatelessRequestOptions): Promise<Reply<R>>;
  request<R = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, opts: StatelessRequestOptions = {}): Promise<Reply<R>> {
    const { meta: _m, capabilities: _c, logLevel: _l, ...reqOpts } = opts;
    const own = isObject(params._meta) ? params._meta : {};
    return this.client.peer.request<R>(method, { ...params, _meta: { ...this.meta(opts), ...own } }, reqOpts);
  }

  /**
   * The underlying MockClient, made to add this client's `_meta` to every request and to report
   * the discovered capabilities: what `t.session()` returns at a stateless revision, so a feature
   * check reads the same at every revision.
   */
  asSession(): MockClient {
    this.client.requestMeta = () => this.meta();
    this.client.discoveredCapabilities = this.serverCapabilities;
    return this.client;
  }

  discover(opts: StatelessRequestOptions = {}): Promise<Reply<DiscoverResult>> {
    return this.request<DiscoverResult>('server/discover', {}, opts);
  }

  /**
   * Sends a request and, while the server answers input_required, retries it with answers to
   * its inputRequests (canned valid ones by default) and the requestState echoed. Returns every
   * reply in order; the last is the final one (or the last input_required after maxRounds).
   */
  async requestWithInput(method: string, params: Record<string, unknown>, opts: StatelessRequestOptions & InputRounds = {}): Promise<Reply[]> {
    const { answer, maxRounds, ...reqOpts } = opts;
    return followInputRequired((p) => this.request(method, p, reqOpts), params, { ...(answer ? { answer } : {}), ...(maxRounds !== undefined ? { maxRounds } : {}) });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** Opens a stateless client for a check (used by `t.stateless()`). */
export async function openStateless(t: CheckScope, opts: StatelessOptions): Promise<StatelessClient> {
  const version = opts.protocolVersion ?? t.revision;
  const c = await t.connect({ protocolVersion: version, ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}) });
  // Over HTTP the version goes in MCP-Protocol-Version from the first request, with Mcp-Method & co.
  c.transport.setProtocolVersion?.(version);
  const s = new StatelessClient(c, { ...opts, protocolVersion: version });
  if (opts.probe === false) return s;
  if (!isStateless(t.revision)) throw new CheckOutcome('not-applicable', `${t.revision} has initialize; the stateless driver is for 2026-07-28 and later`);
  // The first request also waits for the target to start (npx, tsx…).
  const timeoutMs = Math.max(opts.requestTimeoutMs ?? t.requestTimeoutMs, t.config.startupMs);
  let probe: DiscoverProbe;
  try {
    probe = judgeDiscover(t.revision, { reply: await s.discover({ timeoutMs }) }, timeoutMs);
  } catch (error) {
    if (t.ended) throw error;
    probe = judgeDiscover(t.revision, { error }, timeoutMs);
  }
  if (probe.result) s.discovery = probe.result;
  if (!probe.speaks) throw new CheckOutcome(probe.unreachable ? 'not-verified' : 'not-applicable', probe.reason);
  return s;
}

/**
 * Asks a target whether it speaks a stateless revision, on a connection of its own (closed
 * before returning): what the CLI's revision probing calls for 2026-07-28 and later.
 */
/** `then` runs on the same connection after a server/discover answer that says the target speaks
 * `revision` (the version probe lists the tools there). */
export async function discoverTarget(target: TargetSpec, revision: Revision = '2026-07-28', timeoutMs = 5_000, then?: (client: StatelessClient, found: DiscoverProbe) => Promise<void>): Promise<DiscoverProbe> {
  const opened = openTransport(target);
  const wire = new WireLog();
  const client = new MockClient(opened.transport, { protocolVersion: revision, requestTimeoutMs: timeoutMs, wire, ...connectionIds(target, wire) });
  opened.transport.setProtocolVersion?.(revision);
  const s = new StatelessClient(client, { protocolVersion: revision });
  try {
    await client.start();
    const found = judgeDiscover(revision, { reply: await s.discover({ timeoutMs }) }, timeoutMs);
    if (then && found.speaks) await then(s, found);
    return found;
  } catch (error) {
    return judgeDiscover(revision, { error }, timeoutMs);
  } finally {
    await client.close().catch(() => {});
  }
}
