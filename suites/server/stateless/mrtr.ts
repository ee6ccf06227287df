// 2026-07-28 multi round-trip requests (basic/patterns/mrtr): InputRequiredResult, the client's
// retry with inputResponses and requestState, and capability-gated input requests.
import { ErrorCode, isObject, validate } from '../../../schema/index.ts';
import { check, type CheckContext } from '../../harness/index.ts';
import { cannedInputResponse, type StatelessClient, at, CAPABILITY_OF, INPUT_CAPABILITIES, INPUT_METHODS, inputRequiringOperation, statusOf, type Operation, type Json } from '../../kit/index.ts';

async function trigger(t: CheckContext): Promise<{ s: StatelessClient; op: Operation; result: Record<string, unknown> }> {
  const s = await t.stateless();
  const found = await inputRequiringOperation(s, t.config.callTools);
  if ('timedOut' in found) {
    // A slow operation might have been the one that asks for input: we cannot tell it does not apply.
    if (found.timedOut.length) return t.notVerified(`no operation the checks may send asked for input; timed out looking: ${found.timedOut.join(', ')}`);
    return t.notApplicable('no operation the checks may send (resources/read, prompts/get, tools/call of tools the --call-tools policy allows) asked for input');
  }
  return { s, op: found.op, result: found.reply.result };
}

check(
  {
    id: 'mrtr/input-required-result',
    title: 'an InputRequiredResult carries inputRequests or requestState, and only elicitation, sampling or roots requests',
    level: 'MUST',
    requirement:
      'Servers MUST include at least one of inputRequests or requestState in every InputRequiredResult response. inputRequests values are request objects that MUST be one of ElicitRequest, CreateMessageRequest, or ListRootsRequest.',
    spec: at('basic/patterns/mrtr#server-requirements-basic-workflow'),
  },
  async (t) => {
    const { op, result } = await trigger(t);
    judgeInputRequired(t, op.label, result);
  },
);

/** The MUSTs every InputRequiredResult meets: inputRequests or requestState, valid, only input methods. */
function judgeInputRequired(t: CheckContext, label: string, result: Record<string, unknown>): void {
  t.expect(result.inputRequests !== undefined || result.requestState !== undefined, `the InputRequiredResult of ${label} has neither inputRequests nor requestState`, [result]);
  const v = validate(t.revision, 'InputRequiredResult', result);
  t.expect(v.valid, `the InputRequiredResult of ${label} is not valid: ${v.errors.slice(0, 3).map((e) => `${e.pointer} ${e.message}`).join('; ')}`, [result]);
  for (const [key, req] of Object.entries(isObject(result.inputRequests) ? result.inputRequests : {})) {
    const method = isObject(req) ? req.method : undefined;
    t.expect(typeof method === 'string' && (INPUT_METHODS as readonly string[]).includes(method), `input request ${JSON.stringify(key)} of ${label} is ${JSON.stringify(method)}, not one of ${INPUT_METHODS.join(', ')}`, [result]);
  }
}

check(
  {
    id: 'mrtr/undeclared-capability',
    title: 'no input request the client did not declare a capability for; -32021 when one is needed',
    level: 'MUST',
    requirement:
      'Servers MUST NOT send an inputRequests that the client has not declared support for in its capabilities. If processing a request requires a capability the client did not include, the server MUST return a MissingRequiredClientCapabilityError (-32021) whose data.requiredCapabilities lists the missing capabilities. On HTTP, the response status MUST be 400 Bad Request.',
    spec: at('basic/patterns/mrtr#server-requirements-basic-workflow'),
  },
  async (t) => {
    const { s, op } = await trigger(t);
    // The same request on the same connection, now declaring nothing: only this request's _meta counts.
    const reply = await s.request<Json>(op.method, op.params, { capabilities: {} });
    if (reply.ok) {
      const requests = isObject(reply.result.inputRequests) ? reply.result.inputRequests : {};
      for (const [key, req] of Object.entries(requests)) {
        const method = isObject(req) && typeof req.method === 'string' ? req.method : '';
        t.fail(`declaring no capabilities, ${op.label} still asked for ${method} (input ${JSON.stringify(key)}), which needs the ${CAPABILITY_OF[method] ?? 'unknown'} capability`, reply);
      }
      return;
    }
    if (reply.error.code !== ErrorCode.MissingRequiredClientCapability) return t.fail(`declaring no capabilities, ${op.label} was answered with error ${reply.error.code}, not MissingRequiredClientCapabilityError (-32021)`, reply);
    const v = validate(t.revision, 'MissingRequiredClientCapabilityError', reply.message);
    t.expect(v.valid, `the -32021 error is not a valid MissingRequiredClientCapabilityError: ${v.errors.slice(0, 3).map((e) => `${e.pointer} ${e.message}`).join('; ')}`, reply);
    const status = statusOf(s.client.transport, reply.id);
    t.expect(status === undefined || status === 400, `the MissingRequiredClientCapabilityError came with HTTP ${String(status)}, not 400`, reply);
  },
);

check(
  {
    id: 'mrtr/retry',
    title: 'retrying with the requested input and the echoed requestState is answered with a result',
    level: 'SHOULD',
    requirement:
      'If the client fails to send all the information requested in a previous InputRequests, and the missing information is necessary for the server to process the request, the server SHOULD respond with a new InputRequiredResult requesting the missing information again, rather than returning an error.',
    spec: at('basic/patterns/mrtr#error-handling'),
  },
  async (t) => {
    const { s, op } = await trigger(t);
    const replies = await s.requestWithInput(op.method, op.params, { capabilities: INPUT_CAPABILITIES });
    const failed = replies.find((r) => !r.ok);
    if (failed && !failed.ok) return t.fail(`retrying ${op.label} with the requested input was answered with error ${failed.error.code} ${JSON.stringify(failed.error.message)}`, failed);
    const last = replies.at(-1)!;
    if (last.ok && last.result.resultType !== 'complete') t.info(`${op.label} still asked for input after ${replies.length} rounds`, last);
  },
);

/** Answers to an InputRequiredResult's inputRequests (canned valid ones), keyed as asked. */
function answersTo(result: Record<string, unknown>): Record<string, unknown> {
  const requests = isObject(result.inputRequests) ? result.inputRequests : {};
  return Object.fromEntries(Object.entries(requests).map(([k, r]) => [k, cannedInputResponse(r)]));
}

/** The state with one character in its middle changed: what a client could tamper with. */
function tampered(state: string): string {
  const i = Math.floor(state.length / 2);
  const ch = state[i] === 'A' ? 'B' : 'A';
  return `${state.slice(0, i)}${ch}${state.slice(i + 1)}`;
}

/** A result without what differs between two answers of the same request (_meta, caching hints). */
const essence = (r: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !['_meta', 'ttlMs', 'cacheScope', 'requestState'].includes(k))));

check(
  {
    id: 'mrtr/tampered-state',
    title: 'a tampered requestState is rejected, or cannot change what the server does',
    level: 'MUST',
    requirement:
      'If a client request contains a requestState field, servers MUST treat requestState as an attacker-controlled input. If requestState influences authorization, resource access, or business logic, servers MUST protect its integrity (e.g. HMAC or AEAD) and MUST reject state that fails verification. Integrity protection MAY be omitted only when tampering can cause nothing worse than request failure.',
    spec: at('basic/patterns/mrtr#server-requirements-basic-workflow'),
  },
  async (t) => {
    const { s, op, result } = await trigger(t);
    if (typeof result.requestState !== 'string' || result.requestState.length === 0) return t.notApplicable(`the InputRequiredResult of ${op.label} carries no requestState`);
    const inputResponses = answersTo(result);
    const retry = (requestState: string) => s.request<Json>(op.method, { ...op.params, inputResponses, requestState }, { capabilities: INPUT_CAPABILITIES });
    const forged = tampered(result.requestState);
    const reply = await retry(forged);
    // Rejected (an error), or asked again: the tampered state was not taken as genuine.
    if (!reply.ok || reply.result.resultType === 'input_required') return;
    // Accepted: allowed only if the state changes nothing, so the answer must be the genuine one.
    const genuine = await retry(result.requestState);
    if (!genuine.ok) return t.notVerified(`the retry of ${op.label} with the genuine requestState was answered with error ${genuine.error.code}, so the tampered one cannot be compared`, genuine);
    if (essence(reply.result) === essence(genuine.result)) return t.note(`${op.label} answered the tampered requestState as the genuine one: the state changes nothing there (integrity protection may then be omitted)`);
    const again = await retry(result.requestState);
    if (again.ok && essence(again.result) !== essence(genuine.result)) return t.notVerified(`${op.label} answers the same retry differently each time, so the effect of a tampered requestState cannot be told`, again);
    t.fail(`a retry of ${op.label} with a tampered requestState (one character changed) was accepted and answered differently from the genuine one: the state influences the result and was not verified`, [reply.message, genuine.message]);
  },
);

check(
  {
    id: 'mrtr/extra-input-ignored',
    title: 'unexpected entries in inputResponses are ignored',
    level: 'SHOULD',
    requirement: 'If additional, unexpected parameters are provided in the InputResponses object, the server SHOULD ignore any information it does not recognize or need.',
    spec: at('basic/patterns/mrtr#error-handling'),
  },
  async (t) => {
    const { s, op, result } = await trigger(t);
    const extra = { ...answersTo(result), 'mcp-conform-unrequested': { action: 'decline' } };
    const reply = await s.request<Json>(op.method, { ...op.params, inputResponses: extra, ...(typeof result.requestState === 'string' ? { requestState: result.requestState } : {}) }, { capabilities: INPUT_CAPABILITIES });
    if (reply.ok) return;
    // Only the extra entry's doing if the same retry without it is accepted.
    const plain = await s.request<Json>(op.method, { ...op.params, inputResponses: answersTo(result), ...(typeof result.requestState === 'string' ? { requestState: result.requestState } : {}) }, { capabilities: INPUT_CAPABILITIES });
    if (!plain.ok) return t.notVerified(`the retry of ${op.label} fails with and without the extra entry (error ${plain.error.code}; see mrtr/retry)`, plain);
    t.fail(`a retry of ${op.label} whose inputResponses also held an entry the server did not ask for ("mcp-conform-unrequested") was answered with error ${reply.error.code} ${JSON.stringify(reply.error.message)}; without it, the retry is accepted`, reply);
  },
);

check(
  {
    id: 'mrtr/invalid-input-responses',
    title: 'inputResponses that is not an InputResponses object is answered with a JSON-RPC error',
    level: 'SHOULD',
    requirement:
      'Servers SHOULD validate that the data provided by the client is a valid InputResponses object and that the information inside can be correctly parsed. Protocol errors (malformed JSON, invalid schema, internal server errors) SHOULD return a JSON-RPC error response with an appropriate error code and message.',
    spec: at('basic/patterns/mrtr#error-handling'),
  },
  async (t) => {
    const { s, op, result } = await trigger(t);
    const reply = await s.request<Json>(op.method, { ...op.params, inputResponses: 'mcp-conform: not an InputResponses object', ...(typeof result.requestState === 'string' ? { requestState: result.requestState } : {}) }, { capabilities: INPUT_CAPABILITIES });
    if (reply.ok) t.fail(`a retry of ${op.label} whose inputResponses is a string was answered with a result (resultType ${JSON.stringify(reply.result.resultType)}), not a JSON-RPC error`, reply);
  },
);

check(
  {
    id: 'mrtr/state-bound-to-request',
    title: 'a requestState is refused on a request other than the one it was issued for',
    level: 'SHOULD',
    requirement:
      'To prevent replay, servers SHOULD include inside the integrity-protected requestState payload, and verify on receipt, an identifier for the originating request, e.g. the method name and a digest of its salient parameters, rejecting state presented on a request that does not match.',
    spec: at('basic/patterns/mrtr#server-requirements-basic-workflow'),
  },
  async (t) => {
    const { s, op, result } = await trigger(t);
    if (typeof result.requestState !== 'string' || result.requestState.length === 0) return t.notApplicable(`the InputRequiredResult of ${op.label} carries no requestState`);
    if (op.method === 'resources/read') return t.notApplicable(`${op.label} asks for input: a resources/read has no other parameter to change`);
    // The same operation with one more argument: another request, carrying the first one's state.
    const args = isObject(op.params.arguments) ? op.params.arguments : {};
    const other = { ...op.params, arguments: { ...args, 'mcp-conform-other': 'another request' } };
    const reply = await s.request<Json>(op.method, { ...other, inputResponses: answersTo(result), requestState: result.requestState }, { capabilities: INPUT_CAPABILITIES });
    if (!reply.ok || reply.result.resultType === 'input_required') return;
    t.fail(`the requestState of ${op.label} was accepted on the same ${op.method} with another argument ("mcp-conform-other"), which is a different request: the state is not bound to the request it was issued for`, reply);
  },
);

/** The retry of an operation answering one InputRequiredResult: its inputResponses (given) and its requestState echoed. */
function retryParams(op: Operation, result: Record<string, unknown>, inputResponses: Record<string, unknown>): Record<string, unknown> {
  return { ...op.params, inputResponses, ...(typeof result.requestState === 'string' ? { requestState: result.requestState } : {}) };
}

const ROUNDS = 6;

check(
  {
    id: 'mrtr/multi-round',
    title: 'a request asking for input over several rounds completes when each retry brings only the latest answers and requestState',
    level: 'SHOULD',
    requirement:
      'Servers MAY choose to return an InputRequiredResult on multiple attempts at the same request. The requests in each step are completely independent: the server processing the retry does not need any information beyond what is directly present in the retry request (the inputResponses to the latest inputRequests and the latest requestState, echoed exactly).',
    spec: at('basic/patterns/mrtr#server-requirements-basic-workflow'),
  },
  async (t) => {
    const s = await t.stateless();
    // The operation that asks again once its first input is given (names like multi_round first).
    let second: Record<string, unknown> | undefined;
    const refused: string[] = [];
    const found = await inputRequiringOperation(s, t.config.callTools, {
      prefer: /multi|round|step/i,
      accept: async (op, reply) => {
        const r = await s.request<Json>(op.method, retryParams(op, reply.result, answersTo(reply.result)), { capabilities: INPUT_CAPABILITIES });
        if (!r.ok) refused.push(`${op.label} (error ${r.error.code})`);
        if (!r.ok || r.result.resultType !== 'input_required') return false;
        second = r.result;
        return true;
      },
    });
    if ('timedOut' in found) {
      if (found.timedOut.length) return t.notVerified(`no operation the checks may send asked for input over several rounds; timed out looking: ${found.timedOut.join(', ')}`);
      // A refused first retry hides whether a second round would have come (mrtr/retry judges the refusal).
      if (refused.length) return t.notVerified(`no operation asked for input a second time, but the first retry of ${refused.join(', ')} was refused, so a second round could not be seen (see mrtr/retry)`);
      return t.notApplicable('no operation the checks may send asked for input again once its first input was given (servers MAY ask over several rounds)');
    }
    const { op } = found;
    const answered = new Map<string, string>(Object.entries(isObject(found.reply.result.inputRequests) ? found.reply.result.inputRequests : {}).map(([k, r]) => [k, JSON.stringify(r)]));
    let current = second!;
    for (let round = 2; round <= ROUNDS; round++) {
      judgeInputRequired(t, `${op.label} (round ${round})`, current);
      const requests = isObject(current.inputRequests) ? current.inputRequests : {};
      // Asked again, the same request: the answer given in an earlier round was lost on the way.
      for (const [k, r] of Object.entries(requests)) {
        if (answered.get(k) === JSON.stringify(r)) t.fail(`round ${round} of ${op.label} asks again for input ${JSON.stringify(k)}, answered in an earlier round: the retry carried the latest requestState and the answers to the latest inputRequests, so the earlier answer did not travel in the requestState`, [current]);
        answered.set(k, JSON.stringify(r));
      }
      const reply = await s.request<Json>(op.method, retryParams(op, current, answersTo(current)), { capabilities: INPUT_CAPABILITIES });
      if (!reply.ok) return t.fail(`the retry answering round ${round} of ${op.label} (its inputResponses and requestState only) was answered with error ${reply.error.code} ${JSON.stringify(reply.error.message)}`, reply);
      if (reply.result.resultType !== 'input_required') return t.note(`${op.label} completed after ${round} rounds of input`);
      current = reply.result;
    }
    t.notVerified(`${op.label} still asked for input after ${ROUNDS} rounds, each answered`, [current]);
  },
);

check(
  {
    id: 'mrtr/missing-input-response',
    title: 'a retry missing a requested input is answered with a new InputRequiredResult, not an error',
    level: 'SHOULD',
    requirement:
      'If the client fails to send all the information requested in a previous InputRequests, and the missing information is necessary for the server to process the request, the server SHOULD respond with a new InputRequiredResult requesting the missing information again, rather than returning an error.',
    spec: at('basic/patterns/mrtr#error-handling'),
  },
  async (t) => {
    const { s, op, result } = await trigger(t);
    const asked = Object.keys(isObject(result.inputRequests) ? result.inputRequests : {});
    if (asked.length === 0) return t.notApplicable(`the InputRequiredResult of ${op.label} asks for no input (requestState only)`);
    // Every answer but the first: the client failed to send all that was requested.
    const [left, ...rest] = asked as [string, ...string[]];
    const all = answersTo(result);
    const partial = Object.fromEntries(rest.map((k) => [k, all[k]]));
    const reply = await s.request<Json>(op.method, retryParams(op, result, partial), { capabilities: INPUT_CAPABILITIES });
    const what = `a retry of ${op.label} without the answer to ${JSON.stringify(left)}${rest.length ? ` (with the other ${rest.length})` : ''}`;
    if (!reply.ok) return t.fail(`${what} was answered with error ${reply.error.code} ${JSON.stringify(reply.error.message)}, not a new InputRequiredResult asking for it again`, reply);
    // Completed: the missing answer was not necessary after all, which the statement leaves free.
    if (reply.result.resultType !== 'input_required') return t.note(`${what} was completed: the missing input was not necessary`);
    const again = isObject(reply.result.inputRequests) ? reply.result.inputRequests : {};
    if (Object.keys(again).length === 0) return t.fail(`${what} was answered with an InputRequiredResult that requests no input`, reply);
    if (!(left in again)) t.note(`the new InputRequiredResult asks for ${Object.keys(again).map((k) => JSON.stringify(k)).join(', ')}, not under the key ${JSON.stringify(left)} again (keys are the server's to choose)`);
  },
);

/** The result a completed request of each method is (a non-tool request's own result type). */
const COMPLETE: Record<string, string> = { 'prompts/get': 'GetPromptResult', 'resources/read': 'ReadResourceResult' };

check(
  {
    id: 'mrtr/non-tool-request',
    title: 'a prompts/get or resources/read asking for input answers a valid InputRequiredResult, then its own result once given the input',
    level: 'MUST',
    requirement:
      'Servers MAY send InputRequiredResult responses on prompts/get and resources/read as on tools/call; the same pattern applies to any of the supported requests. Servers MUST include at least one of inputRequests or requestState in every InputRequiredResult response. inputRequests values are request objects that MUST be one of ElicitRequest, CreateMessageRequest, or ListRootsRequest.',
    spec: at('basic/patterns/mrtr#supported-requests'),
  },
  async (t) => {
    const s = await t.stateless();
    const found = await inputRequiringOperation(s, t.config.callTools, { methods: ['prompts/get', 'resources/read'] });
    if ('timedOut' in found) {
      if (found.timedOut.length) return t.notVerified(`no prompt or resource asked for input; timed out looking: ${found.timedOut.join(', ')}`);
      return t.notApplicable('no listed prompt (prompts/get) or resource (resources/read) asked for input (servers MAY ask on them)');
    }
    const { op } = found;
    // From the start again, answering every round: each InputRequiredResult is judged, then the final result.
    const replies = await s.requestWithInput(op.method, op.params, { capabilities: INPUT_CAPABILITIES, maxRounds: ROUNDS });
    for (const [i, r] of replies.entries()) if (r.ok && r.result.resultType === 'input_required') judgeInputRequired(t, `${op.label} (round ${i + 1})`, r.result);
    const last = replies.at(-1)!;
    if (!last.ok) {
      t.warn(`retrying ${op.label} with the requested input was answered with error ${last.error.code} ${JSON.stringify(last.error.message)} (see mrtr/retry)`, last);
      return;
    }
    if (last.result.resultType === 'input_required') return t.notVerified(`${op.label} still asked for input after ${replies.length} rounds, each answered`, last);
    const type = COMPLETE[op.method]!;
    const v = validate(t.revision, type, last.result);
    t.expect(v.valid, `once given its input, ${op.label} was answered with an invalid ${type}: ${v.errors.slice(0, 3).map((e) => `${e.pointer} ${e.message}`).join('; ')}`, last);
  },
);
