// The method registry, derived from each revision's schema unions (ClientRequest, ServerRequest,
// ClientNotification, ServerNotification, and InputRequest in 2026-07-28) and each member's
// `method` const. Only the capability gates are a table here: the spec text defines them, not
// the schema; test/schema/registry.test.ts checks every gate names a capability the schema has.
import { isDeepStrictEqual } from 'node:util';
import { loadSchema } from './load.ts';
import type { JsonSchemaDoc } from './patches.ts';
import type { Revision } from './revisions.ts';

export type Side = 'client' | 'server';
/** Who sends the message: client→server, server→client. */
export type Direction = 'client-to-server' | 'server-to-client';
export type MethodKind = 'request' | 'notification' | 'input-request';

export interface CapabilityGate {
  /** Whose capabilities declare it. */
  side: Side;
  /** Path into ServerCapabilities / ClientCapabilities, e.g. ['resources', 'subscribe']. */
  path: string[];
}

export interface MethodInfo {
  method: string;
  kind: MethodKind;
  /** Directions it may travel; `ping` and `notifications/cancelled` go both ways. */
  directions: Direction[];
  /** Schema type of the whole message (e.g. CallToolRequest). */
  messageType: string;
  /** Schema type of params, when it is a named definition. */
  paramsType?: string;
  /** params is required by the schema. */
  paramsRequired: boolean;
  /** Schema type of the result (requests only); 'Result' where the schema has no specific one. */
  resultType?: string;
  /** Its result requires the caching hints ttlMs and cacheScope (2026-07-28 CacheableResult). */
  cacheable: boolean;
  /** The capability that must be declared for the method to be used, by direction of travel. */
  gates: Partial<Record<Direction, CapabilityGate>>;
}

export interface Registry {
  revision: Revision;
  methods: Map<string, MethodInfo>;
  get(method: string): MethodInfo | undefined;
  requests(direction: Direction): MethodInfo[];
  notifications(direction: Direction): MethodInfo[];
}

const UNIONS: { name: string; kind: MethodKind; direction: Direction }[] = [
  { name: 'ClientRequest', kind: 'request', direction: 'client-to-server' },
  { name: 'ServerRequest', kind: 'request', direction: 'server-to-client' },
  { name: 'ClientNotification', kind: 'notification', direction: 'client-to-server' },
  { name: 'ServerNotification', kind: 'notification', direction: 'server-to-client' },
  // 2026-07-28: server→client requests travel inside InputRequiredResult, not as JSON-RPC requests.
  { name: 'InputRequest', kind: 'input-request', direction: 'server-to-client' },
];

/** Capability gates by method, from the spec pages (server/*, client/*, utilities/*). */
const GATES: Record<string, CapabilityGate> = {
  'resources/list': { side: 'server', path: ['resources'] },
  'resources/templates/list': { side: 'server', path: ['resources'] },
  'resources/read': { side: 'server', path: ['resources'] },
  'resources/subscribe': { side: 'server', path: ['resources', 'subscribe'] },
  'resources/unsubscribe': { side: 'server', path: ['resources', 'subscribe'] },
  'notifications/resources/updated': { side: 'server', path: ['resources', 'subscribe'] },
  'notifications/resources/list_changed': { side: 'server', path: ['resources', 'listChanged'] },
  'prompts/list': { side: 'server', path: ['prompts'] },
  'prompts/get': { side: 'server', path: ['prompts'] },
  'notifications/prompts/list_changed': { side: 'server', path: ['prompts', 'listChanged'] },
  'tools/list': { side: 'server', path: ['tools'] },
  'tools/call': { side: 'server', path: ['tools'] },
  'notifications/tools/list_changed': { side: 'server', path: ['tools', 'listChanged'] },
  'logging/setLevel': { side: 'server', path: ['logging'] },
  'notifications/message': { side: 'server', path: ['logging'] },
  'completion/complete': { side: 'server', path: ['completions'] },
  'sampling/createMessage': { side: 'client', path: ['sampling'] },
  'roots/list': { side: 'client', path: ['roots'] },
  'notifications/roots/list_changed': { side: 'client', path: ['roots', 'listChanged'] },
  'elicitation/create': { side: 'client', path: ['elicitation'] },
};

/** tasks/* are gated by the receiver's `tasks` capability (2025-11-25 server/utilities/tasks). */
function taskGate(method: string, direction: Direction): CapabilityGate | undefined {
  if (!method.startsWith('tasks/')) return undefined;
  const side: Side = direction === 'client-to-server' ? 'server' : 'client';
  const sub = method === 'tasks/list' ? ['list'] : method === 'tasks/cancel' ? ['cancel'] : [];
  return { side, path: ['tasks', ...sub] };
}

/** The gate of a method, kept only where the revision's capabilities type has that capability. */
function gateFor(defs: Record<string, JsonSchemaDoc>, method: string, direction: Direction): CapabilityGate | undefined {
  const gate = GATES[method] ?? taskGate(method, direction);
  if (!gate) return undefined;
  const caps = defs[gate.side === 'server' ? 'ServerCapabilities' : 'ClientCapabilities'];
  const props = caps?.properties as Record<string, unknown> | undefined;
  return props && gate.path[0] && Object.hasOwn(props, gate.path[0]) ? gate : undefined;
}

/** The capability a method needs when sent in a direction (undefined: ungated). */
export function gateOf(info: MethodInfo, direction: Direction): CapabilityGate | undefined {
  return info.gates[direction];
}

function refName(node: unknown): string | undefined {
  const ref = (node as { $ref?: unknown } | null)?.$ref;
  return typeof ref === 'string' ? ref.split('/').pop() : undefined;
}

/** Members of a union definition: anyOf/oneOf of refs, a lone $ref, or a single inlined member. */
export function unionMembers(defs: Record<string, JsonSchemaDoc>, unionName: string): string[] {
  const node = defs[unionName];
  if (!node) return [];
  const alts = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
  if (alts) return alts.map((a) => refName(a)).filter((n): n is string => !!n);
  const single = refName(node);
  if (single) return [single];
  // A one-member union is inlined by the schema generator: find the definition it copies.
  const twin = Object.entries(defs).find(([name, def]) => name !== unionName && isDeepStrictEqual(def, node));
  return twin ? [twin[0]] : [];
}

function methodOf(def: JsonSchemaDoc | undefined): string | undefined {
  const m = (def?.properties as Record<string, { const?: unknown }> | undefined)?.method?.const;
  return typeof m === 'string' ? m : undefined;
}

function resultTypeFor(defs: Record<string, JsonSchemaDoc>, requestType: string): string {
  const candidate = requestType.replace(/Request$/, 'Result');
  return Object.hasOwn(defs, candidate) ? candidate : 'Result';
}

const registries = new Map<Revision, Registry>();

export function registry(rev: Revision): Registry {
  const hit = registries.get(rev);
  if (hit) return hit;
  const { defs } = loadSchema(rev);
  const methods = new Map<string, MethodInfo>();
  for (const u of UNIONS) {
    for (const typeName of unionMembers(defs, u.name)) {
      const def = defs[typeName];
      const method = methodOf(def);
      if (!method || !def) throw new Error(`${rev}: ${u.name} member ${typeName} has no method const`);
      const existing = methods.get(method);
      const gate = gateFor(defs, method, u.direction);
      if (existing) {
        if (!existing.directions.includes(u.direction)) existing.directions.push(u.direction);
        if (gate) existing.gates[u.direction] = gate;
        continue;
      }
      const props = def.properties as Record<string, unknown>;
      const required = (def.required as string[] | undefined) ?? [];
      const info: MethodInfo = {
        method,
        kind: u.kind,
        directions: [u.direction],
        messageType: typeName,
        paramsRequired: required.includes('params'),
        gates: gate ? { [u.direction]: gate } : {},
        cacheable: false,
      };
      const paramsType = refName(props.params);
      if (paramsType) info.paramsType = paramsType;
      if (u.kind !== 'notification') {
        info.resultType = resultTypeFor(defs, typeName);
        info.cacheable = ((defs[info.resultType]?.required as string[] | undefined) ?? []).includes('ttlMs');
      }
      methods.set(method, info);
    }
  }
  const list = [...methods.values()];
  const reg: Registry = {
    revision: rev,
    methods,
    get: (m) => methods.get(m),
    requests: (d) => list.filter((i) => i.kind === 'request' && i.directions.includes(d)),
    notifications: (d) => list.filter((i) => i.kind === 'notification' && i.directions.includes(d)),
  };
  registries.set(rev, reg);
  return reg;
}

/** Whether a capabilities object (from initialize or discover) declares a gate. */
export function hasCapability(capabilities: unknown, gate: CapabilityGate | undefined): boolean {
  if (!gate) return true;
  let node: unknown = capabilities;
  for (const key of gate.path) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[key];
  }
  if (gate.path.length > 1) return node === true || (typeof node === 'object' && node !== null);
  return node !== undefined && node !== null && node !== false;
}
