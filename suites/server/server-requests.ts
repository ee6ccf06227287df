// client/sampling and client/elicitation, seen from the server: what a server asks of the client
// while its tools run must fit what that client declared (no tools in sampling without
// sampling.tools, no URL mode without elicitation.url, no includeContext without
// sampling.context), and the messages of a tool loop must be balanced. Real servers do not have
// the official fixture's test_sampling, so every tool the run may call is called once, under two
// client profiles (made once per run and revision, shared by these checks), and the server's
// requests (2026-07-28: the input requests of its input_required results) are judged, the
// requested schema of its form elicitations too (defaults, enum forms; with the official fixture's
// test_elicitation_sep1034_defaults and test_elicitation_sep1330_enums when listed).
import { ErrorCode, isObject, revisionsFrom } from '../../schema/index.ts';
import type { MockClient, RequestHandler } from '../../mock-server/index.ts';
import { check } from '../harness/index.ts';
import { callable, callTool, callWithGenerated, cannedInputResponse, cite, FIXTURE, listTools, plainCallable, short, type Json, type T } from '../kit/index.ts';

/** narrow: sampling without tools or context, form-only elicitation; wide: sampling.tools and URL elicitation, tool loops answered. */
type Profile = 'narrow' | 'wide';

interface Ask {
  method: string;
  params: Json;
  /** The message that carried it (a request, or the input_required result), for evidence. */
  msg: Json;
}

interface AskSurvey {
  tried: string[];
  asks: Ask[];
  /** Every message the server sent in the survey (requests, notifications, results). */
  received: Json[];
}

const ASKING = ['sampling/createMessage', 'elicitation/create'];
const USE_ID = 'mcp-conform-tool-use-1';

function capabilitiesOf(profile: Profile): Json {
  return profile === 'narrow' ? { sampling: {}, elicitation: { form: {} }, roots: {} } : { sampling: { tools: {} }, elicitation: { form: {}, url: {} }, roots: {} };
}

const blocks = (content: unknown): Json[] => (Array.isArray(content) ? content : [content]).filter(isObject);

/** wide: a tool-enabled request whose conversation does not end in tool results is answered with a tool use (to see the server's next turn). */
function wideSampling(params: Json): Json {
  const tools = Array.isArray(params.tools) ? params.tools.filter(isObject) : [];
  const messages = Array.isArray(params.messages) ? params.messages.filter(isObject) : [];
  const last = messages.at(-1);
  const answered = last !== undefined && blocks(last.content).some((b) => b.type === 'tool_result');
  if (tools.length && !answered) return { role: 'assistant', content: [{ type: 'tool_use', id: USE_ID, name: String(tools[0]!.name), input: {} }], model: 'mcp-conform-mock', stopReason: 'toolUse' };
  return { role: 'assistant', content: { type: 'text', text: 'mcp-conform mock reply' }, model: 'mcp-conform-mock', stopReason: 'endTurn' };
}

function asksIn(received: readonly Json[]): Ask[] {
  const out: Ask[] = [];
  for (const m of received) {
    if (typeof m.method === 'string' && Object.hasOwn(m, 'id') && ASKING.includes(m.method)) out.push({ method: m.method, params: isObject(m.params) ? m.params : {}, msg: m });
    // 2026-07-28: no server→client requests; input_required results carry them (basic/patterns/mrtr).
    const r = isObject(m.result) ? m.result : undefined;
    if (r?.resultType === 'input_required' && isObject(r.inputRequests)) {
      for (const q of Object.values(r.inputRequests)) if (isObject(q) && typeof q.method === 'string' && ASKING.includes(q.method)) out.push({ method: q.method, params: isObject(q.params) ? q.params : {}, msg: m });
    }
  }
  return out;
}

/** Calls every tool the run may call once, as a client of this profile; what the server asked. */
function askSurvey(t: T, profile: Profile): Promise<AskSurvey> {
  return t.sharedValue(
    `the server-request survey (${profile} client capabilities)`,
    async () => {
      const handlers: Record<string, RequestHandler> = profile === 'wide' ? { 'sampling/createMessage': (p: Json | undefined) => wideSampling(p ?? {}), 'elicitation/create': (p: Json | undefined) => (p?.mode === 'url' ? { action: 'accept' } : { action: 'decline' }) } : {};
      const c: MockClient = await t.session({ fresh: true, capabilities: capabilitiesOf(profile), handlers });
      const tools = callable(t, plainCallable(await listTools(t, c)));
      t.note(`server-request survey: calling ${tools.length} tool(s) once as a client declaring ${JSON.stringify(capabilitiesOf(profile))}`);
      // 2026-07-28: the input requests of input_required are answered as the profile answers requests (wide: a tool use), so a tool loop's next round shows.
      const answer = profile === 'wide' ? (_k: string, r: unknown) => (isObject(r) && r.method === 'sampling/createMessage' ? wideSampling(isObject(r.params) ? r.params : {}) : cannedInputResponse(r)) : undefined;
      await callWithGenerated(t, c, tools, 1, answer ? { answer } : {});
      await t.sleep(t.quietMs);
      const received = [...c.peer.received];
      return { tried: tools.map((x) => x.name), asks: asksIn(received), received };
    },
    `server-request survey ${profile}`,
    { anyCheck: true },
  );
}

/** The asks of `method`, or not verified naming the tools tried. */
function asksOf(t: T, s: AskSurvey, method: string, declared: string): Ask[] {
  const asks = s.asks.filter((a) => a.method === method);
  if (asks.length === 0) return t.notVerified(`none of the ${s.tried.length} tool(s) the run may call sent ${method} to a client declaring ${declared} (tried: ${s.tried.slice(0, 12).join(', ') || 'none'})`);
  return asks;
}

const REVS_2025_11_25_ON = revisionsFrom('2025-11-25');

check(
  {
    id: 'sampling/tools-only-if-declared',
    title: 'a client that declares sampling without sampling.tools gets no tool-enabled sampling request',
    level: 'MUST',
    requirement: 'Servers MUST NOT send tool-enabled sampling requests to Clients that have not declared support for tool use via the sampling.tools capability. (Checked: every tool the run may call, called once by a client declaring sampling: {}; no sampling/createMessage it causes carries tools or toolChoice.)',
    spec: cite([...REVS_2025_11_25_ON], 'client/sampling#tools-in-sampling'),
    requires: 'server.tools',
  },
  async (t) => {
    const s = await askSurvey(t, 'narrow');
    const asks = asksOf(t, s, 'sampling/createMessage', 'sampling without tools');
    const bad = asks.find((a) => a.params.tools !== undefined || a.params.toolChoice !== undefined);
    if (bad) t.fail(`the server sent a tool-enabled sampling/createMessage (tools ${short(bad.params.tools, 80)}) to a client that declared sampling without sampling.tools`, [bad.msg]);
  },
);

check(
  {
    id: 'sampling/include-context-only-if-declared',
    title: 'includeContext thisServer or allServers only to a client declaring sampling.context',
    level: 'SHOULD',
    requirement: 'The includeContext values "thisServer" and "allServers" are soft-deprecated: servers SHOULD avoid using these values and SHOULD NOT use them unless the client declares sampling.context capability. (Checked: sampling requests to a client declaring sampling: {}.)',
    spec: cite([...REVS_2025_11_25_ON], 'client/sampling#capabilities'),
    requires: 'server.tools',
  },
  async (t) => {
    const s = await askSurvey(t, 'narrow');
    const asks = asksOf(t, s, 'sampling/createMessage', 'sampling without context');
    const bad = asks.find((a) => a.params.includeContext === 'thisServer' || a.params.includeContext === 'allServers');
    if (bad) t.fail(`the server sent sampling/createMessage with includeContext ${JSON.stringify(bad.params.includeContext)} to a client that did not declare sampling.context`, [bad.msg]);
  },
);

/** What breaks the tool_use / tool_result rules in one conversation, or undefined. */
export function toolLoopProblem(messages: readonly unknown[]): string | undefined {
  for (const [i, m] of messages.entries()) {
    if (!isObject(m)) continue;
    const content = blocks(m.content);
    const results = content.filter((b) => b.type === 'tool_result');
    if (m.role === 'user' && results.length && results.length !== content.length) return `message ${i} (user) mixes tool_result with ${content.filter((b) => b.type !== 'tool_result').map((b) => String(b.type)).join(', ')}`;
    const uses = m.role === 'assistant' ? content.filter((b) => b.type === 'tool_use') : [];
    if (!uses.length) continue;
    const next = messages[i + 1];
    // The last message may be the assistant's turn being continued; a tool use needs its results only once a message follows it.
    if (next === undefined) continue;
    const nextContent = isObject(next) ? blocks(next.content) : [];
    if (!isObject(next) || next.role !== 'user' || !nextContent.length || nextContent.some((b) => b.type !== 'tool_result')) return `message ${i} (assistant) uses a tool but message ${i + 1} is not a user message of tool results only`;
    const answered = new Set(nextContent.map((b) => b.toolUseId));
    const missing = uses.filter((u) => !answered.has(u.id));
    if (missing.length) return `message ${i + 1} has no tool_result for tool use ${missing.map((u) => JSON.stringify(u.id)).join(', ')}`;
  }
  return undefined;
}

check(
  {
    id: 'sampling/tool-loop-balanced',
    title: 'in tool-enabled sampling, each tool use is followed by a user message of only its tool results',
    level: 'MUST',
    requirement:
      'When a user message contains tool results (type: "tool_result"), it MUST contain ONLY tool results. Every assistant message containing ToolUseContent blocks MUST be followed by a user message that consists entirely of ToolResultContent blocks, each tool use matched by a tool result (toolUseId), before any other message. Servers MUST ensure that when replying to a stopReason: "toolUse", each ToolUseContent item is responded to with a ToolResultContent item with a matching toolUseId. (Checked: a client declaring sampling.tools answers each tool-enabled request with a tool use; the server\'s requests, including its next turn, are judged.)',
    spec: cite(['2025-11-25', '2026-07-28'], 'client/sampling#tool-use-and-result-balance'),
    requires: 'server.tools',
  },
  async (t) => {
    const s = await askSurvey(t, 'wide');
    const asks = s.asks.filter((a) => a.method === 'sampling/createMessage');
    const withTools = asks.filter((a) => Array.isArray(a.params.tools) && a.params.tools.length > 0);
    // The rules bind a server that uses tools in sampling; none of the calls it may make did (as tools/embedded-resources-capability).
    if (!withTools.length) return t.notApplicable(`none of the ${s.tried.length} tool(s) the run may call sent a tool-enabled sampling request to a client declaring sampling.tools (${asks.length} sampling request(s) without tools; tried: ${s.tried.slice(0, 12).join(', ') || 'none'})`);
    for (const a of asks) {
      const bad = toolLoopProblem(Array.isArray(a.params.messages) ? a.params.messages : []);
      if (bad) return t.fail(`a sampling/createMessage breaks the tool loop rules: ${bad}`, [a.msg]);
    }
    const continued = asks.some((a) => (Array.isArray(a.params.messages) ? a.params.messages : []).some((m) => isObject(m) && blocks(m.content).some((b) => b.type === 'tool_result' && b.toolUseId === USE_ID)));
    if (!continued) t.note(`the server did not continue after the mock's tool use (${USE_ID}); the messages it sent were judged`);
  },
);

check(
  {
    id: 'elicitation/modes-declared',
    title: 'a client that declares form-mode elicitation only gets no URL-mode elicitation',
    level: 'MUST',
    requirement: 'Servers MUST NOT send elicitation requests with modes that are not supported by the client. (Checked: every tool the run may call, called once by a client declaring elicitation: { form: {} }; no elicitation/create it causes has mode "url".)',
    spec: cite([...REVS_2025_11_25_ON], 'client/elicitation#capabilities'),
    requires: 'server.tools',
  },
  async (t) => {
    const s = await askSurvey(t, 'narrow');
    const asks = asksOf(t, s, 'elicitation/create', 'form-mode elicitation');
    const bad = asks.find((a) => a.params.mode !== undefined && a.params.mode !== 'form');
    if (bad) t.fail(`the server sent an elicitation/create with mode ${JSON.stringify(bad.params.mode)} to a client that declared form mode only`, [bad.msg]);
  },
);

check(
  {
    id: 'elicitation/complete-known-id',
    title: 'notifications/elicitation/complete names a URL elicitation the server sent this client',
    level: 'MUST',
    requirement:
      'Servers sending notifications/elicitation/complete MUST only send the notification to the client that initiated the elicitation request, and MUST include the elicitationId established in the original elicitation/create request. (Checked: under both client profiles, each completion notification names an elicitationId of a URL-mode elicitation/create, or of a URLElicitationRequiredError, sent on that session.)',
    spec: cite(['2025-11-25'], 'client/elicitation#completion-notifications-for-url-mode-elicitation'),
    requires: 'server.tools',
  },
  async (t) => {
    const surveys = [await askSurvey(t, 'wide'), await askSurvey(t, 'narrow')];
    let notes = 0;
    for (const s of surveys) {
      const known = new Set<unknown>(s.asks.filter((a) => a.method === 'elicitation/create' && a.params.mode === 'url').map((a) => a.params.elicitationId));
      for (const m of s.received) {
        const err = isObject(m.error) && m.error.code === ErrorCode.UrlElicitationRequired && isObject(m.error.data) && Array.isArray(m.error.data.elicitations) ? m.error.data.elicitations : [];
        for (const e of err) if (isObject(e)) known.add(e.elicitationId);
      }
      for (const n of s.received.filter((m) => m.method === 'notifications/elicitation/complete')) {
        notes++;
        const id = isObject(n.params) ? n.params.elicitationId : undefined;
        if (!known.has(id)) t.fail(`the server sent notifications/elicitation/complete for elicitationId ${JSON.stringify(id)}, which no URL elicitation it sent this client established`, [n]);
      }
    }
    // The rule binds a server that sends these notifications (which servers MAY send); none of the calls it may make did.
    if (notes === 0) t.notApplicable(`no tool the run may call sent notifications/elicitation/complete (tried: ${surveys[0]!.tried.slice(0, 12).join(', ') || 'none'})`);
  },
);

check(
  {
    id: 'tools/input-requests-gated',
    title: 'a client that declares no sampling, elicitation or roots gets no input request for them',
    level: 'SHOULD',
    requirement:
      'Servers SHOULD: Check for roots capability before usage (and likewise sampling and elicitation, which a client declares in _meta.io.modelcontextprotocol/clientCapabilities on each request). (Checked: every tool the run may call, called once by a client declaring no capability; no input_required result asks for roots/list, sampling/createMessage or elicitation/create.)',
    spec: cite(['2026-07-28'], 'client/roots#implementation-guidelines'),
    requires: 'server.tools',
  },
  async (t) => {
    const c = await t.session({ fresh: true, capabilities: {} });
    const tools = callable(t, plainCallable(await listTools(t, c)));
    if (tools.length === 0) return t.notApplicable('the server lists no tools that can be called without a task');
    const calls = await callWithGenerated(t, c, tools, 1);
    if (calls.length === 0) return t.notVerified('no call was answered in time');
    const asking = c.peer.received.filter((m) => isObject(m.result) && m.result.resultType === 'input_required' && isObject(m.result.inputRequests) && Object.values(m.result.inputRequests).some((q) => isObject(q) && ['roots/list', ...ASKING].includes(String(q.method))));
    if (asking.length) t.fail(`the server answered input_required asking for ${[...new Set(asking.flatMap((m) => Object.values((m.result as Json).inputRequests as Json).map((q) => (isObject(q) ? String(q.method) : '?'))))].join(', ')} from a client that declared no capability`, asking.slice(0, 2));
  },
);

check(
  {
    id: 'elicitation/url-required-error-data',
    title: 'a URLElicitationRequiredError (-32042) lists the URL-mode elicitations required, each with an elicitationId',
    level: 'MUST',
    requirement:
      'The error MUST include a list of elicitations that are required to complete before the original can be retried. Any elicitations returned in the error MUST be URL mode elicitations and have an elicitationId property. (Checked: every -32042 the server answers to the calls of both client profiles of the server-request survey; its data.elicitations is a non-empty list of objects with mode "url" and a string elicitationId.)',
    spec: cite(['2025-11-25'], 'client/elicitation#url-elicitation-required-error'),
    requires: 'server.tools',
  },
  async (t) => {
    const surveys = [await askSurvey(t, 'wide'), await askSurvey(t, 'narrow')];
    const errors = surveys.flatMap((s) => s.received.filter((m) => isObject(m.error) && m.error.code === ErrorCode.UrlElicitationRequired));
    const tried = surveys[0]!.tried;
    if (errors.length === 0) {
      // Calls impossible (none the run may make) is not the same as a server that never needs a URL elicitation.
      if (tried.length === 0) return t.notVerified('the run may call none of the server\'s tools, so no call could show a URLElicitationRequiredError');
      return t.notApplicable(`none of the ${tried.length} tool(s) the run may call answered -32042 (URLElicitationRequiredError) (tried: ${tried.slice(0, 12).join(', ')})`);
    }
    for (const m of errors) {
      const data = (m.error as Json).data;
      const list = isObject(data) ? data.elicitations : undefined;
      if (!Array.isArray(list) || list.length === 0) return t.fail(`the server answered -32042 without a non-empty data.elicitations list (data ${short(data, 120)})`, [m]);
      const bad = list.find((e) => !isObject(e) || e.mode !== 'url' || typeof e.elicitationId !== 'string');
      if (bad !== undefined) return t.fail(`an elicitation in a -32042 error is not a URL-mode elicitation with an elicitationId: ${short(bad, 160)}`, [m]);
    }
  },
);

check(
  {
    id: 'elicitation/decline-handled',
    title: 'a declined or cancelled elicitation still gets the request answered, not asked again and again',
    level: 'MUST',
    requirement:
      'Servers SHOULD NOT assume that elicitation requests will always succeed, and MUST handle cases where the user declines or cancels the elicitation. (Checked: every tool the run may call, called once with each elicitation input request answered decline, then cancel; a call still answered input_required for an elicitation after four rounds of it has not handled the answer.)',
    spec: cite(['2026-07-28'], 'client/elicitation#error-handling'),
    requires: 'server.tools',
  },
  async (t) => {
    const s = await askSurvey(t, 'narrow');
    // The rule binds a server that asks for elicitation; none of the calls it may make did.
    if (!s.asks.some((a) => a.method === 'elicitation/create')) return t.notApplicable(`none of the ${s.tried.length} tool(s) the run may call asked for elicitation (tried: ${s.tried.slice(0, 12).join(', ') || 'none'})`);
    const c: MockClient = await t.session({ fresh: true, capabilities: capabilitiesOf('narrow') });
    const tools = callable(t, plainCallable(await listTools(t, c)));
    for (const action of ['decline', 'cancel']) {
      let answered = 0;
      const answer = (_k: string, r: unknown) => (isObject(r) && r.method === 'elicitation/create' ? (answered++, { action }) : cannedInputResponse(r));
      const calls = await callWithGenerated(t, c, tools, 1, { answer });
      const elicits = (m: Json) => isObject(m.result) && m.result.resultType === 'input_required' && isObject(m.result.inputRequests) && Object.values(m.result.inputRequests).some((q) => isObject(q) && q.method === 'elicitation/create');
      const stuck = calls.find((call) => elicits(call.reply.message));
      if (stuck) return t.fail(`${stuck.tool.name} asked for elicitation again each time it was answered ${action} (input_required after 4 rounds) instead of answering the call`, [stuck.reply.message]);
      if (!answered) t.note(`no elicitation was asked in the ${action} round`);
    }
  },
);

// ---- the requested schema of form elicitations (client/elicitation#requested-schema) ----

const isForm = (a: Ask) => a.method === 'elicitation/create' && a.params.mode !== 'url' && isObject(a.params.requestedSchema);

/** The properties of a form elicitation's requested schema. */
function propertiesOf(a: Ask): [string, Json][] {
  const schema = a.params.requestedSchema as Json;
  return isObject(schema.properties) ? Object.entries(schema.properties).filter((e): e is [string, Json] => isObject(e[1])) : [];
}

/** The values an enum property (or a multi-select's items) allows: enum, or the consts of oneOf / anyOf. */
function allowedValues(p: Json): unknown[] | undefined {
  if (Array.isArray(p.enum)) return p.enum;
  const options = Array.isArray(p.oneOf) ? p.oneOf : Array.isArray(p.anyOf) ? p.anyOf : undefined;
  return options?.map((o) => (isObject(o) ? o.const : undefined));
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/**
 * Why a property's `default` is not a value the property accepts, or undefined (also when it has
 * none). Judged: its type (an integer for "integer"), enum membership (enum, oneOf const; each
 * item of a multi-select default against its items), minimum/maximum, minLength/maxLength,
 * minItems/maxItems. Not judged: pattern and format (dialect details a client may not share).
 */
export function defaultProblem(p: Json): string | undefined {
  if (!Object.hasOwn(p, 'default')) return undefined;
  const d = p.default;
  // Quoted, so a string default reads as one ("30" beside 30).
  const json = (v: unknown) => short(JSON.stringify(v) ?? String(v), 60);
  const shown = json(d);
  const outOf = (values: unknown[]) => `${shown} is not one of its values ${short(values, 100)}`;
  switch (p.type) {
    case 'string': {
      if (typeof d !== 'string') return `${shown} is not a string`;
      const values = allowedValues(p);
      if (values && !values.includes(d)) return outOf(values);
      const length = [...d].length;
      if (num(p.minLength) !== undefined && length < num(p.minLength)!) return `${shown} is shorter than its minLength ${p.minLength}`;
      if (num(p.maxLength) !== undefined && length > num(p.maxLength)!) return `${shown} is longer than its maxLength ${p.maxLength}`;
      return undefined;
    }
    case 'integer':
    case 'number': {
      if (typeof d !== 'number' || !Number.isFinite(d)) return `${shown} is not a number`;
      if (p.type === 'integer' && !Number.isInteger(d)) return `${shown} is not an integer`;
      if (num(p.minimum) !== undefined && d < num(p.minimum)!) return `${shown} is below its minimum ${p.minimum}`;
      if (num(p.maximum) !== undefined && d > num(p.maximum)!) return `${shown} is above its maximum ${p.maximum}`;
      return undefined;
    }
    case 'boolean':
      return typeof d === 'boolean' ? undefined : `${shown} is not a boolean`;
    case 'array': {
      if (!Array.isArray(d)) return `${shown} is not an array (of the values to select)`;
      const values = isObject(p.items) ? allowedValues(p.items) : undefined;
      const bad = values ? d.find((v) => !values.includes(v)) : undefined;
      if (bad !== undefined) return `selects ${json(bad)}, not one of its values ${short(values, 100)}`;
      if (num(p.minItems) !== undefined && d.length < num(p.minItems)!) return `${shown} selects fewer than its minItems ${p.minItems}`;
      if (num(p.maxItems) !== undefined && d.length > num(p.maxItems)!) return `${shown} selects more than its maxItems ${p.maxItems}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

export type EnumForm = 'untitled single-select' | 'titled single-select' | 'legacy titled (enumNames)' | 'untitled multi-select' | 'titled multi-select';

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const titledOptions = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((o) => isObject(o) && typeof o.const === 'string' && typeof o.title === 'string');

/**
 * Which of the spec's five enum forms a property has, or why it has none of them; undefined for a
 * property that is no enum (a string without enum, oneOf or enumNames; not an array).
 */
export function enumForm(p: Json): { form: EnumForm } | { problem: string } | undefined {
  if (p.type === 'string') {
    const has = (k: string) => Object.hasOwn(p, k);
    if (!has('enum') && !has('oneOf') && !has('enumNames')) return undefined;
    if (has('oneOf') && has('enum')) return { problem: 'has both enum and oneOf (the titled form lists its options in oneOf instead of enum)' };
    if (has('oneOf')) return titledOptions(p.oneOf) ? { form: 'titled single-select' } : { problem: `has oneOf ${short(p.oneOf, 100)}, not a list of options each with a string const and a string title` };
    if (!strings(p.enum)) return { problem: has('enum') ? `has enum ${short(p.enum, 100)}, not a list of strings` : 'has enumNames without enum' };
    if (!has('enumNames')) return { form: 'untitled single-select' };
    if (!strings(p.enumNames) || p.enumNames.length !== p.enum.length) return { problem: `has enumNames ${short(p.enumNames, 100)}, not one display name (string) for each of its ${p.enum.length} enum value(s)` };
    return { form: 'legacy titled (enumNames)' };
  }
  if (p.type !== 'array') return undefined;
  const items = isObject(p.items) ? p.items : undefined;
  if (!items) return { problem: 'is an array without items (a multi-select lists its options in items)' };
  if (Object.hasOwn(items, 'enum') && Object.hasOwn(items, 'anyOf')) return { problem: 'has items with both enum and anyOf (the titled form lists its options in items.anyOf instead of items.enum)' };
  if (Object.hasOwn(items, 'anyOf')) return titledOptions(items.anyOf) ? { form: 'titled multi-select' } : { problem: `has items.anyOf ${short(items.anyOf, 100)}, not a list of options each with a string const and a string title` };
  if (items.type === 'string' && strings(items.enum)) return { form: 'untitled multi-select' };
  return { problem: `has items ${short(items, 100)}: neither a string enum nor anyOf options` };
}

/** The fixture contract's forms: test_elicitation_sep1034_defaults (a default of each primitive type), test_elicitation_sep1330_enums (the five enum forms). */
const DEFAULTS_PROMISED: Record<string, string> = { name: 'string', age: 'integer', score: 'number', status: 'string', verified: 'boolean' };
const ENUMS_PROMISED: Record<string, EnumForm> = {
  untitledSingle: 'untitled single-select',
  titledSingle: 'titled single-select',
  legacyEnum: 'legacy titled (enumNames)',
  untitledMulti: 'untitled multi-select',
  titledMulti: 'titled multi-select',
};

/**
 * The form elicitations a fixture-contract tool sends, called once (no arguments) by a client
 * declaring form-mode elicitation; undefined when the server does not list it.
 */
async function fixtureAsks(t: T, name: string): Promise<{ asks: Ask[] } | undefined> {
  const c: MockClient = await t.session({ fresh: true, capabilities: capabilitiesOf('narrow') });
  const listed = plainCallable(await listTools(t, c)).find((x) => x.name === name);
  if (!listed) return undefined;
  callable(t, [listed]);
  const start = c.peer.received.length;
  const reply = await callTool(t, c, name, {});
  if (!reply) return t.notVerified(`the fixture-contract tool ${name} did not answer in time`);
  await t.sleep(Math.min(t.quietMs, 200));
  return { asks: asksIn(c.peer.received.slice(start)).filter(isForm) };
}

/** What the fixture contract promises of a form's properties and is missing: `property (what)` each. */
export function contractMissing(kind: 'defaults' | 'enums', properties: Record<string, unknown>): string[] {
  const at = (k: string): Json => (isObject(properties[k]) ? properties[k] : {});
  if (kind === 'defaults') {
    return Object.entries(DEFAULTS_PROMISED)
      .filter(([k, type]) => at(k).type !== type || !Object.hasOwn(at(k), 'default') || (k === 'status' && !Array.isArray(at(k).enum)))
      .map(([k, type]) => `${k} (${type}${k === 'status' ? ' enum' : ''} with a default)`);
  }
  return Object.entries(ENUMS_PROMISED)
    .filter(([k, form]) => {
      const got = enumForm(at(k));
      return !got || !('form' in got) || got.form !== form;
    })
    .map(([k, form]) => `${k} (${form})`);
}

/** Where a fixture tool's elicitation breaks its contract, or undefined. */
function contractGap(name: string, kind: 'defaults' | 'enums', asks: Ask[]): { why: string; evidence: Json[] } | undefined {
  const ask = asks[0];
  if (!ask) return { why: `the fixture-contract tool ${name} sent no form elicitation to a client declaring form-mode elicitation`, evidence: [] };
  const missing = contractMissing(kind, Object.fromEntries(propertiesOf(ask)));
  if (missing.length) return { why: `the fixture-contract tool ${name} asked for a form without ${missing.join(', ')}`, evidence: [ask.msg] };
  return undefined;
}

check(
  {
    id: 'elicitation/defaults-valid',
    title: "each default in a form elicitation's requested schema is a value its property accepts",
    level: 'SHOULD',
    requirement:
      'All primitive types support optional default values to provide sensible starting points; the requested schema gives each primitive type (string, number or integer, boolean, single- and multi-select enums) its default. A default is a value of its property: of its type (an integer for "integer"), one of an enum\'s values (enum, oneOf const; for a multi-select, items.enum or items.anyOf const), within minimum/maximum, minLength/maxLength, minItems/maxItems. The page states no RFC 2119 keyword for it and JSON Schema 2020-12 (Validation, "default") RECOMMENDS a default be valid against its schema: SHOULD. schema/valid-messages sees only the JSON type of a default. (Checked: the form elicitations of every tool the run may call, called once by a client declaring form-mode elicitation; the fixture contract\'s test_elicitation_sep1034_defaults, when listed, asks for a default of each primitive type: name string, age integer, score number, status enum, verified boolean.)',
    spec: cite([...REVS_2025_11_25_ON], 'client/elicitation#requested-schema'),
    requires: 'server.tools',
  },
  async (t) => {
    const s = await askSurvey(t, 'narrow');
    const name = FIXTURE.elicitationDefaultsTool;
    const fixture = await fixtureAsks(t, name);
    const asks = [...s.asks.filter(isForm), ...(fixture?.asks ?? [])];
    let defaults = 0;
    for (const a of asks) {
      for (const [k, p] of propertiesOf(a)) {
        if (!Object.hasOwn(p, 'default')) continue;
        defaults++;
        const bad = defaultProblem(p);
        if (bad) return t.fail(`the default of property "${k}" (${short(p.type)}) of a form elicitation: ${bad}`, [a.msg]);
      }
    }
    if (fixture) {
      const gap = contractGap(name, 'defaults', fixture.asks);
      if (gap) return t.fail(gap.why, gap.evidence);
    }
    if (!asks.length) return t.notVerified(`none of the ${s.tried.length} tool(s) the run may call sent a form elicitation to a client declaring form-mode elicitation, and the fixture-contract tool ${name} is not listed (tried: ${s.tried.slice(0, 12).join(', ') || 'none'})`);
    // The rule binds a server that gives defaults; none of the elicitations seen did.
    if (!defaults) return t.notApplicable(`none of the ${asks.length} form elicitation(s) the run's tools sent gives a default`);
    if (!fixture) t.note(`the fixture-contract tool ${name} is not listed: the defaults of the other tools' elicitations were judged`);
  },
);

check(
  {
    id: 'elicitation/enum-forms',
    title: 'each enum in a form elicitation has one of the five forms the spec gives',
    level: 'SHOULD',
    requirement:
      'The schema is restricted to these primitive types: … Enum Schema: single-select without titles ({type: "string", enum: [...]}), single-select with titles ({type: "string", oneOf: [{const, title}, …]}), multi-select without titles ({type: "array", items: {type: "string", enum: [...]}}), multi-select with titles ({type: "array", items: {anyOf: [{const, title}, …]}}), and the legacy enumNames form (schema.ts LegacyTitledEnumSchema: one display name per enum value). Stated as a restriction without an RFC 2119 keyword: SHOULD. schema/valid-messages cannot see a malformed string enum (StringSchema admits any other keyword, so a oneOf without titles passes as a plain string). (Checked: the form elicitations of every tool the run may call; the fixture contract\'s test_elicitation_sep1330_enums, when listed, asks for each of the five forms: untitledSingle, titledSingle, legacyEnum, untitledMulti, titledMulti.)',
    spec: cite([...REVS_2025_11_25_ON], 'client/elicitation#requested-schema'),
    requires: 'server.tools',
  },
  async (t) => {
    const s = await askSurvey(t, 'narrow');
    const name = FIXTURE.elicitationEnumsTool;
    const fixture = await fixtureAsks(t, name);
    const asks = [...s.asks.filter(isForm), ...(fixture?.asks ?? [])];
    let enums = 0;
    for (const a of asks) {
      for (const [k, p] of propertiesOf(a)) {
        const got = enumForm(p);
        if (!got) continue;
        enums++;
        if ('problem' in got) return t.fail(`property "${k}" of a form elicitation ${got.problem}`, [a.msg]);
      }
    }
    if (fixture) {
      const gap = contractGap(name, 'enums', fixture.asks);
      if (gap) return t.fail(gap.why, gap.evidence);
    }
    if (!asks.length) return t.notVerified(`none of the ${s.tried.length} tool(s) the run may call sent a form elicitation to a client declaring form-mode elicitation, and the fixture-contract tool ${name} is not listed (tried: ${s.tried.slice(0, 12).join(', ') || 'none'})`);
    // The forms bind a server that asks for a choice; none of the elicitations seen did.
    if (!enums) return t.notApplicable(`none of the ${asks.length} form elicitation(s) the run's tools sent asks for a choice (an enum)`);
    if (!fixture) t.note(`the fixture-contract tool ${name} is not listed: the enums of the other tools' elicitations were judged`);
  },
);
