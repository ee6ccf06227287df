// 2026-07-28 multi round-trip requests (basic/patterns/mrtr): InputRequiredResult, the client's
// retry with inputResponses and requestState, and capability-gated input requests.
import { ErrorCode, isObject, validate } from '../../../schema/index.ts';
import { check, type CheckContext } from '../../harness/index.ts';
import type { StatelessClient } from '../../harness/stateless.ts';
import { at, CAPABILITY_OF, INPUT_CAPABILITIES, INPUT_METHODS, inputRequiringOperation, statusOf, type Operation } from './_kit.ts';

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
    t.expect(result.inputRequests !== undefined || result.requestState !== undefined, `the InputRequiredResult of ${op.label} has neither inputRequests nor requestState`, [result]);
    const v = validate(t.revision, 'InputRequiredResult', result);
    t.expect(v.valid, `the InputRequiredResult of ${op.label} is not valid: ${v.errors.slice(0, 3).map((e) => `${e.pointer} ${e.message}`).join('; ')}`, [result]);
    for (const [key, req] of Object.entries(isObject(result.inputRequests) ? result.inputRequests : {})) {
      const method = isObject(req) ? req.method : undefined;
      t.expect(typeof method === 'string' && (INPUT_METHODS as readonly string[]).includes(method), `input request ${JSON.stringify(key)} of ${op.label} is ${JSON.stringify(method)}, not one of ${INPUT_METHODS.join(', ')}`, [result]);
    }
  },
);

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
    const reply = await s.request(op.method, op.params, { capabilities: {} });
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
