// The `mcp-conform` command. Each subcommand lives in its own file and registers itself here.
import { Command, CommanderError } from 'commander';
import { registerValidate } from './validate.ts';
import { registerSync } from './sync.ts';
import { registerMock } from './mock.ts';
import { registerServer } from './server.ts';
import { registerClient } from './client.ts';
import { registerFuzz } from './fuzz.ts';
import { registerCoverage } from './coverage.ts';
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
  .exitOverride();

registerValidate(program);
registerSync(program);
registerMock(program);
registerServer(program);
registerClient(program);
registerFuzz(program);
registerCoverage(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; usage errors exit 2 (commander already printed the message).
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    console.error(`mcp-conform: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  }
}
