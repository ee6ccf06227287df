// How Claude's hosts use MCP servers, as data: the transports each host connects with, the
// features it uses and the limits it applies, every rule with the Claude documentation page it
// comes from. The checks in this folder are generic bodies driven by these rules; a rule that the
// documentation does not state is not here (see the README section "Claude hosts" for the ones
// left out and why).
import type { Level } from '../../reports/index.ts';

export type HostId = 'claude-desktop' | 'claude-code' | 'claude-ai' | 'messages-api';
export const HOST_IDS: readonly HostId[] = ['claude-desktop', 'claude-code', 'claude-ai', 'messages-api'];

export type TransportKind = 'stdio' | 'http' | 'sse';
export type Feature = 'tools' | 'prompts' | 'resources';

/** The Claude documentation pages the rules cite. */
export const SOURCES = {
  /** The MCP connector of the Messages API (current version, mcp-client-2025-11-20). */
  connector: 'https://platform.claude.com/docs/en/agents-and-tools/mcp-connector',
  /** The same page in its docs.claude.com edition, with the "Limitations" list. */
  connectorLimitations: 'https://docs.claude.com/en/docs/agents-and-tools/mcp-connector',
  /** Tool definitions of the Claude API: the name pattern and input_schema. */
  toolUse: 'https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use',
  /** Custom connectors (remote MCP) in Claude, Claude Desktop and the mobile apps. */
  remoteConnectors: 'https://support.claude.com/en/articles/11503834-building-custom-integrations-via-remote-mcp-servers',
  /** Building connectors: the technical limits table (tool result size, timeouts, transports). */
  connectorLimits: 'https://claude.com/docs/connectors/building',
  /** Claude Code's MCP page: transports, scopes, ${VAR} expansion, MAX_MCP_OUTPUT_TOKENS. */
  claudeCodeMcp: 'https://code.claude.com/docs/en/mcp',
} as const;

/** What one rule checks; the parameters say against what. */
export type RuleSpec =
  /** The target's transport is one the host connects with. */
  | { kind: 'transport'; allowed: TransportKind[]; advice: string }
  /** The host still connects with these transports but documents them as deprecated. */
  | { kind: 'deprecated-transport'; deprecated: TransportKind[]; instead: string }
  /** A remote server's URL is https. */
  | { kind: 'https-url' }
  /** A remote server's URL names a host the public internet can reach (the host connects from the cloud). */
  | { kind: 'public-url'; from: string }
  /** The server offers at least one of these features (with at least one item). */
  | { kind: 'features'; uses: Feature[] }
  /** Every tool name matches the pattern. */
  | { kind: 'tool-name'; pattern: string }
  /** Every tool's inputSchema is a JSON Schema object of type "object". */
  | { kind: 'input-schema' }
  /** Tool results stay within the limit (results of the tools the run may call). */
  | { kind: 'tool-result-size'; maxChars?: number; maxTokens?: { limit: number; env: string; charsPerToken: number; imageTokens: number } }
  /** Tool results use only these content types. */
  | { kind: 'tool-result-content'; types: string[] }
  /** A server that wants authorization lets the host discover its OAuth authorization server (backed by the auth/* discovery checks). */
  | { kind: 'oauth' }
  /** …and that authorization server offers Dynamic Client Registration. */
  | { kind: 'oauth-dcr' };

export interface HostRule {
  /** The last part of the check id: `hosts/<host>/<name>`. */
  name: string;
  title: string;
  level: Level;
  /** What the documentation says, in short (quotes are marked). */
  requirement: string;
  /** The Claude documentation page it comes from. */
  source: string;
  /** Where the rule needed more than the page says: how it was applied. */
  note?: string;
  spec: RuleSpec;
}

export interface HostProfile {
  id: HostId;
  /** As used in verdict lines: "works with Claude Code". */
  name: string;
  /** How the host reaches servers. */
  transports: TransportKind[];
  /** MCP features the host uses. */
  uses: Feature[];
  rules: HostRule[];
}

const TOOL_RESULT_150K = 150_000;

export const PROFILES: Record<HostId, HostProfile> = {
  'claude-desktop': {
    id: 'claude-desktop',
    name: 'Claude Desktop',
    transports: ['stdio'],
    uses: ['tools', 'prompts', 'resources'],
    rules: [
      {
        name: 'local-stdio',
        title: 'Servers in claude_desktop_config.json are local stdio servers',
        level: 'MUST',
        requirement: '"Claude Desktop will not connect to remote servers that are configured directly via claude_desktop_config.json"; remote servers are added via Customize > Connectors.',
        source: SOURCES.remoteConnectors,
        spec: { kind: 'transport', allowed: ['stdio'], advice: 'add a remote server to Claude Desktop as a connector (Customize > Connectors) and test it with --profile claude-ai' },
      },
      {
        name: 'tool-result-size',
        title: 'Tool results fit the Claude.ai/Desktop tool result limit',
        level: 'SHOULD',
        requirement: 'Claude.ai/Desktop max tool result size: ~150,000 characters.',
        source: SOURCES.connectorLimits,
        note: 'The limit is given in the connectors page; it is applied to the text of the results of the tools the run may call.',
        spec: { kind: 'tool-result-size', maxChars: TOOL_RESULT_150K },
      },
    ],
  },
  'claude-code': {
    id: 'claude-code',
    name: 'Claude Code',
    transports: ['stdio', 'http', 'sse'],
    uses: ['tools', 'prompts', 'resources'],
    rules: [
      {
        name: 'sse-deprecated',
        title: 'The SSE transport is deprecated in Claude Code',
        level: 'SHOULD',
        requirement: 'The SSE transport is deprecated; use HTTP (Streamable HTTP) servers instead, where available.',
        source: SOURCES.claudeCodeMcp,
        spec: { kind: 'deprecated-transport', deprecated: ['sse'], instead: 'Streamable HTTP' },
      },
      {
        name: 'tool-output-size',
        title: 'Tool results fit MAX_MCP_OUTPUT_TOKENS',
        level: 'SHOULD',
        requirement: 'Claude Code limits MCP tool results to 25,000 tokens by default (configurable with MAX_MCP_OUTPUT_TOKENS); larger results are truncated.',
        source: SOURCES.connectorLimits,
        note: 'The token count is Claude Code\'s own estimate (characters / 4, 1,600 per image), read from Claude Code 2.1.332: it truncates when the estimate is over the limit and no exact count is available. Set MAX_MCP_OUTPUT_TOKENS to check against your own limit.',
        spec: { kind: 'tool-result-size', maxTokens: { limit: 25_000, env: 'MAX_MCP_OUTPUT_TOKENS', charsPerToken: 4, imageTokens: 1_600 } },
      },
    ],
  },
  'claude-ai': {
    id: 'claude-ai',
    name: 'Claude.ai',
    transports: ['http', 'sse'],
    uses: ['tools', 'prompts', 'resources'],
    rules: [
      {
        name: 'remote-transport',
        title: 'Connectors are remote servers over Streamable HTTP or SSE',
        level: 'MUST',
        requirement: '"Claude supports both SSE- and Streamable HTTP-based remote servers"; custom connectors use remote MCP.',
        source: SOURCES.remoteConnectors,
        spec: { kind: 'transport', allowed: ['http', 'sse'], advice: 'serve it over Streamable HTTP at a public https URL (a local stdio server works with Claude Desktop and Claude Code)' },
      },
      {
        name: 'sse-deprecated',
        title: 'SSE support may be deprecated',
        level: 'SHOULD',
        requirement: '"SSE support may be deprecated in the coming months"; Streamable HTTP is the transport protocol (legacy HTTP+SSE being deprecated).',
        source: SOURCES.remoteConnectors,
        spec: { kind: 'deprecated-transport', deprecated: ['sse'], instead: 'Streamable HTTP' },
      },
      {
        name: 'https-url',
        title: 'The server accepts HTTPS connections',
        level: 'MUST',
        requirement: '"The server must accept inbound HTTPS connections from Anthropic\'s IP ranges."',
        source: SOURCES.remoteConnectors,
        spec: { kind: 'https-url' },
      },
      {
        name: 'public-url',
        title: "The server is reachable from Anthropic's cloud",
        level: 'MUST',
        requirement: '"All remote MCP connections originate from Anthropic\'s cloud infrastructure" — also from Claude Desktop; servers reachable only via VPN or behind a firewall that blocks Anthropic fail to connect.',
        source: SOURCES.remoteConnectors,
        note: 'Judged from the URL: loopback, private, link-local and single-label or .local host names cannot be reached from the internet.',
        spec: { kind: 'public-url', from: "Anthropic's cloud" },
      },
      {
        name: 'features',
        title: 'The server offers tools, prompts or resources',
        level: 'MUST',
        requirement: '"Claude supports tools, prompts, and resources"; resource subscriptions and sampling are not yet supported.',
        source: SOURCES.remoteConnectors,
        spec: { kind: 'features', uses: ['tools', 'prompts', 'resources'] },
      },
      {
        name: 'oauth',
        title: 'A server that needs authorization supports OAuth discovery',
        level: 'MUST',
        requirement: '"Claude supports both authless and OAuth-based remote servers" (the 3/26 and 6/18 auth specifications).',
        source: SOURCES.remoteConnectors,
        note: 'A server that answers 401 must lead to an OAuth authorization server: Protected Resource Metadata (2025-06-18 on) or authorization server metadata on its origin (2025-03-26). Rests on auth/challenge, auth/prm-document and auth/authorization-servers-resolve: the same discovery (suites/harness/auth.ts), and where the run has those checks the rule agrees with them.',
        spec: { kind: 'oauth' },
      },
      {
        name: 'oauth-dcr',
        title: 'The authorization server supports Dynamic Client Registration',
        level: 'SHOULD',
        requirement: '"Claude supports Dynamic Client Registration (DCR)"; for servers without it users must enter a custom client ID and secret.',
        source: SOURCES.remoteConnectors,
        note: "The registration_endpoint of the metadata the oauth rule's discovery found (the metadata auth/authorization-servers-resolve judges).",
        spec: { kind: 'oauth-dcr' },
      },
      {
        name: 'tool-result-size',
        title: 'Tool results fit the Claude.ai tool result limit',
        level: 'SHOULD',
        requirement: 'Claude.ai/Desktop max tool result size: ~150,000 characters.',
        source: SOURCES.connectorLimits,
        spec: { kind: 'tool-result-size', maxChars: TOOL_RESULT_150K },
      },
      {
        name: 'tool-result-content',
        title: 'Tool results are text or images',
        level: 'SHOULD',
        requirement: '"Claude supports text- and image-based tool results."',
        source: SOURCES.remoteConnectors,
        spec: { kind: 'tool-result-content', types: ['text', 'image'] },
      },
    ],
  },
  'messages-api': {
    id: 'messages-api',
    name: 'the Messages API MCP connector',
    transports: ['http', 'sse'],
    uses: ['tools'],
    rules: [
      {
        name: 'remote-transport',
        title: 'The connector reaches servers over Streamable HTTP or SSE',
        level: 'MUST',
        requirement: '"The server must be publicly exposed through HTTP (supports both Streamable HTTP and SSE transports). Local STDIO servers cannot be connected directly."',
        source: SOURCES.connectorLimitations,
        spec: { kind: 'transport', allowed: ['http', 'sse'], advice: 'serve it over Streamable HTTP at a public https URL' },
      },
      {
        name: 'https-url',
        title: 'The server URL starts with https://',
        level: 'MUST',
        requirement: 'mcp_servers[].url: "The URL of the MCP server. Must start with https://".',
        source: SOURCES.connector,
        spec: { kind: 'https-url' },
      },
      {
        name: 'public-url',
        title: 'The server is publicly exposed',
        level: 'MUST',
        requirement: '"The server must be publicly exposed through HTTP."',
        source: SOURCES.connectorLimitations,
        note: 'Judged from the URL: loopback, private, link-local and single-label or .local host names cannot be reached from the internet.',
        spec: { kind: 'public-url', from: 'the Claude API' },
      },
      {
        name: 'tools',
        title: 'The server offers tools',
        level: 'MUST',
        requirement: '"Of the feature set of the MCP specification, only tool calls are currently supported."',
        source: SOURCES.connectorLimitations,
        spec: { kind: 'features', uses: ['tools'] },
      },
      {
        name: 'tool-name',
        title: "Tool names match the Claude API's tool name pattern",
        level: 'MUST',
        requirement: 'Tool name: "Must match the regex ^[a-zA-Z0-9_-]{1,64}$."',
        source: SOURCES.toolUse,
        note: "The pattern is the Claude API's rule for tool definitions; the connector gives the server's tools to Claude as tools.",
        spec: { kind: 'tool-name', pattern: '^[a-zA-Z0-9_-]{1,64}$' },
      },
      {
        name: 'input-schema',
        title: 'Tool input schemas are JSON Schema objects of type "object"',
        level: 'MUST',
        requirement: 'input_schema: "A JSON Schema object defining the expected parameters for the tool."',
        source: SOURCES.toolUse,
        spec: { kind: 'input-schema' },
      },
    ],
  },
};

export function isHostId(s: string): s is HostId {
  return (HOST_IDS as readonly string[]).includes(s);
}

/** `--profile` values → profiles; an unknown name throws (a usage error). */
export function parseProfiles(values: string | readonly string[] | undefined): HostProfile[] {
  const list = (typeof values === 'string' ? [values] : (values ?? [])).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const out: HostProfile[] = [];
  for (const v of list) {
    if (!isHostId(v)) throw new Error(`unknown --profile "${v}" (known: ${HOST_IDS.join(', ')})`);
    if (!out.some((p) => p.id === v)) out.push(PROFILES[v]);
  }
  return out;
}

/** `hosts/<host>/<rule>` */
export function ruleId(host: HostId, rule: HostRule): string {
  return `hosts/${host}/${rule.name}`;
}
