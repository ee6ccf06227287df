// Hosts one scenario for one run: a MockServer with the scenario's behaviours, reachable over
// Streamable HTTP (or the deprecated HTTP+SSE transport) or through the stdio relay the client
// starts, and a Recorder that keeps everything both sides did on one clock.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Revision } from '../../schema/index.ts';
import {
  AuthLog,
  createAuthorizationServer,
  OFFICIAL_CIMD_PLACEHOLDER,
  TOKEN_EXCHANGE_GRANT,
  createMockServer,
  protectHandler,
  createSseHandler,
  createStreamableHttpHandler,
  isRawFrame,
  routeHandlers,
  serveHttp,
  StdioServerTransport,
  WireLog,
  type AuthServerOptions,
  type MockServer,
  type ProtectedResourceOptions,
  type ResponseMode,
  type ServedHttp,
  type ServerExchange,
  type ServerSession,
  type Transport,
  type WireEntry,
} from '../../mock-server/index.ts';
import type { ClientRun, HttpRecord, RecordedEntry, StdioServerRecord } from '../harness/index.ts';
import { CANARY_EVENT, type ClientTransportKind, type OutgoingRewrite, type Scenario, type ScenarioApi, type ScenarioServer } from './scenarios/index.ts';

export const RELAY_PATH = fileURLToPath(new URL('./stdio-relay.mjs', import.meta.url));

/** A WireLog on the run's clock, one per connection. */
class SessionWire extends WireLog {
  constructor(
    private readonly clock: () => number,
    readonly label: string,
  ) {
    super();
  }

  override now(): number {
    return this.clock();
  }

  /** Takes out the entry the peer just recorded for a message the scenario will rewrite or delay. */
  take(original: unknown): WireEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.dir === 'send' && e.msg === original) return this.entries.splice(i, 1)[0];
    }
    return undefined;
  }

  /** Puts it back as it really went out, and when. */
  putBack(taken: WireEntry, original: unknown, replacement: unknown): void {
    this.entries.push({ ...taken, t: this.now(), msg: replacement, note: replacement === original ? 'delayed by the scenario' : 'rewritten by the scenario' });
  }
}

/** Everything recorded during one run. */
export class Recorder {
  private readonly t0 = performance.now();
  readonly startedEpoch = Date.now();
  readonly wires: { wire: SessionWire; session?: ServerSession }[] = [];
  readonly http: HttpRecord[] = [];
  readonly events: ClientRun['events'] = [];
  readonly notes: string[] = [];
  readonly servers = new Map<number, StdioServerRecord>();
  /** Messages the HTTP handler refused before the mock saw them (still things the client sent). */
  readonly refused: RecordedEntry[] = [];

  now = (): number => Math.round((performance.now() - this.t0) * 10) / 10;

  wire(label: string): SessionWire {
    const w = new SessionWire(this.now, label);
    this.wires.push({ wire: w });
    return w;
  }

  event(what: string, detail?: string): void {
    const e: ClientRun['events'][number] = { t: this.now(), what };
    if (detail !== undefined) e.detail = detail;
    this.events.push(e);
  }

  exchange(x: ServerExchange): void {
    const url = new URL(x.url);
    const rec: HttpRecord = {
      // On the run's (monotonic) clock: now, less how long ago the request arrived.
      t: Math.max(0, Math.round((this.now() - (Date.now() - x.startedAt)) * 10) / 10),
      method: x.method,
      path: url.pathname + url.search,
      headers: x.requestHeaders,
      body: x.requestBody,
      status: x.status,
      ms: x.ms,
      contentType: x.contentType,
      responseHeaders: x.responseHeaders,
    };
    if (x.sessionId !== undefined) rec.session = x.sessionId;
    if (x.reason !== undefined) rec.reason = x.reason;
    this.http.push(rec);
    if (x.reason !== undefined && x.method === 'POST' && x.requestBody) {
      let msg: unknown;
      try {
        msg = JSON.parse(x.requestBody);
      } catch {
        msg = undefined;
      }
      const e: RecordedEntry = { t: rec.t, dir: 'recv', session: x.requestHeaders['mcp-session-id'] ?? 'no-session', note: `refused with HTTP ${x.status} (${x.reason}): the mock never processed it` };
      if (msg === undefined) e.raw = x.requestBody;
      else e.msg = msg;
      this.refused.push(e);
    }
  }

  private readonly onServerEnd = new Set<() => void>();

  /** Records that a stdio server ended (its relay said so, or its control channel closed). */
  serverEnded(rec: StdioServerRecord, reason: string): void {
    if (rec.exitedAt !== undefined) return;
    rec.exitedAt = this.now();
    rec.exitReason = reason;
    for (const f of [...this.onServerEnd]) f();
  }

  /** Resolves once every stdio server seen has ended, or after `ms` (whichever comes first). */
  serversEnded(ms: number): Promise<void> {
    const done = () => [...this.servers.values()].every((s) => s.exitedAt !== undefined);
    if (done() || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.onServerEnd.delete(check);
        resolve();
      };
      const check = () => {
        if (done()) finish();
      };
      const timer = setTimeout(finish, ms);
      this.onServerEnd.add(check);
    });
  }

  server(pid: number): StdioServerRecord {
    let r = this.servers.get(pid);
    if (!r) {
      r = { pid, signals: [], aliveAfterClient: false };
      this.servers.set(pid, r);
    }
    return r;
  }

  /** Entries of every connection on one timeline, and the schema violations in what the client sent. */
  collect(mock: MockServer): Pick<ClientRun, 'entries' | 'violations' | 'notes'> {
    const entries: RecordedEntry[] = [];
    const violations: ClientRun['violations'] = [];
    for (const { wire, session } of this.wires) {
      for (const e of wire.entries) entries.push({ ...e, session: wire.label });
      if (wire.dropped) this.notes.push(`${wire.label}: ${wire.dropped} wire entries dropped (log cap)`);
      for (const v of session?.peer.violations ?? []) {
        if (v.dir !== 'recv') continue;
        const at = wire.entries.find((e) => e.msg === v.message)?.t ?? 0;
        const excerpt = (JSON.stringify(v.message) ?? String(v.message)).slice(0, 300);
        for (const x of v.violations) violations.push({ t: at, session: wire.label, pointer: x.pointer, message: x.message, excerpt, ...(x.level ? { level: x.level } : {}) });
      }
    }
    entries.push(...this.refused);
    entries.sort((a, b) => a.t - b.t);
    return { entries, violations, notes: [...this.notes, ...mock.problems.map((p) => `mock: ${p}`)] };
  }
}

/** A transport that lets the scenario rewrite (or delay) what the mock sends. */
function rewriting(inner: Transport, rewrite: OutgoingRewrite, wire: SessionWire): Transport {
  const outer: Transport = {
    start: () => inner.start(),
    close: () => inner.close(),
    send: async (message: unknown) => {
      if (isRawFrame(message) || typeof message !== 'object' || message === null || Array.isArray(message)) return inner.send(message);
      // The recording must show what went out, and when (a rewrite may also delay it, and a
      // message still held back when the run ends was never sent).
      const taken = wire.take(message);
      const out = await rewrite(message as Record<string, unknown>);
      await inner.send(out);
      if (taken) wire.putBack(taken, message, out);
    },
  };
  if (inner.setProtocolVersion) outer.setProtocolVersion = (v: string) => inner.setProtocolVersion?.(v);
  inner.onmessage = (m, i) => outer.onmessage?.(m, i);
  inner.onmalformed = (r, e) => outer.onmalformed?.(r, e);
  inner.onclose = (r) => outer.onclose?.(r);
  inner.onerror = (e) => outer.onerror?.(e);
  inner.onnote = (n) => outer.onnote?.(n);
  return outer;
}

/** subscriptions/listen is a long-lived stream: always answered on SSE, whatever else the scenario wants. */
function listenOnSse(mode: ResponseMode | ((m: unknown) => ResponseMode) | undefined): (m: unknown) => ResponseMode {
  return (m) => {
    if (typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'subscriptions/listen') return 'sse';
    return typeof mode === 'function' ? mode(m) : (mode ?? 'json');
  };
}

export interface HostedScenario {
  recorder: Recorder;
  mock: MockServer;
  /** The Streamable HTTP (or HTTP+SSE) URL, for HTTP runs. */
  url?: string;
  /** The command line that starts a stdio server for the client, for stdio runs. */
  serverArgv?: string[];
  /** Auth scenarios: what the mock authorization server and the protected MCP server were asked. */
  auth?: AuthLog;
  /** Context known only once hosted (added to MCP_CONFORMANCE_CONTEXT), e.g. the enterprise IdP's URLs. */
  context?: Record<string, unknown>;
  close(): Promise<void>;
}

function isSession(label: string, server: ScenarioServer): string {
  return server.legacySse ? `sse:${label}` : label;
}

export async function hostScenario(sc: Scenario, rev: Revision, transport: ClientTransportKind, recorder = new Recorder()): Promise<HostedScenario> {
  let canaryOrigin: string | undefined;
  const api: ScenarioApi = {
    event: (what, detail) => recorder.event(what, detail),
    transport,
    canaryUrl: (path) => {
      if (canaryOrigin === undefined || !server.canaries || !Object.hasOwn(server.canaries, path)) throw new Error(`no canary ${path} is served (yet)`);
      return `${canaryOrigin}${path}`;
    },
  };
  const server = sc.build(rev, api);
  // A canary answers like a real document would (so a client that fetched it goes on) and is recorded.
  const canaryRoutes = Object.fromEntries(
    Object.entries(server.canaries ?? {}).map(([path, body]) => [
      path,
      (req: Request) => {
        recorder.event(CANARY_EVENT, `${req.method} ${path} ${req.headers.get('user-agent') ?? ''}`.trim());
        return Promise.resolve(Response.json(body));
      },
    ]),
  );
  const mock = createMockServer({ requestTimeoutMs: 10_000, ...server.options, revisions: server.revisions ?? [rev] }, ...server.behaviours);

  const attach = async (t: Transport, label: string): Promise<void> => {
    const wire = recorder.wire(label);
    const slot = recorder.wires.find((w) => w.wire === wire)!;
    const session = await mock.connect(server.outgoing ? rewriting(t, server.outgoing, wire) : t, { wire });
    slot.session = session;
  };

  if (transport === 'http') {
    const onexchange = (x: ServerExchange) => recorder.exchange(x);
    const handler = server.legacySse
      ? createSseHandler({ ssePath: '/mcp', messagePath: '/mcp/messages', onexchange, onSession: (t, info) => attach(t, isSession(info.sessionId ?? 'sse', server)) })
      : createStreamableHttpHandler({ ...server.http, responseMode: listenOnSse(server.http?.responseMode), onexchange, onSession: (t, info) => attach(t, info.sessionId ?? 'stateless') });
    const routed = routeHandlers({ ...canaryRoutes, '/mcp': handler, '/mcp/messages': handler });
    if (sc.auth) return hostProtected(sc, routed, recorder, mock);
    const served: ServedHttp = await serveHttp(routed);
    canaryOrigin = served.url;
    return {
      recorder,
      mock,
      url: `${served.url}/mcp`,
      close: async () => {
        await mock.close().catch(() => {});
        await served.close();
      },
    };
  }

  // stdio: the relay the client starts connects back twice (data and control) with a token.
  const token = randomBytes(12).toString('hex');
  const sockets = new Set<Socket>();
  let connections = 0;
  const net: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = Buffer.alloc(0);
    const onHello = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > 200) socket.destroy();
        return;
      }
      socket.off('data', onHello);
      socket.pause();
      const [tok, kind, pidText] = head.subarray(0, nl).toString('utf8').trim().split(' ');
      const rest = head.subarray(nl + 1);
      if (rest.length) socket.unshift(rest);
      const pid = Number(pidText);
      if (tok !== token || !Number.isInteger(pid)) {
        socket.destroy();
        return;
      }
      const rec = recorder.server(pid);
      if (kind === 'control') controlChannel(socket, rec);
      else if (kind === 'data') {
        const label = `stdio-${++connections}`;
        const t = new StdioServerTransport({ input: socket, output: socket, guardStdout: false });
        const origClose = t.close.bind(t);
        // Closing the session ends the connection, so the relay's stdout closes like a server's.
        t.close = async () => {
          await origClose();
          socket.end();
        };
        void attach(t, label).catch((err: Error) => recorder.notes.push(`${label}: ${err.message}`));
      } else socket.destroy();
    };
    socket.on('data', onHello);
  });

  const controlChannel = (socket: Socket, rec: StdioServerRecord) => {
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let ev: Record<string, unknown>;
        try {
          ev = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        const t = recorder.now();
        if (ev.ev === 'stdin-end') rec.stdinClosedAt ??= t;
        else if (ev.ev === 'signal') rec.signals.push({ t, signal: String(ev.signal) });
        else if (ev.ev === 'exit') recorder.serverEnded(rec, String(ev.reason));
      }
    });
    socket.resume();
    socket.once('close', () => recorder.serverEnded(rec, 'ended without saying why (killed with SIGKILL?)'));
  };

  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    net.listen(0, '127.0.0.1', () => resolve());
  });
  const canaries = Object.keys(canaryRoutes).length ? await serveHttp(routeHandlers(canaryRoutes)) : undefined;
  canaryOrigin = canaries?.url;
  const address = net.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    recorder,
    mock,
    serverArgv: [process.execPath, RELAY_PATH, `127.0.0.1:${port}`, token, String(server.lingerMs ?? 0)],
    close: async () => {
      await mock.close().catch(() => {});
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => net.close(() => r()));
      await canaries?.close();
    },
  };
}

/**
 * An auth scenario over HTTP: the MCP handler behind the protected-resource guard (PRM, 401
 * challenges, token validation, 403 insufficient_scope) with the scenario's mock authorization
 * server on its own port (or, 2025-03-26, on the MCP server's origin). One AuthLog records both.
 */
async function hostProtected(sc: Scenario, routed: Parameters<typeof serveHttp>[0], recorder: Recorder, mock: MockServer): Promise<HostedScenario> {
  const setup = sc.auth!;
  const log = new AuthLog();
  // Test mode: a client may host its client ID metadata document on an http loopback URL, or use
  // the official suite's placeholder URL (which serves nothing), as harnesses written for it do.
  const testMode = { allowInsecureClientIdUrls: true, unfetchedClientIdUrls: [OFFICIAL_CIMD_PLACEHOLDER] };
  const as = await createAuthorizationServer({ ...testMode, ...setup.authorizationServer, log });
  const asServed = setup.sameOrigin ? undefined : await serveHttp(as.handler);
  if (asServed) as.bind(asServed.url);
  // The AS whose tokens the server accepts (auth/authorization-server-migration switches it mid-run).
  let current = as;
  const ro: ProtectedResourceOptions = {
    authorizationServers: [], // filled in once the issuer is known
    keys: (header, token) => current.keys()(header, token),
    ...(setup.sameOrigin ? { legacy: true, fallback: as.handler } : {}),
    ...setup.resource,
    path: '/mcp',
    log,
  };
  const served = await serveHttp(protectHandler(routed, ro));
  if (!asServed) as.bind(served.url);
  if (!setup.resource?.authorizationServers) ro.authorizationServers = [as.issuer];
  const url = `${served.url}/mcp`;
  // Tokens asked for without `resource` are still for this server (the log shows the omission).
  (as.options as AuthServerOptions).defaultAudience ??= url;
  let second: ServedHttp | undefined;
  let context: Record<string, unknown> | undefined;
  let idpServed: ServedHttp | undefined;
  if (setup.enterpriseIdp) {
    // The enterprise IdP: another mock AS that exchanges its own ID token for an ID-JAG (RFC 8693).
    const e = setup.enterpriseIdp;
    const idp = await createAuthorizationServer({
      log,
      grantTypes: [TOKEN_EXCHANGE_GRANT],
      registration: false,
      clientIdMetadataDocuments: false,
      tokenEndpointAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
      clients: [{ client_id: e.idpClientId, token_endpoint_auth_method: 'none', grant_types: [TOKEN_EXCHANGE_GRANT] }],
      idJagIssuing: { clientId: e.clientId },
    });
    idpServed = await serveHttp(idp.handler);
    idp.bind(idpServed.url);
    (as.options as AuthServerOptions).idJagTrust = { issuer: idp.issuer, keys: idp.keys() };
    const idToken = await idp.mintToken({ audience: e.idpClientId, subject: e.subject, claims: { email: e.subject }, typ: 'JWT' });
    context = { idp_id_token: idToken, idp_issuer: idp.issuer, idp_token_endpoint: idp.endpoints.token };
  }
  if (setup.workload) {
    // The workload issuer: a mock AS never served (its issuer is a name), used for its keys and minting.
    const w = setup.workload;
    const wi = await createAuthorizationServer({ registration: false });
    wi.bind(w.issuer);
    (as.options as AuthServerOptions).workloadTrust = { issuer: wi.issuer, keys: wi.keys() };
    const jwt = (o: { audience: string; flaw?: 'expired' }) => wi.mintToken({ ...o, subject: w.subject, typ: 'JWT', ttlSeconds: 300, claims: { jti: randomUUID() } });
    context = { valid_jwt: await jwt({ audience: as.issuer }), wrong_audience_jwt: await jwt({ audience: 'https://wrong.example' }), expired_jwt: await jwt({ audience: as.issuer, flaw: 'expired' }) };
  }
  if (setup.switchTo) {
    const as2 = await createAuthorizationServer({ ...testMode, ...setup.switchTo, log });
    second = await serveHttp(as2.handler);
    as2.bind(second.url);
    (as2.options as AuthServerOptions).defaultAudience ??= url;
    // After the first request served with a token, initialize and notifications aside (the
    // official suite's harness lists tools, then calls one): the PRM names the new AS, and only
    // its tokens pass.
    log.onrecord = (r) => {
      if (current === as2 || r.side !== 'rs' || r.endpoint !== 'mcp' || r.status >= 400 || !/"method"\s*:\s*"(tools|resources|prompts)\//.test(r.body)) return;
      current = as2;
      ro.authorizationServers = [as2.issuer];
      recorder.event('authorization-server-changed', as2.issuer);
    };
  }
  return {
    recorder,
    mock,
    url,
    auth: log,
    ...(context ? { context } : {}),
    close: async () => {
      await mock.close().catch(() => {});
      await served.close();
      await asServed?.close();
      await second?.close();
      await idpServed?.close();
    },
  };
}

export type { WireEntry };
