// `mcp-conform coverage`, `server --list` and `client --list --checks` end to end.
import { describe, expect, it } from 'vitest';
import { REVISIONS } from '../../schema/index.ts';
import { specDocsDir } from '../../schema/statements.ts';
import { cli } from '../helpers/cli.ts';


/** `id  LEVEL  revs  url` lines. */
const LINE = /^([a-z0-9-]+\/[a-z0-9-]+) +(MUST|SHOULD|MAY) +((?:\d{4}-\d{2}-\d{2},?)+) +(https:\/\/modelcontextprotocol\.io\/specification\/\d{4}-\d{2}-\d{2}\/\S+)$/;

describe('check lists', () => {
  it('server --list prints every server check with level, revisions and spec link, and needs no target', async () => {
    const r = await cli(['server', '--list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(100);
    for (const l of lines) expect(l).toMatch(LINE);
    expect(r.stdout).toMatch(/^ping\/response +MUST +2024-11-05,2025-03-26,2025-06-18,2025-11-25 +https:\/\/modelcontextprotocol\.io\/specification\/2025-11-25\/basic\/utilities\/ping#behavior-requirements$/m);
    expect(r.stdout).not.toContain('client-lifecycle/');
  }, 120_000);

  it('client --list --checks prints the client checks; --list alone still the scenarios', async () => {
    const [checks, scenarios] = await Promise.all([cli(['client', '--list', '--checks']), cli(['client', '--list'])]);
    expect(checks.code).toBe(0);
    const lines = checks.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(50);
    for (const l of lines) expect(l).toMatch(LINE);
    expect(lines.every((l) => l.startsWith('client-'))).toBe(true);
    expect(checks.stdout).toMatch(/^client-lifecycle\/initialize-first +MUST /m);
    expect(scenarios.stdout).toMatch(/^tools_call\n/m);
  }, 120_000);
});

// The statements are read from the pinned spec pages (../shared/mcp-spec or $MCP_SPEC_DIR); skipped only
// where neither is present (an installed package): there is nothing to read statements from.
describe.skipIf(!REVISIONS.every((r) => specDocsDir(r)))('mcp-conform coverage', () => {
  it('md: per-page counts with a total per revision', async () => {
    const r = await cli(['coverage', '--revision', '2025-11-25,2026-07-28']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('## 2025-11-25');
    expect(r.stdout).toContain('## 2026-07-28');
    expect(r.stdout).not.toContain('## 2025-06-18');
    expect(r.stdout).toContain('| page | statements | checked | schema | not observable | not yet | covered |');
    expect(r.stdout).toMatch(/^\| server\/tools \| \d+ \| [1-9]\d* \| \d+ \| \d+ \| \d+ \| [\d.]+% \|$/m);
    expect(r.stdout.match(/^\| \*\*total\*\* \|/gm)).toHaveLength(2);
  }, 120_000);

  it('--statements lists each statement with its id and provers; json carries everything', async () => {
    const [md, json] = await Promise.all([cli(['coverage', '--revision', '2025-11-25', '--statements']), cli(['coverage', '--revision', '2025-11-25', '--format', 'json'])]);
    expect(md.stdout).toMatch(/^- `basic\/utilities\/ping#behavior-requirements:[0-9a-f]{8}` \*\*MUST\*\* The receiver MUST respond promptly with an empty response: — .*ping\/response/m);
    expect(md.stdout).toMatch(/ — not yet$/m);
    const data = JSON.parse(json.stdout) as { revision: string; total: { statements: number }; statements: { id: string; status: string; checks: string[] }[] }[];
    expect(data.map((d) => d.revision)).toEqual(['2025-11-25']);
    const [rc] = data;
    expect(rc!.statements).toHaveLength(rc!.total.statements);
    expect(new Set(rc!.statements.map((s) => s.status))).toEqual(new Set(['checked', 'not yet', 'not observable on the wire', 'covered by schema/valid-messages']));
    expect(rc!.statements.find((s) => s.checks.includes('messages/response-id'))?.id).toMatch(/^basic#result-responses:/);
  }, 120_000);

  it('usage errors exit 2', async () => {
    const [rev, fmt] = await Promise.all([cli(['coverage', '--revision', '1999-01-01']), cli(['coverage', '--format', 'html'])]);
    expect(rev.code).toBe(2);
    expect(rev.stderr).toContain('unknown revision "1999-01-01"');
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toContain('--format must be md or json');
  }, 120_000);
});
