// 2026-07-28 requests (basic/lifecycle, stateless): the per-request _meta in place of initialize,
// server/discover, and the resultType, serverInfo and caching hints every result carries.
import { ErrorCode, isObject, isRevision, LOG_LEVELS, META, registry, type Revision } from '../../schema/index.ts';
import type { JsonObject, LoggingLevel } from '../behaviours.ts';
import { RpcError } from '../peer.ts';
import type { ServerState } from './state.ts';

/** Whether a request speaks 2026-07-28 (on a server that serves both eras: it names its version in _meta). */
export function isModernRequest(server: ServerState, method: string, params: unknown): boolean {
  if (method === 'initialize') return false;
  if (server.legacyRevisions.length === 0) return true;
  if (server.statelessRevisions.length === 0) return false;
  const meta = isObject(params) ? params._meta : undefined;
  return isObject(meta) && Object.hasOwn(meta, META.protocolVersion);
}

export interface RequestMeta {
  revision: Revision;
  clientCapabilities: JsonObject;
  clientInfo: JsonObject | undefined;
  logLevel: LoggingLevel | undefined;
}

/** What a 2026-07-28 request says about itself in _meta, checked. */
export function requestMeta(server: ServerState, params: JsonObject): RequestMeta {
  const meta = isObject(params._meta) ? params._meta : {};
  const requested = meta[META.protocolVersion];
  if (typeof requested !== 'string') throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: _meta["io.modelcontextprotocol/protocolVersion"] must be a string');
  const stateless = server.statelessRevisions;
  if (!isRevision(requested) || !stateless.includes(requested)) {
    throw new RpcError(ErrorCode.UnsupportedProtocolVersion, 'Unsupported protocol version', { supported: [...server.revisions].reverse(), requested });
  }
  const caps = meta[META.clientCapabilities];
  if (!isObject(caps)) throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: _meta["io.modelcontextprotocol/clientCapabilities"] is required');
  const level = meta[META.logLevel];
  if (level !== undefined && !LOG_LEVELS.includes(level as LoggingLevel)) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: unknown log level ${JSON.stringify(level)}`);
  const info = meta[META.clientInfo];
  return { revision: requested, clientCapabilities: caps, clientInfo: isObject(info) ? info : undefined, logLevel: level as LoggingLevel | undefined };
}

export function discover(server: ServerState, rev: Revision): JsonObject {
  const r: JsonObject = { supportedVersions: [...server.revisions].reverse(), capabilities: server.capabilitiesFor(rev) };
  if (server.options.instructions !== undefined) r.instructions = server.options.instructions;
  return r;
}

/** A 2026-07-28 result: resultType, serverInfo in _meta, and caching hints where the method is cacheable. */
export function decorate(server: ServerState, method: string, result: unknown, revision: Revision): unknown {
  if (!isObject(result)) return result;
  const out: JsonObject = { ...result };
  out.resultType ??= 'complete';
  out._meta = { ...(isObject(result._meta) ? result._meta : {}), [META.serverInfo]: server.serverInfo };
  if (registry(revision).get(method)?.cacheable && out.resultType === 'complete') {
    const cache = server.options.cache ?? { ttlMs: 0, cacheScope: 'public' };
    out.ttlMs ??= cache.ttlMs;
    out.cacheScope ??= cache.cacheScope;
  }
  return out;
}
