// Shared by the feature-suite tests: in-process fixture targets and a compact view of results.
import { createMemoryPair } from '../../mock-server/index.ts';
import { runChecks, runConfig, type CheckDef, type RunConfig, type TargetSpec } from '../../suites/harness/index.ts';
import type { CheckResult } from '../../reports/model.ts';
import type { Revision } from '../../schema/index.ts';
import { serveFeatures, type FeatureServerOptions } from '../fixtures/servers/feature-server.ts';

export const FEATURE_AREAS = ['tools', 'resources', 'prompts', 'completion', 'logging', 'pagination', 'tasks'];

/** The feature fixture served in-process, a fresh server per connection. */
export function fixtureTarget(opts: FeatureServerOptions = {}): TargetSpec {
  return {
    kind: 'memory',
    label: `feature fixture${opts.breaks?.length ? ` --break ${opts.breaks.join(',')}` : ''}`,
    connect: () => {
      const [client, server] = createMemoryPair();
      void serveFeatures(server, opts).start();
      return client;
    },
  };
}

export function fastConfig(target: TargetSpec, revisions: Revision[], over: Partial<RunConfig> = {}): RunConfig {
  return runConfig(target, revisions, { quietMs: 150, requestTimeoutMs: 3_000, checkTimeoutMs: 10_000, ...over });
}

export async function run(defs: readonly CheckDef[], target: TargetSpec, revisions: Revision[], over: Partial<RunConfig> = {}): Promise<CheckResult[]> {
  return runChecks(defs, fastConfig(target, revisions, over), { concurrency: 4 });
}

export function brief(r: CheckResult): string {
  return `${r.id} [${r.revision}] ${r.verdict}${r.message ? `: ${r.message}` : ''}`;
}
