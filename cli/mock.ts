// `mcp-conform mock`: serve a scripted mock server (or the reference server, or a recorded
// cassette) over stdio, Streamable HTTP or legacy HTTP+SSE, with faults; record a real server's
// session through a proxy; or run a scripted client against a server.
import type { Command } from 'commander';
import {
  CassetteError,
  CassetteWriter,
  connectTarget,
  describeTarget,
  FAULT_HELP,
  FaultSpecError,
  formatIssue,
  formatRunReport,
  endOwnProcesses,
  killAllChildren,
  loadScript,
  loadServer,
  parseFault,
  parseHeaderArgs,
  readCassette,
  recordProxy,
  referenceServer,
  ReplayServer,
  routeHandlers,
  runClientScript,
  ScriptError,
  serveHttp,
  serveMockHttp,
  serveMockStdio,
  serveProtectedMock,
  describeAuthRecord,
  AUTH_FAULT_KINDS,
  AUTH_SERVER_OPTION_KEYS,
  AUTH_SERVER_LENIENCIES,
  RESOURCE_OPTION_KEYS,
  StdioServerTransport,
  withFaults,
  type FaultSpec,
  type MockServer,
  type ServerDefinition,
  type TargetSpec,
  type Transport,
  type AnyStep,
  type ScriptClient,
  type ProtectedMockOptions,
} from '../mock-server/index.ts';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseRevisionList, type Revision } from '../schema/index.ts';

interface MockOpts {
  script?: string;
  reference?: boolean;
  stdio?: boolean;
  http?: boolean;
  legacySse?: boolean;
  host: string;
  port: string;
  json?: boolean;
  sseResponses?: boolean;
  stateless?: boolean;
  path: string;
  record?: string;
  replay?: string;
  url?: string;
  header: string[];
  fault: string[];
  seed?: string;
  client?: boolean;
  revisions?: string;
  allowOrigin: string[];
  timeout?: string;
  auth?: boolean;
  authConfig?: string;
  authPort?: string;
  authSameOrigin?: boolean;
}

/** What --auth-config may hold (JSON or YAML): the options of serveProtectedMock as data. */
const AUTH_CONFIG_KEYS = new Set(['authorizationServer', 'resource', 'sameOrigin']);

function authConfig(opts: MockOpts): Pick<ProtectedMockOptions, 'authorizationServer' | 'resource' | 'sameOrigin'> {
  let cfg: Record<string, unknown> = {};
  if (opts.authConfig) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(opts.authConfig, 'utf8'));
    } catch (e) {
      fail(`--auth-config ${opts.authConfig}: ${(e as Error).message}`);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail(`--auth-config ${opts.authConfig}: expected an object with authorizationServer, resource, sameOrigin`);
    cfg = doc as Record<string, unknown>;
    const where = `--auth-config ${opts.authConfig}`;
    const unknownKeys = (o: unknown, known: readonly string[], at: string) => {
      if (o === undefined) return;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) fail(`${where}: ${at} must be an object`);
      const bad = Object.keys(o).filter((k) => !known.includes(k));
      if (bad.length) fail(`${where}: unknown key(s) ${bad.join(', ')}${at ? ` in ${at}` : ''} (expected ${known.join(', ')})`);
    };
    unknownKeys(cfg, [...AUTH_CONFIG_KEYS], '');
    unknownKeys(cfg.authorizationServer, AUTH_SERVER_OPTION_KEYS, 'authorizationServer');
    unknownKeys(cfg.resource, RESOURCE_OPTION_KEYS, 'resource');
    const faults = (cfg.authorizationServer as { faults?: unknown } | undefined)?.faults;
    if (faults !== undefined) {
      if (!Array.isArray(faults)) fail(`${where}: authorizationServer.faults must be a list`);
      for (const f of faults as { kind?: unknown }[]) {
        if (!AUTH_FAULT_KINDS.includes(f?.kind as never)) fail(`${where}: unknown fault kind ${JSON.stringify(f?.kind)} (expected ${AUTH_FAULT_KINDS.join(', ')})`);
      }
    }
    const lenient = (cfg.authorizationServer as { lenient?: unknown } | undefined)?.lenient;
    if (lenient !== undefined) {
      const bad = Array.isArray(lenient) ? lenient.filter((l) => !AUTH_SERVER_LENIENCIES.includes(l as never)) : [lenient];
      if (bad.length) fail(`${where}: authorizationServer.lenient must list some of ${AUTH_SERVER_LENIENCIES.join(', ')}, not ${JSON.stringify(bad)}`);
    }
  }
  const out = cfg as Pick<ProtectedMockOptions, 'authorizationServer' | 'resource' | 'sameOrigin'>;
  if (opts.authSameOrigin) out.sameOrigin = true;
  return out;
}

const collect = (v: string, prev: string[]) => [...prev, v];

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

function int(name: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) fail(`${name} must be an integer ≥ ${min}, got "${v}"`);
  return n;
}

function stderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Waits for SIGINT/SIGTERM (or for `until` to settle), then runs the cleanup once. */
function untilStopped(until?: Promise<unknown>): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void until?.then(
      (r) => resolve(String(r)),
      (e: Error) => resolve(e.message),
    );
  });
}

function printVerdict(server: MockServer): boolean {
  const verdict = server.verify();
  for (const p of server.problems) stderr(`mock: script problem: ${p}`);
  if (!verdict.length) return true;
  for (const v of verdict) stderr(`${v.met ? 'met  ' : 'UNMET'} ${v.detail}`);
  const unmet = verdict.filter((v) => !v.met).length;
  stderr(`mock: ${verdict.length - unmet}/${verdict.length} expectation(s) met`);
  return unmet === 0;
}

function targetOf(opts: MockOpts, command: string[]): TargetSpec | undefined {
  if (opts.url && command.length) fail('give either --url URL or -- <server command>, not both');
  if (opts.url) {
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch {
      fail(`--url "${opts.url}" is not a URL`);
    }
    const headers = parseHeaderArgs(opts.header);
    const legacy = u.pathname.endsWith('/sse');
    return legacy ? { kind: 'sse', url: opts.url, headers } : { kind: 'http', url: opts.url, headers };
  }
  if (command.length) return { kind: 'stdio', command: command[0]!, args: command.slice(1) };
  return undefined;
}

async function runClient(opts: MockOpts, command: string[]): Promise<number> {
  if (!opts.script) fail('--client needs --script FILE (a script with client and steps)');
  const target = targetOf(opts, command);
  if (!target) fail('--client needs a server: -- <server command> or --url URL');
  const loaded = await loadScript(opts.script);
  let script: { client?: ScriptClient; steps?: readonly AnyStep[] };
  if (loaded.kind === 'script') script = loaded.doc;
  else if (loaded.kind === 'module') script = loaded.value as typeof script;
  else fail(`${opts.script} is a server script; a client script has client and steps`);
  if (!script.steps?.length) fail(`${opts.script}: a client script needs steps`);
  stderr(`mock client: ${describeTarget(target)}`);
  const transport = connectTarget(target, opts.timeout ? { requestTimeoutMs: int('--timeout', opts.timeout, 1)! } : {});
  const timeoutMs = int('--timeout', opts.timeout, 1);
  const report = await runClientScript(transport, script, timeoutMs ? { timeoutMs } : {});
  process.stdout.write(`${formatRunReport(report)}\n`);
  return report.ok ? 0 : 1;
}

async function sourceServer(opts: MockOpts, revisions: Revision[] | undefined): Promise<{ server: MockServer; definition?: ServerDefinition }> {
  const extra = revisions ? { revisions } : {};
  if (opts.reference) return { server: referenceServer(extra) };
  return loadServer(opts.script!, extra);
}

async function serve(opts: MockOpts, faults: FaultSpec[], seed: number | undefined, revisions: Revision[] | undefined): Promise<number> {
  const { server, definition } = await sourceServer(opts, revisions);
  const allFaults = [...(definition?.faults ?? []), ...faults];
  const fseed = seed ?? definition?.seed;
  const common = { faults: allFaults, ...(fseed !== undefined ? { seed: fseed } : {}), onfault: (kind: string, detail: string) => stderr(`mock: fault ${kind}: ${detail}`) };
  const name = opts.reference ? 'reference server' : opts.script!;
  if (opts.stdio || (!opts.http && !opts.legacySse)) {
    const { closed } = await serveMockStdio(server, common);
    stderr(`mock: serving ${name} on stdio (revisions ${server.revisions.join(', ')})`);
    const reason = await untilStopped(closed);
    stderr(`mock: stopped (${reason})`);
    const ok = printVerdict(server);
    await server.close();
    return ok ? 0 : 1;
  }
  const port = int("--port", opts.port, 0)!;
  const responseMode = opts.json ? ('json' as const) : opts.sseResponses ? ('sse' as const) : undefined;
  const http = {
    ...common,
    ...(responseMode ? { responseMode } : {}),
    ...(opts.stateless ? { stateless: true } : {}),
    ...(opts.allowOrigin.length ? { allowedOrigins: opts.allowOrigin.includes('*') ? ('*' as const) : opts.allowOrigin } : {}),
  };
  if (opts.auth) return serveProtected(opts, server, http, port, name);
  const served = await serveMockHttp(server, { ...http, host: opts.host, port, path: opts.path, legacySse: opts.legacySse === true });
  process.stdout.write(`${served.url}\n`);
  stderr(`mock: serving ${name} on ${opts.legacySse ? 'HTTP+SSE' : 'Streamable HTTP'} ${served.url} (revisions ${server.revisions.join(', ')})`);
  const reason = await untilStopped();
  stderr(`mock: stopped (${reason})`);
  const ok = printVerdict(server);
  await served.close();
  return ok ? 0 : 1;
}

/** --auth: the mock as an OAuth-protected resource, with the mock authorization server beside it. */
async function serveProtected(opts: MockOpts, server: MockServer, http: NonNullable<ProtectedMockOptions['http']>, port: number, name: string): Promise<number> {
  const cfg = authConfig(opts);
  const asPort = int('--auth-port', opts.authPort, 0);
  const served = await serveProtectedMock(server, { ...cfg, host: opts.host, port, path: opts.path, http, ...(asPort !== undefined ? { asPort } : {}) });
  served.log.onrecord = (r) => stderr(`mock: auth ${describeAuthRecord(r)}`);
  // Line 1: the MCP endpoint (as without --auth); line 2: the authorization server's issuer.
  process.stdout.write(`${served.url}\n${served.issuer}\n`);
  stderr(`mock: serving ${name} as a protected resource on Streamable HTTP ${served.url} (revisions ${server.revisions.join(', ')})`);
  stderr(`mock: authorization server ${served.issuer}${cfg.sameOrigin ? ' (same origin, 2025-03-26 style)' : ''}; metadata ${[...new Set(Object.values(served.as.metadataUrls()))].join(' ') || 'none (default endpoints)'}`);
  const reason = await untilStopped();
  stderr(`mock: stopped (${reason})`);
  const ok = printVerdict(server);
  await served.close();
  return ok ? 0 : 1;
}

async function record(opts: MockOpts, command: string[]): Promise<number> {
  const target = targetOf(opts, command);
  if (!target) fail('--record needs the real server: -- <server command> or --url URL');
  const writer = new CassetteWriter(opts.record!, { target: describeTarget(target), ...(target.kind !== 'stdio' && target.headers && Object.keys(target.headers).length ? { headers: target.headers } : {}) });
  stderr(`mock: recording ${describeTarget(target)} into ${opts.record}`);
  if (opts.stdio || (!opts.http && !opts.legacySse)) {
    const front = new StdioServerTransport();
    const { closed } = await recordProxy(front, connectTarget(target), writer);
    const reason = await untilStopped(closed);
    stderr(`mock: recording ended (${reason})`);
    killAllChildren();
    return 0;
  }
  let conn = 0;
  const onSession = async (t: Transport) => {
    await recordProxy(t, connectTarget(target), writer, ++conn);
  };
  const handler = opts.legacySse
    ? (await import('../mock-server/index.ts')).createSseHandler({ onSession })
    : (await import('../mock-server/index.ts')).createStreamableHttpHandler({ onSession, ...(opts.json ? { responseMode: 'json' as const } : opts.sseResponses ? { responseMode: 'sse' as const } : {}) });
  const served = await serveHttp(opts.legacySse ? handler : routeHandlers({ [opts.path]: handler }), { host: opts.host, port: int('--port', opts.port, 0)! });
  const url = opts.legacySse ? `${served.url}/sse` : `${served.url}${opts.path}`;
  process.stdout.write(`${url}\n`);
  stderr(`mock: recording proxy on ${url}`);
  await untilStopped();
  await served.close();
  killAllChildren();
  return 0;
}

async function replay(opts: MockOpts, faults: FaultSpec[], seed: number | undefined): Promise<number> {
  const cassette = readCassette(opts.replay!);
  const onunmatched = (method: string, params: unknown) => stderr(`mock: replay: no recorded ${method} matches ${JSON.stringify(params)}`);
  const fo = { ...(seed !== undefined ? { seed } : {}) };
  stderr(`mock: replaying ${opts.replay} (recorded from ${cassette.header.target})`);
  if (opts.stdio || (!opts.http && !opts.legacySse)) {
    const r = new ReplayServer(cassette, { onunmatched });
    const t = withFaults(new StdioServerTransport(), faults, { ...fo, lineFramed: true });
    const closed = new Promise<string>((resolve) => {
      void r.connect(t).then((peer) => {
        peer.onclose = (reason) => resolve(reason);
      });
    });
    const reason = await untilStopped(closed);
    stderr(`mock: replay ended (${reason}); ${r.unmatched.length} unmatched request(s)`);
    return r.unmatched.length ? 1 : 0;
  }
  const replays: ReplayServer[] = [];
  const onSession = async (t: Transport) => {
    const r = new ReplayServer(cassette, { onunmatched });
    replays.push(r);
    await r.connect(withFaults(t, faults, fo));
  };
  const handler = opts.legacySse
    ? (await import('../mock-server/index.ts')).createSseHandler({ onSession })
    : (await import('../mock-server/index.ts')).createStreamableHttpHandler({ onSession });
  const served = await serveHttp(opts.legacySse ? handler : routeHandlers({ [opts.path]: handler }), { host: opts.host, port: int('--port', opts.port, 0)! });
  const url = opts.legacySse ? `${served.url}/sse` : `${served.url}${opts.path}`;
  process.stdout.write(`${url}\n`);
  await untilStopped();
  await served.close();
  return replays.some((r) => r.unmatched.length) ? 1 : 0;
}

export function registerMock(program: Command): void {
  program
    .command('mock')
    .description('serve a scriptable mock MCP server (or the reference server, or a recorded session); record a real one; or run a scripted client')
    .argument('[command...]', 'after --: the real server to record, or to run a --client script against')
    .option('--script <file>', 'mock script: .yaml, .yml, .json, or .ts/.js module')
    .option('--reference', 'serve the bundled reference server')
    .option('--stdio', 'serve over stdio (default)')
    .option('--http', 'serve over Streamable HTTP')
    .option('--legacy-sse', 'serve over the deprecated HTTP+SSE transport (GET /sse, POST /messages)')
    .option('--host <host>', 'HTTP host to bind', '127.0.0.1')
    .option('--port <port>', 'HTTP port (0: a free one)', '0')
    .option('--path <path>', 'Streamable HTTP endpoint path', '/mcp')
    .option('--json', 'answer POSTs with JSON bodies')
    .option('--sse-responses', 'answer POSTs with SSE streams')
    .option('--stateless', 'Streamable HTTP without sessions')
    .option('--allow-origin <origin>', 'accept this Origin besides loopback ones (repeatable, * for any)', collect, [])
    .option('--revisions <list>', 'revisions to serve, comma-separated or "all"')
    .option('--record <file>', 'proxy the real server (-- CMD… or --url URL) and record the session into a JSONL cassette')
    .option('--replay <file>', 'serve a recorded cassette as a mock')
    .option('--url <url>', 'the real server over HTTP (--record, --client)')
    .option('--header <header>', 'HTTP header for --url, "Name: value" (repeatable)', collect, [])
    .option('--fault <spec>', `inject a fault (repeatable): ${Object.keys(FAULT_HELP).join(', ')}; e.g. delay:ms=500,method=tools/call`, collect, [])
    .option('--seed <n>', 'seed of probabilistic faults')
    .option('--client', 'run the --script client steps against the server given after -- or by --url')
    .option('--timeout <ms>', 'client request timeout')
    .option('--auth', 'with --http: serve as an OAuth-protected resource (401 + WWW-Authenticate challenge, RFC 9728 metadata) with a mock authorization server; prints its issuer as the second stdout line')
    .option('--auth-config <file>', 'JSON/YAML options of the mock authorization server and resource: { authorizationServer, resource, sameOrigin } (see README)')
    .option('--auth-port <port>', 'port of the mock authorization server (default 0: a free one)')
    .option('--auth-same-origin', '2025-03-26 style: the authorization server on the MCP server\'s origin, no protected resource metadata')
    .addHelpText(
      'after',
      `\nFaults (kind[:key=value,…]; keys: method, nth, every, after, p, ms, bytes, count, status, direction):\n${Object.entries(FAULT_HELP)
        .map(([k, v]) => `  ${k.padEnd(15)}${v}`)
        .join('\n')}\n\nExamples:\n  mcp-conform mock --reference --stdio\n  mcp-conform mock --script mock.yaml --http --port 0\n  mcp-conform mock --reference --http --auth\n  mcp-conform mock --client --script steps.yaml -- node server.js\n  mcp-conform mock --record session.jsonl -- npx some-mcp-server\n  mcp-conform mock --replay session.jsonl --http`,
    )
    .action(async (command: string[], opts: MockOpts, cmd: Command) => {
      try {
        const transports = [opts.stdio, opts.http, opts.legacySse].filter(Boolean).length;
        if (transports > 1) fail('choose one of --stdio, --http, --legacy-sse');
        if (opts.json && opts.sseResponses) fail('choose one of --json and --sse-responses');
        if ((opts.json || opts.sseResponses || opts.stateless) && !opts.http) fail('--json, --sse-responses and --stateless apply to --http');
        const modes = [opts.script !== undefined && !opts.client, opts.reference, opts.record !== undefined, opts.replay !== undefined, opts.client].filter(Boolean).length;
        if (modes === 0) fail('nothing to serve: give --script FILE, --reference, --replay FILE, --record FILE -- CMD, or --client --script FILE -- CMD');
        if (modes > 1) fail('choose one of --script, --reference, --record, --replay, --client');
        if (command.length && !opts.record && !opts.client) fail(`unexpected arguments: ${command.join(' ')} (a server command after -- goes with --record or --client)`);
        if (opts.url && !opts.record && !opts.client) fail('--url goes with --record or --client');
        if ((opts.authConfig || opts.authPort || opts.authSameOrigin) && !opts.auth) fail('--auth-config, --auth-port and --auth-same-origin go with --auth');
        if (opts.auth && (!opts.http || opts.record || opts.replay || opts.client)) fail('--auth serves --script or --reference over --http');
        if (opts.auth) authConfig(opts); // a bad config fails before anything starts
        const faults = opts.fault.map((f) => parseFault(f));
        const seed = int('--seed', opts.seed, 0);
        const revisions = opts.revisions ? parseRevisionList(opts.revisions) : undefined;
        let code: number;
        if (opts.client) code = await runClient(opts, command);
        else if (opts.record) code = await record(opts, command);
        else if (opts.replay) code = await replay(opts, faults, seed);
        else code = await serve(opts, faults, seed, revisions);
        process.exitCode = code;
      } catch (err) {
        if (err instanceof ScriptError) {
          for (const i of err.issues) stderr(formatIssue(i));
          process.exitCode = 2;
          return;
        }
        if (err instanceof UsageError || err instanceof FaultSpecError || err instanceof CassetteError) cmd.error(`error: ${err.message}`, { exitCode: 2 });
        if (err instanceof Error && /unknown revision|header ".*" is not in the form/.test(err.message)) cmd.error(`error: ${err.message}`, { exitCode: 2 });
        throw err;
      } finally {
        await endOwnProcesses(1_000);
      }
    });
}
