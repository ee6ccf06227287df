// What a mock server holds apart from its connections: the behaviours in force and the lists and
// capabilities derived from them, tokens, schema validators, expectations and what it recorded.
// The feature modules read a server through this class; MockServer (server.ts) adds the sessions.
import { createHash, randomBytes } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import { compileUserSchema, isObject, isRevision, isStateless, REVISIONS, type Current, type Revision } from '../../schema/index.ts';
import {
  flattenBehaviours,
  type Behaviour,
  type BehaviourInput,
  type CompletionBehaviour,
  type JsonObject,
  type PromptBehaviour,
  type ResourceBehaviour,
  type ResourceTemplateBehaviour,
  type ToolBehaviour,
} from '../behaviours.ts';
import { Expectations } from './expectations.ts';
import { fitTo } from './fit.ts';
import { sign, unsign } from './signing.ts';
import type { ClientReply, MockServerOptions, ObservedMessage } from './types.ts';

export class ServerState {
  readonly options: MockServerOptions;
  readonly revisions: readonly Revision[];
  /** Problems in the script found while serving (invalid structured content, uncompilable schema…). */
  readonly problems: string[] = [];
  /** Replies clients gave to server→client requests (and MRTR input responses). */
  readonly clientReplies: ClientReply[] = [];
  /** Requests and notifications received, across sessions (bounded). */
  readonly observed: ObservedMessage[] = [];
  startedAt: number | undefined;
  protected base: Behaviour[];
  protected overrides: Behaviour[] = [];
  protected readonly expectations = new Expectations();
  private readonly secret: Buffer;
  private readonly validators = new Map<string, ValidateFunction | null>();

  constructor(options: MockServerOptions, behaviours: BehaviourInput[]) {
    this.options = options;
    const revs = options.revisions ?? REVISIONS;
    for (const r of revs) if (!isRevision(r)) throw new Error(`unknown revision "${String(r)}" (known: ${REVISIONS.join(', ')})`);
    if (revs.length === 0) throw new Error('a mock server needs at least one revision');
    this.revisions = [...revs].sort();
    this.base = flattenBehaviours(behaviours);
    this.secret = options.secret ? createHash('sha256').update(options.secret).digest() : randomBytes(32);
  }

  get serverInfo(): Current['Implementation'] {
    return this.options.serverInfo ?? { name: 'mcp-conform-mock', version: '0.1.0' };
  }

  /** Stateful revisions served, newest first. */
  get legacyRevisions(): Revision[] {
    return this.revisions.filter((r) => !isStateless(r)).reverse();
  }

  get statelessRevisions(): Revision[] {
    return this.revisions.filter((r) => isStateless(r)).reverse();
  }

  /** Behaviours in force: overrides (newest first) before the initial ones. */
  get behaviours(): Behaviour[] {
    return [...this.overrides, ...this.base];
  }

  private unique<T extends Behaviour>(kind: T['kind'], keyOf: (b: T) => string): T[] {
    const seen = new Set<string>();
    const out: T[] = [];
    for (const b of this.behaviours) {
      if (b.kind !== kind) continue;
      const k = keyOf(b as T);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(b as T);
    }
    return out;
  }

  tools(): ToolBehaviour[] {
    return this.unique<ToolBehaviour>('tool', (b) => b.name);
  }

  resources(): ResourceBehaviour[] {
    return this.unique<ResourceBehaviour>('resource', (b) => b.uri);
  }

  templates(): ResourceTemplateBehaviour[] {
    return this.unique<ResourceTemplateBehaviour>('resourceTemplate', (b) => b.uriTemplate);
  }

  prompts(): PromptBehaviour[] {
    return this.unique<PromptBehaviour>('prompt', (b) => b.name);
  }

  completions(): CompletionBehaviour[] {
    return this.behaviours.filter((b): b is CompletionBehaviour => b.kind === 'completion');
  }

  /** The capabilities declared (given, or derived from the behaviours). */
  capabilities(): Current['ServerCapabilities'] {
    if (this.options.capabilities) return this.options.capabilities;
    const bs = this.behaviours;
    const caps: Current['ServerCapabilities'] = {};
    if (bs.some((b) => b.kind === 'tool')) caps.tools = { listChanged: true };
    if (bs.some((b) => b.kind === 'resource' || b.kind === 'resourceTemplate')) caps.resources = { subscribe: true, listChanged: true };
    if (bs.some((b) => b.kind === 'prompt')) caps.prompts = { listChanged: true };
    const completes =
      bs.some((b) => b.kind === 'completion') ||
      this.prompts().some((p) => p.spec.complete) ||
      this.templates().some((t) => t.spec.complete);
    if (completes) caps.completions = {};
    if (this.options.logging || bs.some((b) => b.kind === 'logs' || (b.kind === 'notify' && b.method === 'notifications/message'))) caps.logging = {};
    return caps;
  }

  capabilitiesFor(rev: Revision): Current['ServerCapabilities'] {
    const caps = this.options.extensions ? { ...this.capabilities(), extensions: this.options.extensions } : this.capabilities();
    return fitTo(rev, 'ServerCapabilities', caps);
  }

  problem(text: string): void {
    if (this.problems.length < 1000 && !this.problems.includes(text)) this.problems.push(text);
  }

  /** An integrity-protected opaque token (cursor, requestState) for a payload. */
  sign(payload: unknown): string {
    return sign(this.secret, payload);
  }

  unsign(token: unknown): unknown {
    return unsign(this.secret, token);
  }

  /** ajv validator for a tool's inputSchema (null: the schema does not compile). */
  validatorFor(schema: unknown, rev: Revision): ValidateFunction | null {
    const declared = isObject(schema) && typeof schema.$schema === 'string' ? schema.$schema : undefined;
    // No $schema: 2020-12 from 2025-11-25 on (basic#json-schema-usage), draft-07 before.
    const dialect = declared ? (declared.includes('2020-12') ? '2020-12' : 'draft-07') : rev >= '2025-11-25' ? '2020-12' : 'draft-07';
    const k = `${dialect}:${JSON.stringify(schema)}`;
    if (this.validators.has(k)) return this.validators.get(k) ?? null;
    let fn: ValidateFunction | null = null;
    try {
      const { $schema: _s, ...rest } = (schema ?? {}) as JsonObject;
      fn = compileUserSchema(dialect, rest);
    } catch (err) {
      this.problem(`schema does not compile (${dialect}): ${(err as Error).message}`);
    }
    this.validators.set(k, fn);
    return fn;
  }
}
