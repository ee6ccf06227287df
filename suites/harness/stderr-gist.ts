// What a dead process's stderr says, in a few lines: the last error line and up to two lines
// before it, without what says nothing (Node's "Node.js v20…" banner, stack frames, the source
// excerpt Node prints above an uncaught error, lone braces). The last line alone is often just
// the banner or a stack frame's tail.

const NOISE: RegExp[] = [
  /^Node\.js v\d/, // the banner Node prints after an uncaught exception
  /^\s*at\s/, // JavaScript stack frames
  /^\s*\.\.\. \d+ (more )?lines? matching/,
  /^\s*\^+\s*$/, // the caret under the throwing source line
  /^\s*[{}[\]()]+[,;]?\s*$/, // the braces around an error's printed properties
  /^node:internal\//,
  /^\s*triggerUncaughtException\(/,
  /^\s*File ".*", line \d+/, // Python stack frames
  /^\s*goroutine \d+ \[/,
  /^(file:\/\/|\/|[A-Za-z]:\\|node:)\S*:\d+$/, // where an uncaught error was thrown (file:line)
];

const ERROR_LINE = /\b\w*(Error|Exception)\b|^\s*(error|fatal|panic|traceback)\b|\b(fatal|failed|cannot|could not|unable to|not found|refused|denied)\b/i;

/** The lines of `stderr` worth showing (at most `max`, each at most 200 characters). */
export function stderrGist(stderr: string, max = 3): string[] {
  const all = stderr.split(/\r?\n/).map((l) => l.trimEnd());
  // The source line above a caret is Node's excerpt of the throwing code, not a message.
  const excerpt = (i: number) => /^\s*\^+\s*$/.test(all[i + 1] ?? '');
  const lines = all.filter((l, i) => l.trim() !== '' && !excerpt(i) && !NOISE.some((n) => n.test(l)));
  if (lines.length === 0) return [];
  let end = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (ERROR_LINE.test(lines[i]!)) {
      end = i + 1;
      break;
    }
  }
  return lines.slice(Math.max(0, end - max), end).map((l) => {
    const t = l.trim();
    return t.length > 200 ? `${t.slice(0, 200)}…` : t;
  });
}

/** `; stderr: a | b | c` (or '' when stderr says nothing), for verdict messages. */
export function stderrNote(stderr: string, lead = 'stderr'): string {
  const gist = stderrGist(stderr);
  return gist.length ? `${lead}: ${gist.join(' | ')}` : '';
}
