// The scenarios a client under test is run through. Each one is a mock server script (behaviours
// as values, HTTP handler options, rewrites of what the mock sends) plus the contract for the
// client: its name in MCP_CONFORMANCE_SCENARIO and what a driver is expected to do. Checks judge
// the recorded runs; a scenario only provokes.
//
// Names shared with the official conformance suite (`initialize`, `tools_call`,
// `elicitation-defaults`, `sse-retry`) expect the same client behaviour there and here, so a client
// harness written for it works unchanged.
//
// One module a group of scenarios, in the order `client --list` shows them: basics, client
// features, utilities, transports, 2026-07-28, authorization.
import type { Revision } from '../../../schema/index.ts';
import { AUTH_CLIENT_SCENARIOS } from './auth.ts';
import { BASIC_SCENARIOS } from './basics.ts';
import { CACHING_SCENARIOS } from './caching.ts';
import { CLIENT_FEATURE_SCENARIOS } from './client-features.ts';
import type { ClientTransportKind, Scenario } from './kit.ts';
import { JSON_SCHEMA_SCENARIOS } from './json-schema.ts';
import { PARAM_HEADER_SCENARIOS } from './param-headers.ts';
import { STATELESS_SCENARIOS } from './stateless.ts';
import { TRANSPORT_SCENARIOS } from './transport.ts';
import { UTILITY_SCENARIOS } from './utilities.ts';

export type { ClientTransportKind, OutgoingRewrite, Scenario, ScenarioApi, ScenarioServer } from './kit.ts';
export { addNumbers, CANARY_EVENT } from './kit.ts';
export { ECHO_TOOL, FOCAL_SCHEMA, FOCAL_TOOL, preservedKeywords, REF_CANARY_PATH, REF_TOOL } from './json-schema.ts';
export { DEFAULTS_SCHEMA, FORM_SCHEMA, SAMPLING_PARAMS, SAMPLING_TOOL, SAMPLING_TOOL_REQUESTS, TASK_POLL_MS, TASK_WORKING_MS, UNKNOWN_ELICITATION_ID, URL_ELICITATION } from './client-features.ts';
export { inputRequestFor, inputRequestsFor, UNKNOWN_RESULT_TOOL, UNKNOWN_RESULT_TYPE, GONE_URI } from './stateless.ts';
export { IRREGULAR_LAST_CURSOR, irregularSecondCursor, LATE_TOOL, PAGED_PROMPTS } from './utilities.ts';
export { CHANGED_TOOL, INVALID_HEADER_TOOLS, MIRROR_TOOL, UNSAFE_NAME_TOOL } from './param-headers.ts';
export { CACHE_TTL, CACHE_URIS, CACHE_WAIT_MS } from './caching.ts';

const scenarios: Scenario[] = [...BASIC_SCENARIOS, ...CLIENT_FEATURE_SCENARIOS, ...UTILITY_SCENARIOS, ...TRANSPORT_SCENARIOS, ...STATELESS_SCENARIOS, ...PARAM_HEADER_SCENARIOS, ...JSON_SCHEMA_SCENARIOS, ...CACHING_SCENARIOS, ...AUTH_CLIENT_SCENARIOS];

export const SCENARIOS: readonly Scenario[] = scenarios;

export function scenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}

/** Why a scenario does not run here (undefined: it does). */
export function scenarioSkip(s: Scenario, rev: Revision, transport: ClientTransportKind): string | undefined {
  if (!s.revisions.includes(rev)) return `does not apply at revision ${rev}`;
  if (!s.transports.includes(transport)) return `needs the ${s.transports.join(' or ')} transport (the client runs over ${transport})`;
  return undefined;
}
