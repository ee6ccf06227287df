// The `t` a check body receives: connections to the target, the check's wire log, and a small
// vocabulary of expectations. Plumbing (timeouts, cleanup, verdicts, files) lives in run.ts.
import { batchesAllowed, hasCapability, isStateless, type Current, type JsonRpcError, type Revision } from '../../schema/index.ts';
import { ClosedError, HttpError, MockClient, TimeoutError, WireLog, type Reply, type RequestHandler, type StreamableHttpClientTransport, type ViolationReport } from '../../mock-server/index.ts';
import type { CheckMeta, Level, Verdict, WireEntry } from '../../reports/index.ts';
import { DEFAULT_CONCURRENCY, type RunConfig, type TargetSpec } from './config.ts';
import { openTransport, type OpenedTransport } from './connect.ts';
import { openStateless, type StatelessClient, type StatelessOptions } from './stateless.ts';
import { openHttpProbe, type HttpProbe, type HttpProbeOptions } from './http.ts';
import { connectionIds } from './crosstalk.ts';
import { giveBack, knownCapabilities, rememberCapabilities, sharedKey, sharedValue, takeShared, type SharedSession } from './session-pool.ts';
import { CheckOutcome } from './outcome.ts';
import { walkList } from './list.ts';
import type { CheckScope, ConnectOptions, EvidenceLike } from './types.ts';

export { CheckOutcome };
export type { ConnectOptions, EvidenceLike };

/** Something the check observed and reported, without ending it (t.warn, t.info). */
export interface Finding {
  verdict: Extract<Verdict, 'warn' | 'info'>;
  message: string;
  evidence: WireEntry[];
}

export interface SessionOptions extends ConnectOptions {
  /** Keep the session even when the server negotiates another version (default: not-applicable). */
  anyVersion?: boolean;
  /** Send notifications/initialized (default true). */
  sendInitialized?: boolean;
  /** Open a new session even if one is already open for this check. */
  fresh?: boolean;
}

const EVIDENCE_MAX_CHARS = 4_000;

/** Keeps a wire entry small enough for an evidence excerpt or a log line. */
export function compactEntry(e: WireEntry, maxChars = EVIDENCE_MAX_CHARS): WireEntry {
  if (e.msg === undefined) {
    return e.raw !== undefined && e.raw.length > maxChars ? { ...e, raw: `${e.raw.slice(0, maxChars)}… [${e.raw.length} chars]` } : e;
  }
  const text = JSON.stringify(e.msg) ?? 'undefined';
  if (text.length <= maxChars) return e;
  const { msg: _msg, ...rest } = e;
  return { ...rest, raw: `${text.slice(0, maxChars)}… [${text.length} chars]` };
}

function isReply(x: unknown): x is Reply<unknown> {
  return typeof x === 'object' && x !== null && 'ok' in x && 'message' in x && typeof (x as { ok: unknown }).ok === 'boolean';
}

interface Connection {
  client: MockClient;
  opened: OpenedTransport;
  /** A session shared with other read-only checks (session-pool.ts), and where this check's part of its stderr starts. */
  shared?: SharedSession;
  stderrFrom?: number;
  /** What the shared session held for this check when the check handed it back. */
  kept?: { violations: ViolationReport[]; strays: number };
}

export class CheckContext implements CheckScope {
  readonly wire = new WireLog();
  /** Soft findings (t.warn / t.info) of this check. */
  readonly findings: Finding[] = [];
  readonly connections: Connection[] = [];
  /** Set when the check timed out or ended: no new connections after that. */
  ended = false;
  private firstSession?: MockClient;
  private firstStateless?: StatelessClient;
  /** Run by close(), newest first: what check helpers opened besides connections. */
  private readonly cleanups: (() => unknown)[] = [];
  /** The spec page (and anchor) this run of the check exercised, when it depends on the target (t.cite). */
  cited?: string;
  /** Ids of requests sent deliberately outside the revision's message set (a batch where batches do not exist). */
  private readonly outsideIds = new Set<string>();

  constructor(
    readonly meta: CheckMeta,
    readonly revision: Revision,
    readonly config: RunConfig,
  ) {}

  get target(): TargetSpec {
    return this.config.target;
  }

  get requestTimeoutMs(): number {
    return this.config.requestTimeoutMs;
  }

  /** How long "nothing happens" is watched for. */
  get quietMs(): number {
    return this.config.quietMs;
  }

  /** Process ids of the stdio targets this check started. */
  get pids(): number[] {
    return this.connections.map((c) => c.opened.pid?.()).filter((p): p is number => p !== undefined);
  }

  /** The Streamable HTTP client of the latest connection (HTTP targets only): exchanges, rawRequest(). */
  get rawHttp(): StreamableHttpClientTransport | undefined {
    return this.connections.at(-1)?.opened.http;
  }

  /** The Streamable HTTP client under a connection (HTTP targets only): raw exchanges, rawRequest(). */
  http(c: MockClient): StreamableHttpClientTransport | undefined {
    return this.connections.find((x) => x.client === c)?.opened.http;
  }

  /** What the stdio targets wrote to stderr (during this check, for a shared session). */
  stderr(): string {
    return this.connections.map((c) => (c.opened.stderr?.() ?? '').slice(c.stderrFrom ?? 0)).join('');
  }

  /** Schema violations the target committed on this check's connections. */
  violations(): ViolationReport[] {
    return this.connections.flatMap((c) => c.kept?.violations ?? c.client.peer.violations);
  }

  /** Answers set aside as meant for other connections (crosstalk.ts), on this check's connections. */
  strayCount(): number {
    return this.connections.reduce((n, c) => n + (c.kept?.strays ?? c.client.peer.strays.length), 0);
  }

  /** A started connection with a MockClient on it, not initialized. */
  async connect(opts: ConnectOptions = {}): Promise<MockClient> {
    if (this.ended) throw new CheckOutcome('not-verified', 'the check already ended');
    this.wire.note('send', `connecting (${this.connections.length + 1}) to ${this.target.kind} target`);
    let opened: OpenedTransport;
    try {
      opened = openTransport(this.target, opts.requestTimeoutMs ?? this.requestTimeoutMs, this.config.open);
    } catch (err) {
      throw new CheckOutcome('not-verified', `cannot connect to the target: ${(err as Error).message}`);
    }
    const normal = opts.requestTimeoutMs ?? this.requestTimeoutMs;
    const client = new MockClient(opened.transport, {
      protocolVersion: opts.protocolVersion ?? this.revision,
      wire: this.wire,
      // Until the server first speaks, allow for its start-up; then the normal answer timeout.
      requestTimeoutMs: Math.max(normal, this.config.startupMs),
      ...(opts.capabilities ? { capabilities: opts.capabilities } : {}),
      ...(opts.clientInfo ? { clientInfo: opts.clientInfo } : {}),
      ...(opts.handlers ? { handlers: opts.handlers } : {}),
      // Ids of its own: answers meant for other connections are told apart and set aside.
      ...connectionIds(this.target, this.wire),
    });
    client.peer.onincoming = () => {
      client.peer.requestTimeoutMs = normal;
      client.peer.onincoming = undefined;
    };
    this.connections.push({ client, opened });
    try {
      await client.start();
    } catch (err) {
      throw new CheckOutcome('not-verified', `cannot connect to the target: ${(err as Error).message}`);
    }
    if (this.ended) {
      await client.close();
      throw new CheckOutcome('not-verified', 'the check already ended');
    }
    return client;
  }

  /**
   * A connected and initialized session at the check's revision. The first call returns the
   * session opened for capability gating, if any; `fresh: true` always opens a new one.
   */
  async session(opts: SessionOptions = {}): Promise<MockClient> {
    const { anyVersion: _anyVersion, sendInitialized: _sendInitialized, fresh, ...connectOpts } = opts;
    if (this.firstSession && !fresh && Object.keys(connectOpts).length === 0) {
      const s = this.firstSession;
      this.firstSession = undefined;
      return s;
    }
    if (this.sharing && Object.keys(opts).length === 0) return this.sharedSession();
    return this.ownSession(opts);
  }

  /**
   * Whether this check runs on a shared session: it only reads, and the run allows it. Not with
   * --isolate, nor with --concurrency 1 against an HTTP or SSE server: there a pooled session
   * would stay open beside the running check's, and a server that answers on every open stream
   * (transport/cross-talk) would reach it; one session at a time is what that setting promises.
   */
  private get sharing(): boolean {
    if (!this.meta.shared || this.config.isolate) return false;
    const oneAtATime = (this.config.concurrency ?? DEFAULT_CONCURRENCY) <= 1;
    return !(oneAtATime && (this.target.kind === 'http' || this.target.kind === 'sse'));
  }

  /**
   * A value other read-only checks of this run judge too (one sample of tool calls): made once,
   * by the first check that asks, and awaited by the others, whose wire log says where its
   * exchanges are. Each check makes its own when sessions are not shared (--isolate). `key`
   * tells values apart where `name` (said in the wire log) does not.
   */
  async sharedValue<V>(name: string, make: () => Promise<V>, key = name, opts: { anyCheck?: boolean } = {}): Promise<V> {
    // anyCheck: a fact about the target (what its tools do), not a session's: shared by checks
    // that open their own sessions too; still each check's own under --isolate.
    if (opts.anyCheck ? this.config.isolate : !this.sharing) return make();
    const me = `${this.meta.id} [${this.revision}]`;
    const memo = sharedValue(this.config, this.revision, key, me, make);
    if (memo.by !== me) this.wire.note('send', `${name}: shared with read-only checks, made by ${memo.by} (its wire log holds the exchanges)`);
    return memo.value;
  }

  /** A session shared with other read-only checks: one from the pool, else a new one that will join it. */
  private async sharedSession(): Promise<MockClient> {
    if (this.ended) throw new CheckOutcome('not-verified', 'the check already ended');
    const got = takeShared(this.config, this.revision);
    if (got) {
      got.uses++;
      got.client.peer.handOver(this.wire, connectionIds(this.target, this.wire, got.firstId).strayNote);
      this.wire.note('send', `reusing a session shared by read-only checks (opened by ${got.openedBy}; use ${got.uses})`);
      this.connections.push({ client: got.client, opened: got.opened, shared: got, stderrFrom: got.opened.stderr?.().length ?? 0 });
      return got.client;
    }
    const c = await this.ownSession({});
    const conn = this.connections.find((x) => x.client === c);
    if (conn && c.firstId !== undefined) conn.shared = { client: c, opened: conn.opened, firstId: c.firstId, openedBy: `${this.meta.id} [${this.revision}]`, uses: 1, key: sharedKey(this.config, this.revision) };
    return c;
  }

  private async ownSession(opts: SessionOptions): Promise<MockClient> {
    const { anyVersion, sendInitialized, fresh, ...connectOpts } = opts;
    if (isStateless(this.revision)) {
      // No session in 2026-07-28: a stateless client whose requests carry the per-request _meta
      // (sendInitialized and anyVersion have nothing to act on there).
      const { capabilities, clientInfo, protocolVersion, requestTimeoutMs } = connectOpts;
      const opts: StatelessOptions = {
        ...(capabilities ? { capabilities: capabilities as StatelessOptions['capabilities'] } : {}),
        ...(clientInfo ? { clientInfo } : {}),
        ...(protocolVersion ? { protocolVersion } : {}),
        ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
      };
      const s = fresh || Object.keys(opts).length > 0 ? await openStateless(this, opts) : await this.stateless();
      return s.asSession();
    }
    const c = await this.connect(connectOpts);
    let reply: Reply<Current['InitializeResult']>;
    try {
      reply = await c.initialize({ sendInitialized: sendInitialized !== false });
    } catch (err) {
      throw new CheckOutcome('not-verified', `cannot open a session: initialize failed: ${(err as Error).message}`, this.wire.tail(4));
    }
    if (!reply.ok) {
      throw new CheckOutcome('not-verified', `cannot open a session: initialize answered error ${reply.error.code} ${JSON.stringify(reply.error.message)}`, this.evidence(reply));
    }
    const asked = connectOpts.protocolVersion ?? this.revision;
    if (!anyVersion && reply.result.protocolVersion !== asked) {
      throw new CheckOutcome('not-applicable', `the server does not speak ${asked} (it answered protocolVersion ${JSON.stringify(reply.result.protocolVersion)})`, this.evidence(reply));
    }
    if (Object.keys(connectOpts).length === 0 && !this.config.isolate) rememberCapabilities(this.config, this.revision, `${this.meta.id} [${this.revision}]`, c.serverCapabilities);
    return c;
  }

  /** Opens the session used for `requires` gating; run.ts calls it before the body. */
  async gate(requires: string): Promise<void> {
    const [side, ...path] = requires.split('.');
    const want = { side: side === 'client' ? ('client' as const) : ('server' as const), path };
    // A capability an earlier session of this run did not declare: no session of its own to learn it again.
    const known = side === 'server' && !this.sharing && !this.config.isolate ? knownCapabilities(this.config, this.revision) : undefined;
    if (known && !hasCapability(known.caps, want)) {
      this.wire.note('send', `capabilities as declared in the session opened by ${known.by} (no session opened for this check)`);
      throw new CheckOutcome('not-applicable', `the ${side} does not declare the capability ${path.join('.')}`);
    }
    let caps: unknown;
    if (this.sharing) {
      // A read-only check gates on the shared session it will use.
      const s = await this.session();
      this.firstSession = s;
      caps = side === 'server' ? s.serverCapabilities : s.options.capabilities ?? {};
    } else if (isStateless(this.revision)) {
      // No initialize in 2026-07-28: the capabilities come from server/discover.
      const s = await this.stateless();
      this.firstStateless = s;
      caps = side === 'server' ? s.serverCapabilities : s.options.capabilities ?? {};
      if (!this.config.isolate) rememberCapabilities(this.config, this.revision, `${this.meta.id} [${this.revision}]`, s.serverCapabilities);
    } else {
      const s = await this.session();
      this.firstSession = s;
      caps = side === 'server' ? s.serverCapabilities : s.options.capabilities ?? {};
    }
    if (!hasCapability(caps, want)) {
      throw new CheckOutcome('not-applicable', `the ${side} does not declare the capability ${path.join('.')}`);
    }
  }

  /**
   * A 2026-07-28 client: no initialize, every request carries the per-request `_meta` (protocol
   * version, client capabilities, clientInfo, optional log level). It first asks server/discover;
   * a server that does not speak the check's revision makes the check not-applicable.
   */
  async stateless(opts: StatelessOptions = {}): Promise<StatelessClient> {
    if (this.firstStateless && Object.keys(opts).length === 0) {
      const s = this.firstStateless;
      this.firstStateless = undefined;
      return s;
    }
    return openStateless(this, opts);
  }

  /** A raw HTTP conversation with a Streamable HTTP target, every exchange in the wire log (not-applicable for other targets). */
  async httpProbe(opts: HttpProbeOptions = {}): Promise<HttpProbe> {
    return openHttpProbe(this, opts);
  }

  /** Registers something to undo when the check ends (run before the connections close). */
  defer(fn: () => unknown): void {
    this.cleanups.push(fn);
  }

  // ---- the vocabulary ----

  /** The wire entries that prove a point; default: the last few. */
  evidence(of?: EvidenceLike): WireEntry[] {
    let picked: WireEntry[];
    if (of === undefined) picked = this.wire.tail(6);
    else if (Array.isArray(of)) picked = of.every((e) => typeof e === 'object' && e !== null && 'dir' in e && 't' in e) ? (of as WireEntry[]) : this.byMessages(of);
    else if (isReply(of)) {
      const id = of.message.id;
      picked = this.wire.find((e) => e.msg === of.message || (e.dir === 'send' && typeof e.msg === 'object' && e.msg !== null && (e.msg as { id?: unknown }).id === id && 'method' in e.msg));
      if (picked.length === 0) picked = this.wire.tail(6);
    } else picked = this.byMessages([of]);
    return picked.slice(-12).map((e) => compactEntry(e));
  }

  private byMessages(msgs: unknown[]): WireEntry[] {
    const hit = this.wire.find((e) => msgs.includes(e.msg));
    return hit.length ? hit : this.wire.tail(6);
  }

  /** Ends the check: the requirement is broken (fail at MUST, warn at SHOULD, info at MAY). */
  fail(message: string, evidence?: EvidenceLike): never {
    throw new CheckOutcome('fail', message, this.evidence(evidence));
  }

  /**
   * On a false condition, t.fail(message). (Not an `asserts` signature: those need an explicitly
   * typed `t`, and check bodies take it untyped; use `return t.fail(…)` where narrowing matters.)
   */
  expect(condition: unknown, message: string, evidence?: EvidenceLike): void {
    if (!condition) this.fail(message, evidence);
  }

  /** Records a SHOULD-level problem and goes on; the check ends as 'warn' unless it fails. */
  warn(message: string, evidence?: EvidenceLike): void {
    this.findings.push({ verdict: 'warn', message, evidence: this.evidence(evidence) });
  }

  /** Records a MAY-level observation and goes on. */
  info(message: string, evidence?: EvidenceLike): void {
    this.findings.push({ verdict: 'info', message, evidence: this.evidence(evidence) });
  }

  /** Ends the check: it does not apply to this target (capability, revision, transport). */
  notApplicable(message: string): never {
    throw new CheckOutcome('not-applicable', message);
  }

  /** Ends the check: the requirement could not be exercised (say why). */
  notVerified(message: string, evidence?: EvidenceLike): never {
    throw new CheckOutcome('not-verified', message, evidence === undefined ? undefined : this.evidence(evidence));
  }

  /** The reply must be a result; returns it. */
  expectResult<R>(reply: Reply<R>, what = 'the request'): R {
    if (!reply.ok) this.fail(`${what} was answered with error ${reply.error.code} ${JSON.stringify(reply.error.message)}`, reply);
    return reply.result;
  }

  /** The reply must be an error, with one of the given codes when given; returns the error. */
  expectError<R>(reply: Reply<R>, code?: number | number[], what = 'the request'): JsonRpcError {
    if (reply.ok) this.fail(`${what} was answered with a result, not a JSON-RPC error${code === undefined ? '' : ` ${[code].flat().join(' or ')}`}`, reply);
    const codes = code === undefined ? [] : [code].flat();
    if (codes.length && !codes.includes(reply.error.code)) {
      this.fail(`${what} was answered with error code ${JSON.stringify(reply.error.code)}, expected ${codes.join(' or ')}`, reply);
    }
    return reply.error;
  }

  /** Watches `ms` (default quietMs) and fails if a message matching `pred` arrives. */
  async expectSilence(c: MockClient, message: string, pred: (m: Record<string, unknown>) => boolean = () => true, ms = this.quietMs): Promise<void> {
    const got = await c.peer.collect(ms, pred);
    if (got.length) this.fail(message, got);
  }

  /** Sends text exactly as given (one frame; stdio gets its newline): for malformed-input checks. */
  async sendRaw(c: MockClient, text: string): Promise<void> {
    await c.peer.send({ raw: this.target.kind === 'stdio' ? `${text}\n` : text });
  }

  /** Sends a message as-is (any shape, any id) without waiting for an answer. */
  async send(c: MockClient, message: Record<string, unknown> | unknown[]): Promise<void> {
    if (Array.isArray(message) && !batchesAllowed(this.revision)) {
      for (const m of message) if (typeof m === 'object' && m !== null && 'id' in m) this.outsideIds.add(JSON.stringify((m as { id: unknown }).id));
    }
    await c.peer.send(message);
  }

  /**
   * Is this received message only answers to requests the check sent outside the revision's
   * message set? A revision that has no batches says nothing of how one is answered, so such
   * answers are not held against the target's schema conformance.
   */
  answersOutsideRevision(message: unknown): boolean {
    const items = Array.isArray(message) ? message : [message];
    return (
      this.outsideIds.size > 0 &&
      items.length > 0 &&
      items.every((m) => typeof m === 'object' && m !== null && !('method' in m) && this.outsideIds.has(JSON.stringify((m as { id?: unknown }).id)))
    );
  }

  /**
   * The first response (result or error) matching `pred` received after `since` (an index into
   * c.peer.received; default: any time). On timeout the check fails if it is `timely` (about
   * answering), and is not verified otherwise.
   */
  async response(c: MockClient, what: string, pred: (m: Record<string, unknown>) => boolean = () => true, opts: { since?: number; ms?: number } = {}): Promise<Record<string, unknown>> {
    const since = opts.since ?? 0;
    const ms = opts.ms ?? this.requestTimeoutMs;
    const match = (m: Record<string, unknown>) => (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error')) && pred(m);
    const past = c.peer.received.slice(since).find(match);
    if (past) return past;
    try {
      return await c.peer.waitFor(match, ms, { what });
    } catch (err) {
      if (err instanceof TimeoutError) {
        const why = `no answer to ${what} within ${ms} ms`;
        return this.meta.timely ? this.fail(why) : this.notVerified(`timed out: ${why}`, this.wire.tail(6));
      }
      throw err;
    }
  }

  /** Sends a message as-is (or raw text) and returns the first response that follows it. */
  async exchange(c: MockClient, message: Record<string, unknown> | unknown[] | string, what: string, pred?: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const since = c.peer.received.length;
    if (typeof message === 'string') await this.sendRaw(c, message);
    else await this.send(c, message);
    return this.response(c, what, pred, { since });
  }

  /**
   * Every item of a paginated list (`tools/list` → `tools`…), following nextCursor up to
   * maxPages (walkList: stops at a loop or a malformed page); a page answered with an error fails the check.
   */
  async listAll(c: MockClient, method: string, key: string, maxPages = 20): Promise<Record<string, unknown>[]> {
    const l = await walkList(c, method, key, { maxPages });
    if (l.error) this.expectResult(l.error, method);
    return l.items;
  }

  /** The tool of that name, if the server lists one (and declares tools). */
  async findTool(c: MockClient, name: string): Promise<Current['Tool'] | undefined> {
    if (!c.serverCapabilities.tools) return undefined;
    const tools = await this.listAll(c, 'tools/list', 'tools');
    return tools.find((x) => x.name === name) as Current['Tool'] | undefined;
  }

  /**
   * Cites the spec page (`server/tools#error-handling`) of what the check actually exercised, in
   * place of the one its metadata gives for the revision (a check that picks its probe by capability).
   */
  cite(page: string): void {
    this.cited = page;
  }

  /** Adds a line to the wire log (shown with the evidence). */
  note(text: string): void {
    this.wire.note('send', text);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  /** Closes every connection (stdin, then SIGTERM, then SIGKILL for stdio targets). */
  async close(): Promise<void> {
    this.ended = true;
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // cleanup is best effort: the check already has its verdict
      }
    }
    await Promise.all(
      this.connections.map((c) => {
        if (!c.shared) return c.client.close().catch(() => {});
        // Kept for this check's result before the next check's histories start.
        c.kept = { violations: [...c.client.peer.violations], strays: c.client.peer.strays.length };
        return giveBack(this.config, c.shared);
      }),
    );
  }

  /** An HTTP target refused the request at the transport level (status ≥ 400, no JSON-RPC answer to it). */
  static httpRefusal(err: unknown): { status: number; body: string } | undefined {
    return err instanceof HttpError ? { status: err.status, body: err.body } : undefined;
  }

  /** Is this error one of the peer's "no answer" / "went away" errors? */
  static isWireError(err: unknown): err is TimeoutError | ClosedError {
    return err instanceof TimeoutError || err instanceof ClosedError;
  }

  static levelVerdict(level: Level): Verdict {
    return level === 'MUST' ? 'fail' : level === 'SHOULD' ? 'warn' : 'info';
  }
}
