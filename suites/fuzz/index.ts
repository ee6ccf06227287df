// The public module of the fuzzer (`mcp-conform fuzz`):
//
//   const report = await fuzzServer(targetFactory({ kind: 'stdio', command: 'node', args: ['server.js'] }, 'my server'),
//                                   { revision: '2025-11-25', seed: 1, runs: 200, timeBudgetMs: 60_000 });
//   const { results } = fuzzResults(report, { tool, startedAt, outDir: 'out', replay: { mode: 'server', target, requestTimeoutMs, tool } });
//
// Message sequences come from the schema arbitraries (valid, labelled-invalid, tool calls with
// generated arguments) and run as fast-check properties, so findings shrink to minimal
// sequences; a model-based phase (fc.commands) checks lifecycle, concurrency and cancellation.
// Findings are results under `fuzz/<oracle>` with a replay file each (`replay()` re-runs one).
export { ORACLES, ORACLE_IDS, SEQUENCE_ORACLES, MODEL_ORACLES, documentedToolCallCodes, type OracleId } from './oracles.ts';
export { stepArbitrary, sequenceArbitrary, expectationFor, concretize, type FuzzStep, type Expectation, type ReplyRule, type StepContext, type CallableTool } from './steps.ts';
export { FuzzSession, SessionPool, targetFactory, clientDriver, OWN_ID_PREFIX, type TargetFactory, type OpenedConnection, type SessionDriver, type SessionOptions, type PoolOptions } from './session.ts';
export { runSteps, type RunRecord, type RunOptions, type OracleViolation } from './execute.ts';
export { fuzzServer, fuzzClient, fuzzSequences, prepareTarget, DEFAULTS, type FuzzOptions, type FuzzReport, type Finding, type SessionSource } from './engine.ts';
export { runModel, runCommands, commandFromJson, commandArbitraries, ModelViolation, type ModelCommandJson, type ModelOptions } from './model.ts';
export { clientFactory, launchVia, substitute, defaultClientFuzzServer, type ClientTargetOptions } from './client.ts';
export { listTools, selectTools, whyUnsafe, type CallToolsMode, type ToolSelection } from './tools.ts';
export { replay, loadReplay, parseReplay, replayFileFor, ReplayFileError, REPLAY_FORMAT, type ReplayFile, type ReplayOutcome, type ClientLaunch } from './replay.ts';
export { fuzzResults, replayPath, wirePath, type FuzzResultsOptions } from './results.ts';
export { memoryFactory, type InMemoryServer } from './memory.ts';
// The --call-tools parser the fuzz command shares with `server` (harness/tool-policy.ts, a leaf).
export { parseCallTools, type CallToolsPolicy } from '../harness/tool-policy.ts';
