// Names of the fixture tools, resources and prompts the official conformance suite asks servers
// under test to provide. Checks that need one look it up by these names; a server without it
// gets not-verified, never a guess.
export const FIXTURE = {
  /** Sends progress notifications while it runs (and runs long enough to be cancelled). */
  progressTool: 'test_tool_with_progress',
  simpleTextTool: 'test_simple_text',
  errorTool: 'test_error_handling',
  loggingTool: 'test_tool_with_logging',
  samplingTool: 'test_sampling',
  elicitationTool: 'test_elicitation',
  /** Asks for a form with a default of each primitive type (SEP-1034). */
  elicitationDefaultsTool: 'test_elicitation_sep1034_defaults',
  /** Asks for a form with the five enum forms (SEP-1330). */
  elicitationEnumsTool: 'test_elicitation_sep1330_enums',
  /** Listed with an inputSchema using JSON Schema 2020-12 keywords; never called. */
  jsonSchemaTool: 'json_schema_2020_12_tool',
  /** Closes its SSE response stream before the result (Streamable HTTP, 2025-11-25): resumed with Last-Event-ID. */
  reconnectionTool: 'test_reconnection',
  staticTextResource: 'test://static-text',
  simplePrompt: 'test_simple_prompt',
} as const;
