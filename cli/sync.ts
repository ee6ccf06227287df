import type { Command } from 'commander';
import { REVISIONS, syncSchemas } from '../schema/index.ts';

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('find every revision\'s official schema (MCP_SPEC_DIR, the copy bundled in the package, the cache), else fill the cache from ../shared/mcp-spec or the pinned download; all sha256-verified')
    .option('--offline', 'never download')
    .action(async (opts: { offline?: boolean }) => {
      const files = await syncSchemas(REVISIONS, { download: !opts.offline });
      for (const [rev, file] of Object.entries(files)) console.log(`${rev}  ${file}`);
    });
}
