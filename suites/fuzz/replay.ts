// Replay files: a finding as data (revision, target, seed and path, the shrunk message sequence
// or command list, the violated oracle, what came back), and re-running one deterministically:
// the same frames, byte for byte and with the same ids, sent to a fresh session, and the same
// oracle judging the outcome.
import { readFileSync } from 'node:fs';
import { isRevision, type Revision } from '../../schema/index.ts';
import type { WireEntry } from '../../reports/index.ts';
import type { TargetSpec } from '../../mock-server/index.ts';
import { runSteps, type RunRecord } from './execute.ts';
import type { Finding } from './engine.ts';
import type { SessionSource } from './session.ts';
import { commandFromJson, runCommands, type ModelCommandJson } from './model.ts';
import { ORACLE_IDS, type OracleId } from './oracles.ts';
import type { FuzzStep } from './steps.ts';

export const REPLAY_FORMAT = 'mcp-conform/fuzz-replay';

/** How a client under test is started (client mode): argv with {url} or {server} placeholders. */
export interface ClientLaunch {
  command: string[];
  /** How the client reaches the mock server: it runs a stdio server command ({server}) or posts to a URL ({url}). */
  via: 'stdio' | 'http';
  cwd?: string;
}

export interface ReplayFile {
  format: typeof REPLAY_FORMAT;
  formatVersion: 1;
  tool: { name: string; version: string };
  createdAt: string;
  /** 'server': the target is a server; 'client': a client talking to the fuzzing mock server. */
  mode: 'server' | 'client';
  revision: Revision;
  target: { description: string; server?: TargetSpec; client?: ClientLaunch };
  oracle: OracleId;
  /** The category of step the violation concerns: the replay judges that pair only. */
  category?: string;
  violation: string;
  kind: 'sequence' | 'model';
  seed: number;
  path: string;
  requestTimeoutMs: number;
  reproduced: boolean;
  /** The message sequence, as sent (ids included). Model findings: what the commands sent. */
  steps: FuzzStep[];
  commands?: ModelCommandJson[];
  /** Everything sent and received when the finding was reproduced. */
  exchange: WireEntry[];
}

export function replayFileFor(f: Finding, ctx: Omit<ReplayFile, 'format' | 'formatVersion' | 'createdAt' | 'oracle' | 'category' | 'violation' | 'kind' | 'seed' | 'path' | 'reproduced' | 'steps' | 'commands' | 'exchange'>): ReplayFile {
  const file: ReplayFile = {
    format: REPLAY_FORMAT,
    formatVersion: 1,
    createdAt: new Date().toISOString(),
    ...ctx,
    oracle: f.oracle,
    category: f.category,
    violation: f.message,
    kind: f.kind,
    seed: f.seed,
    path: f.path,
    reproduced: f.reproduced,
    steps: f.steps,
    exchange: f.evidence,
  };
  if (f.commands) file.commands = f.commands;
  return file;
}

export class ReplayFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayFileError';
  }
}

export function parseReplay(text: string, source = 'replay file'): ReplayFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new ReplayFileError(`${source} is not JSON: ${(err as Error).message}`);
  }
  const r = v as Partial<ReplayFile> | null;
  if (!r || typeof r !== 'object' || r.format !== REPLAY_FORMAT) throw new ReplayFileError(`${source} is not an mcp-conform fuzz replay file (format "${REPLAY_FORMAT}")`);
  if (r.formatVersion !== 1) throw new ReplayFileError(`${source}: unsupported formatVersion ${String(r.formatVersion)}`);
  if (!isRevision(r.revision)) throw new ReplayFileError(`${source}: unknown revision ${JSON.stringify(r.revision)}`);
  if (!ORACLE_IDS.includes(r.oracle as OracleId)) throw new ReplayFileError(`${source}: unknown oracle ${JSON.stringify(r.oracle)}`);
  if (r.kind !== 'sequence' && r.kind !== 'model') throw new ReplayFileError(`${source}: kind must be "sequence" or "model"`);
  if (!Array.isArray(r.steps)) throw new ReplayFileError(`${source}: "steps" must be an array`);
  if (r.kind === 'model' && !Array.isArray(r.commands)) throw new ReplayFileError(`${source}: a model finding needs "commands"`);
  return r as ReplayFile;
}

export function loadReplay(file: string): ReplayFile {
  return parseReplay(readFileSync(file, 'utf8'), file);
}

export interface ReplayOutcome {
  reproduced: boolean;
  /** The violation seen now (or why nothing was). */
  message: string;
  evidence: WireEntry[];
  record?: RunRecord;
}

/** Re-sends the finding's sequence (or re-runs its commands) on a fresh session and re-applies its oracle. */
export async function replay(file: ReplayFile, source: SessionSource, opts: { requestTimeoutMs?: number; receiver?: 'server' | 'client' } = {}): Promise<ReplayOutcome> {
  const timeout = opts.requestTimeoutMs ?? file.requestTimeoutMs;
  if (file.kind === 'model') {
    const { driver, violation, error } = await runCommands(source, (file.commands ?? []).map(commandFromJson), { revision: file.revision, requestTimeoutMs: timeout });
    if (error) throw error;
    const reproduced = violation?.oracle === file.oracle;
    return { reproduced, message: reproduced ? (violation as Error).message : violation ? `a different violation: ${violation.oracle}: ${violation.message}` : 'not reproduced: the command sequence ran without violation', evidence: driver.evidence };
  }
  const session = await source.fresh(true);
  try {
    // The steps are stored as sent: no fresh ids, so the frames are the very same.
    const same = (v: { oracle: OracleId; category?: string }) => v.oracle === file.oracle && (file.category === undefined || (v.category ?? 'run') === file.category);
    const record = await runSteps(session, file.steps, {
      requestTimeoutMs: timeout,
      active: new Set([file.oracle]),
      judged: (oracle, category) => same({ oracle, category }),
      receiver: opts.receiver ?? (file.mode === 'client' ? 'client' : 'server'),
    });
    const v = record.violations.find(same);
    return { reproduced: v !== undefined, message: v ? v.message : 'not reproduced: the sequence ran without that violation', evidence: record.evidence, record };
  } finally {
    source.release(session, false);
  }
}
