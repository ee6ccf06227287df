// Metadata of the server-feature checks: every cited page and anchor exists in that revision's
// spec (anchors derived from the headings), levels match the requirement's keywords, and the
// revisions a check claims are ones the harness can open sessions at.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PROJECT_ROOT, REVISIONS, type Revision } from '../../schema/index.ts';
import { definedChecks } from '../../suites/harness/index.ts';
import '../../suites/server/tools.ts';
import '../../suites/server/resources.ts';
import '../../suites/server/prompts.ts';
import '../../suites/server/completion.ts';
import '../../suites/server/logging.ts';
import '../../suites/server/pagination.ts';
import '../../suites/server/tasks/_index.ts';
import '../../suites/server/server-requests.ts';
import { FEATURE_AREAS } from './feature-helpers.ts';

const SPEC = process.env.MCP_SPEC_DIR ?? join(PROJECT_ROOT, '..', 'shared', 'mcp-spec');
const defs = definedChecks().filter((d) => FEATURE_AREAS.includes(d.meta.id.split('/')[0] as string));

/** Heading → anchor, the way the spec site derives them. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');

function anchors(rev: Revision, page: string): Set<string> | undefined {
  const file = join(SPEC, rev, 'docs', `${page === 'basic' ? 'basic/index' : page}.mdx`);
  if (!existsSync(file)) return undefined;
  const headings = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /^#{2,6} /.test(l))
    .map((l) => slug(l.replace(/^#+ /, '').trim()));
  return new Set(headings);
}

// Reads the spec pages in ../shared/mcp-spec (CI has them beside the clone); elsewhere there is nothing to read.
describe.skipIf(!existsSync(SPEC))('spec citations', () => {
  test.each(defs.map((d) => [d.meta.id, d] as const))('%s cites existing pages and anchors', (_id, d) => {
    for (const [rev, ref] of Object.entries(d.meta.spec) as [Revision, string][]) {
      const [page, anchor] = ref.split('#') as [string, string | undefined];
      const found = anchors(rev, page);
      expect(found, `${rev}: page ${page}`).toBeDefined();
      if (anchor) expect([...(found ?? [])], `${rev}: ${ref}`).toContain(anchor);
    }
  });
});

test('ids are unique, levels agree with the keywords of the requirements, revisions are known ones', () => {
  const ids = defs.map((d) => d.meta.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const d of defs) {
    expect(d.meta.revisions.length, d.meta.id).toBeGreaterThan(0);
    for (const r of d.meta.revisions) expect(REVISIONS, d.meta.id).toContain(r);
    expect(d.meta.requirement.length, d.meta.id).toBeGreaterThan(20);
    // The level follows the keyword the requirement quotes: no MUST check resting on a SHOULD alone, and the reverse.
    const must = /\bMUST\b/.test(d.meta.requirement);
    const should = /\bSHOULD\b/.test(d.meta.requirement);
    if (d.meta.level === 'MUST') expect(should && !must, `${d.meta.id} is MUST but quotes only SHOULD`).toBe(false);
    if (d.meta.level === 'SHOULD') expect(must && !should, `${d.meta.id} is SHOULD but quotes only MUST`).toBe(false);
  }
});
