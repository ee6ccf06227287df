#!/usr/bin/env node
// The installed command. The npm package ships JavaScript compiled at `npm pack` (cli/main.js) and
// no TypeScript; a checkout has only the TypeScript sources, loaded through tsx.
import { existsSync } from 'node:fs';

const source = new URL('../cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../cli/main.js');
}
