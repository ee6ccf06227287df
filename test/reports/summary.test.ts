import { describe, expect, it } from 'vitest';
import { printSummary, progressLine, renderSummary, shouldColor } from '../../reports/index.ts';
import { check, sampleResults } from './sample.ts';

describe('renderSummary', () => {
  const text = renderSummary(sampleResults());
  const lines = text.split('\n');

  it('groups counts by area', () => {
    expect(lines).toContain('  lifecycle  2 passed, 1 failed');
    expect(lines).toContain('  logging    1 info');
    expect(lines).toContain('  tools      1 warning, 1 not applicable, 1 not verified');
  });

  it('lists every fail and warn with id, revision, level, reason and spec URL', () => {
    const i = lines.findIndex((l) => l.includes('tools/call-unknown-tool'));
    expect(lines[i]).toBe('    ! tools/call-unknown-tool [2025-11-25] SHOULD — reason for tools/call-unknown-tool');
    expect(lines[i + 1]).toBe('        https://modelcontextprotocol.io/specification/2025-11-25/tools#x');
    expect(lines.some((l) => l.startsWith('    ✗ lifecycle/version-negotiation [2025-11-25] MUST — server answered'))).toBe(true);
    expect(text).not.toContain('tools/list-changed'); // not-verified is counted, not listed
  });

  it('never passes control characters from a peer through to the terminal', () => {
    const t = renderSummary(sampleResults({ checks: [check('a/b', 'fail', { message: 'evil \u001b[2J\u0007 text' })] }));
    expect(t).toContain('evil \\u001b[2J\\u0007 text');
    expect(t).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/);
  });

  it('ends with totals, then host verdicts', () => {
    const tail = text.trimEnd().split('\n').slice(-4);
    expect(tail).toEqual([
      '7 checks in 2.5 s: 2 passed, 1 failed, 1 warning, 1 info, 1 not applicable, 1 not verified',
      '',
      '✓ works with Claude Code',
      '✗ does not work with Claude.ai because initialize fails',
    ]);
    expect(text).toContain('Run errors:\n  - target wrote to stderr: <b>boom</b>');
  });

  it('says which revisions the run meant to test but could not, and why', () => {
    const t = renderSummary(sampleResults({ untested: [{ revision: '2024-11-05', reason: 'the version probe failed: process exited (stderr: Error: boom)' }] }));
    const at = t.split('\n').findIndex((l) => l.startsWith('revisions: '));
    expect(t.split('\n')[at + 1]).toBe('not tested: 2024-11-05 — the version probe failed: process exited (stderr: Error: boom)');
    expect(text).not.toContain('not tested');
  });

  it('colours only when asked', () => {
    expect(text).not.toContain('\u001b[');
    expect(renderSummary(sampleResults(), { color: true })).toContain('\u001b[31m');
  });

  it('says so when nothing ran', () => {
    expect(renderSummary(sampleResults({ checks: [], hosts: [], errors: [] }))).toContain('(no checks ran)');
  });
});

describe('colour decision', () => {
  it('needs a TTY and no NO_COLOR', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
  });

  it('printSummary follows the stream', () => {
    let plain = '';
    printSummary(sampleResults(), { isTTY: false, write: (s: string) => ((plain += s), true) } as unknown as NodeJS.WritableStream);
    expect(plain).toBe(renderSummary(sampleResults()));
  });
});

describe('progressLine', () => {
  it('is one compact line per check', () => {
    expect(progressLine(check('lifecycle/initialize-result', 'pass'))).toBe('✓ lifecycle/initialize-result [2025-11-25]');
    expect(progressLine(check('tools/x', 'fail', { message: 'line one\nline two' }))).toBe('✗ tools/x [2025-11-25] — line one …');
    expect(progressLine(check('tools/x', 'fail', { expected: true }))).toBe('✗ tools/x [2025-11-25] (expected) — reason for tools/x');
  });
});
