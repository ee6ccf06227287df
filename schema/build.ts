// `npm install` / `npm test` step: sync the official schemas into the cache and generate
// schema/generated/<rev>.d.ts with json-schema-to-typescript, and each revision's validators as
// ajv standalone code (schema/generated/validators/<rev>.cjs). Both folders are gitignored.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compile } from 'json-schema-to-typescript';
import { loadSchema } from './load.ts';
import { precompiledCurrent, precompiledPath, standaloneValidators } from './validate.ts';
import { REVISIONS, type Revision } from './revisions.ts';
import { SCHEMA_DIR, sha256, syncSchemas, SpecUnavailableError } from './sync.ts';

const GENERATED = join(SCHEMA_DIR, 'generated');

/** A root type "Types" with one required property per definition gives a name → type map. */
async function generate(rev: Revision): Promise<string> {
  const { defs, defsKey } = loadSchema(rev);
  const names = Object.keys(defs).sort();
  const root = {
    title: 'Types',
    type: 'object',
    additionalProperties: false,
    required: names,
    properties: Object.fromEntries(names.map((n) => [n, { $ref: `#/${defsKey}/${n}` }])),
    [defsKey]: defs,
  };
  const ts = await compile(root as never, 'Types', {
    bannerComment: `/* Generated from the official MCP schema ${rev} by schema/build.ts. Do not edit. */`,
    additionalProperties: false,
    strictIndexSignatures: false,
    unknownAny: true,
    format: false,
  });
  return ts;
}

async function main(): Promise<void> {
  try {
    await syncSchemas(REVISIONS);
  } catch (err) {
    if (err instanceof SpecUnavailableError) {
      console.error(`mcp-conform: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  mkdirSync(GENERATED, { recursive: true });
  // Regenerate only when the inputs changed: the stamp holds the hash of schema + generator.
  const generator = sha256(readFileSync(new URL(import.meta.url)) + readFileSync(join(SCHEMA_DIR, 'patches.ts'), 'utf8'));
  for (const rev of REVISIONS) {
    const out = join(GENERATED, `${rev}.d.ts`);
    const stampFile = join(GENERATED, `${rev}.stamp`);
    const stamp = sha256(JSON.stringify(loadSchema(rev).doc) + generator);
    if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) continue;
    writeFileSync(out, await generate(rev));
    writeFileSync(stampFile, stamp);
    console.error(`mcp-conform: generated schema/generated/${rev}.d.ts`);
  }
  mkdirSync(dirname(precompiledPath(REVISIONS[0])), { recursive: true });
  for (const rev of REVISIONS) {
    if (precompiledCurrent(rev)) continue;
    writeFileSync(precompiledPath(rev), standaloneValidators(rev));
    console.error(`mcp-conform: generated schema/generated/validators/${rev}.cjs`);
  }
}

await main();
