// `mcp-conform coverage`: per spec page, the normative statements and the checks that prove them
// (suites/coverage/), and the check lists behind `server --list` and `client --list --checks`.
import type { Command } from 'commander';
import { parseRevisionList, REVISIONS, specUrl, type Revision } from '../schema/index.ts';
import type { CheckMeta } from '../reports/index.ts';
import { UsageError, interruptible } from './common.ts';

/** Every check of one side (or both), in definition order. Imports the suites; runs nothing. */
export async function loadChecks(side?: 'server' | 'client'): Promise<CheckMeta[]> {
  const harness = await import('../suites/harness/index.ts');
  if (side !== 'client') await harness.loadServerChecks((await import('../suites/server/index.ts')).SERVER_SUITE_MODULES);
  if (side !== 'server') await import('../suites/client/index.ts');
  // The authorization-server checks are server-side checks of another peer: counted by coverage, not listed by `server --list`.
  if (side === undefined) await import('../suites/auth-server/index.ts');
  return harness
    .definedChecks()
    .map((d) => d.meta)
    .filter((m) => !side || m.side === side);
}

/** One line per check: id, level, revisions, and the spec link at the newest revision it applies to. */
export function checkList(checks: readonly CheckMeta[]): string {
  const w = Math.max(...checks.map((c) => c.id.length));
  const lines = checks.map((c) => {
    const newest = [...c.revisions].sort().at(-1) as Revision;
    const page = c.spec[newest];
    return `${c.id.padEnd(w)}  ${c.level.padEnd(6)}  ${c.revisions.join(',')}  ${page ? specUrl(newest, page) : '(no spec page)'}`;
  });
  return `${lines.join('\n')}\n`;
}

export interface CoverageOptions {
  revision: string;
  format: string;
  statements?: boolean;
}

export async function runCoverage(o: CoverageOptions, out: NodeJS.WritableStream): Promise<number> {
  let revs: Revision[];
  try {
    revs = parseRevisionList(o.revision);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (o.format !== 'md' && o.format !== 'json') throw new UsageError(`--format must be md or json, not "${o.format}"`);
  const cov = await import('../suites/coverage/index.ts');
  const checks = await loadChecks();
  const data = { proves: cov.loadProves(), exempt: cov.loadExemptions() };
  const results = revs.map((r) => cov.revisionCoverage(r, checks, data));
  out.write(o.format === 'json' ? cov.coverageJson(results) : cov.coverageMarkdown(results, { statements: o.statements ?? false }));
  return 0;
}

export function registerCoverage(program: Command): void {
  program
    .command('coverage')
    .description('list the normative statements (MUST, SHOULD, …) of each spec page and the checks that prove them, or why none does')
    .option('-r, --revision <rev>', `revision(s), comma-separated (${REVISIONS.join(', ')}), or all`, 'all')
    .option('--format <fmt>', 'md (per-page counts; with --statements every statement too) or json (everything)', 'md')
    .option('--statements', 'md: also list every statement with its id and the checks that prove it')
    .addHelpText(
      'after',
      '\nThe statements are read from the spec pages ($MCP_SPEC_DIR or ../shared/mcp-spec: <revision>/docs/**/*.mdx).\n' +
        'A statement is "checked" when a check applying at that revision proves it (suites/coverage/proves.json), else it\n' +
        'carries a reason from suites/coverage/exempt.json (not observable on the wire, covered by schema/valid-messages),\n' +
        'else it is "not yet". covered = (checked + schema) / statements observable on the wire.\n' +
        'Examples:\n  mcp-conform coverage --revision 2025-11-25\n  mcp-conform coverage --revision 2026-07-28 --statements\n  mcp-conform coverage --format json > coverage.json',
    )
    .action(async (o: CoverageOptions, cmd: Command) => {
      await interruptible(cmd, (io) => runCoverage(o, io.out));
    });
}
