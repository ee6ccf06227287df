#!/usr/bin/env node
// The installed command. The npm package ships JavaScript compiled at `npm pack` (cli/main.js) and
// no TypeScript; a checkout has only the TypeScript sources, loaded through tsx.
import { existsSync } from 'node:fs';

const source = new URL('../cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  // Runtime imports of TypeScript (suites, mock scripts) work here (see bin/dev-entry.js).
  globalThis[Symbol.for('mcp-conform.tsx-registered')] = true;
  await import(source.href);
} else {
  await import('../cli/main.js');
}
