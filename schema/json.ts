// Plain-JSON helpers every room uses (schema/ imports nothing of ours, so all may import this).

/** A JSON object: not null, not an array. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
