// The live terminal display (reports/progress.ts): on a TTY one status line redrawn in place —
// counts by verdict, current area, elapsed — then the grouped summary; plain lines otherwise or
// with --reporter verbose. One CLI run under `script` (a real pseudo-terminal) proves the wiring.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LiveProgress, progressFor, type TerminalStream } from '../../reports/index.ts';
import { reporterFrom, ReportOptionError } from '../../cli/report-options.ts';
import { PROJECT_ROOT } from '../../schema/index.ts';
import { check } from '../reports/sample.ts';

function terminal(columns = 200): TerminalStream & { text: string } {
  return {
    isTTY: true,
    columns,
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

/** What a terminal shows after the writes: \r returns to the line start, ESC[2K clears the line. */
function screen(text: string): string[] {
  const lines = [''];
  for (const part of text.split(/(\r|\n|\u001b\[2K)/)) {
    if (part === '\r' || part === '\u001b[2K') lines[lines.length - 1] = part === '\r' ? (lines.at(-1) as string) : '';
    else if (part === '\n') lines.push('');
    else lines[lines.length - 1] += part;
  }
  return lines;
}

describe('LiveProgress', () => {
  it('one line: counts by verdict, the current area and the elapsed time; other text goes above it; end removes it', () => {
    let now = 1_000;
    const out = terminal();
    const live = new LiveProgress(out, { color: false, now: () => now, tickMs: 0, startedAt: 0 });
    live.onCheck(check('lifecycle/a', 'pass'));
    now = 5_400;
    live.onCheck(check('tools/b', 'fail'));
    live.onCheck(check('tools/c', 'warn'));
    expect(screen(out.text)).toEqual(['3 checks: 1 passed, 1 failed, 1 warning · tools · 5 s']);
    live.write('a note\n');
    expect(screen(out.text)).toEqual(['a note', '3 checks: 1 passed, 1 failed, 1 warning · tools · 5 s']);
    live.finish();
    expect(screen(out.text)).toEqual(['a note', '']);
    live.onCheck(check('tools/d', 'pass')); // after the end nothing is drawn
    expect(screen(out.text)).toEqual(['a note', '']);
  });

  it('fits the terminal width', () => {
    const out = terminal(20);
    const live = new LiveProgress(out, { color: false, tickMs: 0 });
    live.onCheck(check('a-very-long-area-name/x', 'not-applicable'));
    expect(live.line().length).toBeLessThan(20);
  });

  it('is used on a TTY with the compact reporter only', () => {
    const tty = terminal();
    const pipe = { ...terminal(), isTTY: false };
    const live = progressFor(tty, 'compact', { tickMs: 0 });
    expect(live).toBeInstanceOf(LiveProgress);
    live.finish?.();
    expect(progressFor(tty, 'verbose')).toBe(tty);
    expect(progressFor(pipe, 'compact')).toBe(pipe);
    expect(reporterFrom(undefined)).toBe('compact');
    expect(() => reporterFrom('dots')).toThrow(ReportOptionError);
  });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

// script(1) (util-linux) gives the CLI a real terminal; skipped only on a machine without it.
describe.skipIf(!hasScript)('server on a terminal', () => {
  it('shows the status line, not a line per check, and the summary after it', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mcp-conform-tty-')), 'out');
    const cmd = `'${process.execPath}' bin/mcp-conform.js server --reference --only ping/response --revision 2025-06-18 --out '${out}'`;
    // script(1) runs the command on a pseudo-terminal and copies what it shows to our pipe.
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const shown = screen(r.stdout.replace(/\r\n/g, '\n'));
    // schema/valid-messages is judged after the checks: the status line counts the one check.
    expect(r.stdout).toMatch(/\u001b\[2K1 check: 1 passed · ping · \d+ s/);
    expect(shown.some((l) => l.startsWith('✓ ping/response'))).toBe(false);
    expect(shown.some((l) => l.includes('2 checks in') && l.includes('2 passed'))).toBe(true);
  }, 150_000);
});
