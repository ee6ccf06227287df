import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run test:peers`: real servers and clients from the npm registry (pinned in install.ts,
// installed on demand into a cache folder). Kept out of `npm test`: the first run downloads
// about 600 MB (a Node 22 runtime for the inspector among them).
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    include: ['test/integration/peers/**/*.int.ts'],
    testTimeout: 360_000,
    hookTimeout: 1_200_000,
    pool: 'forks',
    // Two peer runs at a time: the machine has two cores, and most of a run is waiting.
    maxConcurrency: 2,
  },
});
