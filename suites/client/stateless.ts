// 2026-07-28, the stateless revision: per-request _meta, resultType, multi round-trip requests,
// version negotiation by error, era detection, server/discover.
import { ErrorCode, isObject, META, STATELESS_REVISIONS, validate } from '../../schema/index.ts';
import { clientRuns, type ClientRun } from '../harness/index.ts';
import { answerTo, brief, clientRequests, exitSummary, metaOf, toolCalls, toolName, type Sent, clientCheck, cite, carriedOn, needRound } from '../kit/index.ts';
import { GONE_URI, UNKNOWN_RESULT_TOOL, UNKNOWN_RESULT_TYPE } from './scenarios/index.ts';

/** Requests of the stateless era (legacy fallbacks after an initialize are exempt). */
function modernRequests(run: ClientRun): Sent[] {
  const legacy = new Set(clientRequests(run, 'initialize').map((r) => r.e.session));
  return clientRequests(run).filter((r) => r.m.method !== 'initialize' && !(legacy.has(r.e.session) && metaOf(r.m)?.[META.protocolVersion] === undefined));
}

clientCheck(
  {
    id: 'client-meta/version-and-capabilities',
    title: 'every request carries _meta protocolVersion and clientCapabilities',
    level: 'MUST',
    requirement: 'Client requests carry io.modelcontextprotocol/protocolVersion and io.modelcontextprotocol/clientCapabilities in _meta; fields marked as required MUST be included on every request.',
    spec: cite(STATELESS_REVISIONS, 'basic#meta'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      if (run.scenario === 'legacy-server') continue; // a dual-era client talks legacy there
      for (const r of modernRequests(run)) {
        const meta = metaOf(r.m);
        if (typeof meta?.[META.protocolVersion] !== 'string') return t.fail(`in scenario ${run.scenario} ${String(r.m.method)} has no _meta["${META.protocolVersion}"]`, v.evidence([r.e]));
        if (!isObject(meta[META.clientCapabilities])) return t.fail(`in scenario ${run.scenario} ${String(r.m.method)} has no _meta["${META.clientCapabilities}"]`, v.evidence([r.e]));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-meta/client-info',
    title: 'every request names the client (_meta clientInfo)',
    level: 'SHOULD',
    requirement: 'Clients SHOULD include io.modelcontextprotocol/clientInfo on every request unless specifically configured not to do so.',
    spec: cite(STATELESS_REVISIONS, 'basic#meta'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    for (const run of v.requireLive()) {
      if (run.scenario === 'legacy-server') continue;
      for (const r of modernRequests(run)) {
        const info = metaOf(r.m)?.[META.clientInfo];
        if (!isObject(info) || typeof info.name !== 'string') return t.fail(`in scenario ${run.scenario} ${String(r.m.method)} has no _meta["${META.clientInfo}"]`, v.evidence([r.e]));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-mrtr/absent-result-type-is-complete',
    title: 'a result without resultType (from an earlier-protocol server) is treated as complete',
    level: 'MUST',
    requirement: 'For backward compatibility with servers implementing earlier protocol versions, which do not include resultType, clients MUST treat an absent resultType as "complete".',
    spec: cite(STATELESS_REVISIONS, 'basic#resulttype'),
    // The legacy server, not result-type-absent: the rule is about results "from a server
    // implementing an earlier protocol version" (schema Result.resultType). In result-type-absent
    // the server has taken a 2026-07-28 request, so its result without resultType breaks the
    // server's own MUST, and a client may refuse it (the official SDK v2 client does).
    scenarios: ['legacy-server'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('legacy-server');
    if (!clientRequests(run, 'initialize').length) return t.notApplicable('the client does not fall back to initialize (not dual-era): it gets no result from the earlier-protocol server');
    const list = clientRequests(run, 'tools/list').map((r) => ({ r, a: answerTo(run, r) })).find((x) => x.a && isObject(x.a.m.result) && !('resultType' in x.a.m.result));
    if (!list) return t.notVerified(`the client never got a tools/list result from the earlier-protocol server (${exitSummary(run)})`);
    const call = toolCalls(run).find((c) => c.e.t > list.a!.e.t && toolName(c) === 'add_numbers');
    if (call) return;
    const next = carriedOn(run, list.a!.e.t);
    t.fail(`given tools/list without resultType by the earlier-protocol server, the client did not call the listed tool: ${next.ok ? 'it made other requests instead' : next.why}`, v.evidence([list.r.e, list.a!.e]));
  },
);

clientCheck(
  {
    id: 'client-mrtr/unknown-result-type-invalid',
    title: 'a result whose resultType the client does not recognize is not used (its tools are not called)',
    level: 'MUST',
    requirement: 'A resultType of any value unrecognized by the client MUST be considered invalid. (Checked in result-type-unknown: no tool listed only in the tools/list result with an unknown resultType is called.)',
    spec: cite(STATELESS_REVISIONS, 'basic#resulttype'),
    scenarios: ['result-type-unknown'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('result-type-unknown');
    const list = clientRequests(run, 'tools/list').map((r) => ({ r, a: answerTo(run, r) })).find((x) => x.a && isObject(x.a.m.result) && x.a.m.result.resultType === UNKNOWN_RESULT_TYPE);
    if (!list) return t.notVerified(`the client never got the tools/list result with resultType ${JSON.stringify(UNKNOWN_RESULT_TYPE)} (${exitSummary(run)})`);
    const call = toolCalls(run).find((c) => toolName(c) === UNKNOWN_RESULT_TOOL);
    if (call) return t.fail(`the client called ${UNKNOWN_RESULT_TOOL}, listed only in a tools/list result with resultType ${JSON.stringify(UNKNOWN_RESULT_TYPE)}: it used an invalid result as complete`, v.evidence([list.r.e, list.a!.e, call.e]));
  },
);

clientCheck(
  {
    id: 'client-resources/legacy-not-found-accepted',
    title: 'a -32002 answer to resources/read is taken as resource not found, and the client goes on',
    level: 'SHOULD',
    requirement: 'For backwards compatibility, clients SHOULD also accept -32002 as a resource not found error, as earlier protocol versions used this code. (Checked in resource-not-found-legacy-code: after the -32002 the client sends further requests.)',
    spec: cite(STATELESS_REVISIONS, 'server/resources#error-handling'),
    scenarios: ['resource-not-found-legacy-code'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('resource-not-found-legacy-code');
    const read = clientRequests(run, 'resources/read').map((r) => ({ r, a: answerTo(run, r) })).find((x) => x.a && isObject(x.a.m.error) && x.a.m.error.code === ErrorCode.ResourceNotFound);
    if (!read) return t.notVerified(`the client did not read ${GONE_URI}, so it never got the -32002 (${exitSummary(run)})`);
    const next = carriedOn(run, read.a!.e.t);
    if (next.ok) return;
    if (next.crashed) return t.fail(`after resources/read of ${GONE_URI} was answered with -32002 (resource not found) the client stopped: ${next.why}`, v.evidence([read.r.e, read.a!.e]));
    t.notVerified(`the client sent nothing after the -32002 and exited cleanly (${next.why}); whether it took it for resource not found cannot be told`);
  },
);

const mrtr = cite(STATELESS_REVISIONS, 'basic/patterns/mrtr#client-requirements-basic-workflow');

clientCheck(
  {
    id: 'client-mrtr/input-responses',
    title: 'the retry answers every input request (inputResponses)',
    level: 'MUST',
    requirement: 'If a client receives an InputRequiredResult that contains the inputRequests field, the client MUST construct the requested inputs before retrying the original request.',
    spec: mrtr,
    scenarios: ['input-required'],
  },
  (t) => {
    const v = clientRuns(t);
    const { r } = needRound(t, 'input-required', 'needs_input');
    const asked = isObject(r.interim.inputRequests) ? r.interim.inputRequests : {};
    const params = isObject(r.retry.m.params) ? r.retry.m.params : {};
    const given = isObject(params.inputResponses) ? params.inputResponses : {};
    const missing = Object.keys(asked).filter((k) => !(k in given));
    if (missing.length) return t.fail(`the retry lacks inputResponses for ${missing.join(', ')}`, v.evidence([r.first.e, r.retry.e]));
    for (const [k, req] of Object.entries(asked)) {
      const method = isObject(req) ? req.method : undefined;
      const type = method === 'elicitation/create' ? 'ElicitResult' : method === 'sampling/createMessage' ? 'CreateMessageResult' : method === 'roots/list' ? 'ListRootsResult' : undefined;
      if (!type) continue;
      const res = validate(t.revision, type, given[k]);
      if (!res.valid) return t.fail(`inputResponses.${k} is not a valid ${type}: ${res.errors.slice(0, 2).map((e) => `${e.pointer || '/'} ${e.message}`).join('; ')}`, v.evidence([r.retry.e]));
    }
  },
);

clientCheck(
  {
    id: 'client-mrtr/request-state-echoed',
    title: 'the retry echoes requestState exactly',
    level: 'MUST',
    requirement: 'If an InputRequiredResult contains the requestState field, the client MUST echo back the exact value of that field when retrying the original request.',
    spec: mrtr,
    scenarios: ['input-required'],
  },
  (t) => {
    const v = clientRuns(t);
    const { r } = needRound(t, 'input-required', 'needs_input');
    const sent = isObject(r.retry.m.params) ? r.retry.m.params.requestState : undefined;
    if (sent !== r.interim.requestState) t.fail(`the retry's requestState is ${brief(sent, 80)}, not the ${brief(r.interim.requestState, 80)} the server gave`, v.evidence([r.first.e, r.retry.e]));
  },
);

clientCheck(
  {
    id: 'client-mrtr/no-invented-request-state',
    title: 'without a requestState, the retry carries none',
    level: 'MUST',
    requirement: 'If the InputRequiredResult does not contain a requestState field, the client MUST NOT include one in the retry.',
    spec: mrtr,
    scenarios: ['input-required-no-state'],
  },
  (t) => {
    const v = clientRuns(t);
    const { r } = needRound(t, 'input-required-no-state', 'needs_input_stateless');
    const params = isObject(r.retry.m.params) ? r.retry.m.params : {};
    if ('requestState' in params) t.fail(`the retry carries requestState ${brief(params.requestState, 80)} although the server gave none`, v.evidence([r.first.e, r.retry.e]));
  },
);

clientCheck(
  {
    id: 'client-mrtr/new-request-id',
    title: 'the retry is a new request (new JSON-RPC id)',
    level: 'MUST',
    requirement: 'The JSON-RPC id MUST be different between the initial request and the retry, as they are independent requests.',
    spec: mrtr,
    scenarios: ['input-required', 'input-required-no-state'],
  },
  (t) => {
    const v = clientRuns(t);
    const { r } = needRound(t, 'input-required', 'needs_input');
    if (JSON.stringify(r.first.m.id) === JSON.stringify(r.retry.m.id)) t.fail(`the retry reuses id ${JSON.stringify(r.first.m.id)}`, v.evidence([r.first.e, r.retry.e]));
  },
);

clientCheck(
  {
    id: 'client-versioning/unsupported-version-retry',
    title: 'after UnsupportedProtocolVersionError the client retries with a supported version',
    level: 'SHOULD',
    requirement: 'The client SHOULD select a mutually supported version from the supported list and retry the request, or surface an error to the user if no compatible version exists.',
    spec: cite(STATELESS_REVISIONS, 'basic/versioning#protocol-version-negotiation'),
    scenarios: ['unsupported-version'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('unsupported-version');
    const rejected = clientRequests(run).map((r) => ({ r, a: answerTo(run, r) })).find((x) => isObject(x.a?.m.error) && (x.a!.m.error as { code?: unknown }).code === ErrorCode.UnsupportedProtocolVersion);
    if (!rejected) return t.notVerified(`the client sent no request the server could reject (${exitSummary(run)})`);
    const data = (rejected.a!.m.error as { data?: { supported?: unknown } }).data;
    const supported = Array.isArray(data?.supported) ? data.supported : [];
    const retry = clientRequests(run).find((r) => r.e.t > rejected.a!.e.t && r.m.method !== 'initialize');
    if (!retry) return t.fail(`after UnsupportedProtocolVersionError the client did not retry (${exitSummary(run)})`, v.evidence([rejected.r.e, rejected.a!.e]));
    const version = metaOf(retry.m)?.[META.protocolVersion];
    if (!supported.includes(version)) t.fail(`the client retried with protocol version ${brief(version)}, not one of ${brief(supported)}`, v.evidence([rejected.a!.e, retry.e]));
  },
);

clientCheck(
  {
    id: 'client-versioning/legacy-fallback',
    title: 'a dual-era client falls back to initialize with a legacy server',
    level: 'MAY',
    requirement: 'A client that supports both modern MCP versions and a legacy version that requires an initialize handshake MAY detect which era the server implements by attempting a modern request first; if the response is not a recognized modern error, fall back to initialize.',
    spec: cite(STATELESS_REVISIONS, 'basic/versioning#backward-compatibility-with-initialization-based-versions'),
    scenarios: ['legacy-server'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('legacy-server');
    const init = clientRequests(run, 'initialize')[0];
    if (!init) t.fail('given a legacy-only server, the client did not fall back to initialize (a modern-only client; it should report the server as too old)', v.evidence(run.entries.slice(0, 4)));
  },
);

clientCheck(
  {
    id: 'client-versioning/stdio-discover-probe',
    title: 'on stdio, a dual-era client probes with server/discover first',
    level: 'SHOULD',
    requirement: 'A client that supports both modern MCP versions and a legacy version that requires an initialize handshake SHOULD probe with server/discover before sending any other request, setting its preferred modern version in _meta.',
    spec: cite(STATELESS_REVISIONS, 'basic/transports/stdio#backward-compatibility'),
    scenarios: ['legacy-server'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('stdio');
    const run = v.need('legacy-server');
    if (!clientRequests(run, 'initialize').length) return t.notApplicable('the client does not fall back to initialize (not dual-era)');
    const first = clientRequests(run)[0]!;
    if (first.m.method !== 'server/discover') t.fail(`the client's first request was ${String(first.m.method)}, not a server/discover probe`, v.evidence([first.e]));
  },
);

clientCheck(
  {
    id: 'client-discover/used',
    title: 'the client uses server/discover',
    level: 'MAY',
    requirement: 'Clients MAY call server/discover before sending any other requests to learn the server\'s supported versions up front, but are not required to.',
    spec: cite(STATELESS_REVISIONS, 'basic/versioning#protocol-version-negotiation'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    const runs = v.requireLive();
    if (!runs.some((r) => clientRequests(r, 'server/discover').length > 0)) t.fail('the client never called server/discover');
  },
);

clientCheck(
  {
    id: 'client-versioning/fallback-any-error',
    title: 'on stdio, a dual-era client falls back to initialize whatever error code the legacy server answers the probe with',
    level: 'MUST',
    requirement: 'The fallback MUST NOT be keyed to one specific error code: legacy servers respond to unknown pre-initialize requests with implementation-defined errors (commonly -32601 or -32602) or not at all.',
    spec: cite(STATELESS_REVISIONS, 'basic/transports/stdio#backward-compatibility'),
    scenarios: ['legacy-server', 'legacy-server-method-not-found'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('stdio');
    const a = v.need('legacy-server');
    const b = v.need('legacy-server-method-not-found');
    const fellBack = (run: ClientRun) => clientRequests(run, 'initialize').length > 0;
    if (!fellBack(a) && !fellBack(b)) return t.notApplicable('the client does not fall back to initialize (not dual-era)');
    for (const [run, code] of [[a, ErrorCode.InvalidRequest], [b, ErrorCode.MethodNotFound]] as const) {
      if (fellBack(run)) continue;
      const probe = clientRequests(run)[0];
      const answer = probe ? answerTo(run, probe) : undefined;
      return t.fail(`the client fell back to initialize when the legacy server answered the probe with one error code, but not in scenario ${run.scenario}, where it answered ${code} (${exitSummary(run)})`, v.evidence([probe?.e, answer?.e].filter((e) => e !== undefined)));
    }
  },
);

clientCheck(
  {
    id: 'client-versioning/era-cached',
    title: 'once the server\'s era is known, the client does not probe it again (same process or origin)',
    level: 'SHOULD',
    requirement: 'The era determination is a property of the server, not of an individual request. Clients SHOULD cache the result for the lifetime of the server process (stdio) or origin (HTTP), re-probing if the cached assumption later fails.',
    spec: cite(STATELESS_REVISIONS, 'basic/versioning#backward-compatibility-with-initialization-based-versions'),
    scenarios: 'all',
  },
  (t) => {
    const v = clientRuns(t);
    let probes = 0;
    for (const run of v.requireLive()) {
      // HTTP: one origin for the whole run; stdio: one server process a session.
      const scopes = new Map<string, Sent[]>();
      for (const r of clientRequests(run)) {
        const scope = v.transport === 'http' ? 'origin' : r.e.session;
        scopes.set(scope, [...(scopes.get(scope) ?? []), r]);
      }
      for (const reqs of scopes.values()) {
        let known: Sent | undefined; // the answer or request that settled the era
        for (const r of reqs) {
          if (r.m.method === 'initialize') known ??= r;
          if (r.m.method !== 'server/discover') continue;
          probes++;
          if (known) return t.fail(`in scenario ${run.scenario} the client probed with server/discover again after the server's era was known`, v.evidence([known.e, r.e]));
          const a = answerTo(run, r);
          if (a && isObject(a.m.result)) known = a;
        }
      }
    }
    if (probes === 0) t.notApplicable('the client never probes with server/discover');
  },
);

clientCheck(
  {
    id: 'client-mrtr/inputs-not-shared',
    title: 'requestState and inputResponses go only into the retry of the request that asked for them',
    level: 'MUST',
    requirement: 'Both the inputRequests and requestState fields affect only the client\'s retry of the original request. They MUST NOT be used for any other request that the client may be sending in parallel.',
    spec: mrtr,
    scenarios: ['input-required'],
  },
  (t) => {
    const v = clientRuns(t);
    const { run, r } = needRound(t, 'input-required', 'needs_input');
    const state = r.interim.requestState;
    const retryOf = (s: Sent) => s.m.method === r.first.m.method && toolName(s) === toolName(r.first);
    for (const s of clientRequests(run)) {
      if (s.e.t <= r.first.e.t || retryOf(s)) continue;
      const params = isObject(s.m.params) ? s.m.params : {};
      if (state !== undefined && JSON.stringify(params.requestState) === JSON.stringify(state)) return t.fail(`the client sent ${String(s.m.method)} with the requestState the server gave for ${toolName(r.first)}`, v.evidence([r.first.e, s.e]));
      if ('inputResponses' in params) return t.fail(`the client sent ${String(s.m.method)} with inputResponses, which belong to the retry of ${toolName(r.first)} only`, v.evidence([r.first.e, s.e]));
    }
  },
);
