// Opens one connection to the target. Every check gets fresh connections (a fresh process for
// stdio targets), so no check can be spoiled by another's leftovers.
import { StdioClientTransport, type Transport } from '../../mock-server/index.ts';
import type { TargetSpec } from './config.ts';

export interface OpenedTransport {
  /** Not started yet: the peer on top starts it. */
  transport: Transport;
  /** Process group leader of a stdio target (once started). */
  pid?: () => number | undefined;
  /** What the target wrote to stderr so far (stdio). */
  stderr?: () => string;
}

export function openTransport(target: TargetSpec): OpenedTransport {
  if (target.kind === 'stdio') {
    const opts: ConstructorParameters<typeof StdioClientTransport>[0] = { command: target.command, args: target.args };
    if (target.cwd) opts.cwd = target.cwd;
    if (target.env) opts.env = target.env;
    const transport = new StdioClientTransport(opts);
    return { transport, stderr: () => transport.stderr, pid: () => transport.pid };
  }
  throw new Error(`the ${target.kind} transport is not available in this build`);
}
