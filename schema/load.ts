import { readFileSync } from 'node:fs';
import { applyPatches, type JsonSchemaDoc } from './patches.ts';
import { defsKey, type Revision } from './revisions.ts';
import { resolveSchemaFileSync } from './sync.ts';

export interface LoadedSchema {
  revision: Revision;
  /** The patched schema document. */
  doc: JsonSchemaDoc;
  /** Its definitions ($defs or definitions), by name. */
  defs: Record<string, JsonSchemaDoc>;
  defsKey: '$defs' | 'definitions';
  /** Ids of the patches applied at load. */
  patches: string[];
}

const cache = new Map<Revision, LoadedSchema>();

/** Reads the official schema of a revision (sha256-verified), applies the load-time patches. */
export function loadSchema(rev: Revision): LoadedSchema {
  const hit = cache.get(rev);
  if (hit) return hit;
  const doc = JSON.parse(readFileSync(resolveSchemaFileSync(rev), 'utf8')) as JsonSchemaDoc;
  const key = defsKey(rev);
  const defs = doc[key] as Record<string, JsonSchemaDoc> | undefined;
  if (!defs) throw new Error(`schema ${rev} has no ${key}`);
  const patches = applyPatches(rev, doc, defs);
  const loaded: LoadedSchema = { revision: rev, doc, defs, defsKey: key, patches };
  cache.set(rev, loaded);
  return loaded;
}

/** Names of every definition of a revision. */
export function typeNames(rev: Revision): string[] {
  return Object.keys(loadSchema(rev).defs).sort();
}

export function hasType(rev: Revision, name: string): boolean {
  return Object.hasOwn(loadSchema(rev).defs, name);
}
