// Runs the server suites in-process against the fixture server (no child processes, no vitest
// run inside the test): the both-ways matrix and quick checks of the harness.
import '../../suites/server/lifecycle.ts';
import '../../suites/server/base-protocol.ts';
import '../../suites/server/ping.ts';
import '../../suites/server/cancellation.ts';
import '../../suites/server/progress.ts';
import '../../suites/server/stdio.ts';
import { classify, type Revision } from '../../schema/index.ts';
import type { CheckResult } from '../../reports/index.ts';
import { definedChecks, runChecks, runConfig, validMessagesResults, type RunConfig } from '../../suites/harness/index.ts';
import { fixtureTransport, type FixtureOptions } from '../fixtures/servers/fixture-server.ts';

export const FIXTURE_COMMAND = ['node', 'bin/run.js', 'test/fixtures/servers/fixture-server.ts'] as const;

const warm = new Set<Revision>();
/** Compiles a revision's validators up front: their first use blocks for a while on a busy machine. */
export function warmUp(revisions: readonly Revision[]): void {
  for (const rev of revisions) {
    if (warm.has(rev)) continue;
    classify(rev, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: rev, capabilities: {}, clientInfo: { name: 'x', version: '1' } } }, { direction: 'client-to-server' });
    classify(rev, { jsonrpc: '2.0', id: 1, result: { protocolVersion: rev, capabilities: {}, serverInfo: { name: 'x', version: '1' } } }, { direction: 'server-to-client', requestMethod: 'initialize' });
    warm.add(rev);
  }
}

/** Every check of the server suites, plus schema/valid-messages per revision. */
export async function runAgainstFixture(opts: FixtureOptions, revisions: Revision[], over: Partial<RunConfig> = {}): Promise<CheckResult[]> {
  warmUp(revisions);
  const args = [...FIXTURE_COMMAND.slice(1), ...(opts.break ? ['--break', opts.break] : [])];
  const cfg = runConfig({ kind: 'stdio', command: 'node', args }, revisions, {
    requestTimeoutMs: 1_500,
    startupMs: 3_000,
    checkTimeoutMs: 6_000,
    quietMs: 120,
    open: () => fixtureTransport(opts),
    ...over,
  });
  const results = await runChecks(definedChecks(), cfg, { concurrency: 12 });
  return [...results, ...validMessagesResults(results, revisions)];
}

export const label = (r: CheckResult) => `${r.id} [${r.revision}] ${r.verdict}${r.message ? `: ${r.message}` : ''}`;
