#!/usr/bin/env node
// Development only (not in the npm package): runs a TypeScript entry point of this checkout under
// tsx (Node 20 cannot strip types itself).
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bin/run.js <file.ts> [args…]');
  process.exit(2);
}
register();
process.argv = [process.argv[0], resolve(entry), ...rest];
await import(pathToFileURL(resolve(entry)).href);
