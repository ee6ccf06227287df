// Load-time fixes for defects in the official schemas. The one place where they are patched:
// each patch names the revisions it applies to, why, and is covered by test/schema/patches.test.ts.
import type { Revision } from './revisions.ts';

export type JsonSchemaDoc = Record<string, unknown>;

export interface SchemaPatch {
  id: string;
  revisions: readonly Revision[];
  reason: string;
  /** Mutates the (already cloned) schema document; must throw if the defect is no longer there. */
  apply(doc: JsonSchemaDoc, defs: Record<string, JsonSchemaDoc>): void;
}

export const PATCHES: SchemaPatch[] = [];

export function applyPatches(rev: Revision, doc: JsonSchemaDoc, defs: Record<string, JsonSchemaDoc>): string[] {
  const applied: string[] = [];
  for (const p of PATCHES) {
    if (!p.revisions.includes(rev)) continue;
    p.apply(doc, defs);
    applied.push(p.id);
  }
  return applied;
}
