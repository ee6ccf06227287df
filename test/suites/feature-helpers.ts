// Shared by the feature-suite tests: in-process fixture targets and a compact view of results.
import type { Transport as SdkTransport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createMemoryPair, type Transport } from '../../mock-server/index.ts';
import { runChecks, runConfig, type CheckDef, type RunConfig, type TargetSpec } from '../../suites/harness/index.ts';
import type { CheckResult } from '../../reports/model.ts';
import type { Revision } from '../../schema/index.ts';
import { serveFeatures, type FeatureServerOptions } from '../fixtures/servers/feature-server.ts';
import { createSdkFeatureServer } from '../fixtures/servers/sdk-feature-server.ts';

export const FEATURE_AREAS = ['tools', 'resources', 'prompts', 'completion', 'logging', 'pagination', 'tasks', 'sampling', 'elicitation'];

/** A target served in-process: a description (stdio command) plus the transport maker. */
export interface InProcess {
  target: TargetSpec;
  open: (target: TargetSpec) => Transport;
}

/** The feature fixture served in-process, a fresh server per connection. */
export function fixtureTarget(opts: FeatureServerOptions = {}): InProcess {
  const args = ['bin/run.js', 'test/fixtures/servers/feature-server.ts', ...(opts.breaks ?? []).flatMap((b) => ['--break', b])];
  return {
    target: { kind: 'stdio', command: 'node', args },
    open: () => {
      const [client, server] = createMemoryPair();
      void serveFeatures(server, opts).start();
      return client;
    },
  };
}

export function fastConfig(target: TargetSpec, revisions: Revision[], over: Partial<RunConfig> = {}): RunConfig {
  return runConfig(target, revisions, { quietMs: 150, requestTimeoutMs: 5_000, startupMs: 5_000, checkTimeoutMs: 20_000, ...over });
}

export async function run(defs: readonly CheckDef[], where: InProcess, revisions: Revision[], over: Partial<RunConfig> = {}): Promise<CheckResult[]> {
  return runChecks(defs, fastConfig(where.target, revisions, { open: where.open, ...over }), { concurrency: 8 });
}

export function brief(r: CheckResult): string {
  return `${r.id} [${r.revision}] ${r.verdict}${r.message ? `: ${r.message}` : ''}`;
}

/** Our Transport seen as the SDK's (same shape; the SDK's onmessage takes its own message type). */
function asSdkTransport(t: Transport): SdkTransport {
  const sdk: SdkTransport = {
    start: () => t.start(),
    send: (m) => t.send(m),
    close: () => t.close(),
  };
  t.onmessage = (m) => sdk.onmessage?.(m as JSONRPCMessage);
  t.onclose = () => sdk.onclose?.();
  t.onerror = (e) => sdk.onerror?.(e);
  return sdk;
}

/** The official-SDK feature server, in-process (a fresh Server per connection). */
export function sdkTarget(): InProcess {
  return {
    target: { kind: 'stdio', command: 'node', args: ['bin/run.js', 'test/fixtures/servers/sdk-feature-server.ts'] },
    open: () => {
      const [client, server] = createMemoryPair();
      void createSdkFeatureServer().connect(asSdkTransport(server));
      return client;
    },
  };
}
