// `mcp-conform fuzz`: fuzz a server (--stdio -- CMD…, --url URL, --sse URL) or a client
// (--client -- CMD… with {url} or {server}), or re-run a finding (--replay FILE).
// Exit codes: 0 no MUST violated, 1 a MUST violated (or a replayed MUST finding reproduced),
// 2 usage error, 3 the target could not be reached or initialized.
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { TargetSpec } from '../mock-server/index.ts';
import { describeTarget, endOwnProcesses, parseHeaderArgs } from '../mock-server/index.ts';
import { isRevision, LATEST_STATEFUL, REVISIONS, specUrl, type Revision } from '../schema/index.ts';
import { countVerdicts, printSummary, RESULTS_FORMAT, RESULTS_FORMAT_VERSION, REPORT_FORMATS, verdictForFailure, type CheckResult, type Results } from '../reports/index.ts';
import {
  clientFactory,
  DEFAULTS,
  fuzzClient,
  fuzzResults,
  fuzzServer,
  loadReplay,
  ORACLE_IDS,
  ORACLES,
  replay,
  SessionPool,
  targetFactory,
  type ClientLaunch,
  type FuzzReport,
  type OracleId,
  type ReplayFile,
  type TargetFactory,
} from '../suites/fuzz/index.ts';
import { parseCallTools, type CallToolsPolicy } from '../suites/fuzz/index.ts';
import { TOOL_NAME, VERSION } from './version.ts';
import { finishReports, planReports, ReportOptionError, type ReportPlan } from './report-options.ts';

interface FuzzCliOptions {
  stdio?: boolean;
  url?: string;
  sse?: string;
  client?: boolean;
  header: string[];
  baseline?: string;
  runs: string;
  seed?: string;
  timeBudget: string;
  timeout: string;
  revision: string;
  maxSteps: string;
  maxFindings: string;
  /** --call-tools values: safe, additive, all, none, or tool-name globs. */
  callTools: string[];
  modelShare: string;
  model: boolean;
  oracles?: string;
  out: string;
  format: string;
  replay?: string;
}

const TOOL = { name: TOOL_NAME, version: VERSION };

class UsageError extends Error {}

function int(name: string, text: string, min = 0): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min} (got "${text}")`);
  return n;
}

interface Target {
  mode: 'server' | 'client';
  factory: TargetFactory;
  server?: TargetSpec;
  client?: ClientLaunch;
}

function targetFrom(opts: FuzzCliOptions, command: string[]): Target | undefined {
  const chosen = [opts.stdio || (command.length > 0 && !opts.client) ? 'stdio' : undefined, opts.url ? 'url' : undefined, opts.sse ? 'sse' : undefined, opts.client ? 'client' : undefined].filter(Boolean);
  if (chosen.length === 0) return undefined;
  if (chosen.length > 1 && !(chosen.length === 2 && chosen.includes('stdio') && chosen.includes('client'))) throw new UsageError(`choose one target: --stdio -- CMD, --url URL, --sse URL or --client -- CMD (got ${chosen.join(', ')})`);
  const headers = opts.header.length ? parseHeaderArgs(opts.header) : undefined;
  if (opts.client) {
    if (command.length === 0) throw new UsageError('--client needs the client command after -- ({url} or {server} among its arguments; else the URL is appended)');
    const factory = clientFactory({ command });
    return { mode: 'client', factory, client: { command, via: factory.via, cwd: process.cwd() } };
  }
  let spec: TargetSpec;
  if (opts.url) spec = { kind: 'http', url: opts.url, ...(headers ? { headers } : {}) };
  else if (opts.sse) spec = { kind: 'sse', url: opts.sse, ...(headers ? { headers } : {}) };
  else {
    if (command.length === 0) throw new UsageError('--stdio needs the server command after --');
    // The working directory goes with it, so a replay file works from anywhere.
    spec = { kind: 'stdio', command: command[0] as string, args: command.slice(1), cwd: process.cwd() };
  }
  return { mode: 'server', factory: targetFactory(spec, describeTarget(spec)), server: spec };
}

async function plan(opts: FuzzCliOptions): Promise<ReportPlan> {
  try {
    return await planReports({ format: opts.format, ...(opts.baseline !== undefined ? { baseline: opts.baseline } : {}) });
  } catch (err) {
    if (err instanceof ReportOptionError) throw new UsageError(err.message);
    throw err;
  }
}

async function write(results: Results, outDir: string, reports: ReportPlan): Promise<0 | 1> {
  const done = await finishReports(results, outDir, reports);
  printSummary(done.results, process.stderr);
  process.stderr.write(`\nwritten: ${done.paths.join(', ')}\n`);
  return done.exit;
}

async function runFuzz(opts: FuzzCliOptions, command: string[]): Promise<number> {
  const target = targetFrom(opts, command);
  if (!target) throw new UsageError('no target: use --stdio -- CMD…, --url URL, --sse URL, --client -- CMD… or --replay FILE');
  if (!isRevision(opts.revision)) throw new UsageError(`unknown revision "${opts.revision}" (known: ${REVISIONS.join(', ')})`);
  const oracles = opts.oracles?.split(',').map((s) => s.trim().replace(/^fuzz\//, '')).filter(Boolean);
  for (const o of oracles ?? []) if (!(ORACLE_IDS as readonly string[]).includes(o)) throw new UsageError(`unknown oracle "${o}" (known: ${ORACLE_IDS.join(', ')})`);
  let callTools: CallToolsPolicy;
  try {
    callTools = parseCallTools(opts.callTools);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const modelShare = opts.model ? Number(opts.modelShare) : 0;
  if (!(modelShare >= 0 && modelShare < 1)) throw new UsageError('--model-share must be a number from 0 to below 1');
  const seed = opts.seed !== undefined ? int('--seed', opts.seed) : Math.floor(Math.random() * 2 ** 31);
  const reports = await plan(opts);
  const fuzzOpts = {
    revision: opts.revision as Revision,
    runs: int('--runs', opts.runs, 1),
    seed,
    timeBudgetMs: int('--time-budget', opts.timeBudget, 1),
    requestTimeoutMs: int('--timeout', opts.timeout, 1),
    maxSteps: int('--max-steps', opts.maxSteps, 1),
    maxFindingsPerOracle: int('--max-findings', opts.maxFindings, 1),
    callTools,
    modelShare,
    ...(oracles ? { oracles: oracles as OracleId[] } : {}),
    log: (line: string) => process.stderr.write(`${line}\n`),
  };
  process.stderr.write(`mcp-conform fuzz: seed ${seed} (pass --seed ${seed} to repeat this run)\n`);
  const startedAt = new Date();
  const report: FuzzReport = target.mode === 'client' ? await fuzzClient(target.factory, fuzzOpts) : await fuzzServer(target.factory, fuzzOpts);
  process.stderr.write(`${report.runs} run(s), ${report.messages} message(s), ${report.sessionsStarted} session(s) in ${(report.durationMs / 1000).toFixed(1)} s\n`);
  const outDir = resolve(opts.out);
  const { results, replayFiles } = fuzzResults(report, {
    tool: TOOL,
    startedAt,
    outDir,
    mode: target.mode,
    replay: { mode: target.mode, tool: TOOL, requestTimeoutMs: fuzzOpts.requestTimeoutMs, target: { description: target.factory.description, ...(target.server ? { server: target.server } : {}), ...(target.client ? { client: target.client } : {}) } },
  });
  const exit = await write(results, outDir, reports);
  for (const f of replayFiles) process.stderr.write(`replay: mcp-conform fuzz --replay ${f}\n`);
  if (report.unreachable) return 3;
  return exit;
}

/** --replay: the target from the file, unless the command line names one. */
async function runReplay(file: string, opts: FuzzCliOptions, command: string[]): Promise<number> {
  let r: ReplayFile;
  try {
    r = loadReplay(file);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  let target = targetFrom(opts, command);
  if (!target) {
    if (r.mode === 'client' && r.target.client) {
      const factory = clientFactory({ command: r.target.client.command, ...(r.target.client.cwd ? { cwd: r.target.client.cwd } : {}) });
      target = { mode: 'client', factory, client: r.target.client };
    } else if (r.target.server) {
      target = { mode: 'server', factory: targetFactory(r.target.server, describeTarget(r.target.server)), server: r.target.server };
    } else throw new UsageError(`${file} names no target; give one (--stdio -- CMD, --url URL, --client -- CMD)`);
  }
  const timeout = opts.timeout !== String(DEFAULTS.requestTimeoutMs) ? int('--timeout', opts.timeout, 1) : r.requestTimeoutMs;
  const pool = new SessionPool(target.factory, { revision: r.revision, requestTimeoutMs: timeout, spare: false });
  const startedAt = new Date();
  const meta = ORACLES[r.oracle];
  const page = meta.spec[r.revision];
  const check: CheckResult = {
    id: meta.id,
    title: meta.title,
    level: meta.level,
    revision: r.revision,
    verdict: 'pass',
    message: '',
    requirement: meta.requirement,
    specUrl: page ? specUrl(r.revision, page) : null,
    durationMs: 0,
    wireLog: null,
  };
  const errors: string[] = [];
  let code = 0;
  process.stderr.write(`replaying ${r.oracle} (${r.kind}: ${r.kind === 'model' ? `${r.commands?.length ?? 0} command(s)` : `${r.steps.length} message(s)`}) against ${target.factory.description}\n`);
  try {
    const outcome = await replay(r, pool, { requestTimeoutMs: timeout, receiver: target.mode });
    check.durationMs = Date.now() - startedAt.getTime();
    if (outcome.reproduced) {
      check.verdict = verdictForFailure(meta.level);
      check.message = `reproduced: ${outcome.message} (replay of ${file})`;
      check.evidence = outcome.evidence;
    } else check.message = `${outcome.message} (replay of ${file})`;
  } catch (err) {
    errors.push(`cannot replay against ${target.factory.description}: ${(err as Error).message}`);
    check.verdict = 'not-verified';
    check.message = errors[0] as string;
    code = 3;
  } finally {
    await pool.close();
  }
  const checks = [check];
  const results: Results = {
    format: RESULTS_FORMAT,
    formatVersion: RESULTS_FORMAT_VERSION,
    tool: TOOL,
    mode: 'fuzz',
    target: { description: target.factory.description, transport: target.mode === 'client' ? 'command' : target.factory.transport },
    revisions: [r.revision],
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    counts: countVerdicts(checks),
    checks,
    errors,
  };
  const exit = await write(results, resolve(opts.out), await plan(opts));
  return code || exit;
}

export function registerFuzz(program: Command): void {
  program
    .command('fuzz')
    .description('fuzz a server or a client with schema-generated message sequences; findings shrink to minimal replayable sequences')
    .argument('[command...]', 'after --: the server (--stdio) or client (--client) command')
    .option('--stdio', 'the command after -- is a server speaking stdio (the default when a command is given)')
    .option('--url <url>', 'a Streamable HTTP server endpoint')
    .option('--sse <url>', 'a legacy HTTP+SSE server endpoint')
    .option('--client', 'the command after -- is a client: {url} in its arguments becomes the mock server URL (appended when absent), {server} a stdio server command')
    .option('-H, --header <header>', 'HTTP header for --url/--sse, "Name: value" (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--runs <n>', 'most property runs in total', String(DEFAULTS.runs))
    .option('--seed <n>', 'fast-check seed (default: random, printed)')
    .option('--time-budget <ms>', 'wall-clock budget for the whole session, shrinking included', String(DEFAULTS.timeBudgetMs))
    .option('--timeout <ms>', 'longest wait for one reply', String(DEFAULTS.requestTimeoutMs))
    .option('-r, --revision <rev>', `protocol revision to ask for (${REVISIONS.join(', ')})`, LATEST_STATEFUL)
    .option('--max-steps <n>', 'longest message sequence of one run', String(DEFAULTS.maxSteps))
    .option('--max-findings <n>', 'findings per oracle, each for another kind of message', String(DEFAULTS.maxFindingsPerOracle))
    .option(
      '--call-tools <which>',
      'tools called with generated arguments: safe (the default: only tools annotated readOnlyHint: true, and fixture-contract tools), additive (also destructiveHint: false), all, none, or tool-name globs called as well (repeatable, comma-separated); safe and additive skip tools annotated openWorldHint: true',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--model-share <f>', 'share of the budget for the model-based (fc.commands) phase', String(DEFAULTS.modelShare))
    .option('--no-model', 'skip the model-based phase')
    .option('--oracles <list>', `only these oracles (${ORACLE_IDS.join(', ')})`)
    .option('-o, --out <dir>', 'results folder (results.json, replays/, wire/)', 'mcp-conform-fuzz')
    .option('--format <list>', `report formats to write besides results.json (${REPORT_FORMATS.join(', ')})`, 'json,summary')
    .option('--baseline <file>', 'YAML file of expected failures (its fuzz: section): listed findings exit 0, new ones and stale entries exit 1')
    .option('--replay <file>', 're-run a finding from its replay file (target from the file unless given)')
    .action(async (command: string[], opts: FuzzCliOptions, cmd: Command) => {
      try {
        process.exitCode = opts.replay ? await runReplay(opts.replay, opts, command) : await runFuzz(opts, command);
      } catch (err) {
        if (err instanceof UsageError) cmd.error(`error: ${err.message}`, { exitCode: 2 });
        throw err;
      } finally {
        // Sessions close their processes; this ends any tree one left (or a budget cut short).
        await endOwnProcesses(1_000);
      }
    });
}
