import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run test:hosts`: integration with real hosts (Claude Code, installed on demand into a
// cache folder). Kept out of `npm test`: the first run downloads about 400 MB.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/integration/**/*.int.ts'],
    // The npm peers have their own run: npm run test:peers.
    exclude: ['test/integration/peers/**'],
    testTimeout: 600_000,
    hookTimeout: 1_200_000,
    pool: 'forks',
  },
});
