// Writing reports to disk. Every file is written to a temporary name and renamed into place, so a
// reader (or a killed run) never sees half a results.json.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderHtml } from './html.ts';
import { renderJUnit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { Results } from './model.ts';
import { renderOfficialChecks } from './official.ts';
import { renderSummary } from './summary.ts';

export type ReportFormat = 'json' | 'summary' | 'junit' | 'markdown' | 'html' | 'official';

export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'summary', 'junit', 'markdown', 'html', 'official'];

/** The file each format is written to, inside the output folder. */
export const FORMAT_FILES: Readonly<Record<ReportFormat, string>> = {
  json: 'results.json',
  summary: 'summary.txt',
  junit: 'junit.xml',
  markdown: 'report.md',
  html: 'report.html',
  official: 'checks.json',
};

export function renderResultsJson(results: Results): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

const RENDER: Readonly<Record<ReportFormat, (r: Results) => string>> = {
  json: renderResultsJson,
  summary: (r) => renderSummary(r, { color: false }),
  junit: renderJUnit,
  markdown: (r) => renderMarkdown(r),
  html: (r) => renderHtml(r),
  official: renderOfficialChecks,
};

/** Writes `text` to `file` atomically (temporary file in the same folder, then rename). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes `outDir/results.json`; returns its path. */
export async function writeResults(results: Results, outDir: string): Promise<string> {
  const [path] = await writeAll(results, outDir, ['json']);
  return path as string;
}

/** Writes the given formats into `outDir` (created if missing); returns the paths written. */
export async function writeAll(results: Results, outDir: string, formats: readonly ReportFormat[] = REPORT_FORMATS): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const paths: string[] = [];
  for (const format of [...new Set(formats)]) {
    const render = RENDER[format];
    if (!render) throw new Error(`unknown report format "${String(format)}" (known: ${REPORT_FORMATS.join(', ')})`);
    const path = join(outDir, FORMAT_FILES[format]);
    await writeFileAtomic(path, render(results));
    paths.push(path);
  }
  return paths;
}
