// JSON Schema in tool definitions (basic#json-schema-usage), the client's side: a tool whose
// inputSchema `$ref`s a network URI the client must not fetch on its own, and a tool whose
// 2020-12 schema the client is to hand back unchanged (what its library kept of it is what its
// application sees). Names and driver contract as in the official suite.
import { revisionsFrom, STATELESS_REVISIONS, type Revision } from '../../../schema/index.ts';
import { on, tool, type JsonObject } from '../../../mock-server/index.ts';
import { type Scenario, BOTH } from './kit.ts';

/** The path of the document the network `$ref` points at (on the run's loopback origin). */
export const REF_CANARY_PATH = '/canary/customer-profile.schema.json';
export const REF_TOOL = 'find_customer';

/** find_customer's inputSchema: a same-document `$ref` (safe to resolve) and one to a network URI. */
export function refToolSchema(canaryUrl: string): JsonObject {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    $defs: { customerId: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } },
    properties: { id: { $ref: '#/$defs/customerId' }, profile: { $ref: canaryUrl } },
    required: ['id'],
  };
}

/** The tool whose inputSchema the client echoes, and the echo tool (official names). */
export const FOCAL_TOOL = 'json_schema_2020_12_tool';
export const ECHO_TOOL = 'json_schema_echo';

/** 2020-12 keywords beyond type/properties/required: `$schema`, `$defs` with `$anchor` and a `$ref` to it, composition, conditionals, additionalProperties. */
export const FOCAL_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    parcel: {
      $anchor: 'parcelDef',
      type: 'object',
      properties: { weightKg: { type: 'number', minimum: 0 }, fragile: { type: 'boolean' } },
      required: ['weightKg'],
    },
  },
  properties: {
    recipient: { type: 'string' },
    parcel: { $ref: '#/$defs/parcel' },
    delivery: { type: 'string', enum: ['courier', 'locker'] },
    address: { type: 'string' },
    lockerId: { type: 'string' },
  },
  required: ['recipient'],
  allOf: [{ anyOf: [{ required: ['address'] }, { required: ['lockerId'] }] }],
  if: { properties: { delivery: { const: 'locker' } }, required: ['delivery'] },
  then: { required: ['lockerId'] },
  else: { required: ['address'] },
  additionalProperties: false,
} as const satisfies JsonObject;

/**
 * The keywords the preservation check compares (each deep-equal to what was listed), by the
 * revision from which the Tool's inputSchema admits them: 2025-11-25 types it as
 * $schema/type/properties/required, so there (as in the official suite) $schema, additionalProperties
 * and the definitions of $defs are judged; from 2026-07-28 it is any 2020-12 schema, so also
 * $anchor inside $defs, allOf/anyOf and if/then/else.
 */
export function preservedKeywords(rev: Revision): string[] {
  return rev >= '2026-07-28' ? ['$schema', '$defs', 'additionalProperties', 'allOf', 'if', 'then', 'else'] : ['$schema', '$defs', 'additionalProperties'];
}

export const JSON_SCHEMA_SCENARIOS: Scenario[] = [
  {
    name: 'json-schema-ref-no-deref',
    description: `Lists ${REF_TOOL}, whose inputSchema has a same-document $ref (#/$defs/customerId) and a $ref to an http:// URI on the run's loopback origin (${REF_CANARY_PATH}); every fetch of that URI is recorded.`,
    expects: `List tools (and call ${REF_TOOL} if you like) without fetching the network $ref.`,
    revisions: STATELESS_REVISIONS,
    transports: BOTH,
    build: (_rev, api) => {
      const description = 'Finds a customer by id';
      return {
        canaries: { [REF_CANARY_PATH]: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { displayName: { type: 'string' } } } },
        behaviours: [
          tool(REF_TOOL, { description, inputSchema: { type: 'object', properties: { id: { type: 'string' } } }, result: 'customer found' }),
          // The URL is known only once the mock listens: the listing is built when asked for.
          on('tools/list', () => {
            api.event('tools-listed', REF_TOOL);
            return { tools: [{ name: REF_TOOL, description, inputSchema: refToolSchema(api.canaryUrl(REF_CANARY_PATH)) }] };
          }),
        ],
      };
    },
  },
  {
    name: 'json-schema-2020-12-preservation',
    description: `Lists ${FOCAL_TOOL} (an inputSchema with $schema, $defs/$anchor, $ref, allOf/anyOf, if/then/else, additionalProperties: false) and ${ECHO_TOOL}, which takes any object as \`schema\`.`,
    expects: `List tools and call ${ECHO_TOOL} with arguments {"schema": <the inputSchema the client received for ${FOCAL_TOOL}, as its application sees it>}.`,
    revisions: revisionsFrom('2025-11-25'),
    transports: BOTH,
    build: (_rev, api) => ({
      behaviours: [
        tool(FOCAL_TOOL, { description: 'A parcel delivery order (JSON Schema 2020-12 keywords)', inputSchema: FOCAL_SCHEMA, result: 'order placed' }),
        tool(ECHO_TOOL, {
          description: `Echoes the inputSchema you received for ${FOCAL_TOOL}: pass it unchanged as \`schema\``,
          inputSchema: { type: 'object', properties: { schema: { type: 'object', description: `the inputSchema of ${FOCAL_TOOL}, verbatim` } }, required: ['schema'] },
          handler: () => {
            api.event('schema-echoed');
            return 'echoed';
          },
        }),
      ],
    }),
  },
];
