// Runs the server suites in-process against the fixture server (no child processes, no vitest
// run inside the test): the both-ways matrix and quick checks of the harness.
import '../../suites/server/lifecycle.ts';
import '../../suites/server/base-protocol.ts';
import '../../suites/server/ping.ts';
import '../../suites/server/cancellation.ts';
import '../../suites/server/progress.ts';
import '../../suites/server/stdio.ts';
import type { Revision } from '../../schema/index.ts';
import type { CheckResult } from '../../reports/index.ts';
import { definedChecks, runChecks, runConfig, validMessagesResults, type RunConfig } from '../../suites/harness/index.ts';
import { fixtureTransport, type FixtureOptions } from '../fixtures/servers/fixture-server.ts';

export const FIXTURE_COMMAND = ['node', 'bin/run.js', 'test/fixtures/servers/fixture-server.ts'] as const;

/** Every check of the server suites, plus schema/valid-messages per revision. */
export async function runAgainstFixture(opts: FixtureOptions, revisions: Revision[], over: Partial<RunConfig> = {}): Promise<CheckResult[]> {
  const args = [...FIXTURE_COMMAND.slice(1), ...(opts.break ? ['--break', opts.break] : [])];
  const cfg = runConfig({ kind: 'stdio', command: 'node', args }, revisions, {
    requestTimeoutMs: 1_000,
    checkTimeoutMs: 6_000,
    quietMs: 120,
    open: () => fixtureTransport(opts),
    ...over,
  });
  const results = await runChecks(definedChecks(), cfg, { concurrency: 12 });
  return [...results, ...validMessagesResults(results, revisions)];
}

export const label = (r: CheckResult) => `${r.id} [${r.revision}] ${r.verdict}${r.message ? `: ${r.message}` : ''}`;
