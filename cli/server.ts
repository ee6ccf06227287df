// `mcp-conform server`: runs the server conformance suites against one server (stdio command,
// Streamable HTTP URL, legacy SSE URL, or an entry of an mcpServers config file).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { parseRevisionList, REVISIONS, type Revision } from '../schema/index.ts';
import type { TargetSpec } from '../mock-server/index.ts';
import type { Results } from '../reports/index.ts';
import type { RunConfig } from '../suites/harness/index.ts';
import { VERSION } from './version.ts';

// The harness, transports and writers load only when a run starts: usage errors and --help stay quick.
const lazy = async () => {
  const [mock, reports, harness] = await Promise.all([import('../mock-server/index.ts'), import('../reports/index.ts'), import('../suites/harness/index.ts')]);
  return { ...mock, ...reports, ...harness };
};

export const EXIT = { ok: 0, mustFailed: 1, usage: 2, unreachable: 3, interrupted: 130 } as const;

export class UsageError extends Error {}

export interface ServerCommandOptions {
  revision: string;
  only: string[];
  skip: string[];
  out: string;
  timeout: string;
  budget?: string;
  stdio?: boolean;
  cwd?: string;
  env: string[];
  url?: string;
  header: string[];
  sse?: string;
  config?: string;
  name?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

function repeat(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${what} must be a positive number of milliseconds, not "${text}"`);
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

function parseEnv(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of list) {
    const i = e.indexOf('=');
    if (i <= 0) throw new UsageError(`--env "${e}" is not in the form KEY=value`);
    out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringRecord(v: unknown, what: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string')) throw new UsageError(`${what} must be an object of strings`);
  return v as Record<string, string>;
}

/** One server of an `mcpServers` config file (the format Claude Desktop, Claude Code, Cursor… use). */
export function targetFromConfig(text: string, file: string, name: string | undefined, baseDir: string): TargetSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
  }
  const servers = isObject(doc) && isObject(doc.mcpServers) ? doc.mcpServers : undefined;
  if (!servers) throw new UsageError(`${file} has no "mcpServers" object`);
  const names = Object.keys(servers);
  if (name === undefined) {
    if (names.length !== 1) throw new UsageError(`${file} has ${names.length} servers; choose one with --name (${names.join(', ') || 'none'})`);
    name = names[0] as string;
  }
  const entry = servers[name];
  if (!isObject(entry)) throw new UsageError(`${file} has no server named "${name}" (it has: ${names.join(', ') || 'none'})`);
  const headers = stringRecord(entry.headers, `mcpServers.${name}.headers`);
  if (typeof entry.url === 'string') {
    const type = typeof entry.type === 'string' ? entry.type.toLowerCase() : typeof entry.transport === 'string' ? entry.transport.toLowerCase() : 'http';
    const kind = type === 'sse' ? 'sse' : type === 'http' || type === 'streamable-http' || type === 'streamablehttp' ? 'http' : undefined;
    if (!kind) throw new UsageError(`mcpServers.${name}.type "${String(entry.type)}" is not http, streamable-http or sse`);
    return headers ? { kind, url: entry.url, headers } : { kind, url: entry.url };
  }
  if (typeof entry.command === 'string') {
    const args = entry.args ?? [];
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new UsageError(`mcpServers.${name}.args must be an array of strings`);
    const t: TargetSpec = { kind: 'stdio', command: entry.command, args: args as string[] };
    const env = stringRecord(entry.env, `mcpServers.${name}.env`);
    if (env) t.env = env;
    t.cwd = typeof entry.cwd === 'string' ? resolve(baseDir, entry.cwd) : baseDir;
    return t;
  }
  throw new UsageError(`mcpServers.${name} has neither "command" nor "url"`);
}

/** The one target the options name; exactly one of --stdio, --url, --sse, --config. */
export function targetFromOptions(o: ServerCommandOptions, command: string[]): TargetSpec {
  const forms = [o.stdio && '--stdio', o.url && '--url', o.sse && '--sse', o.config && '--config'].filter(Boolean);
  if (forms.length !== 1) throw new UsageError(forms.length ? `choose one target, not ${forms.join(' and ')}` : 'no target: give --stdio -- CMD ARGS…, --url URL, --sse URL or --config FILE --name NAME');
  if (!o.stdio && command.length) throw new UsageError(`unexpected arguments: ${command.join(' ')} (only --stdio takes a command after --)`);
  if (!o.stdio && (o.cwd || o.env.length)) throw new UsageError('--cwd and --env apply to --stdio only');
  if (!o.url && !o.sse && o.header.length) throw new UsageError('--header applies to --url and --sse only');
  if (o.name && !o.config) throw new UsageError('--name applies to --config only');
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
  const file = resolve(o.config as string);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${o.config}: ${(err as Error).message}`);
  }
  return targetFromConfig(text, o.config as string, o.name, resolve(file, '..'));
}

export function parseRevisions(text: string): Revision[] | 'all' {
  if (text === 'all') return 'all';
  try {
    return parseRevisionList(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
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

export interface ServerRunIo {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

/** The whole command after option parsing; resolves with the exit code. */
export async function runServerCommand(o: ServerCommandOptions, command: string[], io: ServerRunIo): Promise<number> {
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const target = targetFromOptions(o, command);
  const requested = parseRevisions(o.revision);
  const requestTimeoutMs = positiveInt(o.timeout, '--timeout');
  const budgetMs = o.budget === undefined ? null : positiveInt(o.budget, '--budget');
  const outDir = resolve(o.out);
  const deadline = budgetMs === null ? null : t0 + budgetMs;
  const say = (line: string) => io.err.write(`${line}\n`);
  const m = await lazy();
  const { describeTarget, probeTarget, writeResults, runConfig, runSuites, printSummary, loadServerChecks, selected } = m;
  // The checks this run should report; --only / --skip that select none are a typo, not a run.
  const expected = await loadServerChecks();
  const ids = expected.map((d) => d.meta.id);
  if (!ids.some((id) => selected(id, o))) throw new UsageError(`no check matches --only ${o.only.join(',') || '(all)'}${o.skip.length ? ` --skip ${o.skip.join(',')}` : ''} (areas: ${[...new Set(ids.map((id) => id.split('/')[0]))].join(', ')})`);

  say(`mcp-conform ${VERSION}: testing ${describeTarget(target)}`);
  // The first answer may take a server's start-up (npx downloads, tsx compiles…).
  const startupMs = Math.max(15_000, requestTimeoutMs);
  const probeTimeout = Math.min(startupMs, deadline === null ? Infinity : Math.max(1_000, deadline - Date.now()));
  const probe = await probeTarget(target, requested, probeTimeout);
  if (io.signal?.aborted) {
    await writeResults(emptyResults(m, target, requested === 'all' ? [] : requested, startedAt, ['interrupted before any check ran']), outDir);
    return EXIT.interrupted;
  }
  if (!probe.reachable) {
    const why = `cannot reach the target: ${probe.reason ?? 'no answer'}`;
    say(`mcp-conform: ${why}`);
    if (probe.stderr) say(`its stderr ended with:\n${probe.stderr.split('\n').slice(-10).join('\n')}`);
    const file = await writeResults(emptyResults(m, target, requested === 'all' ? [] : requested, startedAt, [why]), outDir);
    say(`results: ${file}`);
    return EXIT.unreachable;
  }
  const revisions = probe.supported;
  if (requested === 'all') say(`revisions the server speaks: ${revisions.join(', ')}`);
  const notes = probe.probes.filter((p) => p.error && requested === 'all').map((p) => `probe with ${p.asked}: ${p.error}`);

  const cfg: RunConfig & { outDir: string } = {
    ...runConfig(target, revisions, {
      outDir,
      requestTimeoutMs,
      startupMs,
      checkTimeoutMs: startupMs + requestTimeoutMs * 3,
      only: o.only,
      skip: o.skip,
      deadline,
    }),
    outDir,
  };
  const { results, interrupted } = await runSuites({
    cfg,
    target: { description: describeTarget(target), transport: target.kind },
    errors: notes,
    expected,
    progress: io.out,
    ...(io.signal ? { signal: io.signal } : {}),
  });
  printSummary(results, io.out);
  say(`results: ${join(outDir, 'results.json')} (wire logs in ${join(outDir, 'wire')})`);
  if (interrupted || io.signal?.aborted) return EXIT.interrupted;
  return results.checks.some((c) => c.verdict === 'fail') ? EXIT.mustFailed : EXIT.ok;
}

export function registerServer(program: Command): void {
  program
    .command('server')
    .description('test an MCP server against the specification')
    .usage('[options] ( --stdio [--cwd D] [--env K=V]… -- CMD ARGS… | --url URL [--header K:V]… | --sse URL | --config mcp.json --name NAME )')
    .argument('[command...]', 'with --stdio: the server command and its arguments, after --')
    .option('-r, --revision <rev>', `revision(s) to test, comma-separated (${REVISIONS.join(', ')}), or all: every one the server supports`, 'all')
    .option('--only <glob>', 'run only checks whose id matches (repeatable; lifecycle, messages/*, **)', collect, [])
    .option('--skip <glob>', 'leave out checks whose id matches (repeatable)', collect, [])
    .option('-o, --out <dir>', 'folder for results.json and wire/*.jsonl', './mcp-conform-results')
    .option('--timeout <ms>', 'longest wait for one answer from the server', '5000')
    .option('--budget <ms>', 'whole-run time limit; checks not finished by then are not-verified')
    .addOption(new Option('--stdio', 'run the server as a child process and talk over its stdin/stdout'))
    .option('--cwd <dir>', 'working directory of the --stdio server')
    .option('--env <K=V>', 'environment variable for the --stdio server (repeatable)', repeat, [])
    .option('--url <url>', 'Streamable HTTP endpoint, e.g. http://127.0.0.1:3000/mcp')
    .option('--header <K:V>', 'HTTP header sent with every request (repeatable)', repeat, [])
    .option('--sse <url>', 'legacy HTTP+SSE endpoint (2024-11-05), e.g. http://127.0.0.1:3000/sse')
    .option('--config <file>', 'an mcpServers JSON config file')
    .option('--name <name>', 'which server of --config')
    .addHelpText(
      'after',
      '\nExit codes: 0 no MUST failed, 1 a MUST failed, 2 usage or config error, 3 target unreachable, 130 interrupted.\n' +
        'Examples:\n  mcp-conform server --stdio -- npx -y @modelcontextprotocol/server-everything\n' +
        '  mcp-conform server --url http://127.0.0.1:3001/mcp --only lifecycle\n' +
        '  mcp-conform server --config ~/.cursor/mcp.json --name github --revision 2025-06-18',
    )
    .action(async (command: string[], o: ServerCommandOptions, cmd: Command) => {
      const ac = new AbortController();
      let hits = 0;
      const onSigint = () => {
        hits++;
        // First Ctrl-C: stop and write what we have; a second one: out now.
        void import('../mock-server/index.ts').then((mock) => mock.killAllChildren('SIGKILL'));
        if (hits > 1) process.exit(EXIT.interrupted);
        process.stderr.write('\nmcp-conform: interrupted, writing results…\n');
        ac.abort();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      try {
        process.exitCode = await runServerCommand(o, command, { out: process.stdout, err: process.stderr, signal: ac.signal });
      } catch (err) {
        if (err instanceof UsageError) cmd.error(`error: ${err.message}`, { exitCode: EXIT.usage });
        throw err;
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });
}
