// The check vocabulary: what a check file needs besides `t`, in one module. `check` and the check
// context come from the harness; the rest lives beside this file: citations (cite.ts), revision
// ranges and small words (common.ts), the one paginator (lists.ts), tool calls (tools.ts), content
// blocks and URI templates (content.ts), the tool survey that finds a tool reporting progress
// (tool-survey.ts), a request every revision answers and a cancellable call (liveness.ts), what the
// 2026-07-28 checks send (stateless.ts), task-augmented calls and polling for the 2025-11-25 tasks
// checks (tasks.ts), and raw HTTP for the transport checks (http.ts, with the
// harness's raw-HTTP, stateless-client and authorization-discovery pieces a check reads); for the client
// checks, `clientCheck` (client-check.ts) and reading a recorded client run (client-runs.ts). A check
// file imports from suites/ only this module and the harness's index (test/architecture.test.ts).
export { check, checksWith, FIXTURE, type CheckContext, type CheckDef } from '../harness/index.ts';
export { cite, section, authPage, transportPage, messagesPage, utilityPage, type Where } from './cite.ts';
export { since, from, EVERY, short, unknownName, errorText, schemaProblem, received, waitFor, type T, type Json, type Tool } from './common.ts';
export { walkList, MAX_PAGES, type Lister, type Listing, type Page, type OkReply, type WalkOptions } from '../harness/index.ts';
export { listAll, listTools, expectSameSetPerConnection } from './lists.ts';
export { listResultCheck, listChangedGatedCheck, type ListedFeature } from './list-checks.ts';
export {
  CONTRACT_TOOLS, mayCall, plainCallable, callable, dialectFor, compileSchema, seedFor, generateArguments, callTool, callTimeout, budget,
  CALLS_PER_TOOL, callWithGenerated, toolCallSample, type ToolCall, type Permission,
} from './tools.ts';
export { isBase64, isMimeType, isAbsoluteUri, resourceContentsProblems, contentProblems, uriTemplateProblem, templateVariables, expandTemplate } from './content.ts';
export { surveyTools, progressTool, longRunningTool, type Survey, type Surveyed } from './tool-survey.ts';
export { livenessMethod, livenessMessage, startProgressCall, CANCEL_ID, CANCEL_TOKEN } from './liveness.ts';
export { at, safeOperations, inputRequiringOperation, logsOf, statusOf, INPUT_CAPABILITIES, INPUT_METHODS, CAPABILITY_OF, type Operation, type InputSearch } from './stateless.ts';
export { tasks, TOOLS_CALL, TERMINAL, TTL, supportOf, argsFor, taskTool, startTask, createdTask, poll, finishMs, relatedOf, MAX_TASK_TOOLS, taskTools } from './tasks.ts';
export { MODERN, FOREIGN_ORIGIN, PING, listedTools, describe, jsonRpcError, session, modern, expectModernOnly, expectHeaderMismatch } from './http.ts';
export { rpcRequest, messagesOf, responseIn, errorCodeIn, mediaType, openLegacyStream, legacyTransportOf, HttpProbe, type LegacyStream } from '../harness/http.ts';
export { cannedInputResponse, judgeDiscover, StatelessClient, type DiscoverResult, type StatelessRequestOptions } from '../harness/stateless.ts';
export {
  describeFetch, judgePrm, locatePrm, noneAnswered, resolveIssuer, discoverAuthorization, parseChallenge, scopedToken, prmWellKnown, asMetadataUrls, DISCOVERY_CHECKS,
  type Challenge, type FetchedJson, type LocatedPrm, type AuthorizationDiscovery,
} from '../harness/auth.ts';
export { clientCheck, scenariosNeeded, scenariosOf, type ClientCheckSpec } from './client-check.ts';
export {
  isRequest, isNotification, isResponse, clientMessages, mockMessages, sessions, NO_SESSION, refusedOutsideSession, clientRequests, clientNotifications,
  answerTo, serverRequests, replyTo, clientAfter, handshakes, sessionRevision, httpMessages, metaOf, toolCalls, toolName, brief, exitSummary, around,
  carriedOn, needRound,
  type Msg, type Sent, type Handshake,
} from './client-runs.ts';
export type { CheckScope } from '../harness/types.ts';
