// `npm pack` / `npm publish` steps (development only, not in the package).
//   prepack:  bundles the pinned official schemas into schema/bundled/<rev>/schema.json (the
//             upstream files byte for byte, sha256-checked against schema/manifest.json) and compiles
//             the runtime rooms to JavaScript next to their sources (tsconfig.build.json), so the
//             installed package works offline and without a TypeScript loader.
//   postpack: removes both again, leaving the checkout as it was.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT, REVISIONS, revisionInfo, syncSchemas, SpecUnavailableError } from '../schema/index.ts';
import { BUNDLED_DIR, sha256 } from '../schema/sync.ts';

/** The folders compiled into the package (tsconfig.build.json's include). */
const ROOMS = ['cli', 'schema', 'suites', 'mock-server', 'reports'];

/** Removes the compiled twin (x.js) of every x.ts source; nothing else. */
function cleanCompiled(): number {
  let removed = 0;
  for (const room of ROOMS) {
    const dir = join(PROJECT_ROOT, room);
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!f.endsWith('.ts') || f.endsWith('.d.ts') || f.startsWith('.cache')) continue;
      const js = join(dir, `${f.slice(0, -3)}.js`);
      if (existsSync(js)) {
        rmSync(js);
        removed++;
      }
    }
  }
  return removed;
}

async function bundleSchemas(): Promise<void> {
  rmSync(BUNDLED_DIR, { recursive: true, force: true });
  let files: Record<string, string>;
  try {
    files = await syncSchemas(REVISIONS);
  } catch (err) {
    if (err instanceof SpecUnavailableError) {
      console.error(`pack: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  for (const rev of REVISIONS) {
    const target = join(BUNDLED_DIR, rev, 'schema.json');
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(files[rev] as string, target);
    // The copy itself is checked: what ships is exactly what the manifest pins.
    const got = sha256(readFileSync(target));
    if (got !== revisionInfo(rev).sha256) {
      console.error(`pack: schema/bundled/${rev}/schema.json has sha256 ${got}, the manifest pins ${revisionInfo(rev).sha256}`);
      process.exit(1);
    }
  }
  console.error(`pack: bundled ${REVISIONS.length} official schemas (sha256-verified) in schema/bundled/`);
}

function compile(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  // MCP_CONFORM_PACK_NO_CHECK=1 emits without type-checking (the same JavaScript, in a third of the
  // time): for test/cli/pack.test.ts, which runs inside `npm test`, whose first step is the type check.
  const noCheck = process.env.MCP_CONFORM_PACK_NO_CHECK === '1' ? ['--noCheck'] : [];
  const r = spawnSync(process.execPath, [tsc, '-p', join(PROJECT_ROOT, 'tsconfig.build.json'), ...noCheck], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('pack: tsc -p tsconfig.build.json failed');
    cleanCompiled();
    process.exit(1);
  }
  console.error('pack: compiled cli, schema, suites, mock-server and reports to JavaScript');
}

const step = process.argv[2];
if (step === 'prepack') {
  cleanCompiled(); // a stale .js of a deleted or renamed source must not ship
  await bundleSchemas();
  compile();
} else if (step === 'postpack') {
  const n = cleanCompiled();
  rmSync(BUNDLED_DIR, { recursive: true, force: true });
  console.error(`pack: removed ${n} compiled files and schema/bundled/`);
} else {
  console.error('usage: node bin/run.js bin/pack.ts prepack|postpack');
  process.exit(2);
}
