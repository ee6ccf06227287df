// The `mcp-conform` command. Each subcommand lives in its own file and registers itself here.
import { Command, CommanderError } from 'commander';
import { parseRevisionList, REVISIONS, resolveSchemaFileSync, SpecUnavailableError, specUnavailableLine } from '../schema/index.ts';
import { registerValidate } from './validate.ts';
import { registerSync } from './sync.ts';
import { registerMock } from './mock.ts';
import { registerServer } from './server.ts';
import { registerClient } from './client.ts';
import { registerFuzz } from './fuzz.ts';
import { registerCoverage } from './coverage.ts';
import { registerReport } from './report.ts';
import { registerMatrix } from './matrix.ts';
import { registerAuthServer } from './auth-server.ts';
import { VERSION } from './version.ts';

// `mcp-conform … | head`: a reader that goes away is not an error of ours. (A run still writes
// its files and kills its children; only the terminal output stops.)
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

const program = new Command();
program
  .name('mcp-conform')
  .description('Conformance tests, fuzzing and a scriptable mock peer for the Model Context Protocol')
  .version(VERSION, '-V, --version')
  .showHelpAfterError()
  // Options after a command are that command's (`report merge … --out X` is merge's --out).
  .enablePositionalOptions()
  .exitOverride();

// Every command but sync needs the official schemas: find them before anything starts (a server
// child, a vitest worker), so a broken install is one line here rather than a crash over there.
let syncing = false;
program.hook('preAction', (_program, action) => {
  syncing = action.name() === 'sync';
  if (syncing) return;
  const asked: unknown = action.opts().revision;
  let revs: readonly (typeof REVISIONS)[number][] = REVISIONS;
  try {
    if (typeof asked === 'string' && asked !== 'all' && asked !== 'auto') revs = parseRevisionList(asked);
  } catch {
    // the command reports a bad --revision itself
  }
  for (const rev of revs) resolveSchemaFileSync(rev);
});

registerValidate(program);
registerSync(program);
registerMock(program);
registerServer(program);
registerClient(program);
registerAuthServer(program);
registerFuzz(program);
registerCoverage(program);
registerReport(program);
registerMatrix(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; usage errors exit 2 (commander already printed the message).
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof SpecUnavailableError && !syncing) {
    console.error(`mcp-conform: ${specUnavailableLine(err)}`);
    process.exitCode = 2;
  } else {
    console.error(`mcp-conform: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  }
}
