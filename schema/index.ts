// The public module of schema/: every other room imports from here only.
export { REVISIONS, LATEST, LATEST_STATEFUL, STATEFUL_REVISIONS, STATELESS_REVISIONS, STREAMABLE_HTTP_REVISIONS, STATEFUL_STREAMABLE_REVISIONS, AUTHORIZATION_REVISIONS, PRM_REVISIONS, revisionsFrom, isRevision, isStateless, parseRevisionList, revisionInfo, specUrl, type Revision } from './revisions.ts';
export { ErrorCode, META, RELATED_TASK_META, LOG_LEVELS, isLoggingLevel, logSeverity, type ErrorCodeName, type LoggingLevel } from './protocol.ts';
export { isObject } from './json.ts';
export { syncSchemas, resolveSchemaFileSync, SpecUnavailableError, specUnavailableLine, PROJECT_ROOT, MODULE_EXT, entryArgs } from './sync.ts';
export { loadStatements, extractStatements, headingSlug, levelOf, statementHash, specDocsDir, type Statement, type StatementLevel } from './statements.ts';
export { loadSchema, typeNames, hasType, type LoadedSchema } from './load.ts';
export { validate, validatorFor, createAjv, compileUserSchema, errorsText, formatViolations, narrowest, toViolations, type Violation, type ValidationResult } from './validate.ts';
export { registry, hasCapability, gateOf, unionMembers, type MethodInfo, type Registry, type Direction, type Side, type CapabilityGate, type MethodKind } from './registry.ts';
export { classify, batchesAllowed, responseRules, errorIdOptional, type Classified, type ClassifyOptions, type MessageKind, type JsonRpcId } from './classify.ts';
export { PATCHES, type SchemaPatch } from './patches.ts';
export type { Schema, McpType, Current, Stateless, AnyRevision, JsonRpcError, MethodMap, Methods, RequestMethod, ParamsOf, ParamsWithoutMeta, ResultOf } from './types.ts';
// schema/arbitrary/index.ts is a second public module (schema → fast-check): kept out of this one so
// that what every process loads (the reference server, the CLI) does not load fast-check.
