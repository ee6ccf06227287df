// The stateful revisions' lifecycle (basic/lifecycle): version negotiation and initialize, and which
// revision each message of a connection is validated against (a server may serve both eras).
import { ErrorCode, isObject, isRevision, type Current, type Revision } from '../../schema/index.ts';
import type { JsonObject } from '../behaviours.ts';
import { RpcError } from '../peer.ts';
import { fitTo } from './fit.ts';
import { isModernRequest } from './stateless.ts';
import type { ServerState } from './state.ts';
import { key } from './types.ts';

export interface LegacyState {
  revision: Revision;
  clientCapabilities: JsonObject;
  clientInfo: JsonObject | undefined;
  capabilities: Current['ServerCapabilities'];
  /** notifications/initialized arrived. */
  initialized: boolean;
}

/** The revision a legacy initialize settles on: the client's if served, else the newest served. */
export function negotiate(server: ServerState, requested: unknown): Revision | undefined {
  const legacy = server.legacyRevisions;
  if (isRevision(requested) && legacy.includes(requested)) return requested;
  return legacy[0];
}

/** Answers initialize: the session state it starts and the result. */
export function initialize(server: ServerState, params: JsonObject, already: boolean): { legacy: LegacyState; result: JsonObject } {
  if (server.legacyRevisions.length === 0) {
    // A modern-only server names the versions it speaks (basic/versioning#backward-compatibility…).
    throw new RpcError(ErrorCode.UnsupportedProtocolVersion, `Unsupported protocol version: this server speaks ${server.revisions.join(', ')} (no initialize)`, {
      supported: [...server.revisions].reverse(),
      requested: typeof params.protocolVersion === 'string' ? params.protocolVersion : String(params.protocolVersion),
    });
  }
  if (already) throw new RpcError(ErrorCode.InvalidRequest, 'Invalid Request: already initialized');
  const rev = negotiate(server, params.protocolVersion)!;
  const caps = server.capabilitiesFor(rev);
  const legacy: LegacyState = {
    revision: rev,
    clientCapabilities: isObject(params.capabilities) ? params.capabilities : {},
    clientInfo: isObject(params.clientInfo) ? params.clientInfo : undefined,
    capabilities: caps,
    initialized: false,
  };
  const result: JsonObject = {
    protocolVersion: rev,
    capabilities: caps,
    serverInfo: fitTo(rev, 'Implementation', server.serverInfo),
  };
  if (server.options.instructions !== undefined) result.instructions = server.options.instructions;
  return { legacy, result };
}

/** Which revision validates each message of one connection (the Peer's revisionOf). */
export class RevisionRouter {
  /** The revision of each request received, for its response. */
  private readonly requests = new Map<string, Revision>();
  /** Set while a notification is sent against a given revision. */
  sending: Revision | undefined;

  constructor(
    private readonly server: ServerState,
    private readonly legacy: () => LegacyState | undefined,
  ) {}

  defaultRevision(): Revision {
    return this.legacy()?.revision ?? this.server.legacyRevisions[0] ?? this.server.statelessRevisions[0]!;
  }

  revisionOf(m: unknown, dir: 'send' | 'recv'): Revision | undefined {
    if (!isObject(m)) return this.defaultRevision();
    const hasMethod = typeof m.method === 'string';
    const server = this.server;
    if (dir === 'recv') {
      if (hasMethod && Object.hasOwn(m, 'id')) {
        const method = m.method as string;
        let rev: Revision;
        if (method === 'initialize' && server.legacyRevisions.length) rev = negotiate(server, isObject(m.params) ? m.params.protocolVersion : undefined) ?? this.defaultRevision();
        else if (isModernRequest(server, method, m.params)) rev = server.statelessRevisions[0]!;
        else rev = this.defaultRevision();
        if (this.requests.size > 10_000) this.requests.clear();
        this.requests.set(key(m.id), rev);
        return rev;
      }
      if (hasMethod && !this.legacy() && server.statelessRevisions.length && server.legacyRevisions.length === 0) return server.statelessRevisions[0];
      return this.defaultRevision();
    }
    if (hasMethod) return this.sending ?? this.outgoing();
    const k = key(m.id);
    const rev = this.requests.get(k);
    this.requests.delete(k);
    return rev ?? this.defaultRevision();
  }

  private outgoing(): Revision {
    const legacy = this.legacy();
    if (legacy) return legacy.revision;
    return this.server.statelessRevisions[0] ?? this.defaultRevision();
  }
}
