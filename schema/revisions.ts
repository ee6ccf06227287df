import manifest from './manifest.json' with { type: 'json' };

/** Every released MCP revision, oldest first. */
export const REVISIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'] as const;
export type Revision = (typeof REVISIONS)[number];

/** The newest revision that still has the initialize handshake. */
export const LATEST_STATEFUL: Revision = '2025-11-25';
export const LATEST: Revision = '2026-07-28';

export interface RevisionInfo {
  url: string;
  sha256: string;
  dialect: string;
}

export function isRevision(value: unknown): value is Revision {
  return typeof value === 'string' && (REVISIONS as readonly string[]).includes(value);
}

export function revisionInfo(rev: Revision): RevisionInfo {
  const info = (manifest.revisions as Record<string, RevisionInfo>)[rev];
  if (!info) throw new Error(`schema/manifest.json has no entry for revision ${rev}`);
  return info;
}

/** Revisions from 2026-07-28 on drop initialize and sessions (the stateless protocol). */
export function isStateless(rev: Revision): boolean {
  return rev >= '2026-07-28';
}

/**
 * Revisions with the initialize handshake and sessions (test/schema/protocol.test.ts checks this
 * against each revision's method registry: initialize is there exactly in these).
 */
export const STATEFUL_REVISIONS: Revision[] = REVISIONS.filter((r) => !isStateless(r));
/** Revisions of the stateless protocol (no initialize, per-request _meta, server/discover). */
export const STATELESS_REVISIONS: Revision[] = REVISIONS.filter((r) => isStateless(r));
/** Revisions with the Streamable HTTP transport (basic/transports#streamable-http, new in 2025-03-26; 2024-11-05 had HTTP+SSE). */
export const STREAMABLE_HTTP_REVISIONS: Revision[] = REVISIONS.filter((r) => r >= '2025-03-26');
/** Streamable HTTP with sessions (Mcp-Session-Id, resumability, the GET stream). */
export const STATEFUL_STREAMABLE_REVISIONS: Revision[] = STREAMABLE_HTTP_REVISIONS.filter((r) => !isStateless(r));

/** The revisions from `first` on, of `set` (default: every revision). */
export function revisionsFrom(first: Revision, set: readonly Revision[] = REVISIONS): Revision[] {
  return set.filter((r) => r >= first);
}
/** Revisions with an authorization page (basic/authorization, new in 2025-03-26). */
export const AUTHORIZATION_REVISIONS: Revision[] = revisionsFrom('2025-03-26');
/** Revisions where a protected server publishes Protected Resource Metadata (RFC 9728; basic/authorization from 2025-06-18). */
export const PRM_REVISIONS: Revision[] = revisionsFrom('2025-06-18');

/** 2020-12 schemas keep definitions under $defs, draft-07 ones under definitions. */
export function defsKey(rev: Revision): '$defs' | 'definitions' {
  return revisionInfo(rev).dialect.includes('2020-12') ? '$defs' : 'definitions';
}

/** URL of a spec page, e.g. specUrl('2025-11-25', 'server/tools#error-handling'). */
export function specUrl(rev: Revision, page: string): string {
  return `${manifest.specBase}/${rev}/${page}`;
}

export function parseRevisionList(text: string): Revision[] {
  if (text === 'all') return [...REVISIONS];
  const revs = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const r of revs) {
    if (!isRevision(r)) throw new Error(`unknown revision "${r}" (known: ${REVISIONS.join(', ')}, all)`);
  }
  return revs as Revision[];
}
