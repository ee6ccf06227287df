// Shared by the client drivers: the conformance contract (scenario, context, protocol version from
// the environment; the server URL as the last argument or a stdio command after --stdio) and the
// answers a scripted "user" gives (elicitation forms, sampling, roots). Independent of mcp-conform's
// own code on purpose: a driver is a client under test, not part of the tester.

export interface DriverContext {
  scenario: string;
  /** MCP_CONFORMANCE_CONTEXT, parsed ({} when absent). */
  context: Record<string, unknown>;
  /** MCP_CONFORMANCE_PROTOCOL_VERSION, if given. */
  protocolVersion?: string;
  /** Request timeout for this scenario (context.requestTimeoutMs, default 10 s). */
  requestTimeoutMs: number;
  /** What the user does with an elicitation: accept (default), decline or cancel. */
  elicitationAction: 'accept' | 'decline' | 'cancel';
}

export type Target = { kind: 'http'; url: string } | { kind: 'stdio'; command: string; args: string[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function driverContext(env: NodeJS.ProcessEnv = process.env): DriverContext {
  let context: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(env.MCP_CONFORMANCE_CONTEXT ?? '{}');
    if (isObject(parsed)) context = parsed;
  } catch {
    // no context
  }
  const e = isObject(context.elicitation) ? context.elicitation : {};
  const action = e.action === 'decline' || e.action === 'cancel' ? e.action : 'accept';
  const out: DriverContext = {
    scenario: env.MCP_CONFORMANCE_SCENARIO ?? 'initialize',
    context,
    requestTimeoutMs: typeof context.requestTimeoutMs === 'number' ? context.requestTimeoutMs : 10_000,
    elicitationAction: action,
  };
  if (env.MCP_CONFORMANCE_PROTOCOL_VERSION) out.protocolVersion = env.MCP_CONFORMANCE_PROTOCOL_VERSION;
  return out;
}

/** `… --stdio CMD ARGS…` or `… URL` (the URL last, as the official suite passes it). */
export function parseTarget(argv: string[]): Target {
  const i = argv.indexOf('--stdio');
  if (i >= 0) {
    const [command, ...args] = argv.slice(i + 1);
    if (!command) throw new Error('--stdio needs a server command');
    return { kind: 'stdio', command, args };
  }
  const url = argv.at(-1);
  if (!url || !/^https?:\/\//.test(url)) throw new Error('usage: driver [--stdio CMD ARGS… | URL]');
  return { kind: 'http', url };
}

type JsonSchema = Record<string, unknown>;

function valueFor(schema: JsonSchema, name: string, index: number): unknown {
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (Array.isArray(schema.oneOf) && isObject(schema.oneOf[0]) && 'const' in schema.oneOf[0]) return schema.oneOf[0].const;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'number':
    case 'integer': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
      const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
      let v = index + 2; // add_numbers gets 2 and 3
      if (min !== undefined && v < min) v = min;
      if (max !== undefined && v > max) v = max;
      return type === 'integer' ? Math.round(v) : v;
    }
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default: {
      if (schema.format === 'email') return 'user@example.com';
      if (schema.format === 'uri') return 'https://example.com/';
      if (schema.format === 'date') return '2025-01-01';
      if (schema.format === 'date-time') return '2025-01-01T00:00:00Z';
      let s = name === 'name' ? 'Ada Lovelace' : 'mcp-conform';
      const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
      const minLength = typeof schema.minLength === 'number' ? schema.minLength : undefined;
      if (maxLength !== undefined) s = s.slice(0, maxLength);
      if (minLength !== undefined) s = s.padEnd(minLength, 'x');
      return s;
    }
  }
}

/** Arguments that satisfy a tool's inputSchema (required and optional properties). */
export function argumentsFor(inputSchema: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isObject(inputSchema) || !isObject(inputSchema.properties)) return out;
  let i = 0;
  for (const [name, schema] of Object.entries(inputSchema.properties)) {
    out[name] = valueFor(isObject(schema) ? schema : {}, name, i++);
  }
  return out;
}

/**
 * The arguments a driver calls a tool with: argumentsFor its schema, except where a scenario's
 * contract says otherwise (json-schema-2020-12-preservation: json_schema_echo gets the inputSchema
 * of json_schema_2020_12_tool as the client library handed it to the application).
 */
export function callArguments(ctx: DriverContext, tool: { name: string; inputSchema?: unknown }, listed: readonly { name: string; inputSchema?: unknown }[]): Record<string, unknown> {
  if (ctx.scenario === 'json-schema-2020-12-preservation' && tool.name === 'json_schema_echo') {
    return { schema: listed.find((t) => t.name === 'json_schema_2020_12_tool')?.inputSchema ?? {} };
  }
  return argumentsFor(tool.inputSchema);
}

/** The scripted user's answer to elicitation/create. */
export function elicitationAnswer(params: Record<string, unknown>, ctx: DriverContext): { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, string | number | boolean | string[]> } {
  if (ctx.elicitationAction !== 'accept') return { action: ctx.elicitationAction };
  if (params.mode === 'url') return { action: 'accept' };
  const schema = isObject(params.requestedSchema) ? params.requestedSchema : {};
  const content: Record<string, string | number | boolean | string[]> = {};
  const props = isObject(schema.properties) ? schema.properties : {};
  let i = 0;
  for (const [name, s] of Object.entries(props)) content[name] = valueFor(isObject(s) ? s : {}, name, i++) as string | number | boolean;
  return { action: 'accept', content };
}

export const SAMPLING_ANSWER = {
  role: 'assistant' as const,
  content: { type: 'text' as const, text: '5' },
  model: 'mcp-conform-scripted-model',
  stopReason: 'endTurn',
};

/** The scripted model's answer to sampling/createMessage: text, or a call of the first offered
 *  tool when toolChoice requires one (sampling with tools, 2025-11-25). */
export function samplingAnswer(params: { tools?: { name: string }[]; toolChoice?: { mode?: string } }): typeof SAMPLING_ANSWER | { role: 'assistant'; content: { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }[]; model: string; stopReason: 'toolUse' } {
  const tool = params.tools?.[0];
  if (!tool || params.toolChoice?.mode !== 'required') return SAMPLING_ANSWER;
  return { role: 'assistant', content: [{ type: 'tool_use', id: 'mcp-conform-driver-call-1', name: tool.name, input: {} }], model: SAMPLING_ANSWER.model, stopReason: 'toolUse' };
}

export const ROOTS = [{ uri: 'file:///tmp/mcp-conform-root', name: 'mcp-conform root' }];

export function log(...parts: unknown[]): void {
  process.stderr.write(`[driver] ${parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ')}\n`);
}

/** Runs a driver's main and exits with its code; on an error, after a moment, so that what the
 *  client library still had to send (a cancellation, a close) goes out first. */
export function runDriver(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      log('fatal:', err instanceof Error ? err.message : String(err));
      setTimeout(() => process.exit(1), 250);
    },
  );
}
