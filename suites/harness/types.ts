// The part of a check's `t` that the drivers and readers built on it use (stateless.ts, http.ts,
// client-context.ts). CheckContext implements it; declaring it here lets those modules take a `t`
// without importing context.ts, which imports them (no import cycle).
import type { Current, Revision } from '../../schema/index.ts';
import type { MockClient, Reply, RequestHandler, WireLog } from '../../mock-server/index.ts';
import type { CheckMeta, WireEntry } from '../../reports/index.ts';
import type { RunConfig, TargetSpec } from './config.ts';

export interface ConnectOptions {
  /** protocolVersion sent by initialize (default: the check's revision). Any string may be sent. */
  protocolVersion?: string;
  capabilities?: Current['ClientCapabilities'];
  clientInfo?: Current['Implementation'];
  /** Answers to server→client requests, over the valid canned defaults. */
  handlers?: Record<string, RequestHandler>;
  requestTimeoutMs?: number;
}

/** Anything a failure can point at: wire entries, a reply, a received message. */
export type EvidenceLike = WireEntry[] | Record<string, unknown>[] | Reply<unknown> | Record<string, unknown> | undefined;

export interface CheckScope {
  readonly meta: CheckMeta;
  readonly revision: Revision;
  readonly config: RunConfig;
  readonly target: TargetSpec;
  readonly requestTimeoutMs: number;
  readonly ended: boolean;
  readonly wire: WireLog;
  connect(opts?: ConnectOptions): Promise<MockClient>;
  defer(fn: () => unknown): void;
  evidence(of?: EvidenceLike): WireEntry[];
  note(text: string): void;
  fail(message: string, evidence?: EvidenceLike): never;
  notApplicable(message: string): never;
  notVerified(message: string, evidence?: EvidenceLike): never;
}
