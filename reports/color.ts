// ANSI colour for terminal output, only when the stream is a TTY and NO_COLOR is unset (no-color.org).

export interface Paint {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export interface ColorStream {
  isTTY?: boolean;
}

/** True when `stream` is a terminal and NO_COLOR is absent or empty. */
export function shouldColor(stream: ColorStream | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream?.isTTY) && !env.NO_COLOR;
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const id = (s: string) => s;

export function paint(enabled: boolean): Paint {
  if (!enabled) return { red: id, green: id, yellow: id, blue: id, dim: id, bold: id };
  return { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), blue: sgr(34, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}
