// The one paginator (server/utilities/pagination): follows nextCursor from the first page to the
// last, saying why it stopped. The kit's list helpers, t.listAll and the fuzzer build on it.
import { isObject } from '../../schema/index.ts';
import type { Reply } from '../../mock-server/index.ts';

type Json = Record<string, unknown>;

/** What can send a list request: a session (MockClient) or a 2026-07-28 stateless client. */
export interface Lister {
  request<R = Json>(method: string, params?: Json): Promise<Reply<R>>;
}

export interface WalkOptions {
  /** Pages followed at most (default MAX_PAGES); more is `capped`. */
  maxPages?: number;
  /** Stop once this many items are in (a sample, not the whole list). */
  limit?: number;
  /** Sends one page's request (the n-th), for callers with ids or timeouts of their own. */
  send?: (params: Json, n: number) => Promise<Reply<Json>>;
}

/** A value in a message, cut to `max` characters. */
export function short(v: unknown, max = 160): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Page cap when following cursors: a server with more pages than this is treated as looping. */
export const MAX_PAGES = 100;

export type OkReply = Extract<Reply<Json>, { ok: true }>;

export interface Page {
  cursor: string | undefined;
  reply: OkReply;
  items: Json[];
}

export interface Listing {
  items: Json[];
  pages: Page[];
  /** A page was answered with an error (the reply). */
  error?: Reply<Json>;
  /** A cursor came back that was already followed. */
  loop?: string;
  /** MAX_PAGES pages and still a nextCursor. */
  capped?: boolean;
  /** A page's result lacked the item array (or nextCursor was not a string). */
  malformed?: string;
}

/** Follows nextCursor from the first page to the last, stopping on errors, loops and the cap. */
export async function walkList(c: Lister, method: string, key: string, opts: WalkOptions = {}): Promise<Listing> {
  const { maxPages = MAX_PAGES, limit = Infinity } = opts;
  const send = opts.send ?? ((params: Json) => c.request<Json>(method, params));
  const out: Listing = { items: [], pages: [] };
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const reply = await send(cursor === undefined ? {} : { cursor }, n);
    if (!reply.ok) {
      out.error = reply;
      return out;
    }
    const list = reply.result[key];
    const items = Array.isArray(list) ? (list.filter(isObject) as Json[]) : [];
    out.pages.push({ cursor, reply, items });
    out.items.push(...items);
    if (!Array.isArray(list)) {
      out.malformed = `the ${method} result has no "${key}" array`;
      return out;
    }
    const next = reply.result.nextCursor;
    if (next === undefined || next === null || out.items.length >= limit) return out;
    if (typeof next !== 'string') {
      out.malformed = `nextCursor is ${short(next)}, not a string`;
      return out;
    }
    if (seen.has(next)) {
      out.loop = next;
      return out;
    }
    seen.add(next);
    cursor = next;
  }
  out.capped = true;
  return out;
}
