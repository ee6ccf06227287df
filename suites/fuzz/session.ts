// Connections to the target under fuzzing. A session is one connection (one process for stdio,
// one MCP session for HTTP) with a MockClient on it; every message the target sends is kept in
// an inbox with its arrival time, so a run can be judged from what came back.
//
// Isolation vs speed: starting a stdio server costs 0.3–2 s of CPU (Node servers load their
// SDK), so the sequence fuzzer reuses one initialized session for as long as it stays alive and
// answering (every run ends with a ping), shrinking included, and replaces it only when it died
// or stalled; the model-based fuzzer and the final reproduction of a finding get a fresh one. A spare session is started in the
// background while the current one works, so a replacement is usually ready when needed.
import { EventEmitter } from 'node:events';
import { connectTarget, MockClient, WireLog, type Peer, type TargetSpec, type Transport } from '../../mock-server/index.ts';
import { isRevision, type Revision } from '../../schema/index.ts';

/** One connection to the target, not started. */
export interface OpenedConnection {
  transport: Transport;
  /** Frames are newline-delimited lines (stdio): raw frames need their newline added. Implies `ordered`. */
  lines?: boolean;
  /** Replies arrive in the order the target sent them, on one channel (stdio, in-memory). */
  ordered?: boolean;
  /** What a stdio target wrote to stderr. */
  stderr?: () => string;
  /** Why the target process is gone ("exited with code 70"), if it is. */
  exited?: () => string | undefined;
  /** Extra teardown (an in-memory server, the client process…). */
  dispose?: () => Promise<void>;
  /** Our side of the connection (default: the client role, for a server target). */
  driver?: (transport: Transport, wire: WireLog, options: SessionOptions) => SessionDriver;
}

/** How to reach the target: opens connections. */
export interface TargetFactory {
  /** Human text: `stdio: node server.js`. */
  description: string;
  transport: 'stdio' | 'http' | 'sse' | 'memory';
  open(): OpenedConnection | Promise<OpenedConnection>;
}

export function targetFactory(target: TargetSpec, description: string): TargetFactory {
  return {
    description,
    transport: target.kind,
    open: () => {
      const transport = connectTarget(target);
      if (target.kind !== 'stdio') return { transport };
      const stdio = transport as Transport & { stderr: string; exit?: { code: number | null; signal: NodeJS.Signals | null } };
      return {
        transport,
        lines: true,
        stderr: () => stdio.stderr,
        exited: () => (stdio.exit ? `the process exited (${stdio.exit.signal ? `signal ${stdio.exit.signal}` : `code ${stdio.exit.code}`})` : undefined),
      };
    },
  };
}

export interface Received {
  /** ms since the session started. */
  t: number;
  msg: Record<string, unknown>;
}

export interface SessionOptions {
  /** Revision asked for in initialize. */
  revision: Revision;
  requestTimeoutMs: number;
  /** Longest wait for the initialize answer: a process may take its time to start (default 30 s). */
  startupTimeoutMs?: number;
  /** Client capabilities declared in initialize (default: none, so no server→client requests are invited). */
  capabilities?: Record<string, unknown>;
}

/** Our side of a connection: the client role (target is a server) or the server role (client mode). */
export interface SessionDriver {
  /** The peer, once started. */
  readonly peer: Peer;
  start(): Promise<void>;
  /** Completes the handshake; says what was negotiated and what the target declared. */
  initialize(): Promise<{ revision: Revision; capabilities: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Ids of our own plumbing requests (handshake, health checks): never a fuzz reply. */
export const OWN_ID_PREFIX = 'mcp-conform-';

/** The client role: a MockClient that sends initialize and notifications/initialized. */
export function clientDriver(transport: Transport, wire: WireLog, options: SessionOptions): SessionDriver {
  // No validation in the peer: runSteps classifies every message a run receives, against the
  // method of the request it answers (which the peer cannot know for fuzz ids), and the model
  // phase its responses; nothing read the peer's findings, so each reply was validated twice.
  const client = new MockClient(transport, { protocolVersion: options.revision, requestTimeoutMs: options.requestTimeoutMs, wire, capabilities: options.capabilities ?? {}, validate: false });
  return {
    peer: client.peer,
    start: () => client.start(),
    async initialize() {
      const reply = await client.peer.request('initialize', client.initializeParams(), { id: `${OWN_ID_PREFIX}initialize`, timeoutMs: Math.max(options.requestTimeoutMs, options.startupTimeoutMs ?? 30_000) });
      if (!reply.ok) throw new Error(`initialize was answered with error ${reply.error.code} ${JSON.stringify(reply.error.message)}`);
      const result = reply.result as Record<string, unknown>;
      const v = result.protocolVersion;
      if (!isRevision(v)) throw new Error(`the target negotiated protocol version ${JSON.stringify(v)}, which is not a known revision`);
      client.peer.revision = v;
      client.initializeResult = result as unknown as MockClient['initializeResult'];
      transport.setProtocolVersion?.(v);
      await client.peer.notify('notifications/initialized');
      return { revision: v, capabilities: (result.capabilities as Record<string, unknown> | undefined) ?? {} };
    },
    close: () => client.close(),
  };
}

export class FuzzSession {
  readonly driver: SessionDriver;
  readonly wire = new WireLog(2_000);
  readonly inbox: Received[] = [];
  /** Ids of the requests earlier runs sent on this session (their answers may still arrive). */
  readonly earlierIds = new Set<string>();
  /** Lines the target wrote that are not JSON. */
  readonly malformed: { t: number; raw: string }[] = [];
  /** Transport notes (HTTP statuses…) with their time. */
  readonly notes: { t: number; note: string }[] = [];
  readonly events = new EventEmitter();
  readonly t0 = performance.now();
  closedReason: string | undefined;
  initialized = false;
  /** The revision both sides speak after initialize. */
  revision: Revision;
  /** What the target declared: server capabilities, or a client's in client mode. */
  serverCapabilities: Record<string, unknown> = {};
  /** Fuzz runs this session has served. */
  runs = 0;
  private health = 0;

  constructor(readonly conn: OpenedConnection, readonly options: SessionOptions) {
    this.revision = options.revision;
    this.driver = (conn.driver ?? clientDriver)(conn.transport, this.wire, options);
    this.events.setMaxListeners(100);
  }

  get peer(): Peer {
    return this.driver.peer;
  }

  now(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }

  get transport(): Transport {
    return this.conn.transport;
  }

  get alive(): boolean {
    return this.closedReason === undefined && this.conn.exited?.() === undefined;
  }

  stderr(): string {
    return this.conn.stderr?.() ?? '';
  }

  async start(): Promise<void> {
    await this.driver.start();
    // Wrapped once the peer exists and has set its own handlers.
    const t = this.conn.transport;
    const malformed = t.onmalformed;
    t.onmalformed = (raw, err) => {
      this.malformed.push({ t: this.now(), raw });
      this.events.emit('message');
      malformed?.(raw, err);
    };
    const note = t.onnote;
    t.onnote = (text) => {
      if (!text.startsWith('stderr:')) this.notes.push({ t: this.now(), note: text });
      note?.(text);
    };
    const peer = this.peer;
    const incoming = peer.onincoming;
    peer.onincoming = (msg, info) => {
      this.inbox.push({ t: this.now(), msg });
      this.events.emit('message');
      incoming?.(msg, info);
    };
    const closed = peer.onclose;
    peer.onclose = (reason) => {
      this.closedReason = this.conn.exited?.() ?? reason;
      this.events.emit('message');
      closed?.(reason);
    };
    if (peer.closed) this.closedReason = this.conn.exited?.() ?? peer.closeReason;
  }

  /** The initialize handshake; throws with the reason when the target refuses or is silent. */
  async initialize(): Promise<void> {
    const { revision, capabilities } = await this.driver.initialize();
    this.revision = revision;
    this.serverCapabilities = capabilities;
    this.initialized = true;
  }

  /** A ping with our own id: true when anything answers it in time. */
  async ping(timeoutMs = this.options.requestTimeoutMs): Promise<boolean> {
    if (!this.alive) return false;
    try {
      await this.peer.request('ping', undefined, { id: `${OWN_ID_PREFIX}health-${++this.health}`, timeoutMs });
      return true;
    } catch (err) {
      // An HTTP status is an answer too (a Streamable HTTP server may refuse a ping without a session).
      return typeof (err as { status?: unknown }).status === 'number';
    }
  }

  /** Resolves when `done()` holds or at `deadline` (ms on the session clock), re-checked on every arrival. */
  async until(done: () => boolean, deadline: number): Promise<void> {
    while (!done()) {
      const left = deadline - this.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const events = this.events;
        const wake = () => {
          clearTimeout(timer);
          events.off('message', wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        events.on('message', wake);
      });
    }
  }

  /** Forgets what earlier runs received, so a long-lived session stays small. */
  trim(): void {
    this.inbox.length = 0;
    this.malformed.length = 0;
    this.notes.length = 0;
    const peer = this.peer;
    peer.received.length = 0;
    peer.unsolicited.length = 0;
    peer.violations.length = 0;
    this.wire.entries.length = 0;
  }

  async close(): Promise<void> {
    await this.driver.close().catch(() => {});
    await this.conn.dispose?.().catch(() => {});
  }
}

export interface PoolOptions extends SessionOptions {
  /** Keep a started spare session ready (default true). */
  spare?: boolean;
  /** Replace a reused session after this many runs (default 500), bounding what it accumulates. */
  maxRunsPerSession?: number;
}

/** Hands out sessions: the current healthy one for reuse, or a fresh one (from the spare). */
export class SessionPool {
  private current: FuzzSession | undefined;
  private spare: Promise<FuzzSession> | undefined;
  private closed = false;
  /** Sessions being closed in the background; close() waits for them, so no process outlives the pool. */
  private readonly retiring = new Set<Promise<unknown>>();
  /** Sessions started so far (processes, for stdio). */
  started = 0;

  constructor(readonly factory: TargetFactory, readonly options: PoolOptions) {}

  private async startOne(): Promise<FuzzSession> {
    this.started++;
    const s = new FuzzSession(await this.factory.open(), this.options);
    try {
      await s.start();
    } catch (err) {
      await s.close();
      throw err;
    }
    return s;
  }

  private warm(): void {
    if (this.closed || this.spare || this.options.spare === false) return;
    const p = this.startOne();
    p.catch(() => {}); // reported when taken
    this.spare = p;
  }

  /** A started, never-used session (not initialized unless asked). */
  async fresh(initialize: boolean): Promise<FuzzSession> {
    if (this.closed) throw new Error('the session pool is closed');
    const next = this.spare ?? this.startOne();
    this.spare = undefined;
    const s = await next;
    if (this.closed) {
      await s.close();
      throw new Error('the session pool is closed');
    }
    if (initialize) {
      try {
        await s.initialize();
      } catch (err) {
        await s.close();
        throw err;
      }
    }
    // Only now: a spare starting at the same time would slow this one down on a small machine.
    this.warm();
    return s;
  }

  /** The session in use, if still healthy, else a fresh initialized one. */
  async acquire(): Promise<FuzzSession> {
    const c = this.current;
    if (c && c.alive && c.runs < (this.options.maxRunsPerSession ?? 500)) return c;
    this.current = undefined;
    if (c) this.retire(c);
    this.current = await this.fresh(true);
    return this.current;
  }

  /** Gives the current session back; an unhealthy one is closed and replaced on next acquire. */
  release(s: FuzzSession, healthy: boolean): void {
    s.runs++;
    if (healthy && s.alive) {
      s.trim();
      return;
    }
    if (this.current === s) this.current = undefined;
    this.retire(s);
  }

  private retire(s: FuzzSession): void {
    const p = s.close().catch(() => {});
    this.retiring.add(p);
    void p.finally(() => this.retiring.delete(p));
  }

  async close(): Promise<void> {
    this.closed = true;
    const all: Promise<unknown>[] = [];
    if (this.current) all.push(this.current.close());
    if (this.spare) all.push(this.spare.then((s) => s.close(), () => {}));
    this.current = undefined;
    this.spare = undefined;
    await Promise.all([...all, ...this.retiring]);
  }
}

/** Source of sessions: the server pool, or the client launcher. */
export interface SessionSource {
  acquire(): Promise<FuzzSession>;
  release(s: FuzzSession, healthy: boolean): void;
  fresh(initialize: boolean): Promise<FuzzSession>;
}
