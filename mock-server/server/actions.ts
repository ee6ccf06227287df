// Triggered behaviours (logs, notify, serverRequest, send): which fire on an event, and running them
// during a request (awaited) or after its response (scheduled).
import { AsyncResource } from 'node:async_hooks';
import type { Behaviour, InputRequestSpec, JsonObject, LoggingLevel, ServerContext, Trigger } from '../behaviours.ts';
import { fillTemplate, matchesSubset } from '../match.ts';
import { RpcError, type Peer } from '../peer.ts';
import { MRTR_METHODS } from './mrtr.ts';
import type { ServerState } from './state.ts';

/** The request context actions run in (RequestCtx). */
export type ActionCtx = ServerContext & { readonly afterResponse: (fn: () => void) => void };

/** What actions need of their session (ServerSession). */
export interface ActionHost<C extends ActionCtx> {
  readonly server: ServerState;
  readonly peer: Peer;
  readonly legacy: unknown;
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>;
  deliver(method: string, params: JsonObject | undefined, ctx: C | undefined, force: boolean): Promise<void>;
  request(method: string, params?: JsonObject, opts?: { force?: boolean; timeoutMs?: number }): Promise<JsonObject>;
}

export class Actions<C extends ActionCtx> {
  private readonly fired = new Map<Behaviour, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Async context of the connection, so actions after a response are not routed to its request's stream. */
  private readonly root = new AsyncResource('mcp-conform.ServerSession');

  constructor(private readonly host: ActionHost<C>) {}

  /** Cancels the actions scheduled with a delay. */
  cancel(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Fires a behaviour by id now (e.g. a notify or serverRequest with a trigger that never happens). */
  async fireById(id: string): Promise<void> {
    const b = this.host.server.behaviours.find((x) => x.id === id);
    if (!b) throw new Error(`no behaviour with id "${id}"`);
    await this.execute(b, {}, undefined);
  }

  /**
   * Runs the behaviours whose trigger matches. 'during' actions run in order and are awaited
   * (the request waits for them); 'after' actions are scheduled once the response is out.
   */
  async fire(phase: 'after' | 'during', event: string, params: JsonObject, ctx: C | undefined): Promise<void> {
    for (const b of this.host.server.behaviours) {
      if (b.kind !== 'logs' && b.kind !== 'notify' && b.kind !== 'serverRequest' && b.kind !== 'send') continue;
      const t: Trigger = b.when;
      if ((phase === 'after' ? t.after : t.during) !== event) continue;
      if (t.match && !matchesSubset(params, t.match)) continue;
      const n = this.fired.get(b) ?? 0;
      if (t.times !== undefined && n >= t.times) continue;
      this.fired.set(b, n + 1);
      if (phase === 'during') {
        if (t.delayMs) await ctx?.sleep(t.delayMs);
        await this.execute(b, params, ctx);
        continue;
      }
      const run = () =>
        this.root.runInAsyncScope(() => {
          this.execute(b, params, undefined).catch((err: Error) => this.host.peer.wire.note('send', `action ${b.kind} failed: ${err.message}`));
        });
      // Without a delay the action follows the response at once (no timer: an in-memory client
      // that never yields to the event loop still sees it); with one, a timer.
      const start = () => {
        if (!t.delayMs) {
          run();
          return;
        }
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          run();
        }, t.delayMs);
        this.timers.add(timer);
      };
      if (ctx) ctx.afterResponse(start);
      else start();
    }
  }

  private async execute(b: Behaviour, reqParams: JsonObject, ctx: C | undefined): Promise<void> {
    const host = this.host;
    const tctx = { params: reqParams, arguments: reqParams.arguments ?? {}, input: ctx?.input ?? {} };
    switch (b.kind) {
      case 'logs':
        for (const e of b.entries) {
          const data = fillTemplate(e.data, tctx);
          if (ctx) await ctx.log(e.level, data, e.logger);
          else await host.log(e.level, data, e.logger);
        }
        return;
      case 'notify':
        await host.deliver(b.method, b.params === undefined ? undefined : fillTemplate(b.params, tctx), ctx, b.force === true);
        return;
      case 'send':
        await host.peer.send(fillTemplate(b.message, tctx));
        return;
      case 'serverRequest': {
        const params = b.params === undefined ? undefined : fillTemplate(b.params, tctx);
        const request: InputRequestSpec = params === undefined ? { method: b.method } : { method: b.method, params };
        if (ctx && (ctx.era === 'modern' || !b.force)) {
          if (ctx.era === 'modern' && (!MRTR_METHODS.has(ctx.method) || b.method === 'ping')) {
            host.peer.wire.note('send', `serverRequest ${b.method} skipped: ${ctx.method} cannot ask for input in 2026-07-28`);
            return;
          }
          const answer = await ctx.ask(b.id ?? `${b.method}#${host.server.behaviours.indexOf(b)}`, request);
          b.onReply?.(answer, ctx);
          return;
        }
        if (!host.legacy) {
          host.peer.wire.note('send', `serverRequest ${b.method} skipped: no stateful session (2026-07-28 has no server→client requests)`);
          return;
        }
        try {
          const result = await host.request(b.method, params, { force: b.force === true });
          b.onReply?.(result, ctx);
        } catch (err) {
          if (err instanceof RpcError) b.onReply?.({ error: err.toBody() }, ctx);
          else host.peer.wire.note('send', `serverRequest ${b.method}: ${(err as Error).message}`);
        }
        return;
      }
      default:
        return;
    }
  }
}
