// The shape of a mock script (YAML, JSON, or a plain object a TypeScript script exports), as
// script.schema.json describes it. These are the script format's types, not protocol types: the
// protocol objects inside (tool results, messages…) are checked against the MCP schema on the wire.
import type { Current, Revision } from '../../schema/index.ts';
import type { CompletionRef, ExpectationSpec, InputRequestSpec, JsonObject, LoggingLevel, Trigger } from '../behaviours.ts';
import type { RpcErrorBody } from '../peer.ts';
import type { FaultInput } from '../faults/index.ts';

export interface ScriptImplementation extends JsonObject {
  name: string;
  version: string;
}

export interface ScriptTool extends JsonObject {
  name: string;
  result?: string | JsonObject;
  error?: RpcErrorBody;
  asks?: Record<string, InputRequestSpec>;
  delayMs?: number;
  progressSteps?: number;
}

export interface ScriptResource extends JsonObject {
  uri: string;
  text?: string;
  blob?: string;
  contents?: JsonObject[];
  asks?: Record<string, InputRequestSpec>;
}

export interface ScriptResourceTemplate extends JsonObject {
  uriTemplate: string;
  text?: string;
  blob?: string;
  complete?: Record<string, string[]>;
  asks?: Record<string, InputRequestSpec>;
}

export interface ScriptPrompt extends JsonObject {
  name: string;
  arguments?: Current['PromptArgument'][];
  messages?: JsonObject[];
  complete?: Record<string, string[]>;
  asks?: Record<string, InputRequestSpec>;
}

export interface ScriptCompletion {
  ref: CompletionRef;
  argument: string;
  values: string[];
}

export interface ScriptLog {
  level: LoggingLevel;
  data: unknown;
  logger?: string;
  when: Trigger;
}

export interface ScriptNotification {
  id?: string;
  method: string;
  params?: JsonObject;
  when: Trigger;
  force?: boolean;
}

export interface ScriptServerRequest {
  id?: string;
  method: string;
  params?: JsonObject;
  when: Trigger;
  force?: boolean;
}

export interface ScriptExpectation extends ExpectationSpec {
  id?: string;
}

export type ScriptAnswer = 'generate' | JsonObject;

export interface ScriptClient {
  protocolVersion?: string;
  capabilities?: JsonObject;
  clientInfo?: ScriptImplementation;
  initialize?: boolean;
  timeoutMs?: number;
  answers?: Record<string, ScriptAnswer>;
}

export interface StepExpect {
  result?: unknown;
  error?: JsonObject;
  ok?: boolean;
}

export type ScriptStep =
  | { request: string; params?: JsonObject; expect?: StepExpect; timeoutMs?: number; name?: string }
  | { notify: string; params?: JsonObject; name?: string }
  | { sleep: number; name?: string }
  | { waitFor: { method: string; params?: JsonObject; timeoutMs?: number }; name?: string }
  | { raw: string; expect?: StepExpect; name?: string };

export interface ScriptDoc {
  server?: ScriptImplementation;
  revisions?: Revision[];
  capabilities?: JsonObject;
  instructions?: string;
  pageSize?: number;
  logging?: boolean;
  defaultLogLevel?: LoggingLevel;
  cache?: { ttlMs: number; cacheScope: 'public' | 'private' };
  tools?: ScriptTool[];
  resources?: ScriptResource[];
  resourceTemplates?: ScriptResourceTemplate[];
  prompts?: ScriptPrompt[];
  completions?: ScriptCompletion[];
  logs?: ScriptLog[];
  notifications?: ScriptNotification[];
  requests?: ScriptServerRequest[];
  send?: { message: unknown; when: Trigger }[];
  expect?: ScriptExpectation[];
  faults?: FaultInput[];
  seed?: number;
  client?: ScriptClient;
  steps?: ScriptStep[];
}
