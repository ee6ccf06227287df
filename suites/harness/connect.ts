// Opens one connection to the target. Every check gets fresh connections (a fresh process for
// stdio targets), so no check can be spoiled by another's leftovers.
import { connectTarget, StdioClientTransport, StreamableHttpClientTransport, type Transport } from '../../mock-server/index.ts';
import type { TargetSpec } from './config.ts';

export interface OpenedTransport {
  /** Not started yet: the peer on top starts it. */
  transport: Transport;
  /** Process group leader of a stdio target (once started). */
  pid?: () => number | undefined;
  /** What the target wrote to stderr so far (stdio). */
  stderr?: () => string;
  /** The Streamable HTTP client, for checks that look at raw HTTP exchanges. */
  http?: StreamableHttpClientTransport;
}

export function openTransport(target: TargetSpec, requestTimeoutMs?: number, open?: (target: TargetSpec) => Transport): OpenedTransport {
  if (target.kind === 'memory') return { transport: target.connect() };
  const transport = open ? open(target) : connectTarget(target, requestTimeoutMs === undefined ? {} : { requestTimeoutMs });
  if (transport instanceof StdioClientTransport) return { transport, stderr: () => transport.stderr, pid: () => transport.pid };
  if (transport instanceof StreamableHttpClientTransport) return { transport, http: transport };
  return { transport };
}
