import type { Command } from 'commander';
import { REVISIONS, syncSchemas } from '../schema/index.ts';

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('fill the schema cache from MCP_SPEC_DIR, ../shared/mcp-spec or the pinned download (sha256-verified)')
    .option('--offline', 'never download')
    .action(async (opts: { offline?: boolean }) => {
      const files = await syncSchemas(REVISIONS, { download: !opts.offline });
      for (const [rev, file] of Object.entries(files)) console.log(`${rev}  ${file}`);
    });
}
