// Client features: roots, sampling, elicitation. What the client declares must match what it
// answers: declared → a valid result; not declared → an error.
import { createAjv, ErrorCode, hasCapability, isObject, STATEFUL_REVISIONS, validate, type Revision } from '../../schema/index.ts';
import { clientRuns, declaredCapabilities, type ClientRun, type ClientView } from '../harness/index.ts';
import { brief, exitSummary, replyTo, serverRequests, sessionRevision, type Sent } from './analysis.ts';
import { clientCheck, pages } from './check.ts';
import { DEFAULTS_SCHEMA } from './scenarios.ts';

const ELICITATION = STATEFUL_REVISIONS.filter((r) => r >= '2025-06-18');

interface Asked {
  run: ClientRun;
  req: Sent;
  reply: Sent | undefined;
}

/** The server request a scenario provoked and the client's reply; not-verified when it never happened. */
function provoked(t: Parameters<Parameters<typeof clientCheck>[1]>[0], v: ClientView, scenario: string, method: string, trigger: string): Asked {
  const run = v.need(scenario);
  const req = serverRequests(run, method)[0];
  if (!req) return t.notVerified(`the server never got to send ${method}: the client did not call ${trigger} (${exitSummary(run)})`);
  const reply = replyTo(run, req);
  // A request sent once the client was killed (scenario timeout, e.g. a slow start on a loaded
  // machine) or had exited could not be answered: that says nothing about the client.
  const killed = run.events.find((e) => e.what === 'client-killed')?.t ?? Infinity;
  const gone = Math.min(killed, run.process.exitedAt ?? Infinity);
  if (!reply && req.e.t >= gone) return t.notVerified(`the server sent ${method} only after the client ${killed <= gone ? 'was killed at the scenario timeout' : 'had exited'}, so it could not answer (${exitSummary(run)})`);
  return { run, req, reply };
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
    requirement: 'Clients that support roots MUST declare the roots capability; uri: unique identifier for the root. This MUST be a file:// URI in the current specification.',
    spec: pages(STATEFUL_REVISIONS, 'client/roots#listing-roots'),
    requires: 'client.roots',
    scenarios: ['roots'],
  },
  (t) => {
    const v = clientRuns(t);
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
    spec: pages(STATEFUL_REVISIONS, 'client/roots#capabilities'),
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
    requirement: 'Clients that support sampling MUST declare the sampling capability during initialization; the response is a CreateMessageResult.',
    spec: pages(STATEFUL_REVISIONS, 'client/sampling#creating-messages'),
    requires: 'client.sampling',
    scenarios: ['sampling'],
  },
  (t) => {
    const v = clientRuns(t);
    const a = provoked(t, v, 'sampling', 'sampling/createMessage', 'trigger_sampling');
    const err = a.reply && isObject(a.reply.m.error) ? a.reply.m.error : undefined;
    // The user may reject a sampling request (code -1): allowed, but then nothing was sampled.
    if (err?.code === -1) return t.notVerified('the client (its user) rejected the sampling request');
    expectValidResult(t, v, a, 'CreateMessageResult', 'sampling/createMessage');
  },
);

clientCheck(
  {
    id: 'client-sampling/undeclared-refused',
    title: 'without the sampling capability, sampling/createMessage is refused',
    level: 'MUST',
    requirement: 'Clients that support sampling MUST declare the sampling capability during initialization.',
    spec: pages(STATEFUL_REVISIONS, 'client/sampling#capabilities'),
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
    spec: pages(ELICITATION, 'client/elicitation#response-actions'),
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
    spec: pages(ELICITATION, (r) => (r >= '2025-11-25' ? 'client/elicitation#form-mode-security' : 'client/elicitation#security-considerations')),
    requires: 'client.elicitation',
    scenarios: ['elicitation'],
  },
  (t) => {
    const v = clientRuns(t);
    const a = provoked(t, v, 'elicitation', 'elicitation/create', 'trigger_elicitation');
    const result = expectValidResult(t, v, a, 'ElicitResult', 'elicitation/create');
    if (result.action !== 'accept') return t.notVerified(`the client answered ${brief(result.action)}, not accept`);
    const schema = isObject(a.req.m.params) ? a.req.m.params.requestedSchema : undefined;
    const rev = sessionRevision(a.run, a.req.e.session);
    const check = createAjv(rev >= '2025-11-25' ? '2020-12' : 'draft-07').compile(schema as object);
    if (!check(result.content ?? {})) t.fail(`the accepted content does not satisfy requestedSchema: ${(check.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`, v.evidence([a.req.e, a.reply!.e]));
  },
);

clientCheck(
  {
    id: 'client-elicitation/defaults-applied',
    title: 'accepted without edits, a form carries the schema defaults',
    level: 'SHOULD',
    requirement: 'All primitive types support optional default values to provide sensible starting points. Clients that support defaults SHOULD pre-populate form fields with these values.',
    spec: pages(['2025-11-25'], 'client/elicitation#requested-schema'),
    requires: 'client.elicitation',
    scenarios: ['elicitation-defaults'],
  },
  (t) => {
    const v = clientRuns(t);
    const a = provoked(t, v, 'elicitation-defaults', 'elicitation/create', 'test_client_elicitation_defaults');
    const result = expectValidResult(t, v, a, 'ElicitResult', 'elicitation/create');
    if (result.action !== 'accept') return t.notVerified(`the client answered ${brief(result.action)}, not accept`);
    const content = isObject(result.content) ? result.content : {};
    const missing = Object.entries(DEFAULTS_SCHEMA.properties).filter(([k, s]) => content[k] !== s.default);
    if (missing.length) t.fail(`the accepted content lacks the defaults of ${missing.map(([k, s]) => `${k} (${JSON.stringify(s.default)}, got ${brief(content[k])})`).join(', ')}`, v.evidence([a.req.e, a.reply!.e]));
  },
);

clientCheck(
  {
    id: 'client-elicitation/undeclared-refused',
    title: 'without the elicitation capability, elicitation/create is refused',
    level: 'MUST',
    requirement: 'Clients that support elicitation MUST declare the elicitation capability during initialization.',
    spec: pages(ELICITATION, 'client/elicitation#capabilities'),
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
    spec: pages(['2025-11-25'], 'client/elicitation#url-mode-elicitation-requests'),
    requires: 'client.elicitation.url',
    scenarios: ['elicitation-url'],
  },
  (t) => {
    const v = clientRuns(t);
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
    spec: pages(['2025-11-25'], 'client/elicitation#error-handling'),
    scenarios: ['elicitation-url'],
  },
  (t) => {
    const v = clientRuns(t);
    if (declares(v, ['elicitation', 'url'])) return t.notApplicable('the client declares URL-mode elicitation');
    if (!declares(v, ['elicitation'])) return t.notApplicable('the client does not declare elicitation at all (judged by client-elicitation/undeclared-refused)');
    expectRefused(t, v, provoked(t, v, 'elicitation-url', 'elicitation/create', 'trigger_url_elicitation'), 'a URL-mode elicitation/create', ErrorCode.InvalidParams);
  },
);
