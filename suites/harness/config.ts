// What one run is about: the target, the revisions, where results go, the time limits. The CLI
// builds it and hands it to vitest with `provide`; each check reads it with `inject`.
import type { Revision } from '../../schema/index.ts';

/** How to reach the server under test (the same shape as mock-server's connectTarget). */
export type TargetSpec =
  | { kind: 'stdio'; command: string; args: string[]; cwd?: string; env?: Record<string, string> }
  | { kind: 'http'; url: string; headers?: Record<string, string> }
  | { kind: 'sse'; url: string; headers?: Record<string, string> };

export interface RunConfig {
  target: TargetSpec;
  /** Revisions to test the target at (the CLI keeps only those the target supports). */
  revisions: Revision[];
  /** Results folder: wire logs go to `<outDir>/wire/`; null keeps them in memory only. */
  outDir: string | null;
  /** Longest a single check may run, connection setup included. */
  checkTimeoutMs: number;
  /** Longest to wait for one answer. */
  requestTimeoutMs: number;
  /** How long "nothing arrives" is watched for (no response to a notification, after cancel…). */
  quietMs: number;
  /** Check id globs to run / to leave out (`lifecycle/*`, `**`, or a bare area `ping`). */
  only: string[];
  skip: string[];
  /** Wall-clock ms (epoch) after which no check starts and running ones are cut short. */
  deadline: number | null;
}

export const DEFAULT_TIMEOUTS = { checkTimeoutMs: 20_000, requestTimeoutMs: 5_000, quietMs: 400 } as const;

export function runConfig(target: TargetSpec, revisions: Revision[], over: Partial<Omit<RunConfig, 'target' | 'revisions'>> = {}): RunConfig {
  return { target, revisions, outDir: null, ...DEFAULT_TIMEOUTS, only: [], skip: [], deadline: null, ...over };
}

function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** h2spec-style addressing: `lifecycle` selects the whole area, `lifecycle/init*` a glob. */
export function matchesGlob(id: string, glob: string): boolean {
  if (!/[*?]/.test(glob)) return id === glob || id.startsWith(`${glob.replace(/\/$/, '')}/`);
  return globRegex(glob).test(id);
}

export function selected(id: string, cfg: Pick<RunConfig, 'only' | 'skip'>): boolean {
  if (cfg.only.length && !cfg.only.some((g) => matchesGlob(id, g))) return false;
  return !cfg.skip.some((g) => matchesGlob(id, g));
}

export function describeTarget(t: TargetSpec): string {
  if (t.kind === 'stdio') return [t.command, ...t.args].map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
  return `${t.kind === 'sse' ? 'SSE ' : ''}${t.url}`;
}
