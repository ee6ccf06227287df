// Mock OAuth for MCP authorization: an authorization server, the protected-resource wrapper of
// the mock MCP server, tokens good and bad, and the request log auth scenarios judge clients by.
export { createAuthorizationServer, remoteKeys, OFFICIAL_CIMD_PLACEHOLDER, FOREIGN_ISS, TOKEN_EXCHANGE_GRANT, JWT_BEARER_GRANT, ID_JAG_TYPE, ID_TOKEN_TYPE, AUTH_SERVER_OPTION_KEYS, AUTH_FAULT_KINDS, AUTH_SERVER_LENIENCIES, METADATA_VARIANTS, CLIENT_AUTH_METHODS, type AuthorizationServer, type AuthServerOptions, type AuthServerFault, type AuthServerLeniency, type ClientConfig, type ClientAuthMethod, type MetadataVariant } from './authorization-server.ts';
export { protectHandler, bearerChallenge, RESOURCE_OPTION_KEYS, RESOURCE_LENIENCIES, type ResourceLeniency, type ProtectedResourceOptions, type ProtectedHandler, type PrmLocation } from './resource.ts';
export { serveAuthorizationServer, serveProtectedMock, type ServedAuthorizationServer, type ProtectedMockOptions, type ServedProtectedMock } from './serve.ts';
export { AuthLog, describeAuthRecord, type AuthRecord, type AuthEndpoint } from './log.ts';
export { TOKEN_FLAWS, type TokenFlaw, type MintOptions } from './tokens.ts';
export { followAuthorization, type AuthorizationResponse, type UserAgentOptions } from './user-agent.ts';
