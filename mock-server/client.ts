// The mock client role: connects to a server, performs the initialize handshake with chosen
// version and capabilities, answers server-initiated requests (canned, or by handlers), and
// exposes the Peer for everything else. The server conformance harness drives servers with it.
import { isRevision, LATEST_STATEFUL, type Current, type ParamsOf, type RequestMethod, type ResultOf, type Revision } from '../schema/index.ts';
import { Peer, type PeerOptions, type Reply, type RequestHandler, type RequestOptions } from './peer.ts';
import type { Transport } from './transport.ts';
import type { WireLog } from './wire.ts';

export interface MockClientOptions {
  /** protocolVersion to ask for (default: newest stateful revision). Any string may be sent. */
  protocolVersion?: string;
  capabilities?: Current['ClientCapabilities'];
  clientInfo?: Current['Implementation'];
  requestTimeoutMs?: number;
  wire?: WireLog;
  /** Handlers for server→client requests; defaults answer sampling, roots and elicitation validly. */
  handlers?: Record<string, RequestHandler>;
  /** Passed to the Peer: the first request id, and which messages belong to another conversation. */
  firstId?: number;
  strayNote?: PeerOptions['strayNote'];
  /** Validate every message both ways (default true); off where the owner validates each one itself. */
  validate?: boolean;
}

export const DEFAULT_CLIENT_INFO: Current['Implementation'] = { name: 'mcp-conform', version: '0.1.0' };

/** Valid canned answers, so a server that asks something of the client can proceed. */
export const DEFAULT_ANSWERS: Record<string, RequestHandler> = {
  ping: () => ({}),
  'roots/list': () => ({ roots: [] }),
  'sampling/createMessage': () => ({ role: 'assistant', content: { type: 'text', text: 'mcp-conform mock reply' }, model: 'mcp-conform-mock' }),
  'elicitation/create': () => ({ action: 'decline' }),
};

export class MockClient {
  readonly peer: Peer;
  initializeResult?: Current['InitializeResult'];
  /** The revision both sides now speak (undefined until a known one is negotiated). */
  negotiated?: Revision;
  /**
   * 2026-07-28 and later have no initialize: every request carries a per-request `_meta`
   * (protocol version, client capabilities, clientInfo). When set, request() merges it into
   * params._meta (keys the caller gives win); the stateless driver sets it.
   */
  requestMeta?: () => Record<string, unknown>;
  /** Server capabilities from server/discover, where there is no initialize result. */
  discoveredCapabilities?: Current['ServerCapabilities'];

  constructor(readonly transport: Transport, readonly options: MockClientOptions = {}) {
    const requested = options.protocolVersion ?? LATEST_STATEFUL;
    const peerOpts: ConstructorParameters<typeof Peer>[1] = { role: 'client' };
    if (isRevision(requested)) peerOpts.revision = requested;
    if (options.requestTimeoutMs !== undefined) peerOpts.requestTimeoutMs = options.requestTimeoutMs;
    if (options.wire) peerOpts.wire = options.wire;
    if (options.firstId !== undefined) peerOpts.firstId = options.firstId;
    if (options.strayNote) peerOpts.strayNote = options.strayNote;
    if (options.validate !== undefined) peerOpts.validate = options.validate;
    this.peer = new Peer(transport, peerOpts);
    for (const [method, h] of Object.entries({ ...DEFAULT_ANSWERS, ...options.handlers })) this.peer.setRequestHandler(method, h);
  }

  get serverCapabilities(): Current['ServerCapabilities'] {
    return this.initializeResult?.capabilities ?? this.discoveredCapabilities ?? {};
  }

  async start(): Promise<void> {
    await this.peer.start();
  }

  initializeParams(): Record<string, unknown> {
    return {
      protocolVersion: this.options.protocolVersion ?? LATEST_STATEFUL,
      capabilities: this.options.capabilities ?? {},
      clientInfo: this.options.clientInfo ?? DEFAULT_CLIENT_INFO,
    };
  }

  /**
   * Sends initialize (params may be overridden for negative tests) and, on success, adopts the
   * negotiated revision and sends notifications/initialized (unless sendInitialized is false).
   */
  async initialize(opts: { params?: Record<string, unknown>; sendInitialized?: boolean; timeoutMs?: number } = {}): Promise<Reply<Current['InitializeResult']>> {
    const reqOpts = opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {};
    const reply = await this.peer.request<Current['InitializeResult']>('initialize', opts.params ?? this.initializeParams(), reqOpts);
    if (reply.ok) {
      this.initializeResult = reply.result;
      const v = reply.result.protocolVersion;
      if (isRevision(v)) {
        this.negotiated = v;
        this.peer.revision = v;
      }
      this.transport.setProtocolVersion?.(String(v));
      if (opts.sendInitialized !== false) await this.peer.notify('notifications/initialized');
    }
    return reply;
  }

  /** A request of a method the schema defines (schema/ MethodMap): its params checked, its result typed. */
  request<M extends RequestMethod>(method: M, params?: ParamsOf<M> & Record<string, unknown>, opts?: RequestOptions): Promise<Reply<ResultOf<M> & Record<string, unknown>>>;
  /**
   * Any other request: a method the schema does not define, or params invalid on purpose (name
   * the result type, `request<Json>(…)`, or pass the method as a plain string).
   */
  request<R = Record<string, unknown>, M extends string = string>(method: M extends RequestMethod ? never : M, params?: Record<string, unknown>, opts?: RequestOptions): Promise<Reply<R>>;
  request<R = Record<string, unknown>>(...[method, params, opts]: Parameters<Peer['request']>): Promise<Reply<R>> {
    if (!this.requestMeta) return this.peer.request<R>(method, params, opts);
    const own = typeof params?._meta === 'object' && params._meta !== null ? (params._meta as Record<string, unknown>) : {};
    return this.peer.request<R>(method, { ...params, _meta: { ...this.requestMeta(), ...own } }, opts);
  }

  notify(method: string, params?: Record<string, unknown>): Promise<void> {
    return this.peer.notify(method, params);
  }

  close(): Promise<void> {
    return this.peer.close();
  }

  /** The first id of this client's requests (its id range). */
  get firstId(): number | undefined {
    return this.options.firstId;
  }
}
