// Paginated lists (server/utilities/pagination): the one paginator, walkList, and what checks build on it.
import { isObject } from '../../schema/index.ts';
import type { MockClient, Reply } from '../../mock-server/index.ts';
import { errorText, short, type Json, type T, type Tool } from './common.ts';

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
export async function walkList(c: MockClient, method: string, key: string, maxPages = MAX_PAGES): Promise<Listing> {
  const out: Listing = { items: [], pages: [] };
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const reply = await c.request<Json>(method, cursor === undefined ? {} : { cursor });
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
    if (next === undefined || next === null) return out;
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

/**
 * 2026-07-28 `capabilities`: the set a list request answers "MAY change over time … but MUST NOT
 * vary per-connection". Lists on the check's connection, on a second, fresh one, and on the first
 * again: a set that changed on the first connection too is a change over time (allowed; then
 * nothing is judged). Items are told apart by `id`.
 */
export async function expectSameSetPerConnection(t: T, method: string, key: string, id: (x: Json) => unknown): Promise<void> {
  const read = async (c: MockClient): Promise<string[]> => {
    const l = await walkList(c, method, key);
    if (l.error || l.malformed || l.loop || l.capped) return t.notVerified(`${method} could not be read to its end (see the ${method.split('/')[0]}/list checks)`, l.error);
    return l.items.map((x) => JSON.stringify(id(x))).sort();
  };
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  const only = (x: string[], y: string[]) => x.filter((v) => !y.includes(v)).slice(0, 5).join(', ') || '(none)';
  const a = await t.session();
  const first = await read(a);
  const other = await read(await t.session({ fresh: true }));
  if (same(first, other)) return;
  const again = await read(a);
  if (!same(first, again)) return t.notVerified(`the ${method} set changed on one connection while the check ran (allowed over time): cannot tell a per-connection set from that`);
  t.fail(`${method} answered different sets on two connections (first only: ${only(first, other)}; second only: ${only(other, first)})`);
}

/**
 * Every item of a list, for checks about something else: a list that cannot be read makes the
 * check not-verified (the list's own checks report why).
 */
export async function listAll(t: T, c: MockClient, method: string, key: string): Promise<Json[]> {
  const l = await walkList(c, method, key);
  if (l.error) return t.notVerified(`${method} was answered with ${errorText(l.error)} (see the ${method.split('/')[0]}/list checks)`, l.error);
  return l.items;
}

export async function listTools(t: T, c: MockClient): Promise<Tool[]> {
  if (!c.serverCapabilities.tools) return t.notApplicable('the server does not declare the tools capability');
  return (await listAll(t, c, 'tools/list', 'tools')) as unknown as Tool[];
}
