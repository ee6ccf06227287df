// 2026-07-28 subscriptions (basic/patterns/subscriptions): subscriptions/listen streams, the filter
// agreed with the client, and which streams a list_changed or resources/updated notification reaches.
import { AsyncResource } from 'node:async_hooks';
import { ErrorCode, isObject, META, type Current, type JsonRpcId, type Stateless } from '../../schema/index.ts';
import type { JsonObject, ServerContext } from '../behaviours.ts';
import { RpcError } from '../peer.ts';
import type { ServerState } from './state.ts';
import { key } from './types.ts';

export interface ListenSub {
  id: JsonRpcId;
  filter: Current['ServerCapabilities'] & JsonObject;
  agreed: JsonObject;
  end: () => void;
  /** The listen request's async context: its notifications travel on its stream (HTTP routes by it). */
  scope: AsyncResource;
}

export const LIST_CHANGED: Record<string, { cap: 'tools' | 'prompts' | 'resources'; filter: Exclude<keyof Stateless['SubscriptionFilter'], 'resourceSubscriptions'> }> = {
  'notifications/tools/list_changed': { cap: 'tools', filter: 'toolsListChanged' },
  'notifications/prompts/list_changed': { cap: 'prompts', filter: 'promptsListChanged' },
  'notifications/resources/list_changed': { cap: 'resources', filter: 'resourcesListChanged' },
};

/** Whether a listen stream asked for this list_changed or resources/updated notification. */
export function wants(sub: ListenSub, method: string, params: JsonObject | undefined): boolean {
  const lc = LIST_CHANGED[method];
  return lc ? sub.agreed[lc.filter] === true : Array.isArray(sub.agreed.resourceSubscriptions) && (sub.agreed.resourceSubscriptions as unknown[]).includes(params?.uri);
}

/**
 * Opens a listen stream: `acknowledge` sends notifications/subscriptions/acknowledged; the result
 * (the graceful end of the stream) resolves when the stream ends.
 */
export async function listen(server: ServerState, listens: Map<string, ListenSub>, params: JsonObject, ctx: ServerContext, acknowledge: (params: JsonObject) => Promise<void>): Promise<unknown> {
  if (listens.size >= 1_000) throw new RpcError(ErrorCode.InternalError, 'Internal error: too many open subscriptions on this connection');
  const filter = (isObject(params.notifications) ? params.notifications : {}) as ListenSub['filter'];
  const caps = server.capabilitiesFor(ctx.revision);
  const agreed: JsonObject = {};
  if (filter.toolsListChanged === true && caps.tools?.listChanged) agreed.toolsListChanged = true;
  if (filter.promptsListChanged === true && caps.prompts?.listChanged) agreed.promptsListChanged = true;
  if (filter.resourcesListChanged === true && caps.resources?.listChanged) agreed.resourcesListChanged = true;
  if (Array.isArray(filter.resourceSubscriptions) && caps.resources?.subscribe) agreed.resourceSubscriptions = filter.resourceSubscriptions.filter((u) => typeof u === 'string');
  const id = ctx.id;
  let resolveListen: (v: unknown) => void = () => {};
  const done = new Promise((r) => (resolveListen = r));
  const sub: ListenSub = {
    id,
    filter,
    agreed,
    end: () => {
      listens.delete(key(id));
      resolveListen({ _meta: { [META.subscriptionId]: id } });
    },
    scope: new AsyncResource('mcp-conform.listen'),
  };
  ctx.signal.addEventListener('abort', () => {
    listens.delete(key(id));
    resolveListen(undefined);
  });
  // Registered before the acknowledgement is queued, so no notification can overtake it and
  // none sent after it is missed (basic/patterns/subscriptions#acknowledgment).
  listens.set(key(id), sub);
  await acknowledge({ _meta: { [META.subscriptionId]: id }, notifications: agreed });
  return done;
}
