// `mcp-conform client`: runs a client command once per scenario against a scripted mock server
// (the official conformance suite's client contract), records both sides, then judges the
// recordings with the client checks. Results, exit codes and results.json as `mcp-conform server`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { MODULE_EXT, REVISIONS, type Revision } from '../schema/index.ts';
import type { TargetSpec } from '../mock-server/index.ts';
import { countVerdicts, printSummary, progressFor, RESULTS_FORMAT, RESULTS_FORMAT_VERSION, writeResults, type Results } from '../reports/index.ts';
import { connected, definedChecks, notSpoken, runConfig, runSuites, selected, type ClientRun, type ClientRunsFile, type RunConfig } from '../suites/harness/index.ts';
import { AUTH_SCENARIO_ALIASES, clientTransport, defaultConcurrency, exitSummary, ScenarioPool, SCENARIOS, scenariosNeeded, scenariosOf, type ClientCommand, type Scenario } from '../suites/client/index.ts';
import { collect, EXIT, interruptible, parseEnv, parseRevisionsOr, positiveInt, repeat, reporterKind, reportPlan, UsageError, type ServerRunIo } from './server.ts';
import { addReportOptions, finishReports, REPORTER_HELP } from './report-options.ts';
import { parseShard, shardIds, shardLabel } from './shard.ts';
import { VERSION } from './version.ts';

export interface ClientCommandOptions {
  revision: string;
  only: string[];
  skip: string[];
  scenario: string[];
  out: string;
  timeout: string;
  budget?: string;
  concurrency?: string;
  /** --no-early-end: the fixed waits and the probe before every other scenario (for comparisons). */
  earlyEnd?: boolean;
  cwd?: string;
  env: string[];
  list?: boolean;
  /** With --list: the checks instead of the scenarios. */
  checks?: boolean;
  format?: string;
  baseline?: string;
  failOn?: string;
  writeBaseline?: string;
  /** --shard i/n: the i-th of n parts of the selected checks. */
  shard?: string;
  reporter?: string;
}

export const CLIENT_SUITES = [`suites/client/index${MODULE_EXT}`];
export const RUNS_FILE = 'client-runs.json';

/** `auto` (every revision the client speaks), `all`, or a comma-separated list. */
export function parseClientRevisions(text: string): Revision[] | 'auto' {
  return parseRevisionsOr(text, 'auto');
}

/** The scenarios the selected checks need (and --scenario, when given, narrows them). */
export function selectScenarios(only: string[], skip: string[], given: string[]): Scenario[] {
  // An earlier name of a scenario now under the official suite's name still selects it.
  const named = given.map((n) => AUTH_SCENARIO_ALIASES[n] ?? n);
  for (const n of named) if (!SCENARIOS.some((s) => s.name === n)) throw new UsageError(`unknown scenario "${n}" (see --list)`);
  const ids = definedChecks()
    .filter((d) => d.meta.side === 'client' && selected(d.meta.id, { only, skip }))
    .map((d) => d.meta.id);
  if (ids.length === 0) throw new UsageError('no client check matches --only/--skip');
  const needed = scenariosNeeded(ids);
  // Checks observed on every run do not pull the auth scenarios in: those run for the client-auth
  // checks (so --skip 'client-auth/**' leaves them out).
  const auth = scenariosNeeded(ids.filter((id) => scenariosOf(id) !== 'all'));
  const wanted = (s: Scenario) => (s.auth ? auth !== 'all' && auth.has(s.name) : needed === 'all' || needed.has(s.name));
  return SCENARIOS.filter((s) => wanted(s) && (named.length === 0 || named.includes(s.name)));
}

export function scenarioList(): string {
  const lines = SCENARIOS.map((s) => {
    const revs = s.revisions.length === REVISIONS.length ? 'all revisions' : s.revisions.join(', ');
    return `${s.name}\n    mock: ${s.description}\n    client: ${s.expects}\n    ${revs}; ${s.transports.join(' and ')}${s.context ? `; context ${JSON.stringify(s.context)}` : ''}`;
  });
  return `${lines.join('\n')}\n`;
}

function describe(cmd: ClientCommand): string {
  return [cmd.command, ...cmd.args].map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

function emptyResults(cmd: ClientCommand, revisions: Revision[], startedAt: string, errors: string[]): Results {
  return {
    format: RESULTS_FORMAT,
    formatVersion: RESULTS_FORMAT_VERSION,
    tool: { name: 'mcp-conform', version: VERSION },
    mode: 'client',
    target: { description: describe(cmd), transport: 'command' },
    revisions,
    startedAt,
    endedAt: new Date().toISOString(),
    counts: countVerdicts([]),
    checks: [],
    errors,
  };
}

/** Why the initialize scenario at `rev` told nothing (undefined: the client connected). */
function probeFailure(probe: ClientRunsFile, rev: Revision): string | undefined {
  const runs = probe.runs.filter((x) => x.revision === rev);
  if (runs.some(connected)) return undefined;
  const run = runs[0];
  if (run) return `the version probe (scenario initialize) failed: the client never connected; ${exitSummary(run)}`;
  const skipped = probe.skipped.find((s) => s.revision === rev);
  return `the version probe (scenario initialize) did not run: ${skipped?.why ?? 'unknown'}`;
}

function runLine(run: ClientRun): string {
  const p = run.process;
  const how = p.spawnError ? `could not start (${p.spawnError})` : p.cutShort ? `cut short (${p.cutShort})` : p.timedOut ? 'killed at the timeout' : p.signal ? `died of ${p.signal}` : `exit ${p.exitCode}`;
  return `  ${run.scenario} [${run.revision}]: ${connected(run) ? '' : 'never connected, '}${how}, ${(run.durationMs / 1000).toFixed(1)} s`;
}

export type ClientRunIo = ServerRunIo;

export interface Segment {
  /** A place for one line, in the order slots are taken; fill it when the line is known. */
  slot(): (line: string) => void;
  /** No more slots will be taken. */
  seal(): void;
}

/** Lines written in the order their segments and slots were made, each once all before it are known. */
export class OrderedLines {
  private readonly segs: { slots: (string | undefined)[]; sealed: boolean; printed: number }[] = [];
  private at = 0;

  constructor(private readonly write: (line: string) => void) {}

  segment(): Segment {
    const seg = { slots: [] as (string | undefined)[], sealed: false, printed: 0 };
    this.segs.push(seg);
    return {
      slot: () => {
        const i = seg.slots.push(undefined) - 1;
        return (line: string) => {
          seg.slots[i] = line;
          this.flush();
        };
      },
      seal: () => {
        seg.sealed = true;
        this.flush();
      },
    };
  }

  private flush(): void {
    while (this.at < this.segs.length) {
      const seg = this.segs[this.at]!;
      while (seg.printed < seg.slots.length && seg.slots[seg.printed] !== undefined) this.write(seg.slots[seg.printed++]!);
      if (!seg.sealed || seg.printed < seg.slots.length) return;
      this.at++;
    }
  }
}

/** The whole command after option parsing; resolves with the exit code. */
export async function runClientCommand(o: ClientCommandOptions, command: string[], io: ClientRunIo): Promise<number> {
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const say = (line: string) => io.err.write(`${line}\n`);
  const [exe, ...args] = command;
  if (!exe) throw new UsageError('no client command: give it after --, e.g. mcp-conform client -- node my-client.js');
  const cmd: ClientCommand = { command: exe, args };
  if (o.cwd) cmd.cwd = resolve(o.cwd);
  if (o.env.length) cmd.env = parseEnv(o.env);
  const requested = parseClientRevisions(o.revision);
  const timeoutMs = positiveInt(o.timeout, '--timeout');
  const concurrency = o.concurrency === undefined ? defaultConcurrency() : positiveInt(o.concurrency, '--concurrency', 'integer');
  const budgetMs = o.budget === undefined ? null : positiveInt(o.budget, '--budget');
  const reports = await reportPlan(o);
  const reporter = reporterKind(o.reporter);
  const deadline = budgetMs === null ? null : t0 + budgetMs;
  const outDir = resolve(o.out);
  if (o.shard !== undefined) {
    // --shard: this part's slice of the selected check ids; it runs the scenarios they need.
    const shard = parseShard(o.shard);
    const order = definedChecks()
      .filter((d) => d.meta.side === 'client' && selected(d.meta.id, o))
      .map((d) => d.meta.id)
      .sort();
    const mine = shardIds(order, shard);
    say(`mcp-conform: ${shardLabel(shard)}: ${mine.length} of the ${new Set(order).size} selected checks`);
    if (mine.length === 0) {
      const out = await writeResults(emptyResults(cmd, [], startedAt, []), outDir);
      say(`results: ${out}`);
      return EXIT.ok;
    }
    o = { ...o, only: mine };
  }
  const scenarios = selectScenarios(o.only, o.skip, o.scenario);
  const transport = clientTransport(cmd);
  const earlyEnd = o.earlyEnd !== false;
  // Run lines in a fixed order (probe runs, what the probe decided, then each revision's runs),
  // however the concurrent runs interleave.
  const lines = new OrderedLines(say);
  const slots = new Map<string, (line: string) => void>();
  const key = (scenario: string, revision: Revision) => `${scenario}@${revision}`;
  const pool = new ScenarioPool(cmd, {
    timeoutMs,
    concurrency,
    deadline,
    earlyEnd,
    ...(io.signal ? { signal: io.signal } : {}),
    onRun: (r: ClientRun) => slots.get(key(r.scenario, r.revision))?.(runLine(r)),
  });
  /** Runs the pairs, their lines in the given segment in pair order. */
  const runBatch = (pairs: { scenario: Scenario; revision: Revision }[], seg: Segment) => {
    for (const p of pairs) slots.set(key(p.scenario.name, p.revision), seg.slot());
    seg.seal();
    return pool.run(pairs);
  };

  say(`mcp-conform ${VERSION}: testing the client ${describe(cmd)} over ${transport === 'stdio' ? 'stdio ({server})' : 'Streamable HTTP'}`);
  const file: ClientRunsFile = { format: 'mcp-conform/client-runs', version: 1, target: { argv: [exe, ...args], transport }, runs: [], skipped: [] };
  const merge = (f: ClientRunsFile) => {
    file.runs.push(...f.runs);
    file.skipped.push(...f.skipped);
  };
  const errors: string[] = [];
  const untested: NonNullable<Results['untested']> = [];
  const pairsAt = (revision: Revision, probed: boolean) => scenarios.filter((s) => !(probed && s.name === 'initialize')).map((scenario) => ({ scenario, revision }));
  let revisions: Revision[];
  if (requested === 'auto') {
    // Which revisions does it speak? The initialize scenario at each one tells (and counts as a
    // run). With early ends, a revision's other scenarios start as soon as its own probe accepts
    // it; without, once every probe has ended (as before).
    const init = SCENARIOS.find((s) => s.name === 'initialize')!;
    const probeSegs = REVISIONS.map(() => lines.segment());
    const decideSegs = REVISIONS.map(() => lines.segment());
    const speaksSeg = lines.segment();
    const mainSegs = REVISIONS.map(() => lines.segment());
    const probes: ClientRunsFile[] = new Array(REVISIONS.length);
    const mains: (ClientRunsFile | undefined)[] = new Array(REVISIONS.length);
    const untestedAt: (NonNullable<Results['untested']>[number] | undefined)[] = new Array(REVISIONS.length);
    const accepted: boolean[] = new Array(REVISIONS.length).fill(false);
    const decide = (i: number): boolean => {
      const r = REVISIONS[i]!;
      const probe = probes[i]!;
      const seg = decideSegs[i]!;
      const why = notSpoken(probe.runs, r);
      if (why) seg.slot()(`  ${r}: ${why}`);
      const ok = !why && probe.runs.some(connected);
      // Not spoken is an answer; a probe that never got one leaves the revision untested.
      const failed = why ? undefined : probeFailure(probe, r);
      if (!ok && failed) {
        untestedAt[i] = { revision: r, reason: failed };
        seg.slot()(`  ${r}: not tested: ${failed}`);
      }
      seg.seal();
      accepted[i] = ok;
      return ok;
    };
    const runMain = async (i: number) => {
      if (io.signal?.aborted) return mainSegs[i]!.seal();
      mains[i] = await runBatch(pairsAt(REVISIONS[i]!, true), mainSegs[i]!);
    };
    const probing = REVISIONS.map((revision, i) =>
      runBatch([{ scenario: init, revision }], probeSegs[i]!).then((f) => {
        probes[i] = f;
      }),
    );
    const speaks = () => {
      const spoken = REVISIONS.filter((_, i) => accepted[i]);
      if (spoken.length) speaksSeg.slot()(`revisions the client speaks: ${spoken.join(', ')}`);
      speaksSeg.seal();
    };
    if (earlyEnd) {
      const decided = probing.map((p, i) => p.then(() => decide(i)));
      void Promise.all(decided).then(speaks);
      await Promise.all(decided.map((d, i) => d.then((ok) => (ok ? runMain(i) : mainSegs[i]!.seal()))));
    } else {
      await Promise.all(probing);
      REVISIONS.forEach((_, i) => decide(i));
      speaks();
      await Promise.all(REVISIONS.map((_, i) => (accepted[i] ? runMain(i) : mainSegs[i]!.seal())));
    }
    revisions = REVISIONS.filter((_, i) => accepted[i]);
    untested.push(...untestedAt.filter((u) => u !== undefined));
    for (const p of probes) merge(p);
    for (const m of mains) if (m) merge(m);
  } else {
    revisions = requested;
    const seg = lines.segment();
    if (revisions.length && !io.signal?.aborted) merge(await runBatch(revisions.flatMap((r) => pairsAt(r, false)), seg));
    seg.seal();
  }
  mkdirSync(outDir, { recursive: true });
  const runsPath = join(outDir, RUNS_FILE);
  writeFileSync(runsPath, JSON.stringify(file));

  if (io.signal?.aborted) {
    await writeResults(emptyResults(cmd, revisions, startedAt, ['interrupted before the checks ran']), outDir);
    return EXIT.interrupted;
  }
  const live = file.runs.filter(connected);
  if (live.length === 0) {
    const first = file.runs[0];
    const why = first?.process.spawnError ? `the client command could not be started: ${first.process.spawnError}` : 'the client never connected to the mock server in any scenario';
    say(`mcp-conform: ${why}`);
    if (first?.process.stderrTail) say(`its stderr ended with:\n${first.process.stderrTail.trim().split('\n').slice(-10).join('\n')}`);
    errors.push(why);
    if (revisions.length === 0) {
      const out = await writeResults(emptyResults(cmd, [], startedAt, errors), outDir);
      say(`results: ${out}`);
      return EXIT.unreachable;
    }
  }
  for (const r of file.runs) {
    if (r.process.timedOut && !r.process.cutShort) errors.push(`scenario ${r.scenario} [${r.revision}]: the client did not exit within ${timeoutMs} ms and was killed`);
    for (const n of r.notes) errors.push(`scenario ${r.scenario} [${r.revision}]: ${n}`);
  }
  for (const s of file.skipped) if (s.why.startsWith('not run')) errors.push(`scenario ${s.scenario} [${s.revision}]: ${s.why}`);

  const target: TargetSpec = { kind: 'stdio', command: exe, args };
  const cfg: RunConfig & { outDir: string } = {
    ...runConfig(target, revisions, { outDir, only: o.only, skip: o.skip, deadline: null, checkTimeoutMs: 10_000 }),
    outDir,
    client: { kind: 'client', command: exe, args, recordings: runsPath },
  };
  const progress = progressFor(io.out, reporter, { startedAt: t0 });
  const { results, interrupted } = await runSuites({
    cfg,
    include: CLIENT_SUITES,
    mode: 'client',
    target: { description: describe(cmd), transport: 'command' },
    errors,
    expected: definedChecks().filter((d) => d.meta.side === 'client'),
    progress,
    maxWorkers: 1,
    ...(io.signal ? { signal: io.signal } : {}),
  }).finally(() => progress.finish?.());
  // The summary's time is the whole run's (scenarios included), not only the checks'.
  const finished = await finishReports({ ...results, startedAt, ...(untested.length ? { untested } : {}) }, outDir, reports);
  printSummary(finished.results, io.out);
  say(`results: ${finished.paths.join(', ')} (recorded runs in ${runsPath})`);
  if (interrupted || io.signal?.aborted) return EXIT.interrupted;
  if (live.length === 0) return EXIT.unreachable;
  return finished.exit;
}

export function registerClient(program: Command): void {
  const cmd = program
    .command('client')
    .description('test an MCP client against the specification (the client is run once per scenario against a mock server)')
    .usage('[options] -- CMD ARGS…   ({url} or {server} in ARGS; else the URL is appended)')
    .argument('[command...]', 'the client command and its arguments, after --')
    .option('-r, --revision <rev>', `revision(s) to test, comma-separated (${REVISIONS.join(', ')}), all, or auto: every one the client speaks`, 'auto')
    .option('--only <glob>', 'run only checks whose id matches (repeatable; client-lifecycle, client-transport/*, **)', collect, [])
    .option('--skip <glob>', 'leave out checks whose id matches (repeatable)', collect, [])
    .option('--scenario <name>', 'run only these scenarios (repeatable; see --list)', collect, [])
    .option('-o, --out <dir>', 'folder for results.json, client-runs.json and wire/*.jsonl', './mcp-conform-results')
    .option('--timeout <ms>', 'longest a client may take for one scenario', '15000')
    .option('--budget <ms>', 'whole-run time limit; scenarios not run by then are not-verified')
    .option('--concurrency <n>', `scenarios run at the same time (default: one per core, at least 2; here ${defaultConcurrency()})`)
    .option('--no-early-end', 'end each scenario only after fixed waits, and run the version probe before every other scenario (the runner before early ends; for comparisons)')
    .option('--cwd <dir>', 'working directory of the client command')
    .option('--env <K=V>', 'environment variable for the client (repeatable)', repeat, [])
    .option('--list', 'list the scenarios and what a client is expected to do in each, then exit')
    .option('--reporter <kind>', REPORTER_HELP)
    .option('--shard <i/n>', 'run only the i-th of n parts of the selected checks (and the scenarios they need); combine with mcp-conform report merge')
    .option('--checks', 'with --list: print every client check (id, level, revisions, spec link) instead');
  addReportOptions(cmd)
    .addHelpText(
      'after',
      '\nThe client contract (the official conformance suite\'s): the scenario name is in MCP_CONFORMANCE_SCENARIO, its\n' +
        'data in MCP_CONFORMANCE_CONTEXT (JSON), the revision under test in MCP_CONFORMANCE_PROTOCOL_VERSION. The mock\'s\n' +
        'Streamable HTTP URL replaces {url} in the arguments (or is appended last); {server} is replaced by a command line\n' +
        'that starts the mock as a stdio server.\n' +
        'The auth/… scenarios (Streamable HTTP; for the client-auth checks, --skip \'client-auth/**\' leaves them out) serve the\n' +
        'mock as an OAuth-protected resource with a mock authorization server whose consent redirects at once; credentials\n' +
        'are in MCP_CONFORMANCE_CONTEXT as the official suite passes them (client_id, client_secret, private_key_pem,\n' +
        'signing_algorithm; idp_* for enterprise-managed authorization; valid_jwt, wrong_audience_jwt, expired_jwt for\n' +
        'workload identity federation; auth/dpop and auth/dpop-nonce need none: their AS advertises DPoP, RFC 9449).\n' +
        '--scenario also takes the earlier names auth/iss-mismatch and\n' +
        'auth/authorization-server-changed (now auth/iss-wrong-issuer and auth/authorization-server-migration).\n' +
        'Exit codes: 0 no MUST failed, 1 a MUST failed, 2 usage error, 3 the client never connected, 130 interrupted.\n' +
        '--fail-on should: a SHOULD failure exits 1 too; --fail-on never: 0 and 1 become 0. With --baseline: 1 for a failure it does not list or a stale entry.\n' +
        'Examples:\n  mcp-conform client -- node bin/run.js test/drivers/sdk-client.ts\n' +
        '  mcp-conform client --revision 2025-11-25 -- node bin/run.js test/drivers/sdk-client.ts --stdio {server}\n' +
        '  mcp-conform client --only \'client-auth/**\' -- node bin/run.js test/drivers/sdk-auth-client.ts\n' +
        '  mcp-conform client --list',
    )
    .action(async (command: string[], o: ClientCommandOptions, cmd: Command) => {
      if (o.list) {
        const { checkList, loadChecks } = await import('./coverage.ts');
        process.stdout.write(o.checks ? checkList(await loadChecks('client')) : scenarioList());
        return;
      }
      await interruptible(cmd, (io) => runClientCommand(o, command, io));
    });
}
