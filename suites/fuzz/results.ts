// Fuzz reports as results.json: one check per oracle (`fuzz/<oracle>`), mode 'fuzz'; a finding
// fails its check with the shrunk sequence and the target's replies as evidence and the replay
// file named in the message. Replay files and wire logs are written next to results.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { specUrl, type Revision } from '../../schema/index.ts';
import { countVerdicts, RESULTS_FORMAT, RESULTS_FORMAT_VERSION, verdictForFailure, type CheckResult, type Results, type WireEntry } from '../../reports/index.ts';
import type { Finding, FuzzReport } from './engine.ts';
import { ORACLE_IDS, ORACLES, type OracleId } from './oracles.ts';
import { replayFileFor, type ReplayFile } from './replay.ts';

const EVIDENCE_MAX_CHARS = 4_000;

/** Keeps an evidence entry small: huge generated strings are cut (the replay file has them whole). */
function compact(e: WireEntry): WireEntry {
  if (e.msg !== undefined) {
    const text = JSON.stringify(e.msg) ?? '';
    if (text.length <= EVIDENCE_MAX_CHARS) return e;
    const { msg: _m, ...rest } = e;
    return { ...rest, raw: `${text.slice(0, EVIDENCE_MAX_CHARS)}… [${text.length} chars]` };
  }
  if (e.raw !== undefined && e.raw.length > EVIDENCE_MAX_CHARS) return { ...e, raw: `${e.raw.slice(0, EVIDENCE_MAX_CHARS)}… [${e.raw.length} chars]` };
  return e;
}

const fileSafe = (id: string) => id.replace(/[^A-Za-z0-9._-]+/g, '_');

/** `replays/fuzz_error-codes@2025-11-25.json`, then `…@2025-11-25.2.json` for an oracle's second finding. */
export function replayPath(oracle: OracleId, rev: Revision, n = 1): string {
  return `replays/${fileSafe(ORACLES[oracle].id)}@${rev}${n > 1 ? `.${n}` : ''}.json`;
}

export function wirePath(oracle: OracleId, rev: Revision, n = 1): string {
  return `wire/${fileSafe(ORACLES[oracle].id)}@${rev}${n > 1 ? `.${n}` : ''}.jsonl`;
}

export interface FuzzResultsOptions {
  tool: { name: string; version: string };
  startedAt: Date;
  /** Where replay files and wire logs go (null: nowhere, results only). */
  outDir: string | null;
  /** Replay file context: how the target was reached. */
  replay: Pick<ReplayFile, 'mode' | 'target' | 'requestTimeoutMs' | 'tool'>;
  mode?: 'server' | 'client';
}

function why(report: FuzzReport, oracle: OracleId): { verdict: 'not-applicable' | 'not-verified'; message: string } {
  if (oracle === 'tool-call-protocol-errors') {
    if (report.tools.called.length === 0) {
      const skipped = report.tools.skipped.length ? `; not called: ${report.tools.skipped.map((s) => `${s.name} (${s.why})`).slice(0, 5).join(', ')}` : '';
      return { verdict: 'not-verified', message: `no tool was safe to call with generated arguments${skipped}` };
    }
  }
  if ((oracle === 'stateful-model' || oracle === 'cancellation') && report.revision >= '2026-07-28') return { verdict: 'not-applicable', message: `${report.revision} has no initialize handshake or sessions to model` };
  if (!report.ran.includes(oracle)) return { verdict: 'not-verified', message: 'not run (left out by the options, or the time budget ran out first)' };
  if (oracle === 'cancellation') return { verdict: 'not-verified', message: 'no request was still in progress when it was cancelled (no slow enough tool among those called)' };
  return { verdict: 'not-verified', message: 'nothing to judge was produced within the budget' };
}

/** The results of a fuzz session; writes replay files and wire logs into outDir when given. */
export function fuzzResults(report: FuzzReport, opts: FuzzResultsOptions): { results: Results; replayFiles: string[] } {
  const rev = report.revision;
  const checks: CheckResult[] = [];
  const replayFiles: string[] = [];
  const byOracle = new Map<OracleId, Finding[]>();
  for (const f of report.findings) byOracle.set(f.oracle, [...(byOracle.get(f.oracle) ?? []), f]);
  for (const oracle of ORACLE_IDS) {
    const meta = ORACLES[oracle];
    const page = meta.spec[rev];
    const base: CheckResult = {
      id: meta.id,
      title: meta.title,
      level: meta.level,
      revision: rev,
      verdict: 'pass',
      message: '',
      requirement: meta.requirement,
      specUrl: page ? specUrl(rev, page) : null,
      durationMs: report.durationMs,
      wireLog: null,
    };
    const found = byOracle.get(oracle) ?? [];
    if (found.length === 0) {
      if (!meta.revisions.includes(rev)) {
        checks.push({ ...base, verdict: 'not-applicable', message: `does not apply to ${rev}` });
        continue;
      }
      if (report.unreachable) {
        checks.push({ ...base, verdict: 'not-verified', message: report.unreachable });
        continue;
      }
      if (report.exercised[oracle] > 0) checks.push(base);
      else checks.push({ ...base, ...why(report, oracle) });
      continue;
    }
    const texts: string[] = [];
    let firstWire: string | null = null;
    found.forEach((f, i) => {
      let replayFile: string | null = null;
      if (opts.outDir) {
        replayFile = replayPath(oracle, rev, i + 1);
        const wireLog = wirePath(oracle, rev, i + 1);
        firstWire ??= wireLog;
        const file = replayFileFor(f, { ...opts.replay, revision: rev });
        mkdirSync(join(opts.outDir, 'replays'), { recursive: true });
        mkdirSync(join(opts.outDir, 'wire'), { recursive: true });
        writeFileSync(join(opts.outDir, replayFile), `${JSON.stringify(file, null, 2)}\n`);
        writeFileSync(join(opts.outDir, wireLog), f.evidence.map((e) => JSON.stringify(e)).join('\n') + (f.evidence.length ? '\n' : ''));
        replayFiles.push(join(opts.outDir, replayFile));
      }
      const size = f.kind === 'model' ? `${f.commands?.length ?? 0} command(s), ${f.steps.length} message(s)` : `${f.steps.length} message(s)`;
      const how = `minimal ${f.kind === 'model' ? 'command sequence' : 'sequence'}: ${size} (seed ${f.seed}, path ${f.path || '-'}, ${f.numRuns} run(s), ${f.numShrinks} shrink step(s))`;
      const rep = f.reproduced ? '' : '; NOT reproduced on a fresh session (may depend on earlier state or timing)';
      const replayText = replayFile ? `; replay: ${replayFile} (mcp-conform fuzz --replay ${join(opts.outDir ?? '.', replayFile)})` : '';
      texts.push(`${found.length > 1 ? `[${i + 1}/${found.length}, ${f.category}] ` : ''}${f.message} — ${how}${rep}${replayText}`);
    });
    const first = found[0] as Finding;
    checks.push({
      ...base,
      verdict: verdictForFailure(meta.level),
      message: texts.join(' | '),
      wireLog: firstWire,
      // The first finding's exchange; the others are in their replay files and wire logs.
      evidence: first.evidence.map(compact),
    });
  }
  const errors = [...report.errors];
  if (report.unreachable) errors.unshift(report.unreachable);
  const results: Results = {
    format: RESULTS_FORMAT,
    formatVersion: RESULTS_FORMAT_VERSION,
    tool: opts.tool,
    mode: 'fuzz',
    target: { description: report.target, transport: opts.mode === 'client' ? 'command' : report.transport, ...(report.stderr ? { stderr: report.stderr } : {}) },
    revisions: [rev],
    startedAt: opts.startedAt.toISOString(),
    endedAt: new Date(opts.startedAt.getTime() + report.durationMs).toISOString(),
    counts: countVerdicts(checks),
    checks,
    errors,
    ...(report.tools.plan ? { toolPlan: report.tools.plan } : {}),
  };
  return { results, replayFiles };
}
