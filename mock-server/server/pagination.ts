// List results in pages (server/utilities/pagination): the cursor is a signed offset, opaque to clients.
import { ErrorCode, isObject } from '../../schema/index.ts';
import type { JsonObject } from '../behaviours.ts';
import { RpcError } from '../peer.ts';
import type { ServerState } from './state.ts';

export function page(server: ServerState, kind: string, items: unknown[], cursor: unknown): JsonObject {
  const size = server.options.pageSize;
  let offset = 0;
  if (cursor !== undefined) {
    const c = server.unsign(cursor);
    if (!isObject(c) || c.k !== kind || typeof c.o !== 'number' || !Number.isInteger(c.o) || c.o < 0) throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: invalid cursor');
    offset = c.o;
  }
  if (!size || size <= 0) return { [kind]: items.slice(offset) };
  const slice = items.slice(offset, offset + size);
  const out: JsonObject = { [kind]: slice };
  if (offset + size < items.length) out.nextCursor = server.sign({ k: kind, o: offset + size });
  return out;
}
