// The bodies behind the host rules of profiles.ts, one per rule kind, and defineHostChecks()
// that turns a profile into checks `hosts/<host>/<rule>`. The checks run once per run, at the
// newest revision selected: a host's rules do not change with the protocol revision.
import { isObject, LATEST_STATEFUL, REVISIONS, type Current } from '../../schema/index.ts';
import type { MockClient } from '../../mock-server/index.ts';
import { check, describeTarget, type CheckContext, type CheckDef, type TargetSpec } from '../harness/index.ts';
import { cite, callWithGenerated, callable, listAll, listTools as listServerTools, plainCallable, DISCOVERY_CHECKS, discoverAuthorization, type AuthorizationDiscovery } from '../kit/index.ts';
import { ruleId, type HostProfile, type HostRule, type RuleSpec, type TransportKind } from './profiles.ts';

type T = CheckContext;
type Tool = Current['Tool'];
type Json = Record<string, unknown>;

const TRANSPORT_NAMES: Record<TransportKind | 'memory', string> = { stdio: 'stdio', http: 'Streamable HTTP', sse: 'HTTP+SSE', memory: 'in-process' };

function orList(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`;
}

function short(v: unknown, max = 120): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Host rules are revision-independent: they run at the newest selected revision only. */
function onceOnly(t: T): void {
  const newest = [...t.config.revisions].sort().at(-1);
  if (newest !== undefined && t.revision !== newest) t.notApplicable(`host rules are checked once, at ${newest}`);
}

function remoteUrl(t: T, host: HostProfile): URL {
  const target = t.target;
  if (target.kind !== 'http' && target.kind !== 'sse') return t.notApplicable(`not a remote server (${describeTarget(target)}); see hosts/${host.id}'s transport rule`);
  try {
    return new URL(target.url);
  } catch {
    return t.fail(`the server URL ${JSON.stringify(target.url)} is not a URL`);
  }
}

// ---- host names the internet cannot reach ----

function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

/** Why a URL's host cannot be reached from the internet, or null when it can be. */
export function unreachableHost(hostname: string): string | null {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return 'a loopback name';
  const v4 = ipv4(h);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    if (a === 127) return 'a loopback address';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
    if (a === 169 && b === 254) return 'a link-local address';
    if (a === 100 && b >= 64 && b <= 127) return 'a shared (carrier-grade NAT) address';
    if (a === 0) return 'an unspecified address';
    return null;
  }
  if (h.includes(':')) {
    if (h === '::1' || h === '::') return 'a loopback address';
    if (/^f[cd][0-9a-f]{2}:/.test(h)) return 'a private (unique local) address';
    if (/^fe[89ab][0-9a-f]:/.test(h)) return 'a link-local address';
    if (h.startsWith('::ffff:')) return unreachableHost(h.slice(7));
    return null;
  }
  if (h.endsWith('.local') || h.endsWith('.internal') || h.endsWith('.lan') || h.endsWith('.home.arpa')) return 'a local-network name';
  if (!h.includes('.')) return 'a single-label name, which does not resolve on the internet';
  return null;
}

// ---- lists and tool calls (the server suite's kit: same paging, same --call-tools policy) ----

async function listTools(t: T, c: MockClient, host: HostProfile): Promise<Tool[]> {
  if (!c.serverCapabilities.tools) return t.notApplicable(`the server offers no tools (see the other hosts/${host.id} checks)`);
  return listServerTools(t, c);
}

interface Called {
  tool: Tool;
  result: Current['CallToolResult'];
}

/**
 * Calls, once each, the tools the run's --call-tools policy allows, with arguments generated
 * from their input schemas; notVerified when none may be called or none answered.
 */
async function callTools(t: T, c: MockClient, tools: Tool[]): Promise<Called[]> {
  if (tools.length === 0) return t.notVerified('the server lists no tools');
  const allowed = callable(t, plainCallable(tools), 'tool');
  const calls = await callWithGenerated(t, c, allowed, 1);
  const out = calls.flatMap(({ tool, reply }) => (reply.ok && Array.isArray(reply.result.content) ? [{ tool, result: reply.result as unknown as Current['CallToolResult'] }] : []));
  if (out.length === 0) return t.notVerified(`none of the tools called (${allowed.map((x) => x.name).join(', ')}) returned a result`);
  return out;
}

/** Characters of text a result puts before the model: text blocks and embedded text resources. */
export function resultChars(result: Current['CallToolResult']): number {
  let n = 0;
  for (const b of result.content as unknown as Json[]) {
    if (b.type === 'text' && typeof b.text === 'string') n += b.text.length;
    else if (b.type === 'resource' && isObject(b.resource) && typeof b.resource.text === 'string') n += b.resource.text.length;
  }
  return n;
}

/** Claude Code's estimate of a result's tokens: text characters / 4 (rounded), 1,600 per image. */
export function estimateTokens(result: Current['CallToolResult'], charsPerToken: number, imageTokens: number): number {
  let n = 0;
  for (const b of result.content as unknown as Json[]) {
    if (b.type === 'text' && typeof b.text === 'string') n += Math.round(b.text.length / charsPerToken);
    else if (b.type === 'image') n += imageTokens;
  }
  return n;
}

// ---- the bodies ----

type Body = (t: T, host: HostProfile, rule: HostRule) => Promise<void>;

function kindOf(target: TargetSpec): TransportKind | 'memory' {
  return target.kind;
}

const BODIES: { [K in RuleSpec['kind']]: (spec: Extract<RuleSpec, { kind: K }>) => Body } = {
  transport: (spec) => async (t, host) => {
    onceOnly(t);
    const kind = kindOf(t.target);
    if (kind === 'memory') return t.notApplicable('an in-process target has no transport');
    if (!spec.allowed.includes(kind)) {
      t.fail(`${host.name} connects to servers over ${orList(spec.allowed.map((k) => TRANSPORT_NAMES[k]))}; this is a ${TRANSPORT_NAMES[kind]} server (${describeTarget(t.target)}): ${spec.advice}`);
    }
  },

  'deprecated-transport': (spec) => async (t, host) => {
    onceOnly(t);
    const kind = kindOf(t.target);
    if (kind === 'memory') return t.notApplicable('an in-process target has no transport');
    if (spec.deprecated.includes(kind)) t.fail(`the server is reached over ${TRANSPORT_NAMES[kind]}, which ${host.name} documents as deprecated: offer ${spec.instead}`);
  },

  'https-url': () => async (t, host) => {
    onceOnly(t);
    const url = remoteUrl(t, host);
    if (url.protocol !== 'https:') t.fail(`the server URL ${url.href} is not https: ${host.name} connects to remote servers over HTTPS only`);
  },

  'public-url': (spec) => async (t, host) => {
    onceOnly(t);
    const url = remoteUrl(t, host);
    const why = unreachableHost(url.hostname);
    if (why) t.fail(`${host.name} connects from ${spec.from}, which cannot reach ${url.host} (${why}); deploy the server at a public URL (or tunnel it) to use it there`);
  },

  features: (spec) => async (t, host) => {
    onceOnly(t);
    const c = await t.session({ anyVersion: true });
    const caps = c.serverCapabilities as Json;
    const offered: string[] = [];
    const empty: string[] = [];
    for (const f of spec.uses) {
      if (!caps[f]) continue;
      const items = f === 'resources' ? [...(await listAll(t, c, 'resources/list', 'resources')), ...(await listAll(t, c, 'resources/templates/list', 'resourceTemplates'))] : await listAll(t, c, `${f}/list`, f);
      (items.length > 0 ? offered : empty).push(f);
    }
    if (offered.length > 0) return;
    const uses = orList(spec.uses);
    if (empty.length > 0) t.fail(`${host.name} uses ${uses}; the server declares ${empty.join(' and ')} but lists none`);
    t.fail(`${host.name} uses only ${uses}; the server declares ${Object.keys(caps).length ? `only ${Object.keys(caps).join(', ')}` : 'no capabilities'}`, c.initializeResult as unknown as Json);
  },

  'tool-name': (spec) => async (t, host) => {
    onceOnly(t);
    const c = await t.session({ anyVersion: true });
    const tools = await listTools(t, c, host);
    const re = new RegExp(spec.pattern);
    const bad = tools.filter((x) => typeof x.name !== 'string' || !re.test(x.name));
    if (bad.length === 0) return;
    const why = (n: unknown) => (typeof n !== 'string' ? 'not a string' : n.length === 0 ? 'empty' : /^[a-zA-Z0-9_-]*$/.test(n) ? `${n.length} characters` : `has ${JSON.stringify([...new Set(n.replace(/[a-zA-Z0-9_-]/g, ''))].join(''))}`);
    t.fail(`${bad.length} tool name(s) do not match ${spec.pattern}, so ${host.name} cannot offer them to Claude: ${bad.slice(0, 5).map((x) => `${JSON.stringify(x.name)} (${why(x.name)})`).join(', ')}${bad.length > 5 ? ', …' : ''}`);
  },

  'input-schema': () => async (t, host) => {
    onceOnly(t);
    const c = await t.session({ anyVersion: true });
    const tools = await listTools(t, c, host);
    const problems: string[] = [];
    for (const x of tools) {
      const s = x.inputSchema as unknown;
      if (!isObject(s)) problems.push(`"${x.name}": inputSchema is ${short(s, 40)}, not an object`);
      else if (s.type !== 'object') problems.push(`"${x.name}": inputSchema has type ${short(JSON.stringify(s.type) ?? 'undefined', 40)}, not "object"`);
      else if (s.properties !== undefined && !isObject(s.properties)) problems.push(`"${x.name}": inputSchema.properties is not an object`);
    }
    if (problems.length) t.fail(`${problems.length} tool(s) have an input schema Claude cannot take: ${problems.slice(0, 5).join('; ')}`);
  },

  'tool-result-size': (spec) => async (t, host) => {
    onceOnly(t);
    const c = await t.session({ anyVersion: true });
    const called = await callTools(t, c, await listTools(t, c, host));
    const over: string[] = [];
    if (spec.maxTokens) {
      const fromEnv = Number(process.env[spec.maxTokens.env]);
      const limit = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : spec.maxTokens.limit;
      for (const { tool, result } of called) {
        const n = estimateTokens(result, spec.maxTokens.charsPerToken, spec.maxTokens.imageTokens);
        if (n > limit) over.push(`"${tool.name}" returned about ${n.toLocaleString('en')} tokens`);
      }
      if (over.length) t.fail(`${host.name} truncates tool results over ${limit.toLocaleString('en')} tokens (${spec.maxTokens.env}): ${over.join(', ')}; paginate or filter large results`);
    } else if (spec.maxChars) {
      for (const { tool, result } of called) {
        const n = resultChars(result);
        if (n > spec.maxChars) over.push(`"${tool.name}" returned ${n.toLocaleString('en')} characters`);
      }
      if (over.length) t.fail(`${host.name} takes tool results of up to about ${spec.maxChars.toLocaleString('en')} characters: ${over.join(', ')}`);
    }
  },

  'tool-result-content': (spec) => async (t, host) => {
    onceOnly(t);
    const c = await t.session({ anyVersion: true });
    const called = await callTools(t, c, await listTools(t, c, host));
    const odd: string[] = [];
    for (const { tool, result } of called) {
      const types = [...new Set((result.content as unknown as Json[]).map((b) => String(b.type)))].filter((x) => !spec.types.includes(x));
      if (types.length) odd.push(`"${tool.name}" returned ${types.join(', ')} content`);
    }
    if (odd.length) t.fail(`${host.name} shows ${orList(spec.types)} tool results: ${odd.join('; ')}`);
  },

  oauth: () => async (t, host) => {
    onceOnly(t);
    remoteUrl(t, host);
    const d = await discover(t);
    if (d.kind === 'authless') return;
    if (d.kind === 'unreachable') return t.notVerified(`${d.why}${seeAuth(d.check)}`);
    if (d.kind === 'failed') return t.fail(`the server wants authorization (HTTP ${d.status}) but ${host.name} cannot find its OAuth authorization server: ${d.why}${seeAuth(d.check)}`);
    // RFC 8414 §2: both are REQUIRED for the authorization code grant, the one the host uses.
    const missing = ['authorization_endpoint', 'token_endpoint'].filter((k) => typeof d.metadata[k] !== 'string');
    if (missing.length) t.fail(`the metadata of the authorization server ${d.issuer} (${d.metadataUrl}) lacks ${missing.join(' and ')}: ${host.name} cannot run the authorization code grant${seeAuth('auth/authorization-servers-resolve')}`);
    if (d.via === 'origin-metadata') t.note(`found by the 2025-03-26 fallback: no Protected Resource Metadata (auth/challenge and auth/prm-document fail from 2025-06-18 on), authorization server metadata on the server's origin at ${d.metadataUrl}`);
  },

  'oauth-dcr': () => async (t, host) => {
    onceOnly(t);
    remoteUrl(t, host);
    const d = await discover(t);
    if (d.kind === 'authless') return t.notApplicable('the server answers without authorization');
    if (d.kind === 'unreachable') return t.notVerified(`${d.why}${seeAuth(d.check)}`);
    if (d.kind === 'failed') return t.notVerified(`no authorization server metadata to look at (see hosts/${host.id}/oauth${d.check ? ` and ${d.check}` : ''}): ${d.why}`);
    if (d.registrationEndpoint === undefined) {
      t.fail(`the authorization server ${d.issuer} has no registration_endpoint (${d.metadataUrl}): ${host.name} cannot register itself, so users must enter a client ID and secret`);
    }
  },
};

/** The server auth checks a verdict rests on: where their own run says more. */
function seeAuth(check: string | undefined): string {
  return ` (see ${check ?? DISCOVERY_CHECKS.join(', ')})`;
}

/**
 * The harness's discovery (the one the auth/* checks judge), asked as a host asks: without the
 * run's Authorization (a host has no token yet), the other configured headers kept.
 */
function discover(t: T): Promise<AuthorizationDiscovery> {
  const target = t.target;
  if (target.kind !== 'http' && target.kind !== 'sse') return Promise.resolve({ kind: 'unreachable', why: 'not a remote server' });
  return discoverAuthorization(target.url, LATEST_STATEFUL, t.requestTimeoutMs, { headers: target.headers ?? {}, sse: target.kind === 'sse', wire: t.wire });
}

function bodyFor(spec: RuleSpec): Body {
  return (BODIES[spec.kind] as (s: RuleSpec) => Body)(spec);
}

/** One check per rule of the profile, ids `hosts/<host>/<rule>`. */
export function defineHostChecks(host: HostProfile): CheckDef[] {
  return host.rules.map((rule) => {
    const body = bodyFor(rule.spec);
    return check(
      {
        id: ruleId(host.id, rule),
        title: `${host.name}: ${rule.title}`,
        level: rule.level,
        requirement: rule.requirement,
        // The page cited for every revision: host checks apply to all of them (they run once).
        spec: cite(REVISIONS, rule.source),
      },
      (t) => body(t, host, rule),
    );
  });
}
