import { defineConfig } from 'vitest/config';

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
  },
});
