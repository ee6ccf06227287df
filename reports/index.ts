// The public module of reports/: the results model, the vitest reporter and every writer.
import './vitest-meta.ts';

export * from './model.ts';
export type { CheckHint } from './vitest-meta.ts';
export { validateResults, validateCheckResult, RESULTS_SCHEMA } from './schema.ts';
export { areaOf, checkLabel, checkKey, compareChecks, sortChecks, groupByArea, evidenceText } from './common.ts';
export { shouldColor } from './color.ts';
export { ConformReporter, collectChecks, convertTestCase, idFromName, type ConformReporterOptions, type ProgressStream } from './vitest-reporter.ts';
export { renderSummary, printSummary, progressLine, countsText, type SummaryOptions } from './summary.ts';
export { renderJUnit, escapeXmlText, escapeXmlAttr } from './junit.ts';
export { renderMarkdown, type MarkdownOptions } from './markdown.ts';
export { renderHtml, renderMatrix, type HtmlOptions } from './html.ts';
export { toOfficialChecks, toOfficialCheck, renderOfficialChecks, OFFICIAL_STATUS, type OfficialCheck, type OfficialStatus, type OfficialSpecReference } from './official.ts';
export { loadBaseline, parseBaseline, applyBaseline, renderBaseline, REASON_PLACEHOLDER, entryMatches, globToRegExp, BaselineError, type Baseline, type BaselineEntry, type BaselineApplied, type ApplyBaselineOptions } from './baseline.ts';
export { writeAll, writeResults, writeFileAtomic, renderResultsJson, FORMAT_FILES, REPORT_FORMATS, type ReportFormat } from './write.ts';
export { LiveProgress, progressFor, REPORTER_KINDS, type ReporterKind, type TerminalStream, type LiveProgressOptions } from './progress.ts';
export { buildMatrix, mergeMatrices, isMatrix, matrixFails, matrixTarget, passRate, renderMatrixHtml, renderMatrixMarkdown, renderMatrixJson, renderMatrixSummary, MATRIX_FORMAT, MATRIX_FORMAT_VERSION, type Matrix, type MatrixCell, type MatrixCheck, type MatrixRun, type MatrixStatus, type MatrixTarget } from './matrix.ts';
