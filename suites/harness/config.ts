// What one run is about: the target, the revisions, where results go, the time limits. The CLI
// builds it and hands it to vitest with `provide`; each check reads it with `inject`.
import type { Revision } from '../../schema/index.ts';
import type { TargetSpec as WireTargetSpec, Transport } from '../../mock-server/index.ts';
import { describeTarget as describeWireTarget } from '../../mock-server/index.ts';
import type { CallToolsPolicy } from './tool-policy.ts';

/**
 * How to reach the server under test: mock-server's connectTarget shapes, plus an in-process
 * server (the tool's own tests) whose `connect` returns the client side of a fresh pair.
 */
export type TargetSpec = WireTargetSpec | { kind: 'memory'; connect: () => Transport; label?: string };

// Which tools checks may call: see tool-policy.ts.
export type { CallToolsPolicy } from './tool-policy.ts';
export { parseCallTools } from './tool-policy.ts';

/** The client under test: a command run once per scenario (see suites/client/runner.ts). */
export interface ClientTarget {
  kind: 'client';
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** runs.json written by the scenario runner; the checks read it. */
  recordings: string;
}

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
  /** Longest to wait for the first answer on a new connection (a server may start slowly: npx, tsx…). */
  startupMs: number;
  /** How long "nothing arrives" is watched for (no response to a notification, after cancel…). */
  quietMs: number;
  /** Check id globs to run / to leave out (`lifecycle/*`, `**`, or a bare area `ping`). */
  only: string[];
  skip: string[];
  /** Wall-clock ms (epoch) after which no check starts and running ones are cut short. */
  deadline: number | null;
  /**
   * When this file exists the run is over (Ctrl-C): no check starts, running ones stop. A file,
   * because checks run in vitest worker processes that only saw the config when they started.
   */
  stopFile: string | null;
  /** Which tools checks may call with generated arguments (default 'safe'). */
  callTools: CallToolsPolicy;
  /** Every check opens sessions of its own, even one that only reads (--isolate; see session-pool.ts). */
  isolate?: boolean;
  /** Checks at a time (--concurrency; default DEFAULT_CONCURRENCY); 1 runs them one after the other. */
  concurrency?: number;
  /**
   * In-process runs only (the tool's own tests): makes each connection's transport instead of
   * connectTarget(target). A function cannot cross to vitest workers, so the CLI never sets it.
   */
  open?: (target: TargetSpec) => Transport;
  /** Client mode: the client command and its recorded scenario runs (client-context.ts). */
  client?: ClientTarget;
  /** Testing a protected server (--auth-token, --auth-header, --auth mock): see suites/harness/auth.ts. */
  auth?: AuthRunConfig;
  /** `mcp-conform auth-server`: the authorization server under test (suites/auth-server). */
  authServer?: AuthServerTarget;
}

/** The authorization server under test, and how the suite's own OAuth client meets it. */
export interface AuthServerTarget {
  /** The issuer identifier (its metadata is found at the well-known URLs built from it). */
  issuer: string;
  /** A client registered with it beforehand (used instead of registering one). */
  clientId?: string;
  clientSecret?: string;
  /** Port of the loopback redirect listener on 127.0.0.1 (default 0: a free one). */
  redirectPort?: number;
  /** The resource (RFC 8707) tokens are asked for: the canonical URI of an MCP server. */
  resource: string;
  /** The scope asked for (default: none). */
  scope?: string;
  /**
   * Where the authorization server can fetch the client ID metadata documents the suite serves:
   * a public (https) URL the user forwards to the loopback listener (--redirect-port). Default:
   * the listener's own http://127.0.0.1 origin, which a real authorization server may refuse.
   */
  cimdBaseUrl?: string;
  /** The user's browser does the authorization step (a login page): the URL goes to onAuthorizationUrl. */
  browser?: boolean;
  /** How long the browser step may take (ms; default 300 000). */
  browserTimeoutMs?: number;
  /** In-process only: where the authorization URL goes in browser mode. */
  onAuthorizationUrl?: (url: string) => void;
}

/** Tokens the suite minted with its own mock authorization server (--auth mock), one per flaw. */
export interface MockTokens {
  valid: string;
  expired: string;
  wrongSignature: string;
  wrongIssuer: string;
  wrongAudience: string;
  /** Without the scope the server's challenge asked for (absent when it asked for none). */
  insufficientScope?: string;
  /**
   * A confidential client of the same authorization server, for a token with scopes chosen at run
   * time (client credentials): what a 403 insufficient_scope challenge names is only known then.
   */
  scoped?: { tokenEndpoint: string; clientId: string; clientSecret: string };
}

export interface AuthRunConfig {
  /** The Authorization header value the server accepts (also in target.headers, so every check sends it). */
  authorization?: string;
  /** --auth mock: the suite's authorization server, which the server under test trusts. */
  mock?: { issuer: string; jwksUri: string; audience: string; scope?: string; tokens: MockTokens };
}

/** Checks run at a time by default: 2 worker processes × 3 checks each. */
export const DEFAULT_CONCURRENCY = 6;

export const DEFAULT_TIMEOUTS = { checkTimeoutMs: 30_000, requestTimeoutMs: 5_000, startupMs: 15_000, quietMs: 400 } as const;

export function runConfig(target: TargetSpec, revisions: Revision[], over: Partial<Omit<RunConfig, 'target' | 'revisions'>> = {}): RunConfig {
  return { target, revisions, outDir: null, ...DEFAULT_TIMEOUTS, only: [], skip: [], deadline: null, stopFile: null, callTools: 'safe', ...over };
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
  return t.kind === 'memory' ? `in-process ${t.label ?? 'server'}` : describeWireTarget(t);
}
