// server/utilities/completion: completion of prompt arguments and resource-template variables,
// the 100-value limit, total/hasMore consistency, errors, the completions capability.
import { ErrorCode, isObject } from '../../schema/index.ts';
import type { MockClient, Reply } from '../../mock-server/index.ts';
import { check } from '../harness/index.ts';
import { errorText, listAll, schemaProblem, from, EVERY, templateVariables, unknownName, uriTemplateProblem, type Json, type T, cite, section } from '../kit/index.ts';

const completion = (anchor: Parameters<typeof section>[1], revs = EVERY) => cite(revs, section('server/utilities/completion', anchor));

/** At most this many completion requests by one check. */
const MAX_TARGETS = 16;

interface Target {
  ref: Json;
  argument: string;
  what: string;
}

/**
 * A session with completion available: the completions capability from 2025-03-26 on;
 * 2024-11-05 had no capability, so there a -32601 answer later means not-applicable.
 */
async function completionSession(t: T): Promise<MockClient> {
  const c = await t.session();
  if (t.revision >= '2025-03-26') {
    if (c.serverCapabilities.completions === undefined) return t.notApplicable('the server does not declare the completions capability');
  } else if (!c.serverCapabilities.prompts && !c.serverCapabilities.resources) {
    return t.notApplicable('the server has neither prompts nor resources to complete');
  }
  return c;
}

/** Prompt arguments (contract's first) and template variables (contract's first) to complete. */
async function targets(t: T, c: MockClient): Promise<{ prompts: Target[]; templates: Target[] }> {
  const prompts: Target[] = [];
  const templates: Target[] = [];
  if (c.serverCapabilities.prompts) {
    for (const p of await listAll(t, c, 'prompts/list', 'prompts')) {
      for (const a of Array.isArray(p.arguments) ? p.arguments : []) {
        if (isObject(a) && typeof a.name === 'string') prompts.push({ ref: { type: 'ref/prompt', name: p.name }, argument: a.name, what: `argument "${a.name}" of prompt "${String(p.name)}"` });
      }
    }
  }
  if (c.serverCapabilities.resources) {
    for (const tpl of await listAll(t, c, 'resources/templates/list', 'resourceTemplates')) {
      if (typeof tpl.uriTemplate !== 'string' || uriTemplateProblem(tpl.uriTemplate)) continue;
      for (const v of templateVariables(tpl.uriTemplate)) templates.push({ ref: { type: 'ref/resource', uri: tpl.uriTemplate }, argument: v, what: `variable "${v}" of template ${tpl.uriTemplate}` });
    }
  }
  const first = (list: Target[], pred: (x: Target) => boolean) => list.sort((a, b) => Number(pred(b)) - Number(pred(a)));
  first(prompts, (x) => x.ref.name === 'test_prompt_with_arguments' && x.argument === 'arg1');
  first(templates, (x) => x.ref.uri === 'test://template/{id}/data');
  return { prompts, templates };
}

async function complete(t: T, c: MockClient, x: Target, value = ''): Promise<Reply<Json>> {
  const reply = await c.request<Json>('completion/complete', { ref: x.ref, argument: { name: x.argument, value } });
  if (!reply.ok && reply.error.code === ErrorCode.MethodNotFound && t.revision < '2025-03-26') return t.notApplicable('the server does not serve completion/complete');
  return reply;
}

interface Completed {
  target: Target;
  reply: Reply<Json>;
  values: unknown[];
  completion: Json;
}

/** Completes every target with an empty value; keeps the well-formed answers. */
async function completeAll(t: T, c: MockClient): Promise<Completed[]> {
  const { prompts, templates } = await targets(t, c);
  const all = [...prompts, ...templates].slice(0, MAX_TARGETS);
  if (all.length === 0) return t.notApplicable('the server lists no prompt arguments or template variables to complete');
  const out: Completed[] = [];
  for (const target of all) {
    const reply = await complete(t, c, target);
    if (!reply.ok || !isObject(reply.result.completion)) continue;
    const completion = reply.result.completion;
    if (Array.isArray(completion.values)) out.push({ target, reply, values: completion.values, completion });
  }
  if (out.length === 0) return t.notVerified('no completion request was answered with a completion');
  return out;
}

for (const kind of ['prompt', 'template'] as const) {
  check(
    {
      id: kind === 'prompt' ? 'completion/prompt-argument' : 'completion/template-variable',
      shared: true,
      title: kind === 'prompt' ? 'completing a prompt argument is answered with a valid CompleteResult' : 'completing a resource-template variable is answered with a valid CompleteResult',
      level: 'MUST',
      requirement:
        kind === 'prompt'
          ? 'To get completion suggestions, clients send a completion/complete request specifying what is being completed through a reference type (ref/prompt references a prompt by name); servers return an array of completion values ranked by relevance.'
          : 'To get completion suggestions, clients send a completion/complete request specifying what is being completed through a reference type (ref/resource references a resource URI or template); servers return an array of completion values ranked by relevance.',
      spec: completion('requesting-completions'),
    },
    async (t) => {
      const c = await completionSession(t);
      const list = (await targets(t, c))[kind === 'prompt' ? 'prompts' : 'templates'];
      const x = list[0];
      if (!x) return t.notApplicable(kind === 'prompt' ? 'no listed prompt has arguments' : 'no listed resource template has variables');
      const reply = await complete(t, c, x);
      if (!reply.ok) return t.fail(`completion/complete for the ${x.what} was answered with ${errorText(reply)}`, reply);
      const bad = schemaProblem(t.revision, 'CompleteResult', reply.result);
      if (bad) t.fail(`completion/complete for the ${x.what} returned an invalid CompleteResult: ${bad}`, reply);
    },
  );
}

check(
  {
    id: 'completion/values-limit',
    shared: true,
    title: 'a completion returns at most 100 values',
    level: 'MUST',
    requirement: 'Servers return an array of completion values ranked by relevance, with: Maximum 100 items per response (values: must not exceed 100 items).',
    spec: completion('completion-results'),
  },
  async (t) => {
    const c = await completionSession(t);
    for (const x of await completeAll(t, c)) {
      if (x.values.length > 100) t.fail(`completion of the ${x.target.what} returned ${x.values.length} values (at most 100 are allowed)`, x.reply);
    }
  },
);

check(
  {
    id: 'completion/total-consistent',
    shared: true,
    title: 'total and hasMore agree with the values returned',
    level: 'SHOULD',
    requirement: 'total: the total number of completion options available, which can exceed the number of values sent; hasMore: whether there are additional completion options beyond those provided.',
    spec: completion('completeresult'),
  },
  async (t) => {
    const c = await completionSession(t);
    for (const x of await completeAll(t, c)) {
      const { total, hasMore } = x.completion;
      const n = x.values.length;
      const where = `completion of the ${x.target.what}`;
      if (typeof total === 'number' && total < n) t.fail(`${where}: total ${total} is less than the ${n} values returned`, x.reply);
      if (typeof total === 'number' && total > n && hasMore === false) t.fail(`${where}: total ${total} exceeds the ${n} values returned, yet hasMore is false`, x.reply);
    }
  },
);

check(
  {
    id: 'completion/unknown-prompt',
    shared: true,
    title: 'completing an argument of an unknown prompt is answered with error -32602',
    level: 'SHOULD',
    requirement: 'Servers SHOULD return standard JSON-RPC errors for common failure cases: Invalid prompt name: -32602 (Invalid params).',
    spec: completion('error-handling', from('2025-03-26')),
  },
  async (t) => {
    const c = await completionSession(t);
    const name = unknownName('mcp_conform_unknown_prompt');
    const reply = await c.request('completion/complete', { ref: { type: 'ref/prompt', name }, argument: { name: 'x', value: '' } });
    if (reply.ok) return t.fail(`completion/complete for the unknown prompt "${name}" was answered with a result`, reply);
    t.expectError(reply, ErrorCode.InvalidParams, `completion/complete for the unknown prompt "${name}"`);
  },
);

check(
  {
    id: 'completion/not-declared',
    shared: true,
    title: 'without the completions capability, completion/complete is answered with -32601',
    level: 'SHOULD',
    requirement: 'Servers that support completions MUST declare the completions capability; servers SHOULD return standard JSON-RPC errors: Method not found: -32601 (Capability not supported).',
    spec: completion('error-handling', from('2025-03-26')),
  },
  async (t) => {
    const c = await t.session();
    if (c.serverCapabilities.completions !== undefined) return t.notApplicable('the server declares the completions capability');
    const reply = await c.request('completion/complete', { ref: { type: 'ref/prompt', name: 'mcp-conform' }, argument: { name: 'x', value: '' } });
    if (reply.ok) return t.fail('the server does not declare completions, yet answered completion/complete with a result', reply);
    t.expectError(reply, ErrorCode.MethodNotFound, 'completion/complete without the completions capability');
  },
);

check(
  {
    id: 'completion/missing-argument',
    shared: true,
    title: 'completion/complete without its argument is answered with error -32602',
    level: 'SHOULD',
    requirement: 'Servers SHOULD return standard JSON-RPC errors for common failure cases: Missing required arguments: -32602 (Invalid params). (The request leaves out its required argument member.)',
    spec: completion('error-handling', from('2025-03-26')),
  },
  async (t) => {
    const c = await completionSession(t);
    const { prompts, templates } = await targets(t, c);
    const target = prompts[0] ?? templates[0];
    if (!target) return t.notApplicable('the server lists no prompt arguments or template variables to complete');
    // Without the required argument on purpose: untyped.
    const reply = await c.request<Json>('completion/complete', { ref: target.ref });
    if (reply.ok) return t.fail(`completion/complete with ref ${JSON.stringify(target.ref)} and no "argument" was answered with a result`, reply);
    t.expectError(reply, ErrorCode.InvalidParams, 'completion/complete without "argument"');
  },
);
