// The public module of the authorization-server checks (`mcp-conform auth-server`): what MCP
// requires of an OAuth authorization server, judged through the suite's own OAuth client.
export { AS_REVISIONS, authServerChecks, runAuthServerChecks, type AuthServerRunOptions } from './run.ts';
export { OAuthFlow, obtainToken, discoverMetadata, codeOf, describeOutcome, s256, type Exchange, type Metadata, type MetadataFound, type Client, type Registration, type AuthorizationAttempt, type AuthorizationOutcome, type Grant } from './flow.ts';
