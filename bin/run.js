#!/usr/bin/env node
// Development only (not in the npm package): runs a TypeScript entry point of this checkout
// (Node 20 cannot strip types itself), as a cached esbuild bundle (see dev-entry.js).
import { resolve } from 'node:path';
import { importEntry } from './dev-entry.js';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bin/run.js <file.ts> [args…]');
  process.exit(2);
}
process.argv = [process.argv[0], resolve(entry), ...rest];
await importEntry(entry);
