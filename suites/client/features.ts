// Client features: roots, sampling, elicitation. What the client declares must match what it
// answers: declared → a valid result; not declared → an error.
import { compileUserSchema, ErrorCode, hasCapability, isObject, isStateless, META, REVISIONS, STATEFUL_REVISIONS, STATELESS_REVISIONS, validate, type Revision } from '../../schema/index.ts';
import { clientRuns, declaredCapabilities, type ClientRun, type ClientView } from '../harness/index.ts';
import { brief, clientNotifications, clientRequests, exitSummary, metaOf, mockMessages, replyTo, serverRequests, sessionRevision, type Sent, clientCheck, cite, carriedOn, needRound } from '../kit/index.ts';
import { DEFAULTS_SCHEMA, SAMPLING_TOOL_REQUESTS, UNKNOWN_ELICITATION_ID } from './scenarios/index.ts';

const ELICITATION = STATEFUL_REVISIONS.filter((r) => r >= '2025-06-18');

interface Asked {
  run: ClientRun;
  req: Sent;
  reply: Sent | undefined;
}

/** The server request a scenario provoked (the first of `method`, or the first `pick` accepts) and the client's reply; not-verified when it never happened. */
function provoked(t: Parameters<Parameters<typeof clientCheck>[1]>[0], v: ClientView, scenario: string, method: string, trigger: string, pick: (req: Sent) => boolean = () => true): Asked {
  const run = v.need(scenario);
  const req = serverRequests(run, method).find(pick);
  if (!req) return t.notVerified(`the server never got to send ${method}: the client did not call ${trigger} (${exitSummary(run)})`);
  const reply = replyTo(run, req);
  // A request sent once the client was killed (scenario timeout, e.g. a slow start on a loaded
  // machine) or had exited could not be answered: that says nothing about the client.
  const killed = run.events.find((e) => e.what === 'client-killed')?.t ?? Infinity;
  const gone = Math.min(killed, run.process.exitedAt ?? Infinity);
  if (!reply && req.e.t >= gone) return t.notVerified(`the server sent ${method} only after the client ${killed <= gone ? 'was killed at the scenario timeout' : 'had exited'}, so it could not answer (${exitSummary(run)})`);
  return { run, req, reply };
}

/** 2026-07-28: what a tool (needs_input of scenario input-required unless named) asked for with
 *  `method`, and the retry's answer, a valid `type` from a request whose _meta declares `capability` (on each request). */
function inputAnswer(t: Parameters<Parameters<typeof clientCheck>[1]>[0], v: ClientView, method: string, type: string, capability: string, at: { scenario: string; tool: string } = { scenario: 'input-required', tool: 'needs_input' }): { req: Record<string, unknown>; result: Record<string, unknown>; retry: Sent } {
  const { r } = needRound(t, at.scenario, at.tool);
  const asked = isObject(r.interim.inputRequests) ? r.interim.inputRequests : {};
  const key = Object.keys(asked).find((k) => isObject(asked[k]) && asked[k].method === method);
  if (!key) return t.notVerified(`the server did not ask for ${method} (it asks for what the request's _meta declares)`);
  const params = isObject(r.retry.m.params) ? r.retry.m.params : {};
  const given = isObject(params.inputResponses) ? params.inputResponses[key] : undefined;
  if (!isObject(given)) return t.fail(`the retry has no inputResponses.${key} answering ${method}`, v.evidence([r.first.e, r.retry.e]));
  const res = validate(t.revision, type, given);
  if (!res.valid) return t.fail(`inputResponses.${key} is not a valid ${type}: ${res.errors.slice(0, 3).map((e) => `${e.pointer || '/'} ${e.message}`).join('; ')}`, v.evidence([r.retry.e]));
  const declared = metaOf(r.retry.m)?.[META.clientCapabilities];
  if (!hasCapability(declared, { side: 'client', path: [capability] })) return t.fail(`the retry answers ${method} but its _meta["${META.clientCapabilities}"] does not declare ${capability}: ${brief(declared)}`, v.evidence([r.retry.e]));
  return { req: asked[key] as Record<string, unknown>, result: given, retry: r.retry };
}

function caps(v: ClientView): Record<string, unknown> {
  return v.live().map(declaredCapabilities).find((c) => c !== undefined) ?? {};
}

function declares(v: ClientView, path: string[]): boolean {
  return hasCapability(caps(v), { side: 'client', path });
}

/** A valid result of `type` at the session's revision, or t.fail. */
function expectValidResult(t: Parameters<Parameters<typeof clientCheck>[1]>[0], v: ClientView, a: Asked, type: string, what: string): Record<string, unknown> {
  if (!a.reply) return t.fail(`the client never answered ${what}`, v.evidence([a.req.e]));
  if (!isObject(a.reply.m.result)) return t.fail(`the client answered ${what} with an error: ${brief(a.reply.m.error)}`, v.evidence([a.req.e, a.reply.e]));
  const rev: Revision = sessionRevision(a.run, a.reply.e.session);
  const r = validate(rev, type, a.reply.m.result);
  if (!r.valid) return t.fail(`the answer to ${what} is not a valid ${type}: ${r.errors.slice(0, 3).map((e) => `${e.pointer || '/'} ${e.message}`).join('; ')}`, v.evidence([a.req.e, a.reply.e]));
  return a.reply.m.result;
}

/** Not declared: the request must be refused with an error (a result means the feature is supported but undeclared). */
function expectRefused(t: Parameters<Parameters<typeof clientCheck>[1]>[0], v: ClientView, a: Asked, what: string, code?: number): void {
  if (!a.reply) return t.fail(`the client never answered ${what} (it should answer with an error)`, v.evidence([a.req.e]));
  if (isObject(a.reply.m.result)) return t.fail(`the client does not declare the capability but answered ${what} with a result: ${brief(a.reply.m.result)}`, v.evidence([a.req.e, a.reply.e]));
  const err = a.reply.m.error as { code?: unknown } | undefined;
  if (code !== undefined && err?.code !== code) t.fail(`the client refused ${what} with code ${brief(err?.code)}, not ${code}`, v.evidence([a.req.e, a.reply.e]));
}

clientCheck(
  {
    id: 'client-roots/list-result',
    title: 'roots/list is answered with valid file:// roots',
    level: 'MUST',
    requirement: 'Clients that support roots MUST declare the roots capability (2026-07-28: in _meta clientCapabilities on each request); uri: unique identifier for the root. This MUST be a file:// URI in the current specification.',
    spec: cite(REVISIONS, 'client/roots#listing-roots'),
    requires: 'client.roots',
    scenarios: ['roots', 'input-required'],
  },
  (t) => {
    const v = clientRuns(t);
    if (isStateless(t.revision)) {
      // 2026-07-28: roots/list comes as an input request of a multi round-trip request.
      const x = inputAnswer(t, v, 'roots/list', 'ListRootsResult', 'roots');
      const bad = (Array.isArray(x.result.roots) ? x.result.roots : []).find((r) => !isObject(r) || typeof r.uri !== 'string' || !r.uri.startsWith('file://'));
      if (bad) t.fail(`a root's uri is not a file:// URI: ${brief(bad)}`, v.evidence([x.retry.e]));
      return;
    }
    const a = provoked(t, v, 'roots', 'roots/list', 'trigger_roots');
    const result = expectValidResult(t, v, a, 'ListRootsResult', 'roots/list');
    const roots = Array.isArray(result.roots) ? result.roots : [];
    const bad = roots.find((r) => !isObject(r) || typeof r.uri !== 'string' || !r.uri.startsWith('file://'));
    if (bad) t.fail(`a root's uri is not a file:// URI: ${brief(bad)}`, v.evidence([a.req.e, a.reply!.e]));
  },
);

clientCheck(
  {
    id: 'client-roots/undeclared-refused',
    title: 'without the roots capability, roots/list is refused',
    level: 'MUST',
    requirement: 'Clients that support roots MUST declare the roots capability during initialization. (Clients SHOULD return standard JSON-RPC errors: client does not support roots: -32601.)',
    spec: cite(STATEFUL_REVISIONS, 'client/roots#capabilities'),
    scenarios: ['roots'],
  },
  (t) => {
    const v = clientRuns(t);
    if (declares(v, ['roots'])) return t.notApplicable('the client declares the roots capability');
    expectRefused(t, v, provoked(t, v, 'roots', 'roots/list', 'trigger_roots'), 'roots/list');
  },
);

clientCheck(
  {
    id: 'client-sampling/create-message-result',
    title: 'sampling/createMessage is answered with a valid CreateMessageResult',
    level: 'MUST',
    requirement: 'Clients that support sampling MUST declare the sampling capability during initialization (2026-07-28: in _meta clientCapabilities on each request); the response is a CreateMessageResult.',
    spec: cite(REVISIONS, 'client/sampling#creating-messages'),
    requires: 'client.sampling',
    scenarios: ['sampling', 'input-required'],
  },
  (t) => {
    const v = clientRuns(t);
    if (isStateless(t.revision)) return void inputAnswer(t, v, 'sampling/createMessage', 'CreateMessageResult', 'sampling');
    const a = provoked(t, v, 'sampling', 'sampling/createMessage', 'trigger_sampling');
    const err = a.reply && isObject(a.reply.m.error) ? a.reply.m.error : undefined;
    // The user may reject a sampling request (code -1): allowed, but then nothing was sampled.
    if (err?.code === -1) return t.notVerified('the client (its user) rejected the sampling request');
    expectValidResult(t, v, a, 'CreateMessageResult', 'sampling/createMessage');
  },
);

/** A lower bound on a text's tokens: over text, no tokenizer in use averages more characters a token than this. */
const MAX_CHARS_PER_TOKEN = 8;
/** Only an answer past this multiple of maxTokens (by that lower bound) is judged: a tokenizer's differences never make a correct client fail. */
const MAX_TOKENS_SLACK = 4;

/** The text of a sampling result's content (one block or an array of blocks). */
function sampledText(result: Record<string, unknown>): string {
  const blocks = Array.isArray(result.content) ? result.content : [result.content];
  return blocks.map((b) => (isObject(b) && b.type === 'text' && typeof b.text === 'string' ? b.text : '')).join('');
}

clientCheck(
  {
    id: 'client-sampling/max-tokens-respected',
    title: 'a sampled answer does not grossly exceed the maxTokens the server asked for',
    level: 'MUST',
    requirement: `The client MUST respect the maxTokens parameter. (Judged on a clear excess only: the answer's text counted at no more than ${MAX_CHARS_PER_TOKEN} characters a token exceeds ${MAX_TOKENS_SLACK} times maxTokens.)`,
    spec: cite(['2026-07-28'], 'client/sampling#sampling-parameters'),
    requires: 'client.sampling',
    scenarios: ['input-required'],
  },
  (t) => {
    const v = clientRuns(t);
    const { r } = needRound(t, 'input-required', 'needs_input');
    const asked = isObject(r.interim.inputRequests) ? r.interim.inputRequests : {};
    const key = Object.keys(asked).find((k) => isObject(asked[k]) && asked[k].method === 'sampling/createMessage');
    if (!key) return t.notVerified('the server did not ask for sampling (it asks for what the request\'s _meta declares)');
    const req = asked[key] as Record<string, unknown>;
    const max = isObject(req.params) && typeof req.params.maxTokens === 'number' ? req.params.maxTokens : undefined;
    if (max === undefined) return t.notVerified('the sampling request carried no maxTokens');
    const params = isObject(r.retry.m.params) ? r.retry.m.params : {};
    const given = isObject(params.inputResponses) ? params.inputResponses[key] : undefined;
    if (!isObject(given)) return t.notVerified(`the retry carries no answer to the sampling request (see client-sampling/create-message-result)`);
    const text = sampledText(given);
    if (!text) return t.notVerified('the sampled answer carries no text to measure');
    const atLeast = Math.ceil(text.length / MAX_CHARS_PER_TOKEN);
    if (atLeast > MAX_TOKENS_SLACK * max)
      t.fail(`the server asked for at most ${max} tokens; the sampled text is ${text.length} characters, at least ${atLeast} tokens at ${MAX_CHARS_PER_TOKEN} characters a token (over ${MAX_TOKENS_SLACK}× maxTokens)`, v.evidence([r.first.e, r.retry.e]));
  },
);

clientCheck(
  {
    id: 'client-sampling/undeclared-refused',
    title: 'without the sampling capability, sampling/createMessage is refused',
    level: 'MUST',
    requirement: 'Clients that support sampling MUST declare the sampling capability during initialization.',
    spec: cite(STATEFUL_REVISIONS, 'client/sampling#capabilities'),
    scenarios: ['sampling'],
  },
  (t) => {
    const v = clientRuns(t);
    if (declares(v, ['sampling'])) return t.notApplicable('the client declares the sampling capability');
    expectRefused(t, v, provoked(t, v, 'sampling', 'sampling/createMessage', 'trigger_sampling'), 'sampling/createMessage');
  },
);

clientCheck(
  {
    id: 'client-elicitation/result',
    title: 'elicitation/create is answered with a valid ElicitResult (accept, decline, cancel)',
    level: 'MUST',
    requirement: 'Elicitation responses use a three-action model: accept (with the submitted content), decline, or cancel.',
    spec: cite(ELICITATION, 'client/elicitation#response-actions'),
    requires: 'client.elicitation',
    scenarios: ['elicitation', 'elicitation-decline', 'elicitation-cancel'],
  },
  (t) => {
    const v = clientRuns(t);
    let judged = 0;
    for (const name of ['elicitation', 'elicitation-decline', 'elicitation-cancel']) {
      if (!v.runs.some((r) => r.scenario === name)) continue;
      const run = v.need(name);
      const req = serverRequests(run, 'elicitation/create')[0];
      if (!req) continue;
      judged++;
      const result = expectValidResult(t, v, { run, req, reply: replyTo(run, req) }, 'ElicitResult', `elicitation/create (scenario ${name})`);
      const wanted = name === 'elicitation' ? 'accept' : name.slice('elicitation-'.length);
      if (result.action !== wanted) t.info(`in scenario ${name} the user was to ${wanted}; the client answered ${brief(result.action)}`);
    }
    if (judged === 0) t.notVerified('the server never got to send elicitation/create: the client called no trigger_elicitation');
  },
);

clientCheck(
  {
    id: 'client-elicitation/content-matches-schema',
    title: 'accepted form content satisfies requestedSchema',
    level: 'SHOULD',
    requirement: 'Clients SHOULD validate all responses against the provided schema. (Accept: the content field contains the submitted data matching the requested schema.)',
    spec: cite([...ELICITATION, '2026-07-28'], (r) => (r >= '2025-11-25' ? 'client/elicitation#form-mode-security' : 'client/elicitation#security-considerations')),
    requires: 'client.elicitation',
    scenarios: ['elicitation', 'input-required'],
  },
  (t) => {
    const v = clientRuns(t);
    if (isStateless(t.revision)) {
      // 2026-07-28: the form comes as an input request of a multi round-trip request.
      const x = inputAnswer(t, v, 'elicitation/create', 'ElicitResult', 'elicitation');
      if (x.result.action !== 'accept') return t.notVerified(`the client answered ${brief(x.result.action)}, not accept`);
      const schema = isObject(x.req.params) ? x.req.params.requestedSchema : undefined;
      const ok = compileUserSchema('2020-12', schema);
      if (!ok(x.result.content ?? {})) t.fail(`the accepted content does not satisfy requestedSchema: ${(ok.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`, v.evidence([x.retry.e]));
      return;
    }
    const a = provoked(t, v, 'elicitation', 'elicitation/create', 'trigger_elicitation');
    const result = expectValidResult(t, v, a, 'ElicitResult', 'elicitation/create');
    if (result.action !== 'accept') return t.notVerified(`the client answered ${brief(result.action)}, not accept`);
    const schema = isObject(a.req.m.params) ? a.req.m.params.requestedSchema : undefined;
    const rev = sessionRevision(a.run, a.req.e.session);
    const check = compileUserSchema(rev >= '2025-11-25' ? '2020-12' : 'draft-07', schema);
    if (!check(result.content ?? {})) t.fail(`the accepted content does not satisfy requestedSchema: ${(check.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`, v.evidence([a.req.e, a.reply!.e]));
  },
);

clientCheck(
  {
    id: 'client-elicitation/defaults-applied',
    title: 'accepted without edits, a form carries the schema defaults',
    level: 'SHOULD',
    requirement: 'All primitive types support optional default values to provide sensible starting points. Clients that support defaults SHOULD pre-populate form fields with these values.',
    spec: cite(['2025-11-25', '2026-07-28'], 'client/elicitation#requested-schema'),
    requires: 'client.elicitation',
    scenarios: ['elicitation-defaults'],
  },
  (t) => {
    const v = clientRuns(t);
    // 2026-07-28: the form comes as an input request of input_required.
    const modern = isStateless(t.revision) ? inputAnswer(t, v, 'elicitation/create', 'ElicitResult', 'elicitation', { scenario: 'elicitation-defaults', tool: 'test_client_elicitation_defaults' }) : undefined;
    const a = modern ? undefined : provoked(t, v, 'elicitation-defaults', 'elicitation/create', 'test_client_elicitation_defaults');
    const result = modern ? modern.result : expectValidResult(t, v, a!, 'ElicitResult', 'elicitation/create');
    const evidence = modern ? [modern.retry.e] : [a!.req.e, a!.reply!.e];
    if (result.action !== 'accept') return t.notVerified(`the client answered ${brief(result.action)}, not accept`);
    const content = isObject(result.content) ? result.content : {};
    const missing = Object.entries(DEFAULTS_SCHEMA.properties).filter(([k, s]) => content[k] !== s.default);
    if (missing.length) t.fail(`the accepted content lacks the defaults of ${missing.map(([k, s]) => `${k} (${JSON.stringify(s.default)}, got ${brief(content[k])})`).join(', ')}`, v.evidence(evidence));
  },
);

clientCheck(
  {
    id: 'client-elicitation/undeclared-refused',
    title: 'without the elicitation capability, elicitation/create is refused',
    level: 'MUST',
    requirement: 'Clients that support elicitation MUST declare the elicitation capability during initialization.',
    spec: cite(ELICITATION, 'client/elicitation#capabilities'),
    scenarios: ['elicitation'],
  },
  (t) => {
    const v = clientRuns(t);
    if (declares(v, ['elicitation'])) return t.notApplicable('the client declares the elicitation capability');
    expectRefused(t, v, provoked(t, v, 'elicitation', 'elicitation/create', 'trigger_elicitation'), 'elicitation/create');
  },
);

clientCheck(
  {
    id: 'client-elicitation/url-mode',
    title: 'a URL-mode elicitation is answered with a valid ElicitResult without content',
    level: 'MUST',
    requirement: 'URL mode: the content field is omitted. Clients declaring the elicitation capability MUST support at least one mode (form or url).',
    spec: cite(['2025-11-25', ...STATELESS_REVISIONS], 'client/elicitation#url-mode-elicitation-requests'),
    requires: 'client.elicitation.url',
    scenarios: ['elicitation-url'],
  },
  (t) => {
    const v = clientRuns(t);
    if (isStateless(t.revision)) {
      // 2026-07-28: the URL elicitation comes as an input request of input_required.
      const x = inputAnswer(t, v, 'elicitation/create', 'ElicitResult', 'elicitation', { scenario: 'elicitation-url', tool: 'trigger_url_elicitation' });
      if (x.result.action === 'accept' && x.result.content !== undefined) t.fail(`the client accepted a URL-mode elicitation with content ${brief(x.result.content)}`, v.evidence([x.retry.e]));
      return;
    }
    const a = provoked(t, v, 'elicitation-url', 'elicitation/create', 'trigger_url_elicitation');
    const result = expectValidResult(t, v, a, 'ElicitResult', 'URL-mode elicitation/create');
    if (result.action === 'accept' && result.content !== undefined) t.fail(`the client accepted a URL-mode elicitation with content ${brief(result.content)}`, v.evidence([a.req.e, a.reply!.e]));
  },
);

clientCheck(
  {
    id: 'client-elicitation/url-undeclared-refused',
    title: 'a URL-mode elicitation without the url capability is refused with -32602',
    level: 'MUST',
    requirement: 'Clients MUST return standard JSON-RPC errors for common failure cases: server sends an elicitation/create request with a mode not declared in client capabilities: -32602 (Invalid params).',
    spec: cite(['2025-11-25'], 'client/elicitation#error-handling'),
    scenarios: ['elicitation-url'],
  },
  (t) => {
    const v = clientRuns(t);
    if (declares(v, ['elicitation', 'url'])) return t.notApplicable('the client declares URL-mode elicitation');
    if (!declares(v, ['elicitation'])) return t.notApplicable('the client does not declare elicitation at all (judged by client-elicitation/undeclared-refused)');
    expectRefused(t, v, provoked(t, v, 'elicitation-url', 'elicitation/create', 'trigger_url_elicitation'), 'a URL-mode elicitation/create', ErrorCode.InvalidParams);
  },
);

// ---- roots: list changes ----

clientCheck(
  {
    id: 'client-roots/list-changed-notified',
    title: 'when its roots change, a client declaring roots.listChanged sends notifications/roots/list_changed',
    level: 'MUST',
    requirement: 'When roots change, clients that support listChanged MUST send a notification: notifications/roots/list_changed.',
    spec: cite(STATEFUL_REVISIONS, 'client/roots#root-list-changes'),
    requires: 'client.roots.listChanged',
    scenarios: ['roots'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('roots');
    // The roots changed when two answers differ (the scenario asks the user to add a root after the first).
    const answers = serverRequests(run, 'roots/list')
      .map((req) => ({ req, reply: replyTo(run, req) }))
      .filter((a): a is { req: Sent; reply: Sent } => !!a.reply && isObject(a.reply.m.result));
    if (answers.length < 2) return t.notVerified(`the client answered roots/list ${answers.length} time(s) with a result; two answers are needed to see a change (${exitSummary(run)})`);
    const first = answers[0]!;
    const changed = answers.find((a) => JSON.stringify(a.reply.m.result) !== JSON.stringify(first.reply.m.result));
    if (!changed) return t.notVerified('the roots did not change between the two roots/list answers (context.roots.change asks the client to add one)');
    // When it is sent is not prescribed; that it is, once the roots changed, is.
    const note = clientNotifications(run, 'notifications/roots/list_changed').find((n) => n.e.t > first.req.e.t);
    if (!note) t.fail(`the roots changed (${brief(first.reply.m.result)} → ${brief(changed.reply.m.result)}) but the client never sent notifications/roots/list_changed`, v.evidence([first.req.e, first.reply.e, changed.req.e, changed.reply.e]));
  },
);

clientCheck(
  {
    id: 'client-sampling/user-rejected',
    title: 'a sampling request the user rejects is answered with error -1',
    level: 'SHOULD',
    requirement: 'Clients SHOULD return errors for common failure cases: User rejected sampling request: -1.',
    spec: cite(STATEFUL_REVISIONS, 'client/sampling#error-handling'),
    requires: 'client.sampling',
    scenarios: ['sampling-rejected'],
  },
  (t) => {
    const v = clientRuns(t);
    const a = provoked(t, v, 'sampling-rejected', 'sampling/createMessage', 'trigger_sampling');
    if (!a.reply) return t.fail('the client never answered the sampling request its user rejected', v.evidence([a.req.e]));
    const err = isObject(a.reply.m.error) ? a.reply.m.error : undefined;
    if (!err) return t.fail(`the user rejected the sampling request (context.sampling.action), but the client answered with a result: ${brief(a.reply.m.result)}`, v.evidence([a.req.e, a.reply.e]));
    if (err.code !== -1) t.fail(`the client refused the rejected sampling request with code ${brief(err.code)}, not -1`, v.evidence([a.req.e, a.reply.e]));
  },
);

// ---- sampling with tools (2025-11-25) ----

const SAMPLING_TOOLS = STATEFUL_REVISIONS.filter((r) => r >= '2025-11-25');
/** The sampling-tools checks that 2026-07-28 also judges (the request comes as an input request there). */
const SAMPLING_TOOLS_MODERN = [...SAMPLING_TOOLS, ...STATELESS_REVISIONS];
const samplingKey = (p: unknown) => (isObject(p) ? JSON.stringify([p.messages, p.toolChoice]) : '');
/** The tool-enabled sampling request a trigger tool of scenario sampling-tools sent. */
const samplingOf = (trigger: string) => (req: Sent) => samplingKey(req.m.params) === samplingKey(SAMPLING_TOOL_REQUESTS[trigger]);

function blocks(content: unknown): Record<string, unknown>[] {
  return (Array.isArray(content) ? content : [content]).filter(isObject);
}
const usesTool = (result: Record<string, unknown>) => blocks(result.content).some((b) => b.type === 'tool_use');

clientCheck(
  {
    id: 'client-sampling/tools-capability',
    title: 'a client that samples with tools declares sampling.tools',
    level: 'MUST',
    requirement: 'Clients MUST declare support for tool use via the sampling.tools capability to receive tool-enabled sampling requests.',
    spec: cite(SAMPLING_TOOLS_MODERN, 'client/sampling#tools-in-sampling'),
    requires: 'client.sampling',
    scenarios: ['sampling-tools'],
  },
  (t) => {
    const v = clientRuns(t);
    if (declares(v, ['sampling', 'tools'])) return t.notApplicable('the client declares the sampling.tools capability');
    if (isStateless(t.revision)) {
      // 2026-07-28: the tool-enabled requests are input requests; their answers come in the retries.
      for (const trigger of ['trigger_sampling_tool_required', 'trigger_sampling_tool_none']) {
        const x = inputAnswer(t, v, 'sampling/createMessage', 'CreateMessageResult', 'sampling', { scenario: 'sampling-tools', tool: trigger });
        if (usesTool(x.result) || x.result.stopReason === 'toolUse') return t.fail(`the client does not declare sampling.tools but answered a tool-enabled sampling input request with tool use: ${brief(x.result)}`, v.evidence([x.retry.e]));
      }
      return;
    }
    const run = v.need('sampling-tools');
    const asked = serverRequests(run, 'sampling/createMessage').map((req) => ({ req, reply: replyTo(run, req) }));
    if (!asked.length) return t.notVerified(`the server never got to send a tool-enabled sampling request: the client called no trigger_sampling_* tool (${exitSummary(run)})`);
    const used = asked.find((a) => a.reply && isObject(a.reply.m.result) && (usesTool(a.reply.m.result) || a.reply.m.result.stopReason === 'toolUse'));
    if (used) t.fail(`the client does not declare sampling.tools but answered a tool-enabled sampling request with tool use: ${brief(used.reply!.m.result)}`, v.evidence([used.req.e, used.reply!.e]));
  },
);

for (const mode of ['required', 'none'] as const) {
  clientCheck(
    {
      id: `client-sampling/tool-choice-${mode}`,
      title: mode === 'required' ? 'with toolChoice required, the answer uses a tool' : 'with toolChoice none, the answer uses no tool',
      level: 'MUST',
      requirement: mode === 'required' ? '{mode: "required"}: Model MUST use at least one tool before completing.' : '{mode: "none"}: Model MUST NOT use any tools.',
      spec: cite(SAMPLING_TOOLS_MODERN, 'client/sampling#tool-choice-modes'),
      requires: 'client.sampling.tools',
      scenarios: ['sampling-tools'],
    },
    (t) => {
      const v = clientRuns(t);
      const trigger = `trigger_sampling_tool_${mode}`;
      if (isStateless(t.revision)) {
        // 2026-07-28: the request is an input request; the retry's inputResponses carry the answer.
        const x = inputAnswer(t, v, 'sampling/createMessage', 'CreateMessageResult', 'sampling', { scenario: 'sampling-tools', tool: trigger });
        if (mode === 'required' && !usesTool(x.result)) t.fail(`toolChoice was required but the answer has no tool_use content: ${brief(x.result.content)}`, v.evidence([x.retry.e]));
        if (mode === 'none' && usesTool(x.result)) t.fail(`toolChoice was none but the answer uses a tool: ${brief(x.result.content)}`, v.evidence([x.retry.e]));
        return;
      }
      const a = provoked(t, v, 'sampling-tools', 'sampling/createMessage', trigger, samplingOf(trigger));
      const err = a.reply && isObject(a.reply.m.error) ? a.reply.m.error : undefined;
      if (err?.code === -1) return t.notVerified('the client (its user) rejected the sampling request');
      const result = expectValidResult(t, v, a, 'CreateMessageResult', `a sampling/createMessage with toolChoice ${mode}`);
      if (mode === 'required' && !usesTool(result)) t.fail(`toolChoice was required but the answer has no tool_use content: ${brief(result.content)}`, v.evidence([a.req.e, a.reply!.e]));
      if (mode === 'none' && usesTool(result)) t.fail(`toolChoice was none but the answer uses a tool: ${brief(result.content)}`, v.evidence([a.req.e, a.reply!.e]));
    },
  );
}

clientCheck(
  {
    id: 'client-sampling/tool-messages-validated',
    title: 'a sampling request whose tool_use lacks its tool_result, or mixes a tool_result with text, is refused with -32602',
    level: 'SHOULD',
    requirement: 'Clients SHOULD return errors for common failure cases: Tool result missing in request: -32602 (Invalid params); Tool results mixed with other content: -32602 (Invalid params).',
    spec: cite(SAMPLING_TOOLS, 'client/sampling#error-handling'),
    requires: 'client.sampling.tools',
    scenarios: ['sampling-tools'],
  },
  (t) => {
    const v = clientRuns(t);
    for (const [trigger, what] of [['trigger_sampling_unbalanced', 'a tool_use without its tool_result'], ['trigger_sampling_mixed', 'a tool_result mixed with text']] as const) {
      const a = provoked(t, v, 'sampling-tools', 'sampling/createMessage', trigger, samplingOf(trigger));
      if (!a.reply) return t.fail(`the client never answered a sampling request with ${what}`, v.evidence([a.req.e]));
      const err = isObject(a.reply.m.error) ? a.reply.m.error : undefined;
      if (!err) return t.fail(`the client answered a sampling request with ${what} with a result: ${brief(a.reply.m.result)}`, v.evidence([a.req.e, a.reply.e]));
      if (err.code !== ErrorCode.InvalidParams) return t.fail(`the client refused a sampling request with ${what} with code ${brief(err.code)}, not -32602`, v.evidence([a.req.e, a.reply.e]));
    }
  },
);

// ---- elicitation: form mode by default, completion notifications (2025-11-25) ----

clientCheck(
  {
    id: 'client-elicitation/mode-omitted-is-form',
    title: 'an elicitation without mode is treated as a form',
    level: 'MUST',
    requirement: 'Clients MUST treat requests without a mode field as form mode.',
    spec: cite(['2025-11-25', ...STATELESS_REVISIONS], 'client/elicitation#elicitation-requests'),
    requires: 'client.elicitation',
    scenarios: ['elicitation', 'elicitation-url'],
  },
  (t) => {
    const v = clientRuns(t);
    const el = caps(v).elicitation;
    // {} declares form mode (backwards compatibility); {url: {}} alone does not.
    if (isObject(el) && isObject(el.url) && !isObject(el.form)) return t.notApplicable('the client declares URL-mode elicitation only');
    if (isStateless(t.revision)) {
      // 2026-07-28: the form without mode comes as an input request of scenario elicitation-url.
      const x = inputAnswer(t, v, 'elicitation/create', 'ElicitResult', 'elicitation', { scenario: 'elicitation-url', tool: 'trigger_elicitation_no_mode' });
      if (x.result.action !== 'accept') return;
      const ok = compileUserSchema('2020-12', isObject(x.req.params) ? x.req.params.requestedSchema : {});
      if (!ok(x.result.content ?? {})) t.fail(`the client accepted an elicitation without mode, but not as the form it is: ${brief(x.result.content)}`, v.evidence([x.retry.e]));
      return;
    }
    const a = provoked(t, v, 'elicitation', 'elicitation/create', 'trigger_elicitation_no_mode', (r) => isObject(r.m.params) && !('mode' in r.m.params));
    const result = expectValidResult(t, v, a, 'ElicitResult', 'an elicitation/create without mode');
    if (result.action !== 'accept') return;
    const schema = isObject(a.req.m.params) ? a.req.m.params.requestedSchema : undefined;
    const check = compileUserSchema('2020-12', schema);
    if (!check(result.content ?? {})) t.fail(`the client accepted an elicitation without mode, but not as the form it is: ${brief(result.content)}`, v.evidence([a.req.e, a.reply!.e]));
  },
);

clientCheck(
  {
    id: 'client-elicitation/unknown-completion-ignored',
    title: 'notifications/elicitation/complete for an unknown or completed elicitation is ignored',
    level: 'MUST',
    requirement: 'Clients MUST ignore notifications referencing unknown or already-completed IDs.',
    spec: cite(['2025-11-25'], 'client/elicitation#completion-notifications-for-url-mode-elicitation'),
    scenarios: ['elicitation-url'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('elicitation-url');
    const notes = mockMessages(run).filter((s) => s.m.method === 'notifications/elicitation/complete');
    const unknown = notes.find((n) => isObject(n.m.params) && n.m.params.elicitationId === UNKNOWN_ELICITATION_ID);
    if (!unknown) return t.notVerified(`the server never got to send the completion notifications: the client did not call trigger_url_elicitation (${exitSummary(run)})`);
    const next = carriedOn(run, unknown.e.t);
    if (next.ok) return;
    if (next.crashed) return t.fail(`after notifications/elicitation/complete for a completed and an unknown elicitation the client stopped: ${next.why}`, v.evidence(notes.map((n) => n.e)));
    t.notVerified(`the client made no request after the completion notifications, so how it took them is not observable (${next.why})`);
  },
);

// ---- elicitation declared in every request's _meta (2026-07-28) ----

clientCheck(
  {
    id: 'client-elicitation/declared-on-each-request',
    title: 'a client that answers elicitations declares elicitation in the _meta of each request',
    level: 'MUST',
    requirement: 'Clients that support elicitation MUST declare the elicitation capability in _meta.io.modelcontextprotocol/clientCapabilities on each request. (Checked: in each scenario where the client answered an elicitation input request, every request it sent in the stateless era declares elicitation.)',
    spec: cite(STATELESS_REVISIONS, 'client/elicitation#capabilities'),
    // No `requires`: the capability gate reads one request's _meta, and leaving elicitation out of some requests is what this check finds.
    scenarios: ['input-required', 'elicitation-url'],
  },
  (t) => {
    const v = clientRuns(t);
    let judged = 0;
    let declaredSomewhere = false;
    for (const run of v.runs) {
      // It supports elicitation where it answered one: a retry carries an ElicitResult for an elicitation input request.
      const answered = clientRequests(run).some((r) => {
        const p = isObject(r.m.params) ? r.m.params : {};
        return isObject(p.inputResponses) && Object.values(p.inputResponses).some((x) => isObject(x) && typeof x.action === 'string');
      });
      const modern = clientRequests(run).filter((r) => typeof metaOf(r.m)?.[META.protocolVersion] === 'string');
      declaredSomewhere ||= modern.some((r) => hasCapability(metaOf(r.m)?.[META.clientCapabilities], { side: 'client', path: ['elicitation'] }));
      if (!answered) continue;
      judged++;
      const bad = modern.find((r) => !hasCapability(metaOf(r.m)?.[META.clientCapabilities], { side: 'client', path: ['elicitation'] }));
      if (bad) return t.fail(`in scenario ${run.scenario} the client answered an elicitation, but its ${String(bad.m.method)} request's _meta["${META.clientCapabilities}"] does not declare elicitation: ${brief(metaOf(bad.m)?.[META.clientCapabilities])}`, v.evidence([bad.e]));
    }
    if (judged) return;
    if (!declaredSomewhere) return t.notApplicable('the client does not declare the capability elicitation on any request, and answered no elicitation');
    // The scenarios that ask for elicitation: when none of them ran, say so (as a check naming one scenario does).
    const asking = ['input-required', 'elicitation-url'];
    if (!v.runs.some((r) => asking.includes(r.scenario))) return t.notVerified(`scenario ${asking.join(' / ')} was not run at ${t.revision}`);
    t.notVerified('the client declares elicitation but answered no elicitation input request (scenarios input-required, elicitation-url)');
  },
);
