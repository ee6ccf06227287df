// Client mode: the fuzzer plays the server. Each session launches the client under test with a
// way to reach our mock server in its arguments, waits for it to connect and initialize, and
// then sends it fuzzed server messages (requests, notifications, responses, broken frames).
//
// Launch contract (`mcp-conform fuzz --client -- CMD ARGS…`), the same as `mcp-conform client`:
//   {url}     is replaced with the Streamable HTTP URL of the mock server (http://127.0.0.1:PORT/mcp);
//             with neither placeholder, the URL is appended as the last argument;
//   {server}  is replaced with a command that runs a stdio MCP server: as an argument of its own it
//             becomes several arguments (node -e RELAY PORT), inside a longer argument a quoted
//             command line. The command is a small relay that connects the client's stdio to us.
// The client's normal requests (tools/list, tools/call…) are answered by a correct mock server.
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import {
  createMockServer,
  createStreamableHttpHandler,
  prompt,
  resource,
  routeHandlers,
  serveHttp,
  StdioServerTransport,
  spawnTracked,
  stopChild,
  tool,
  type MockServer,
  type ServedHttp,
  type ServerSession,
  type StreamableHttpServerTransport,
  type Transport,
} from '../../mock-server/index.ts';
import type { OpenedConnection, SessionDriver, SessionOptions, TargetFactory } from './session.ts';
import { stderrGist } from '../harness/stderr-gist.ts';

/** Connects stdin/stdout to 127.0.0.1:PORT (argv[1]); plain CommonJS so it starts in milliseconds. */
const RELAY = [
  "const s=require('net').connect(+process.argv[1],'127.0.0.1');",
  'process.stdin.pipe(s);s.pipe(process.stdout);',
  "s.on('error',()=>process.exit(1));s.on('close',()=>process.exit(0));",
].join('');

export interface ClientTargetOptions {
  /** argv of the client, with {url} or {server}. */
  command: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Longest wait for the client to connect and finish initialize (default 30 s). */
  startupTimeoutMs?: number;
  /** The mock server answering the client's own requests (default: a small correct one). */
  server?: MockServer;
}

/** {server} anywhere in the arguments means stdio; otherwise Streamable HTTP (as `mcp-conform client`). */
export function launchVia(command: readonly string[]): 'stdio' | 'http' {
  return command.some((a) => a.includes('{server}')) ? 'stdio' : 'http';
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Puts the placeholders' values into the client's argv; with no {url} anywhere, the URL goes last. */
export function substitute(command: readonly string[], values: { url?: string; server?: string[] }): string[] {
  const out: string[] = [];
  let used = false;
  for (const arg of command) {
    if (arg === '{server}' && values.server) {
      out.push(...values.server);
      used = true;
      continue;
    }
    const next = arg.replaceAll('{url}', values.url ?? '{url}').replaceAll('{server}', values.server ? values.server.map(quote).join(' ') : '{server}');
    if (next !== arg) used = true;
    out.push(next);
  }
  if (!used && values.url) out.push(values.url);
  return out;
}

/** The mock server clients talk to while being fuzzed: a tool, a resource, a prompt, logging. */
export function defaultClientFuzzServer(): MockServer {
  return createMockServer(
    { serverInfo: { name: 'mcp-conform-fuzz', version: '0.1.0' }, logging: true },
    tool('echo', {
      description: 'Echoes its message.',
      inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
      annotations: { readOnlyHint: true },
      handler: (args) => ({ content: [{ type: 'text', text: String(args.message ?? '') }] }),
    }),
    resource('test://fuzz', { name: 'fuzz', mimeType: 'text/plain', text: 'fuzz' }),
    prompt('fuzz', { description: 'A prompt', messages: [{ role: 'user', content: { type: 'text', text: 'fuzz' } }] }),
  );
}

/** The server role: the mock server answers the client; initialize is the client's to send. */
function serverDriver(server: MockServer, startupTimeoutMs: number, onStarted?: () => void, ready?: { check: () => boolean; what: string }): NonNullable<OpenedConnection['driver']> {
  return (transport: Transport, wire, _options: SessionOptions): SessionDriver => {
    let session: ServerSession | undefined;
    return {
      get peer() {
        if (!session) throw new Error('the client session has not started');
        return session.peer;
      },
      async start() {
        session = await server.connect(transport, { wire });
        onStarted?.();
      },
      async initialize() {
        const deadline = Date.now() + startupTimeoutMs;
        for (;;) {
          const s = session;
          if (s?.legacy?.initialized && (!ready || ready.check())) return { revision: s.legacy.revision, capabilities: s.legacy.clientCapabilities };
          if (!s || s.peer.closed) throw new Error(`the client went away before completing initialize${s?.peer.closeReason ? ` (${s.peer.closeReason})` : ''}`);
          if (Date.now() > deadline) {
            if (s.legacy?.initialized && ready) throw new Error(`the client completed initialize but did not ${ready.what} within ${startupTimeoutMs} ms`);
            throw new Error(`the client did not complete the initialize handshake (initialize, then notifications/initialized) within ${startupTimeoutMs} ms`);
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      close: async () => {
        await session?.close().catch(() => {});
      },
    };
  };
}

interface Launched {
  child: ChildProcess;
  stderr: () => string;
  exited: () => string | undefined;
}

function launch(argv: string[], opts: ClientTargetOptions): Launched {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('no client command given');
  const child = spawnTracked(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let exit: string | undefined;
  const keep = (t: string) => {
    if (stderr.length < 64 * 1024) stderr += t.slice(0, 64 * 1024 - stderr.length);
  };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', keep);
  // What a stdio-less client prints is kept with stderr, for diagnosis.
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', keep);
  child.stdin?.on('error', () => {});
  child.on('error', (err) => (exit ??= `the client could not be started: ${err.message}`));
  child.on('exit', (code, signal) => (exit ??= `the client exited (${signal ? `signal ${signal}` : `code ${code}`})`));
  return { child, stderr: () => stderr, exited: () => exit };
}

/** Sessions against a client: each one launches the client and waits for it to connect. */
export function clientFactory(opts: ClientTargetOptions): TargetFactory & { via: 'stdio' | 'http' } {
  const via = launchVia(opts.command);
  const server = opts.server ?? defaultClientFuzzServer();
  const startup = opts.startupTimeoutMs ?? 30_000;
  return {
    description: `client: ${opts.command.map(quote).join(' ')}`,
    transport: via === 'stdio' ? 'stdio' : 'http',
    via,
    open: () => (via === 'stdio' ? openStdio(opts, server, startup) : openHttp(opts, server, startup)),
  };
}

function connectionTimeout<T>(p: Promise<T>, launched: Launched, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the client did not ${what} within ${ms} ms${tail(launched)}`)), ms);
    const poll = setInterval(() => {
      const gone = launched.exited();
      if (gone) {
        clearTimeout(timer);
        clearInterval(poll);
        reject(new Error(`${gone} before it connected${tail(launched)}`));
      }
    }, 25);
    p.then(
      (v) => {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        clearInterval(poll);
        reject(e);
      },
    );
  });
}

function tail(l: Launched): string {
  const last = stderrGist(l.stderr()).join(' | ');
  return last ? ` (last output: ${last.slice(0, 300)})` : '';
}

async function openStdio(opts: ClientTargetOptions, server: MockServer, startup: number): Promise<OpenedConnection> {
  let accept!: (s: Socket) => void;
  const accepted = new Promise<Socket>((r) => (accept = r));
  let first: Socket | undefined;
  const listener: Server = createServer((sock) => {
    if (first) {
      sock.destroy(); // one connection per session; a second server launch is not ours to serve
      return;
    }
    first = sock;
    accept(sock);
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  const port = (listener.address() as { port: number }).port;
  const launched = launch(substitute(opts.command, { server: [process.execPath, '-e', RELAY, String(port)] }), opts);
  let socket: Socket;
  try {
    socket = await connectionTimeout(accepted, launched, startup, 'start its server command ({server})');
  } catch (err) {
    listener.close();
    await stopChild(launched.child, 500);
    throw err;
  }
  let socketClosed = false;
  socket.on('close', () => (socketClosed = true));
  socket.on('error', () => {});
  const transport = new StdioServerTransport({ input: socket, output: socket, guardStdout: false });
  return {
    transport,
    lines: true,
    stderr: launched.stderr,
    exited: () => launched.exited() ?? (socketClosed ? 'the client closed the connection (its server process ended)' : undefined),
    driver: serverDriver(server, startup),
    dispose: async () => {
      socket.destroy();
      listener.close();
      await stopChild(launched.child, 1_000);
    },
  };
}

async function openHttp(opts: ClientTargetOptions, server: MockServer, startup: number): Promise<OpenedConnection> {
  let onSession!: (t: StreamableHttpServerTransport) => void;
  const connected = new Promise<StreamableHttpServerTransport>((r) => (onSession = r));
  let taken = false;
  let started!: () => void;
  const ready = new Promise<void>((r) => (started = r));
  const handler = createStreamableHttpHandler({
    // The handler dispatches the session's first message (initialize) once this resolves: only
    // after the mock server is connected to the transport.
    onSession: (t) => {
      if (taken) return undefined;
      taken = true;
      onSession(t);
      return ready;
    },
  });
  const served: ServedHttp = await serveHttp(routeHandlers({ '/mcp': handler }));
  const launched = launch(substitute(opts.command, { url: `${served.url}/mcp` }), opts);
  let transport: StreamableHttpServerTransport;
  try {
    transport = await connectionTimeout(connected, launched, startup, `connect to ${served.url}/mcp ({url})`);
  } catch (err) {
    await served.close();
    await stopChild(launched.child, 500);
    throw err;
  }
  return {
    transport,
    stderr: launched.stderr,
    exited: launched.exited,
    // A server reaches an HTTP client unprompted only over the GET stream: wait for it.
    driver: serverDriver(server, startup, started, { check: () => transport.getStream !== undefined && !transport.getStream.ended, what: 'open the GET stream (a server can send it nothing unprompted without one)' }),
    dispose: async () => {
      await served.close();
      await stopChild(launched.child, 1_000);
    },
  };
}
