// The client suite: every client check (importing registers them) and the scenario runner.
// Under the CLI's vitest run this file is the test module; elsewhere importing it only defines
// the checks (see suites/harness/check.ts).
import './lifecycle.ts';
import './messages.ts';
import './transport.ts';
import './utilities.ts';
// Before features.ts: the order checks are defined in is the order they are listed and reported
// (stateless.ts was loaded first while features.ts imported a helper from it).
import './stateless.ts';
import './features.ts';
import './param-headers.ts';
import './json-schema.ts';
import './caching.ts';
import './auth/index.ts';

export { clientCheck, scenariosNeeded, scenariosOf } from '../kit/index.ts';
export { SCENARIOS, scenario, scenarioSkip, type Scenario, type ScenarioServer, type ClientTransportKind } from './scenarios/index.ts';
export { runScenario, runScenarios, ScenarioPool, defaultConcurrency, clientTransport, fillArgs, processGroupMembers, type ClientCommand, type RunOptions, type RunAllOptions } from './runner.ts';
export { exitSummary } from '../kit/index.ts';
export { AUTH_SCENARIOS, AUTH_SCENARIO_NAMES, AUTH_SCENARIO_ALIASES, AUTHORIZED_SCENARIOS, type AuthSetup } from './auth-scenarios.ts';
export { hostScenario, RELAY_PATH, type HostedScenario } from './host.ts';
