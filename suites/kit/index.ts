// The check vocabulary: what a check file needs besides `t`, in one module. `check` and the check
// context come from the harness; the rest (citations, revision sets, lists, tool calls, content)
// lives beside this file.
export { check, FIXTURE, type CheckContext, type CheckDef } from '../harness/index.ts';
export { cite, section, authPage, transportPage, messagesPage, utilityPage, type Where } from './cite.ts';
