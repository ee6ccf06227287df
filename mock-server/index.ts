// The public module of mock-server/: the peer engine, transports, wire recording.
// The protocol constants, defined in schema/, are re-exported for the library's users.
export { ErrorCode, META, LOG_LEVELS } from '../schema/index.ts';
export { Peer, RpcError, TimeoutError, ClosedError, type Reply, type RequestOptions, type HandlerContext, type RequestHandler, type NotificationHandler, type PeerOptions, type ViolationReport, type RpcErrorBody } from './peer.ts';
export { type Transport, type RawFrame, type FrameInfo, isRawFrame, frameText } from './transport.ts';
export { createMemoryPair } from './memory.ts';
export { WireLog, type WireEntry } from './wire.ts';
export { StdioClientTransport, type StdioClientOptions } from './transports/stdio-client.ts';
export { childEnv, endOwnProcesses, killAllChildren, liveChildren, markedProcesses, openScope, spawnTracked, stopAllChildren, stopChild, trackChild, RUN_MARKER, RUN_SCOPE } from './transports/processes.ts';
export { MockClient, DEFAULT_ANSWERS, DEFAULT_CLIENT_INFO, type MockClientOptions } from './client.ts';
export { StdioServerTransport, redirectConsoleToStderr, type StdioServerOptions } from './transports/stdio-server.ts';
export { StreamableHttpClientTransport, type StreamableHttpClientOptions } from './transports/http-client.ts';
export { SseClientTransport, type SseClientOptions } from './transports/sse-client.ts';
export { createStreamableHttpHandler, StreamableHttpServerTransport, isAllowedOrigin, type StreamableHttpHandler, type StreamableHttpHandlerOptions, type SessionInfo, type ServerExchange, type HttpFaultHook, type HttpFaultContext, type ResponseMode } from './transports/http-server.ts';
export { createSseHandler, SseServerTransport, type SseHandler, type SseHandlerOptions } from './transports/sse-server.ts';
export { serveHttp, routeHandlers, type FetchHandler, type ServeOptions, type ServedHttp } from './transports/serve.ts';
export { HttpError, HttpRecorder, type HttpExchange, type RawRequestOptions, type RawResponse } from './transports/http-common.ts';
export { encodeSseEvent, encodeSseComment, readSse, SseWriter, type SseEvent, type SseEventInit } from './transports/sse.ts';
export { encodeHeaderValue, decodeHeaderValue, standardRequestHeaders, paramHeaderSpecs, paramHeaders, checkRequestHeaders, isModernVersion, type ParamHeaderSpec } from './transports/mcp-headers.ts';
export { connectTarget, describeTarget, parseHeaderArgs, type TargetSpec, type ConnectOptions } from './transports/connect.ts';
// The scriptable mock server: behaviours as values, composed by createMockServer().
export { MockServer, ServerSession, RequestCtx, createMockServer, fitTo, InputRequired, MissingClientCapability, type MockServerOptions, type ServerContext, type ExpectationResult, type ClientReply, type ObservedMessage } from './server/index.ts';
export {
  tool,
  resource,
  resourceTemplate,
  prompt,
  completion,
  logs,
  notify,
  serverRequest,
  send,
  on,
  expectRequest,
  flattenBehaviours,
  type Behaviour,
  type BehaviourInput,
  type Trigger,
  type ToolSpec,
  type ResourceSpec,
  type ResourceTemplateSpec,
  type PromptSpec,
  type InputRequestSpec,
  type ExpectationSpec,
  type LogEntry,
  type JsonObject,
} from './behaviours.ts';
export { matchesSubset, subsetMismatch, fillTemplate, uriTemplate } from './match.ts';
// Scripts (YAML, JSON, TypeScript), the scripted client, serving, faults, record/replay, msw.
export { parseScript, loadScript, validateScript, defineServer, isServerDefinition, formatIssue, ScriptError, scriptSchema, type ScriptIssue, type ServerDefinition, type LoadedScript } from './script/load.ts';
export { scriptBehaviours, scriptOptions, scriptDefinition, serverFromDefinition, definitionOf, loadServer } from './script/build.ts';
export { ScriptedClient, runClientScript, generateAnswer, checkReply, formatRunReport, type ClientRunReport, type StepResult, type StepFunction, type AnyStep, type ScriptedClientOptions } from './script/client.ts';
export type { ScriptDoc, ScriptClient, ScriptStep, StepExpect } from './script/types.ts';
export { serveMockStdio, serveMockHttp, mockHttpHandler, mockSseHandler, toMockServer, type HttpServeOptions, type MockHttpOptions, type MockSseOptions, type ServedMock, type StdioServeOptions, type FaultServeOptions } from './serving.ts';
export { parseFault, checkFault, toFaultSpec, withFaults, FaultyTransport, FaultSpecError, seededRandom, FAULT_HELP, MESSAGE_FAULTS, HTTP_FAULTS, type FaultSpec, type FaultKind, type FaultInput, type FaultOptions } from './faults/index.ts';
export { httpFaultHook, withSlowSse } from './faults/http.ts';
export { redact, recordProxy, CassetteWriter, readCassette, parseCassette, ReplayServer, CassetteError, REDACTED, type Cassette, type CassetteEntry, type CassetteHeader } from './record/index.ts';
// mcpHandlers lives in ./msw.ts (import it from there): msw is only loaded by code that uses it.
export type { McpHandlers, McpHandlersOptions } from './msw.ts';
export { referenceServer, referenceDefinition, reconnectionTool, REFERENCE_OPTIONS, SEP1034_DEFAULTS_FORM } from './reference/server.ts';
// Mock OAuth: authorization server, protected-resource mode, tokens (basic/authorization).
export * from './auth/index.ts';
