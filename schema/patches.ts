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

function errorEnvelope(defs: Record<string, JsonSchemaDoc>): JsonSchemaDoc {
  const def = defs.JSONRPCErrorResponse ?? defs.JSONRPCError;
  if (!def) throw new Error('no JSON-RPC error response definition');
  return def;
}

export const PATCHES: SchemaPatch[] = [
  {
    id: 'error-response-null-id',
    revisions: ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'],
    reason:
      'JSON-RPC 2.0 (section 5) requires an error response to a request whose id could not be read ' +
      '(parse error, invalid request) to carry "id": null. The schemas type the id as RequestId only ' +
      '(string | number), so the one correct answer to malformed input would be rejected. The MCP text ' +
      'forbids null ids in requests, not in these error responses. Null is allowed in error responses only.',
    apply(_doc, defs) {
      const props = errorEnvelope(defs).properties as Record<string, JsonSchemaDoc> | undefined;
      const id = props?.id;
      if (!props || !id || typeof id.$ref !== 'string' || !id.$ref.endsWith('/RequestId')) {
        throw new Error('error-response-null-id: the error response id is no longer a plain RequestId ref; review the patch');
      }
      props.id = { anyOf: [id, { type: 'null' }] };
    },
  },
  {
    id: 'elicit-result-number',
    revisions: ['2025-06-18', '2025-11-25', '2026-07-28'],
    reason:
      'schema.ts types the values of ElicitResult.content as string | number | boolean (| string[]), and ' +
      'NumberSchema lets a form ask for type "number" (with a fractional default); schema.json, generated with ' +
      'integers as the default number type, allows only integers, so a correct answer such as 95.5 would be rejected.',
    apply(_doc, defs) {
      const scalar = elicitContentScalar(defs);
      scalar.type = (scalar.type as string[]).map((t) => (t === 'integer' ? 'number' : t));
    },
  },
];

/** The `type: [string, integer, boolean]` member of ElicitResult's content values. */
function elicitContentScalar(defs: Record<string, JsonSchemaDoc>): JsonSchemaDoc {
  const content = ((defs.ElicitResult?.properties as Record<string, JsonSchemaDoc> | undefined)?.content ?? {}) as JsonSchemaDoc;
  const values = content.additionalProperties as JsonSchemaDoc | undefined;
  const members = Array.isArray(values?.anyOf) ? (values.anyOf as JsonSchemaDoc[]) : values ? [values] : [];
  const scalar = members.find((m) => Array.isArray(m.type) && (m.type as unknown[]).includes('integer') && (m.type as unknown[]).includes('string'));
  if (!scalar) throw new Error('elicit-result-number: ElicitResult content values no longer list integer; review the patch');
  return scalar;
}

export function applyPatches(rev: Revision, doc: JsonSchemaDoc, defs: Record<string, JsonSchemaDoc>): string[] {
  const applied: string[] = [];
  for (const p of PATCHES) {
    if (!p.revisions.includes(rev)) continue;
    p.apply(doc, defs);
    applied.push(p.id);
  }
  return applied;
}
