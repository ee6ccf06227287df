// suites/server/index.ts lists the server suite files by hand (static imports: nothing loads
// TypeScript at run time); a suite file added to the folder and not to the list would never run.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';
import { SERVER_SUITE_MODULES } from '../../suites/server/index.ts';
import { ROOT } from '../cli/server-helpers.ts';

it('suites/server/index.ts lists every server suite file, and only those', () => {
  const dir = join(ROOT, 'suites', 'server');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !basename(f).startsWith('_') && f !== 'index.ts')
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  expect(Object.keys(SERVER_SUITE_MODULES).sort()).toEqual(files);
});

// suites/client/auth/index.ts imports the client-auth check files by hand, in the order of the checks.
it('suites/client/auth/index.ts imports every client-auth check file', () => {
  const dir = join(ROOT, 'suites', 'client', 'auth');
  const imported = [...readFileSync(join(dir, 'index.ts'), 'utf8').matchAll(/^import '\.\/(.+)\.ts';$/gm)].map((m) => m[1]).sort();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'common.ts')
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  expect(imported).toEqual(files);
});
