// Starting an authorization server and a protected mock MCP server together, the way an auth
// scenario needs them: both on 127.0.0.1 (free ports by default), one shared request log.
import type { MockServer } from '../server/index.ts';
import { mockHttpHandler, type MockHttpOptions } from '../serving.ts';
import type { StreamableHttpHandler } from '../transports/http-server.ts';
import { serveHttp, type ServeOptions } from '../transports/serve.ts';
import { createAuthorizationServer, type AuthorizationServer, type AuthServerOptions } from './authorization-server.ts';
import { AuthLog } from './log.ts';
import { protectHandler, type ProtectedHandler, type ProtectedResourceOptions } from './resource.ts';

export interface ServedAuthorizationServer {
  as: AuthorizationServer;
  issuer: string;
  /** The origin it listens on. */
  url: string;
  close(): Promise<void>;
}

/** Serves a mock authorization server on its own port. */
export async function serveAuthorizationServer(options: AuthServerOptions & ServeOptions = {}): Promise<ServedAuthorizationServer> {
  const { host, port, ...asOptions } = options;
  const as = await createAuthorizationServer(asOptions);
  const served = await serveHttp(as.handler, { ...(host !== undefined ? { host } : {}), ...(port !== undefined ? { port } : {}) });
  as.bind(served.url);
  return { as, issuer: as.issuer, url: served.url, close: () => served.close() };
}

export interface ProtectedMockOptions {
  host?: string;
  /** Port of the MCP server (default 0). */
  port?: number;
  /** Port of the authorization server (default 0; ignored with sameOrigin). */
  asPort?: number;
  /** MCP endpoint path (default /mcp). */
  path?: string;
  /** The mock's HTTP options (faults, response mode, …). */
  http?: MockHttpOptions;
  /** The authorization server's options. */
  authorizationServer?: AuthServerOptions;
  /** The resource server's options (authorizationServers and keys are filled in). */
  resource?: Partial<Omit<ProtectedResourceOptions, 'fallback' | 'log' | 'path'>>;
  /**
   * 2025-03-26: the AS lives on the MCP server's origin (metadata at its root, or with
   * authorizationServer.metadata [] only the default /authorize, /token, /register), and the
   * resource server serves no PRM (resource.legacy defaults to true).
   */
  sameOrigin?: boolean;
}

export interface ServedProtectedMock {
  /** The MCP endpoint URL (the canonical resource URI). */
  url: string;
  issuer: string;
  as: AuthorizationServer;
  handler: ProtectedHandler;
  /** The MCP handler behind the guard (its `exchanges`: the requests that got through). */
  mcp: StreamableHttpHandler;
  /** Everything the AS and the resource server received, in order. */
  log: AuthLog;
  close(): Promise<void>;
}

/** Serves `server` as an OAuth-protected MCP server with a mock authorization server. */
export async function serveProtectedMock(server: MockServer, options: ProtectedMockOptions = {}): Promise<ServedProtectedMock> {
  const log = options.authorizationServer?.log ?? new AuthLog();
  const path = options.path ?? '/mcp';
  const so = (port?: number): ServeOptions => ({ ...(options.host !== undefined ? { host: options.host } : {}), ...(port !== undefined ? { port } : {}) });
  const as = await createAuthorizationServer({ ...options.authorizationServer, log });
  const asServed = options.sameOrigin ? undefined : await serveHttp(as.handler, so(options.asPort));
  if (asServed) as.bind(asServed.url);
  const mcp = mockHttpHandler(server, options.http ?? {});
  const ro: ProtectedResourceOptions = {
    authorizationServers: [], // filled in below, once the AS's issuer is known
    keys: as.keys(),
    ...(options.sameOrigin ? { legacy: true, fallback: as.handler } : {}),
    ...options.resource,
    path,
    log,
  };
  const handler = protectHandler(mcp, ro);
  const served = await serveHttp(handler, so(options.port));
  if (!asServed) as.bind(served.url);
  if (!options.resource?.authorizationServers) ro.authorizationServers = [as.issuer];
  const resourceUrl = options.resource?.resource ?? `${served.url}${path}`;
  // Tokens asked for without `resource` are still for this server (the log shows the omission).
  (as.options as AuthServerOptions).defaultAudience ??= resourceUrl;
  return {
    url: `${served.url}${path}`,
    issuer: as.issuer,
    as,
    handler,
    mcp,
    log,
    close: async () => {
      await served.close();
      await asServed?.close();
    },
  };
}
