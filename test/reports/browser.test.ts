// The HTML reports in a real browser (issue 18): the single-run report and the matrix, opened from
// disk in headless Chromium (the Debian package, driven by playwright-core: no browser download).
// Each renders with no console error and no request but its own file; the filters by verdict,
// level and revision (checkboxes and CSS, no script) hide and show what they say; a failing check
// folds open to its requirement, message and wire excerpt. Screenshots go to test-artifacts/.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../schema/index.ts';
import { isMatrix, renderHtml, renderMatrixHtml } from '../../reports/index.ts';
import { sampleResults } from './sample.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts');
const tmp = mkdtempSync(join(tmpdir(), 'mcp-conform-browser-'));
let browser: Browser | undefined;

interface Opened {
  page: Page;
  /** Console errors and warnings, uncaught page errors, dialogs (an alert() would be a script run). */
  problems: string[];
  /** Every URL the page requested. */
  requests: string[];
  url: string;
}

async function open(name: string, html: string): Promise<Opened> {
  const file = join(tmp, name);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  return { page, problems, requests, url };
}

/** The ids of the check rows shown. */
const shownRows = (page: Page) => page.locator('tr.row:visible th.check code').allTextContents();
const toggle = (page: Page, id: string) => page.locator(`#${id}`).click({ timeout: 10_000 });

// Skipped only where the Debian package chromium is not installed (.ci/run installs it).
describe.skipIf(!existsSync(CHROMIUM))(`the HTML reports in headless Chromium (${CHROMIUM})`, () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000 });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  it('the single-run report: renders offline without errors; filters by verdict, level and revision; a failure folds open to its evidence', async () => {
    // The sample run: a failure with wire evidence (and text that must stay text), a warning, a
    // pass at two revisions, not applicable, not verified, and a revision-independent MAY.
    const { page, problems, requests, url } = await open('report.html', renderHtml(sampleResults()));
    try {
      expect(await page.title()).toBe('mcp-conform: node my-server.js');
      const all = ['lifecycle/initialize-result', 'lifecycle/version-negotiation', 'logging/set-level', 'tools/call-unknown-tool', 'tools/list-changed', 'tools/list-pagination'];
      expect(await shownRows(page)).toEqual(all);
      await expect.poll(() => page.locator('fieldset.filters').isVisible()).toBe(true);

      // Verdict: failures only, then failures and warnings.
      for (const v of ['warn', 'not-verified', 'info', 'not-applicable', 'pass']) await toggle(page, `f-v-${v}`);
      expect(await shownRows(page)).toEqual(['lifecycle/version-negotiation']);
      await toggle(page, 'f-v-warn');
      expect(await shownRows(page)).toEqual(['lifecycle/version-negotiation', 'tools/call-unknown-tool']);
      // Level: SHOULD unchecked hides the warning's row (a SHOULD), not the failure (a MUST).
      await toggle(page, 'f-l-SHOULD');
      expect(await shownRows(page)).toEqual(['lifecycle/version-negotiation']);
      await toggle(page, 'f-l-SHOULD');
      for (const v of ['not-verified', 'info', 'not-applicable', 'pass']) await toggle(page, `f-v-${v}`);
      expect(await shownRows(page)).toEqual(all);

      // Revision: without 2025-11-25 its column goes, and so do the rows that only ran there.
      await toggle(page, 'f-r-2025-11-25');
      expect(await shownRows(page)).toEqual(['lifecycle/initialize-result', 'logging/set-level']);
      expect(await page.locator('thead th:visible').allTextContents()).toEqual(['check', 'any revision', '2025-06-18']);
      // Verdict and revision together: a pass at 2025-06-18 is hidden once passes are.
      await toggle(page, 'f-v-pass');
      expect(await shownRows(page)).toEqual(['logging/set-level']);
      await toggle(page, 'f-v-pass');
      await toggle(page, 'f-r-2025-11-25');
      expect(await shownRows(page)).toEqual(all);

      // The failure folds open to the requirement, the message (markup in it is text) and the wire excerpt.
      const fail = page.locator('td.v-fail');
      await expect.poll(() => fail.locator('blockquote').isVisible()).toBe(false);
      await fail.locator('summary').click({ timeout: 10_000 });
      await expect.poll(() => fail.locator('blockquote').isVisible()).toBe(true);
      expect(await fail.locator('blockquote').textContent()).toBe('MUST: Requirement of lifecycle/version-negotiation.');
      expect(await fail.locator('p.msg').textContent()).toContain('server answered <script>alert("x")</script>');
      const wire = (await fail.locator('pre').textContent()) ?? '';
      expect(wire).toContain('→ sent at +0ms');
      expect(wire).toContain('"protocolVersion": "1999-01-01"');
      expect(wire).toContain('not json </pre><script>x</script>');
      expect(await fail.locator('pre').isVisible()).toBe(true);

      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true, timeout: 30_000 });
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('the matrix (from a matrix.json): renders offline without errors; filters by verdict, level and revision', async () => {
    const m: unknown = JSON.parse(readFileSync(join(PROJECT_ROOT, 'test/reports/fixtures/matrix.json'), 'utf8'));
    if (!isMatrix(m)) throw new Error('test/reports/fixtures/matrix.json is not a matrix');
    const { page, problems, requests, url } = await open('matrix.html', renderMatrixHtml(m));
    try {
      expect(await page.title()).toBe('mcp-conform compatibility matrix (3 targets)');
      const all = ['lifecycle/initialize-result', 'logging/set-level', 'resources/list', 'tools/call-unknown-tool', 'tools/list'];
      expect(await shownRows(page)).toEqual(all);
      // alpha's tools/list: a pass at 2025-06-18, a failure at 2025-11-25; the crashed target is a row of its own.
      expect(await page.locator('tr.row', { hasText: 'tools/list' }).locator('td').first().textContent()).toMatch(/^✓✗log$/);
      await expect.poll(() => page.getByText('CRASHED: process exited (code 1) before it answered').isVisible()).toBe(true);

      for (const v of ['warn', 'info', 'not-applicable', 'pass']) await toggle(page, `f-v-${v}`);
      expect(await shownRows(page)).toEqual(['tools/list']);
      // The failure was at 2025-11-25: without that revision nothing failed.
      await toggle(page, 'f-r-2025-11-25');
      expect(await shownRows(page)).toEqual([]);
      await toggle(page, 'f-v-pass');
      expect(await shownRows(page)).toEqual(['lifecycle/initialize-result', 'tools/list']);
      // Its glyphs and its pass-rate column go with it.
      expect(await page.locator('tr.row', { hasText: 'tools/list' }).locator('td').first().locator('[data-v]:visible').allTextContents()).toEqual(['✓']);
      expect(await page.locator('table').first().locator('thead th:visible').allTextContents()).toEqual(['target', 'status', 'any', '2025-06-18', 'links']);
      await toggle(page, 'f-r-2025-11-25');
      for (const v of ['warn', 'info', 'not-applicable']) await toggle(page, `f-v-${v}`);
      expect(await shownRows(page)).toEqual(all);
      // Level: MAY unchecked hides logging/set-level (a MAY, info).
      await toggle(page, 'f-l-MAY');
      expect(await shownRows(page)).toEqual(all.filter((id) => id !== 'logging/set-level'));

      await page.screenshot({ path: join(ARTIFACTS, 'matrix.png'), fullPage: true, timeout: 30_000 });
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
