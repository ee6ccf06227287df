// Where a requirement is written, per revision: the one citation helper of every check file
// (server, client, hosts, auth-server). `cite(revisions, where)` gives a check's `spec` map; the
// page builders below say where the spec moved a page from one revision to the next.
import { isStateless, type Revision } from '../../schema/index.ts';

/**
 * A citation: one `page#anchor` for every revision, a function of the revision, or a map by
 * revision. A function or map that gives nothing for a revision leaves it out.
 */
export type Where = string | ((r: Revision) => string | undefined) | Partial<Record<Revision, string>>;

/** The spec map of a check: `{ '2025-11-25': 'server/tools#listing-tools', … }` for each revision given. */
export function cite(revisions: readonly Revision[], where: Where): Partial<Record<Revision, string>> {
  const out: Partial<Record<Revision, string>> = {};
  for (const r of revisions) {
    const page = typeof where === 'string' ? where : typeof where === 'function' ? where(r) : where[r];
    if (page !== undefined) out[r] = page;
  }
  return out;
}

/**
 * A section of one page, its anchor the same at every revision or given per revision (where the
 * spec renamed or added it: a revision the map leaves out is left out). `''` cites the page alone.
 */
export const section =
  (page: string, anchor: string | Partial<Record<Revision, string>>) =>
  (r: Revision): string | undefined => {
    const a = typeof anchor === 'string' ? anchor : anchor[r];
    return a === undefined ? undefined : a === '' ? page : `${page}#${a}`;
  };

/** The authorization page; 2026-07-28 split it into sub-pages (`modern`: a sub-page, or a sub-page#anchor). */
export const authPage =
  (anchor: string, modern = 'basic/authorization') =>
  (r: Revision): string =>
    isStateless(r) ? (modern.includes('#') ? modern : `${modern}#${anchor}`) : `basic/authorization#${anchor}`;

/** The transports page: one page until 2025-11-25, one per transport from 2026-07-28. */
export const transportPage =
  (anchor: string, modernPage: 'stdio' | 'streamable-http' = 'streamable-http', modernAnchor = anchor) =>
  (r: Revision): string =>
    isStateless(r) ? `basic/transports/${modernPage}#${modernAnchor}` : `basic/transports#${anchor}`;

/** Where the JSON-RPC message rules live: basic/messages in 2024-11-05, basic after. */
export const messagesPage = (anchor: string) => (r: Revision) => (r === '2024-11-05' ? `basic/messages#${anchor}` : `basic#${anchor}`);

/** Utilities moved from basic/utilities to basic/patterns in 2026-07-28. */
export const utilityPage = (name: string, anchor: string) => (r: Revision) => (isStateless(r) ? `basic/patterns/${name}#${anchor}` : `basic/utilities/${name}#${anchor}`);
