// Schema → fast-check arbitraries: valid values of any MCP type of any revision, valid values of
// any foreign JSON Schema (a tool's inputSchema…), and labelled invalid JSON-RPC messages.
export type { ArbitraryOptions, OracleUse } from './engine.ts';
export { SchemaArbitraryError, GenerationExhaustedError, type Dialect, type JsonSchema } from './oracle.ts';
export type { CompiledArbitrary } from './shared.ts';
export { arbitraryFor, compileFor } from './mcp.ts';
export { arbitraryFromJsonSchema, compileJsonSchema, dialectOf, type ForeignSchemaOptions } from './foreign.ts';
export { validMessage, envelopeTypes, MESSAGE_KINDS, type ValidMessage, type MessageKind, type MessageOptions, type SchemaCheck } from './messages.ts';
export { invalidMessage, invalidMessageFor, INVALID_RULES, WIRE_RULES, type InvalidMessage, type InvalidRule, type InvalidOptions } from './invalid.ts';
