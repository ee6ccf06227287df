// The check vocabulary: what a check file needs besides `t`, in one module. `check` and the check
// context come from the harness; the rest lives beside this file: citations (cite.ts), revision
// ranges and small words (common.ts), the one paginator (lists.ts), tool calls (tools.ts), content
// blocks and URI templates (content.ts).
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
