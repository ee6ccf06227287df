import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest (mean wall times of two CI rehearsals, session 10), longest first; pack.test.ts first of all
 * for its npm pack and install before the first test. Started first, so that the workers end
 * together instead of one running a heavy file alone at the end: without a duration cache (CI
 * installs afresh) vitest orders by file size, which put several of these last.
 */
const HEAVY = [
  'test/cli/pack.test.ts',
  'test/suites/http.test.ts',
  'test/cli/no-leftovers.test.ts',
  'test/cli/server.test.ts',
  'test/suites/features.test.ts',
  'test/suites/features-peers.test.ts',
  'test/suites/client-real.test.ts',
  'test/suites/stateless.test.ts',
  'test/suites/client-breaks.test.ts',
  'test/suites/client-early-end.test.ts',
  'test/suites/client-fixture.test.ts',
  'test/hosts/cli.test.ts',
  'test/suites/fuzz-stdio.test.ts',
  'test/suites/fuzz-memory.test.ts',
  'test/hosts/safe-calls.test.ts',
  'test/suites/client-cli.test.ts',
  'test/suites/fixture-matrix.test.ts',
  'test/suites/shared-sessions.test.ts',
  'test/suites/fuzz-everything.test.ts',
  'test/suites/real-peers.test.ts',
  'test/cli/server-robustness.test.ts',
  'test/cli/server-crosstalk.test.ts',
  'test/cli/shard.test.ts',
  'test/suites/client-v2.test.ts',
  'test/cli/matrix.test.ts',
  'test/suites/crosstalk.test.ts',
  'test/suites/sdk-v2.test.ts',
  'test/cli/action.test.ts',
  'test/suites/auth-server.test.ts',
  'test/cli/server-auth.test.ts',
  'test/cli/untested-revisions.test.ts',
];

class HeavyFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = HEAVY.findIndex((h) => f.moduleId.replaceAll('\\', '/').endsWith(h));
      return i < 0 ? HEAVY.length : i;
    };
    // Stable: the rest keep vitest's own order (last run's durations, else file size).
    return (await super.sort(files))
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map((x) => x.f);
  }
}

// The tool's own tests (test/). The conformance suites (suites/) are run by the CLI with their
// own programmatic config (cli/), against a target chosen at run time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on processes, sockets and timeouts rather than compute: three at a time
    // keeps two cores busy.
    maxWorkers: 3,
    sequence: { sequencer: HeavyFirst },
    // Vitest's file cache of transformed modules (as the CLI's runs use it, suites/harness/suite-run.ts):
    // most test files import every check module, and without it each file's worker transforms them
    // afresh (measured on a test file that only imports them: 2.8 s of CPU without the cache, 0.6 s with it).
    experimental: { fsModuleCache: true, fsModuleCachePath: 'node_modules/.cache/mcp-conform-tests/vitest' },
  },
});
