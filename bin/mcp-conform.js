#!/usr/bin/env node
// The installed command. The npm package ships JavaScript compiled at `npm pack` (cli/main.js) and
// no TypeScript; a checkout has only the TypeScript sources, run as one cached esbuild bundle
// (bin/dev-entry.js: no TypeScript loader hooks slowing every import, vitest's included).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { importEntry } = await import('./dev-entry.js');
  await importEntry(fileURLToPath(source));
} else {
  await import('../cli/main.js');
}
