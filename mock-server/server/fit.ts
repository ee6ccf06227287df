import { isObject, loadSchema, type Revision } from '../../schema/index.ts';
import type { JsonObject } from '../behaviours.ts';

/** Keeps only the properties a revision's schema type has (so older clients get what they know). */
const propertySets = new Map<string, Set<string> | null>();
export function fitTo<T>(rev: Revision, typeName: string, value: T): T {
  if (!isObject(value)) return value;
  const k = `${rev}#${typeName}`;
  let props = propertySets.get(k);
  if (props === undefined) {
    const def = loadSchema(rev).defs[typeName];
    const p = def?.properties as Record<string, unknown> | undefined;
    props = p ? new Set(Object.keys(p)) : null;
    propertySets.set(k, props);
  }
  if (!props) return value;
  const out: JsonObject = {};
  for (const [name, v] of Object.entries(value)) if (props.has(name)) out[name] = v;
  return out as T;
}
