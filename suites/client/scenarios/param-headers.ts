// 2026-07-28 Streamable HTTP, custom headers from tool parameters (basic/transports/streamable-http
// #custom-headers-from-tool-parameters): tools whose x-mcp-header annotations a client must mirror
// into Mcp-Param-* headers (values that need the Base64 sentinel among them), a tool whose name
// needs it in Mcp-Name, and tools whose annotations break the constraints (to be left out).
import { STATELESS_REVISIONS } from '../../../schema/index.ts';
import { on, tool, type JsonObject } from '../../../mock-server/index.ts';
import { type Scenario, addNumbers, NO_ARGS, HTTP } from './kit.ts';

/**
 * Every kind of value the encoding rules name, as schema defaults (the contract's drivers call a
 * tool with its defaults): plain ASCII, non-ASCII, leading/trailing whitespace, a plain value that
 * looks like the sentinel, an integer, a boolean, and a nested property.
 */
export const MIRROR_TOOL = {
  name: 'mirror_params',
  inputSchema: {
    type: 'object',
    properties: {
      region: { type: 'string', 'x-mcp-header': 'Region', default: 'us-west1' },
      // Latin-1 on purpose: a client that sends it raw still gets it onto the wire (fetch refuses wider characters).
      greeting: { type: 'string', 'x-mcp-header': 'Greeting', default: 'Grüße' },
      text: { type: 'string', 'x-mcp-header': 'Text', default: ' padded ' },
      val: { type: 'string', 'x-mcp-header': 'Val', default: '=?base64?literal?=' },
      count: { type: 'integer', 'x-mcp-header': 'Count', default: 42 },
      verbose: { type: 'boolean', 'x-mcp-header': 'Verbose', default: false },
      scope: { type: 'object', properties: { tenant: { type: 'string', 'x-mcp-header': 'Tenant' } }, default: { tenant: 'acme' } },
    },
  },
} as const satisfies { name: string; inputSchema: JsonObject };

/** A tool name outside the header-safe set: Mcp-Name carries it Base64-encoded. */
export const UNSAFE_NAME_TOOL = 'météo';

/** Tools whose x-mcp-header annotations break a constraint: a client MUST leave them out of tools/list. */
export const INVALID_HEADER_TOOLS: Readonly<Record<string, JsonObject>> = {
  header_not_a_token: { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Bad Header', default: 'us' } } },
  header_on_number: { type: 'object', properties: { ratio: { type: 'number', 'x-mcp-header': 'Ratio', default: 0.5 } } },
  header_not_unique: {
    type: 'object',
    properties: { a: { type: 'string', 'x-mcp-header': 'Dup', default: 'x' }, b: { type: 'string', 'x-mcp-header': 'dup', default: 'y' } },
  },
};

/** The tool of param-headers-changed whose schema gained an x-mcp-header annotation. */
export const CHANGED_TOOL = 'regional_query';

export const PARAM_HEADER_SCENARIOS: Scenario[] = [
  {
    name: 'param-headers',
    description: `Lists ${MIRROR_TOOL.name} (x-mcp-header on seven parameters, some values needing Base64), ${UNSAFE_NAME_TOOL} (a name needing Base64 in Mcp-Name), add_numbers, and ${Object.keys(INVALID_HEADER_TOOLS).join(', ')} (invalid x-mcp-header annotations).`,
    expects: `List tools and call each tool the client keeps with its default arguments, mirroring x-mcp-header parameters into Mcp-Param-* headers; leave out the tools with invalid annotations (${Object.keys(INVALID_HEADER_TOOLS).join(', ')}).`,
    revisions: STATELESS_REVISIONS,
    transports: HTTP,
    build: (_rev, api) => ({
      behaviours: [
        addNumbers,
        tool(MIRROR_TOOL.name, { description: 'Mirrors its annotated parameters into Mcp-Param headers', inputSchema: MIRROR_TOOL.inputSchema, result: 'mirrored' }),
        tool(UNSAFE_NAME_TOOL, { description: 'A tool whose name is not header-safe', inputSchema: NO_ARGS, result: 'ensoleillé' }),
        ...Object.entries(INVALID_HEADER_TOOLS).map(([name, inputSchema]) =>
          tool(name, {
            description: 'Its x-mcp-header annotation is invalid: a client must not offer this tool',
            inputSchema,
            handler: () => {
              api.event('invalid-tool-called', name);
              return 'a client must not have called this tool';
            },
          }),
        ),
      ],
    }),
  },
  {
    name: 'param-headers-changed',
    description: `The first tools/list shows ${CHANGED_TOOL} without x-mcp-header; its inputSchema has since gained one (region → Mcp-Param-Region), so a call without that header is refused with 400 and HeaderMismatch (-32020). Later tools/list calls show the annotation.`,
    expects: `Call ${CHANGED_TOOL}; when it is refused with HeaderMismatch, list tools again and retry the call with the Mcp-Param-Region header.`,
    revisions: STATELESS_REVISIONS,
    transports: HTTP,
    build: (_rev, api) => {
      let lists = 0;
      const annotated = { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region', default: 'us-west1' } } };
      const plain = { type: 'object', properties: { region: { type: 'string', default: 'us-west1' } } };
      return {
        behaviours: [
          tool(CHANGED_TOOL, { description: 'Runs in a region', inputSchema: annotated, result: 'done in {{arguments.region}}' }),
          on('tools/list', () => {
            lists++;
            if (lists === 2) api.event('tools-relisted', 'the annotation now shows');
            return { tools: [{ name: CHANGED_TOOL, description: 'Runs in a region', inputSchema: lists === 1 ? plain : annotated }] };
          }),
        ],
        // The scenario host checks Mcp-Param-* headers only against the schemas it is given: this one is annotated.
        http: { toolInputSchema: (name) => (name === CHANGED_TOOL ? annotated : undefined) },
      };
    },
  },
];

