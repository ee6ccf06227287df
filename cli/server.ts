// `mcp-conform server`: runs the server conformance suites against one server (stdio command,
// Streamable HTTP URL, legacy SSE URL, or an entry of an mcpServers config file).
import { join, relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { entryArgs, parseRevisionList, PROJECT_ROOT, REVISIONS, type Revision } from '../schema/index.ts';
import type { TargetSpec } from '../mock-server/index.ts';
import type { Results } from '../reports/index.ts';
import type { RunConfig } from '../suites/harness/index.ts';
import { VERSION } from './version.ts';
import { ConfigError, addConfigOptions, isBroken, parseConfigText, pickEntry, resolveConfigOptions } from './config.ts';
import { HOST_SUITE_FILES, hostSelection, parseProfiles, withHostVerdicts, type HostProfile } from '../suites/hosts/index.ts';
import { runAllEntries } from './server-all.ts';
import { EXIT, UsageError, interruptible, type ServerCommandOptions, type ServerRunIo } from './common.ts';
import { addReportOptions, finishReports, planReports, ReportOptionError, REPORTER_HELP, reporterFrom, type ReportFlags, type ReportPlan } from './report-options.ts';
import { parseShard, shardIds, shardLabel } from './shard.ts';

// The harness, transports and writers load only when a run starts: usage errors and --help stay quick.
const lazy = async () => {
  const [mock, reports, harness] = await Promise.all([import('../mock-server/index.ts'), import('../reports/index.ts'), import('../suites/harness/index.ts')]);
  return { ...mock, ...reports, ...harness };
};

export { EXIT, UsageError, interruptible, type ServerCommandOptions, type ServerRunIo };

/** Option parsers shared by the commands (client.ts imports them). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

export function repeat(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function positiveInt(text: string, what: string, unit = 'number of milliseconds'): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${what} must be a positive ${unit}, not "${text}"`);
  return n;
}

function parseHeaders(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`--header "${h}" is not in the form Name:value`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

export function parseEnv(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of list) {
    const i = e.indexOf('=');
    if (i <= 0) throw new UsageError(`--env "${e}" is not in the form KEY=value`);
    out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

/** One server of an `mcpServers` config file's text (the format Claude Desktop, Claude Code, Cursor… use). */
export function targetFromConfig(text: string, file: string, name: string | undefined, baseDir: string): TargetSpec {
  try {
    return pickEntry(parseConfigText(text, file, { baseDir }), name).entry.target;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** The one target the options name; exactly one of --stdio, --url, --sse, --config. */
export function targetFromOptions(o: ServerCommandOptions, command: string[], notes: string[] = []): TargetSpec {
  const forms = [o.reference && '--reference', o.stdio && '--stdio', o.url && '--url', o.sse && '--sse', o.config && '--config'].filter(Boolean);
  if (forms.length !== 1) throw new UsageError(forms.length ? `choose one target, not ${forms.join(' and ')}` : 'no target: give --stdio -- CMD ARGS…, --url URL, --sse URL, --config FILE --name NAME or --reference');
  // The embedded default target: the bundled reference server (mock-server/reference) over stdio.
  if (o.reference) {
    if (command.length) throw new UsageError(`unexpected arguments: ${command.join(' ')} (--reference takes no command)`);
    // Started once per check: the lean entry (no CLI around it) starts in about two thirds of the time.
    return { kind: 'stdio', command: process.execPath, args: entryArgs('mock-server/reference/stdio') };
  }
  if (!o.stdio && command.length) throw new UsageError(`unexpected arguments: ${command.join(' ')} (only --stdio takes a command after --)`);
  if (!o.stdio && (o.cwd || o.env.length)) throw new UsageError('--cwd and --env apply to --stdio only');
  if (!o.url && !o.sse && o.header.length) throw new UsageError('--header applies to --url and --sse only');
  if ((o.name || o.all || o.scope) && !o.config) throw new UsageError('--name, --all and --scope apply to --config only');
  if (o.stdio) {
    const [cmd, ...args] = command;
    if (!cmd) throw new UsageError('--stdio needs the server command after --, e.g. --stdio -- node server.js');
    const t: TargetSpec = { kind: 'stdio', command: cmd, args };
    if (o.cwd) t.cwd = resolve(o.cwd);
    if (o.env.length) t.env = parseEnv(o.env);
    return t;
  }
  const url = o.url ?? o.sse;
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`"${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`"${url}" is not an http(s) URL`);
    const kind = o.url ? 'http' : 'sse';
    return o.header.length ? { kind, url, headers: parseHeaders(o.header) } : { kind, url };
  }
  // An entry of a host's config file (cli/config.ts: Claude Desktop, .mcp.json, ~/.claude.json…).
  try {
    const resolved = resolveConfigOptions({ config: o.config as string, name: o.name, scope: o.scope });
    const picked = resolved?.entries[0]?.entry;
    if (!picked) throw new UsageError('--config names no server');
    if (isBroken(picked)) throw new UsageError(picked.error);
    notes.push(...resolved.notes);
    return picked.target;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** --profile values (repeatable, comma-separated) → host profiles; unknown names are usage errors. */
export function profilesFromOptions(o: Pick<ServerCommandOptions, 'profile'>): HostProfile[] {
  try {
    return parseProfiles(o.profile ?? []);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A --revision value: a comma-separated list of revisions, or the one `word` (all, auto). */
export function parseRevisionsOr<W extends string>(text: string, word: W): Revision[] | W {
  if (text === word) return word;
  try {
    return parseRevisionList(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function parseRevisions(text: string): Revision[] | 'all' {
  return parseRevisionsOr(text, 'all');
}

function emptyResults(m: Awaited<ReturnType<typeof lazy>>, target: TargetSpec, revisions: Revision[], startedAt: string, errors: string[]): Results {
  const { RESULTS_FORMAT, RESULTS_FORMAT_VERSION, countVerdicts, describeTarget } = m;
  return {
    format: RESULTS_FORMAT,
    formatVersion: RESULTS_FORMAT_VERSION,
    tool: { name: 'mcp-conform', version: VERSION },
    mode: 'server',
    target: { description: describeTarget(target), transport: target.kind },
    revisions,
    startedAt,
    endedAt: new Date().toISOString(),
    counts: countVerdicts([]),
    checks: [],
    errors,
  };
}

/** The whole command after option parsing; resolves with the exit code. */
export async function runServerCommand(o: ServerCommandOptions, command: string[], io: ServerRunIo): Promise<number> {
  if (o.all) return runAllEntries(o, command, io, runServerCommand);
  // What the run started beside the target (the --auth mock authorization server) ends with it.
  const closers: (() => Promise<void>)[] = [];
  try {
    return await runOne(o, command, io, closers);
  } finally {
    for (const close of closers) await close().catch(() => {});
  }
}

async function runOne(o: ServerCommandOptions, command: string[], io: ServerRunIo, closers: (() => Promise<void>)[]): Promise<number> {
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const configNotes: string[] = [];
  let target = targetFromOptions(o, command, configNotes);
  const hosts = profilesFromOptions(o);
  const requested = parseRevisions(o.revision);
  const requestTimeoutMs = positiveInt(o.timeout, '--timeout');
  const budgetMs = o.budget === undefined ? null : positiveInt(o.budget, '--budget');
  const concurrency = o.concurrency === undefined ? undefined : positiveInt(o.concurrency, '--concurrency', 'number of checks');
  const outDir = resolve(o.out);
  const deadline = budgetMs === null ? null : t0 + budgetMs;
  const shard = o.shard === undefined ? undefined : parseShard(o.shard);
  const reports = await reportPlan(o);
  const reporter = reporterKind(o.reporter);
  const say = (line: string) => io.err.write(`${line}\n`);
  const m = await lazy();
  const { describeTarget, probeTarget, writeResults, runConfig, runSuites, printSummary, loadServerChecks, selected } = m;
  // The checks this run should report; --only / --skip that select none are a typo, not a run.
  const expected = await loadServerChecks((await import('../suites/server/index.ts')).SERVER_SUITE_MODULES);
  const ids = expected.map((d) => d.meta.id);
  if (!ids.some((id) => selected(id, o))) throw new UsageError(`no check matches --only ${o.only.join(',') || '(all)'}${o.skip.length ? ` --skip ${o.skip.join(',')}` : ''} (areas: ${[...new Set(ids.map((id) => id.split('/')[0]))].join(', ')})`);
  // --shard: this part's slice of the selected check ids (suite file, then id). The host checks
  // (--profile) run in shard 1 only; report merge judges the hosts again over every shard.
  let selection = hostSelection(hosts, { only: o.only, skip: o.skip });
  let runHosts = hosts;
  if (shard) {
    const fileOf = (d: (typeof expected)[number]) => m.suiteFilesFor([d], { only: [], skip: [] })?.[0] ?? '';
    const order = expected
      .filter((d) => selected(d.meta.id, o))
      .map((d) => ({ id: d.meta.id, file: fileOf(d) }))
      .sort((a, b) => a.file.localeCompare(b.file) || a.id.localeCompare(b.id))
      .map((x) => x.id);
    const mine = shardIds(order, shard);
    runHosts = shard.index === 1 ? hosts : [];
    say(`mcp-conform: ${shardLabel(shard)}: ${mine.length} of the ${new Set(order).size} selected checks${runHosts.length ? ' and the host checks' : ''}`);
    if (mine.length === 0) {
      // More shards than checks: this one has nothing to do (an empty only list would mean all).
      const file = await writeResults(emptyResults(m, target, [], startedAt, []), outDir);
      say(`results: ${file}`);
      return EXIT.ok;
    }
    selection = hostSelection(runHosts, { only: mine, skip: o.skip });
  }
  let callTools: RunConfig['callTools'];
  try {
    callTools = o.call === false ? 'none' : m.parseCallTools(o.callTools);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }

  for (const n of configNotes) say(`mcp-conform: ${n}`);
  const authSetup = await setUpAuth(o, target, requested === 'all' ? undefined : requested[0], requestTimeoutMs, say);
  closers.push(authSetup.close);
  target = authSetup.target;
  const { auth } = authSetup;
  say(`mcp-conform ${VERSION}: testing ${describeTarget(target)}${hosts.length ? ` for ${hosts.map((h) => h.name).join(', ')}` : ''}`);
  // The first answer may take a server's start-up (npx downloads, tsx compiles…).
  const startupMs = Math.max(15_000, requestTimeoutMs);
  const probeTimeout = Math.min(startupMs, deadline === null ? Infinity : Math.max(1_000, deadline - Date.now()));
  const probe = await probeTarget(target, requested, probeTimeout, { sequential: concurrency === 1, listTools: callTools !== 'none' });
  if (io.signal?.aborted) {
    await writeResults(emptyResults(m, target, requested === 'all' ? [] : requested, startedAt, ['interrupted before any check ran']), outDir);
    return EXIT.interrupted;
  }
  if (!probe.reachable) {
    const why = `cannot reach the target: ${probe.reason ?? 'no answer'}`;
    say(`mcp-conform: ${why}`);
    if (probe.stderr) say(`its stderr ended with:\n${probe.stderr.split('\n').slice(-10).join('\n')}`);
    const unreached = withHostVerdicts(emptyResults(m, target, requested === 'all' ? [] : requested, startedAt, [why]), hosts);
    const file = await writeResults(unreached, outDir);
    if (hosts.length) printSummary(unreached, io.out);
    say(`results: ${file}`);
    return EXIT.unreachable;
  }
  const revisions = probe.supported;
  if (requested === 'all') say(`revisions the server speaks: ${revisions.join(', ')}`);
  // Revisions it was meant to test whose probe failed (not those it answered with another version).
  const untested = probe.probes.filter((p) => p.error && requested === 'all' && !revisions.includes(p.asked)).map((p) => ({ revision: p.asked, reason: `the version probe failed: ${p.error}` }));
  for (const u of untested) say(`  ${u.revision}: not tested: ${u.reason}`);
  // Before the first call: which tools the checks may call and why (kept in results.json too).
  const toolPlan = await m.planToolCalls(target, revisions, callTools, probeTimeout, probe.tools);
  for (const line of m.formatToolPlan(toolPlan)) say(line);

  const cfg: RunConfig & { outDir: string } = {
    ...runConfig(target, revisions, {
      outDir,
      requestTimeoutMs,
      startupMs,
      checkTimeoutMs: startupMs + requestTimeoutMs * 3,
      ...selection,
      deadline,
      callTools,
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(o.isolate ? { isolate: true } : {}),
      ...(auth ? { auth } : {}),
    }),
    outDir,
  };
  const progress = m.progressFor(io.out, reporter, { startedAt: t0 });
  const run = await runSuites({
    cfg,
    include: [...(m.suiteFilesFor(expected, cfg) ?? m.SERVER_SUITES), ...(runHosts.length ? HOST_SUITE_FILES.map((f) => relative(PROJECT_ROOT, f)) : [])],
    target: { description: describeTarget(target), transport: target.kind },
    errors: [],
    expected,
    progress,
    ...(io.signal ? { signal: io.signal } : {}),
  }).finally(() => progress.finish?.());
  const { interrupted } = run;
  // The host verdicts come from the finished results; then every report is written, once.
  const { results, paths, exit } = await finishReports(withHostVerdicts({ ...run.results, ...(untested.length ? { untested } : {}), toolPlan }, runHosts), outDir, reports);
  printSummary(results, io.out);
  say(`results: ${paths.join(', ')} (wire logs in ${join(outDir, 'wire')})`);
  if (interrupted || io.signal?.aborted) return EXIT.interrupted;
  return exit;
}

/** A --reporter value (a bad one is a usage error). */
export function reporterKind(text: string | undefined): ReturnType<typeof reporterFrom> {
  try {
    return reporterFrom(text);
  } catch (err) {
    if (err instanceof ReportOptionError) throw new UsageError(err.message);
    throw err;
  }
}

/** The default port of the --auth mock authorization server: fixed, so a server can be set up once to trust it. */
export const AUTH_ISSUER_PORT = 9419;

interface AuthSetup {
  target: TargetSpec;
  auth?: RunConfig['auth'];
  close(): Promise<void>;
}

/**
 * --auth-token, --auth-header, --auth mock: the Authorization every request carries, and for
 * mock the suite's own authorization server with the good and deliberately bad tokens it minted
 * for this server (basic/authorization; the auth/* checks read them from the run config).
 */
export async function setUpAuth(o: ServerCommandOptions, target: TargetSpec, revision: Revision | undefined, timeoutMs: number, say: (line: string) => void): Promise<AuthSetup> {
  const given = [o.authToken !== undefined && '--auth-token', o.authHeader !== undefined && '--auth-header', o.auth !== undefined && '--auth'].filter((x): x is string => Boolean(x));
  if (given.length > 1) throw new UsageError(`choose one of ${given.join(', ')}`);
  if (o.authIssuerPort !== undefined && o.auth !== 'mock') throw new UsageError('--auth-issuer-port applies to --auth mock only');
  const oauthOnly = [o.authClientId !== undefined && '--auth-client-id', o.authClientSecret !== undefined && '--auth-client-secret', o.authRedirectPort !== undefined && '--auth-redirect-port', o.authBrowser && '--auth-browser'].filter((x): x is string => Boolean(x));
  if (oauthOnly.length && o.auth !== 'oauth') throw new UsageError(`${oauthOnly.join(', ')} appl${oauthOnly.length > 1 ? 'y' : 'ies'} to --auth oauth only`);
  if (o.authClientSecret !== undefined && o.authClientId === undefined) throw new UsageError('--auth-client-secret needs --auth-client-id');
  if (!given.length) return { target, close: async () => {} };
  if (target.kind !== 'http') throw new UsageError(`${given[0]} applies to --url (Streamable HTTP) targets only`);
  const { withAuthorization, authDiscovery, mintMockTokens } = await import('../suites/harness/index.ts');
  if (o.authToken !== undefined || o.authHeader !== undefined) {
    const authorization = o.authToken !== undefined ? `Bearer ${o.authToken}` : (o.authHeader as string);
    if (!authorization.replace(/^Bearer\s*/i, '').trim()) throw new UsageError(`${given[0]} is empty`);
    return { target: withAuthorization(target, authorization), auth: { authorization }, close: async () => {} };
  }
  if (o.auth === 'oauth') return oauthToken(o, target, revision, timeoutMs, say);
  if (o.auth !== 'mock') throw new UsageError(`--auth must be mock or oauth, not "${o.auth}"`);
  const port = o.authIssuerPort === undefined ? AUTH_ISSUER_PORT : positiveInt(o.authIssuerPort, '--auth-issuer-port', 'port number');
  const { serveAuthorizationServer } = await import('../mock-server/index.ts');
  let served: Awaited<ReturnType<typeof serveAuthorizationServer>>;
  try {
    served = await serveAuthorizationServer({ host: '127.0.0.1', port });
  } catch (err) {
    throw new UsageError(`--auth mock: cannot listen on 127.0.0.1:${port} (${(err as Error).message}); choose another --auth-issuer-port`);
  }
  try {
    say(`mcp-conform: --auth mock: the server under test must trust issuer ${served.issuer} (JWKS ${served.as.endpoints.jwks}; the keys change every run) and accept audience ${target.url}`);
    // The scope the server asks for: the good token carries it (and scopes_supported), the insufficient-scope token none.
    const seen = await authDiscovery(target.url, revision ?? '2025-11-25', timeoutMs);
    if (seen.error) say(`mcp-conform: --auth mock: ${seen.error}`);
    else if (seen.status !== 401) say(`mcp-conform: --auth mock: a request without a token was answered HTTP ${seen.status}, not 401: the server may not require authorization`);
    const supported = Array.isArray(seen.prm?.scopes_supported) ? seen.prm.scopes_supported.filter((x): x is string => typeof x === 'string') : [];
    const grant = [...new Set([...(seen.scope?.split(' ').filter(Boolean) ?? []), ...supported])].join(' ') || undefined;
    const tokens = await mintMockTokens(served.as, target.url, grant);
    if (!seen.scope) delete tokens.insufficientScope;
    const authorization = `Bearer ${tokens.valid}`;
    const mock = { issuer: served.issuer, jwksUri: served.as.endpoints.jwks, audience: target.url, ...(seen.scope ? { scope: seen.scope } : {}), tokens };
    return { target: withAuthorization(target, authorization), auth: { authorization, mock }, close: () => served.close() };
  } catch (err) {
    await served.close();
    throw err;
  }
}

/**
 * --auth oauth: a token from the server's own authorization server, the way a client gets one —
 * the 401's Protected Resource Metadata (its first authorization server, its resource), then client
 * credentials when the authorization server offers them, else the authorization code grant with
 * PKCE through a loopback redirect (headless, or the user's browser with --auth-browser). Without
 * a token the run goes on without one: the checks that need it say so (never a silent pass).
 */
async function oauthToken(o: ServerCommandOptions, target: Extract<TargetSpec, { kind: 'http' }>, revision: Revision | undefined, timeoutMs: number, say: (line: string) => void): Promise<AuthSetup> {
  const redirectPort = o.authRedirectPort === undefined ? undefined : positiveInt(o.authRedirectPort, '--auth-redirect-port', 'port number');
  const { withAuthorization, authDiscovery } = await import('../suites/harness/index.ts');
  const { OAuthFlow, obtainToken } = await import('../suites/auth-server/index.ts');
  const none = (why: string): AuthSetup => {
    say(`mcp-conform: --auth oauth: no token (${why}); the checks that need one are not verified`);
    return { target, close: async () => {} };
  };
  const seen = await authDiscovery(target.url, revision ?? '2025-11-25', timeoutMs);
  if (seen.error) return none(seen.error);
  if (seen.status !== 401) return none(`a request without a token was answered HTTP ${seen.status}, not 401: the server may not require authorization`);
  const listed = Array.isArray(seen.prm?.authorization_servers) ? seen.prm.authorization_servers.find((x): x is string => typeof x === 'string' && URL.canParse(x)) : undefined;
  // 2025-03-26 servers have no Protected Resource Metadata: the authorization base URL is the server's origin.
  const issuer = listed ?? new URL(target.url).origin;
  const resource = typeof seen.prm?.resource === 'string' ? seen.prm.resource : target.url;
  const supported = Array.isArray(seen.prm?.scopes_supported) ? seen.prm.scopes_supported.filter((x): x is string => typeof x === 'string') : [];
  const scope = seen.scope ?? (supported.join(' ') || undefined);
  const flow = new OAuthFlow(
    {
      issuer,
      resource,
      ...(scope ? { scope } : {}),
      ...(o.authClientId !== undefined ? { clientId: o.authClientId } : {}),
      ...(o.authClientSecret !== undefined ? { clientSecret: o.authClientSecret } : {}),
      ...(redirectPort !== undefined ? { redirectPort } : {}),
      ...(o.authBrowser ? { browser: true, onAuthorizationUrl: (url: string) => say(`mcp-conform: --auth oauth: open this URL in your browser and complete the authorization (waiting up to 300 s):\n${url}`) } : {}),
    },
    timeoutMs,
  );
  try {
    const got = await obtainToken(flow);
    // The client's messages name auth-server's option; this command's is --auth-browser.
    if ('error' in got) return none(`from ${issuer}: ${got.error.replaceAll('run with --browser', 'run with --auth-browser')}`);
    say(`mcp-conform: --auth oauth: a token from ${issuer} for ${resource}${scope ? ` (scope ${scope})` : ''} by ${got.how}`);
    const authorization = `Bearer ${got.token}`;
    return { target: withAuthorization(target, authorization), auth: { authorization }, close: async () => {} };
  } finally {
    await flow.close();
  }
}

/** --format, --baseline, --fail-on and --write-baseline, read before anything starts (a bad one is a usage error). */
export async function reportPlan(o: Partial<ReportFlags>): Promise<ReportPlan> {
  try {
    return await planReports({
      format: o.format ?? 'json',
      ...(o.baseline !== undefined ? { baseline: o.baseline } : {}),
      ...(o.failOn !== undefined ? { failOn: o.failOn } : {}),
      ...(o.writeBaseline !== undefined ? { writeBaseline: o.writeBaseline } : {}),
    });
  } catch (err) {
    if (err instanceof ReportOptionError) throw new UsageError(err.message);
    throw err;
  }
}

export function registerServer(program: Command): void {
  const cmd = program
    .command('server')
    .description('test an MCP server against the specification')
    .usage('[options] ( --stdio [--cwd D] [--env K=V]… -- CMD ARGS… | --url URL [--header K:V]… [--auth-token T | --auth-header V | --auth mock | --auth oauth] | --sse URL | --config FILE (--name NAME | --all) [--scope S] )')
    .argument('[command...]', 'with --stdio: the server command and its arguments, after --')
    .option('-r, --revision <rev>', `revision(s) to test, comma-separated (${REVISIONS.join(', ')}), or all: every one the server supports`, 'all')
    .option('--only <glob>', 'run only checks whose id matches (repeatable; lifecycle, messages/*, **)', collect, [])
    .option('--skip <glob>', 'leave out checks whose id matches (repeatable)', collect, [])
    .option('-o, --out <dir>', 'folder for results.json and wire/*.jsonl', './mcp-conform-results')
    .option('--timeout <ms>', 'longest wait for one answer from the server', '5000')
    .option('--budget <ms>', 'whole-run time limit; checks not finished by then are not-verified')
    .option('--concurrency <n>', 'checks run at a time (default 6); 1 runs one check at a time, for servers that mix up concurrent clients')
    .option('--isolate', 'every check opens sessions of its own: read-only checks do not share one (slower; for comparing verdicts)')
    .option('--reference', 'test the bundled reference server (mcp-conform mock --reference) over stdio: the default target of npm start')
    .addOption(new Option('--stdio', 'run the server as a child process and talk over its stdin/stdout'))
    .option('--cwd <dir>', 'working directory of the --stdio server')
    .option('--env <K=V>', 'environment variable for the --stdio server (repeatable)', repeat, [])
    .option('--url <url>', 'Streamable HTTP endpoint, e.g. http://127.0.0.1:3000/mcp')
    .option('--header <K:V>', 'HTTP header sent with every request (repeatable)', repeat, [])
    .option('--auth-token <token>', 'with --url: an access token the server accepts, sent as Authorization: Bearer TOKEN on every request')
    .option('--auth-header <value>', 'with --url: the whole Authorization header value the server accepts, e.g. "DPoP abc"')
    .option('--auth <how>', "with --url: mock: run the suite's own authorization server on 127.0.0.1 (the server must trust the issuer and JWKS it prints) and mint good and deliberately bad tokens (expired, wrong signature, issuer, audience, scope); oauth: get a token from the server's own authorization server (its 401 and metadata; client credentials when offered, else the authorization code grant with PKCE through a loopback redirect)")
    .option('--auth-issuer-port <port>', `port of the --auth mock authorization server (default ${AUTH_ISSUER_PORT})`)
    .option('--auth-client-id <id>', 'with --auth oauth: a client registered with the server\'s authorization server (else dynamic registration or a client ID metadata document)')
    .option('--auth-client-secret <secret>', 'with --auth oauth: the secret of --auth-client-id')
    .option('--auth-redirect-port <port>', 'with --auth oauth: port of the loopback redirect listener (http://127.0.0.1:<port>/callback; default a free one)')
    .option('--auth-browser', 'with --auth oauth: do the authorization step in your browser (the URL is printed; waits up to 300 s)')
    .option('--sse <url>', 'legacy HTTP+SSE endpoint (2024-11-05), e.g. http://127.0.0.1:3000/sse')
    .option(
      '--call-tools <which>',
      'tools the checks may call: safe (the default: only tools annotated readOnlyHint: true, and fixture-contract tools), additive (also destructiveHint: false: they change things), all, none, or tool-name globs called as well as the safe ones (repeatable, comma-separated)',
      collect,
      [],
    )
    .option('--no-call', 'call no tools at all (same as --call-tools none)')
    .option('--profile <host>', 'also judge the server for a Claude host: claude-desktop, claude-code, claude-ai, messages-api (repeatable)', collect, [])
    .option('--reporter <kind>', REPORTER_HELP)
    .option('--shard <i/n>', 'run only the i-th of n parts of the selected checks (CI jobs side by side; combine with mcp-conform report merge)')
    .option('--list', 'print every server check (id, level, revisions, spec link), then exit');
  addReportOptions(cmd);
  addConfigOptions(cmd);
  cmd
    .addHelpText(
      'after',
      '\nExit codes: 0 no MUST failed, 1 a MUST failed, 2 usage or config error, 3 target unreachable, 130 interrupted.\n' +
        '--fail-on should: a SHOULD failure exits 1 too; --fail-on never: 0 and 1 become 0. With --baseline: 1 for a failure it does not list or a stale entry.\n' +
        'With --all: 1 if any entry had a MUST failure, else 2 if an entry is broken, else 3 if any was unreachable, else 0.\n' +
        'Tool calls: before the checks start it prints which tools it may call and why (results.json: toolPlan).\n' +
        'Examples:\n  mcp-conform server --stdio -- npx -y @modelcontextprotocol/server-everything\n' +
        '  mcp-conform server --url http://127.0.0.1:3001/mcp --only lifecycle\n' +
        '  mcp-conform server --config ~/.cursor/mcp.json --name github --revision 2025-06-18\n' +
        '  mcp-conform server --config ~/.claude.json --all --profile claude-code\n' +
        '  mcp-conform server --url https://mcp.example.com/mcp --profile claude-ai --profile messages-api\n' +
        '  mcp-conform server --shard 1/2 --out shard-1 --stdio -- node server.js   (then: mcp-conform report merge shard-1 shard-2)\n' +
        '  mcp-conform server --url http://127.0.0.1:3000/mcp --auth mock --only auth   # the server trusts http://127.0.0.1:9419\n' +
        '  mcp-conform server --url https://mcp.example.com/mcp --auth oauth --auth-browser   # a token from its own authorization server',
    )
    .action(async (command: string[], o: ServerCommandOptions, cmd: Command) => {
      if (o.list) {
        const { checkList, loadChecks } = await import('./coverage.ts');
        process.stdout.write(checkList(await loadChecks('server')));
        return;
      }
      await interruptible(cmd, (io) => runServerCommand(o, command, io));
    });
}

