// suites/coverage: the statements each check proves (proves.json) and why the others are unproved
// (exempt.json). The mapping must name statements that exist in the pinned spec: a spec update
// that rewords or drops a sentence fails here until the mapping follows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, REVISIONS, type Revision } from '../../schema/index.ts';
import { extractStatements, loadStatements, specDocsDir, type Statement } from '../../schema/statements.ts';
import { coverageJson, coverageMarkdown, loadExemptions, loadProves, mappingProblems, revisionCoverage } from '../../suites/coverage/index.ts';
import type { CheckMeta } from '../../reports/model.ts';
import { loadChecks } from '../../cli/coverage.ts';

const PAGE = `## Requests

Requests **MUST** include an ID. Receivers **SHOULD** log requests for audit.

## Errors

Error codes **MUST** be integers. Servers **SHOULD** answer unknown methods with -32601.
`;
const STMTS = extractStatements(PAGE, 'basic', '2025-11-25');
const id = (text: string) => STMTS.find((s) => s.text.startsWith(text))!.id;
const meta = (cid: string, revisions: Revision[] = ['2025-11-25']): CheckMeta => ({ id: cid, title: cid, level: 'MUST', requirement: 'x MUST y', spec: {}, revisions, side: 'server' });
const statementsOf = (r: Revision): Statement[] => (r === '2025-11-25' ? STMTS : []);

describe('mapping problems (each way)', () => {
  const checks = [meta('messages/id'), meta('messages/unknown')];
  const good = { proves: { 'messages/id': [id('Requests MUST')], 'messages/unknown': [] }, exempt: { [id('Receivers SHOULD')]: 'not observable on the wire' as const } };

  it('a mapping naming existing statements has none', () => {
    expect(mappingProblems(checks, good, statementsOf)).toEqual([]);
  });

  it('a check proving a statement missing from its revisions fails', () => {
    const stale = { ...good, proves: { ...good.proves, 'messages/unknown': ['basic#errors:00000000'] } };
    expect(mappingProblems(checks, stale, statementsOf)).toEqual([expect.stringContaining('messages/unknown proves basic#errors:00000000, which is in none of its revisions')]);
    // A statement of another revision is missing too.
    const elsewhere = [meta('messages/id', ['2025-06-18']), checks[1]!];
    expect(mappingProblems(elsewhere, good, statementsOf)).toEqual([expect.stringContaining('messages/id proves')]);
  });

  it('an exemption naming a missing statement, an unknown reason, a check without an entry and an unknown check fail', () => {
    const bad = { proves: { 'messages/id': [], 'messages/gone': [] }, exempt: { 'basic#requests:00000000': 'not observable on the wire' as const, [id('Error codes')]: 'later' as never } };
    const p = mappingProblems(checks, bad, statementsOf);
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringContaining('messages/unknown: no entry'),
        expect.stringContaining('names check messages/gone'),
        expect.stringContaining('basic#requests:00000000, which is in no revision'),
        expect.stringContaining('has reason "later"'),
      ]),
    );
  });

  it('coverage: checked at the revisions a check applies to, exempt by reason, else not yet; % over observable statements', () => {
    const rc = revisionCoverage('2025-11-25', checks, good, STMTS);
    const status = Object.fromEntries(rc.statements.map((s) => [s.text.split(' ')[0], s.status]));
    expect(status).toEqual({ Requests: 'checked', Receivers: 'not observable on the wire', Error: 'not yet', Servers: 'not yet' });
    expect(rc.total).toMatchObject({ statements: 4, checked: 1, notObservable: 1, notYet: 2, percent: 33.3 });
    expect(rc.pages.map((p) => p.page)).toEqual(['basic']);
    expect(rc.unmappedChecks).toEqual(['messages/unknown']);
    // The same data at a revision the check does not apply to proves nothing.
    expect(revisionCoverage('2025-06-18', checks, good, STMTS).total.checked).toBe(0);
    expect(coverageMarkdown([rc])).toContain('| basic | 4 | 1 | 0 | 1 | 2 | 33.3% |');
    expect(coverageMarkdown([rc], { statements: true })).toContain(`\`${id('Requests MUST')}\` **MUST** Requests MUST include an ID. — messages/id`);
    expect(JSON.parse(coverageJson([rc]))[0].statements[0]).toMatchObject({ status: 'checked', checks: ['messages/id'] });
  });
});

// The pinned spec pages live in ../shared/mcp-spec (or $MCP_SPEC_DIR); elsewhere there is nothing to read.
describe.skipIf(!REVISIONS.every((r) => specDocsDir(r)))('the committed mapping', () => {
  it('names only statements of the pinned spec, and every check has an entry', async () => {
    const checks = await loadChecks();
    expect(checks.length).toBeGreaterThan(200);
    const problems = mappingProblems(checks, { proves: loadProves(), exempt: loadExemptions() }, (r) => loadStatements(r));
    expect(problems).toEqual([]);
  });

  it('proves statements at every revision (a sanity floor: a parser change that renames every id fails here, not a target)', async () => {
    const checks = await loadChecks();
    const data = { proves: loadProves(), exempt: loadExemptions() };
    for (const r of REVISIONS) expect(revisionCoverage(r, checks, data).total.checked, r).toBeGreaterThan(40);
  });

  // The README shows the output of `mcp-conform coverage` (headings two levels down): it must stay true.
  it('the README shows the current coverage counts, and its parity table names existing checks', async () => {
    const checks = await loadChecks();
    const data = { proves: loadProves(), exempt: loadExemptions() };
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const stale = REVISIONS.filter((r) => !readme.includes(coverageMarkdown([revisionCoverage(r, checks, data)]).replace(/^## /gm, '#### ')));
    expect(stale, 'README Coverage section is stale for these revisions: paste the output of `mcp-conform coverage` (## → ####)').toEqual([]);
    const parity = readme.slice(readme.indexOf('### Parity with the official'), readme.indexOf('## The official schema'));
    const cited = [...parity.matchAll(/`([a-z0-9-]+\/[a-z0-9-]+)`/g)].map((m) => m[1]!);
    expect(cited.length).toBeGreaterThan(50);
    const ids = new Set(checks.map((c) => c.id));
    expect(cited.filter((c) => !ids.has(c))).toEqual([]);
  });
});
