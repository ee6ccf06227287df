// One description of "the thing under test" and the client transport that reaches it.
import type { Transport } from '../transport.ts';
import { StreamableHttpClientTransport, type StreamableHttpClientOptions } from './http-client.ts';
import { SseClientTransport } from './sse-client.ts';
import { StdioClientTransport } from './stdio-client.ts';

export type TargetSpec =
  | { kind: 'stdio'; command: string; args: string[]; cwd?: string; env?: Record<string, string> }
  | { kind: 'http'; url: string; headers?: Record<string, string> }
  | { kind: 'sse'; url: string; headers?: Record<string, string> };

export interface ConnectOptions {
  /** Passed to the Streamable HTTP client (timeouts, GET stream, protocol version…). */
  http?: Omit<StreamableHttpClientOptions, 'url' | 'headers'>;
  requestTimeoutMs?: number;
}

/** A client transport for the target, not yet started (call start(), or let a Peer do it). */
export function connectTarget(target: TargetSpec, options: ConnectOptions = {}): Transport {
  switch (target.kind) {
    case 'stdio': {
      const o: ConstructorParameters<typeof StdioClientTransport>[0] = { command: target.command, args: target.args };
      if (target.cwd !== undefined) o.cwd = target.cwd;
      if (target.env !== undefined) o.env = target.env;
      return new StdioClientTransport(o);
    }
    case 'http': {
      const o: StreamableHttpClientOptions = { ...options.http, url: target.url };
      if (target.headers) o.headers = target.headers;
      if (options.requestTimeoutMs !== undefined) o.requestTimeoutMs ??= options.requestTimeoutMs;
      return new StreamableHttpClientTransport(o);
    }
    case 'sse': {
      const o: ConstructorParameters<typeof SseClientTransport>[0] = { url: target.url };
      if (target.headers) o.headers = target.headers;
      if (options.requestTimeoutMs !== undefined) o.requestTimeoutMs = options.requestTimeoutMs;
      return new SseClientTransport(o);
    }
  }
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Short human text: "stdio: node server.js", "Streamable HTTP http://…/mcp", "HTTP+SSE http://…/sse". */
export function describeTarget(target: TargetSpec): string {
  switch (target.kind) {
    case 'stdio':
      return `stdio: ${[target.command, ...target.args].map(quote).join(' ')}`;
    case 'http':
      return `Streamable HTTP ${target.url}`;
    case 'sse':
      return `HTTP+SSE ${target.url}`;
  }
}

/** Parses `K: V` / `K:V` header arguments (as given with --header). */
export function parseHeaderArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const i = a.indexOf(':');
    if (i <= 0) throw new Error(`header "${a}" is not in the form Name: value`);
    out[a.slice(0, i).trim()] = a.slice(i + 1).trim();
  }
  return out;
}
