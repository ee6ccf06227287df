// server/prompts: listing prompts, getting them with their arguments, message contents,
// errors for unknown prompts and missing arguments, list_changed gating.
import { ErrorCode, isObject, STATEFUL_REVISIONS } from '../../schema/index.ts';
import type { MockClient } from '../../mock-server/index.ts';
import { check } from '../harness/index.ts';
import { contentProblems, errorText, expectSameSetPerConnection, isMimeType, listAll, schemaProblem, EVERY, unknownName, type Json, type OkReply, type T, cite, section, listResultCheck, listChangedGatedCheck } from '../kit/index.ts';

const prompts = (anchor: string, revs = EVERY) => cite(revs, section('server/prompts', anchor));

/** At most this many prompts are fetched by one check. */
const MAX_GETS = 12;

/** Argument values of the fixture contract's prompts. */
export const CONTRACT_PROMPT_ARGS: Record<string, Record<string, string>> = {
  test_prompt_with_arguments: { arg1: 'alpha', arg2: 'beta' },
  test_prompt_with_embedded_resource: { resourceUri: 'test://static-text' },
};

interface PromptArg {
  name: string;
  required?: boolean;
}

function argsOf(p: Json): PromptArg[] {
  return Array.isArray(p.arguments) ? (p.arguments.filter((a) => isObject(a) && typeof a.name === 'string') as unknown as PromptArg[]) : [];
}

/**
 * Values for a prompt's required arguments: the fixture contract's, else the first value the
 * server's own completion offers, else a plain word.
 */
async function argumentValues(c: MockClient, p: Json): Promise<Record<string, string>> {
  const name = String(p.name);
  const out: Record<string, string> = { ...(CONTRACT_PROMPT_ARGS[name] ?? {}) };
  const completes = c.serverCapabilities.completions !== undefined || c.negotiated === '2024-11-05';
  for (const a of argsOf(p)) {
    if (out[a.name] !== undefined || a.required !== true) continue;
    let value = 'mcp-conform';
    if (completes) {
      const r = await c.request<Json>('completion/complete', {
        ref: { type: 'ref/prompt', name },
        argument: { name: a.name, value: '' },
        ...(Object.keys(out).length ? { context: { arguments: out } } : {}),
      });
      const first = r.ok && isObject(r.result.completion) && Array.isArray(r.result.completion.values) ? r.result.completion.values[0] : undefined;
      if (typeof first === 'string') value = first;
    }
    out[a.name] = value;
  }
  return out;
}

interface Got {
  prompt: Json;
  args: Record<string, string>;
  reply: OkReply;
}

/**
 * Gets every listed prompt (up to MAX_GETS). `strict`: an error for a prompt whose arguments
 * were not guessed fails the check (prompts/get); otherwise errors are only noted.
 */
async function getAll(t: T, c: MockClient, strict: boolean): Promise<Got[]> {
  const list = await listAll(t, c, 'prompts/list', 'prompts');
  if (list.length === 0) return t.notApplicable('the server lists no prompts');
  const out: Got[] = [];
  for (const p of list.slice(0, MAX_GETS)) {
    const args = await argumentValues(c, p);
    const reply = await c.request<Json>('prompts/get', { name: p.name, ...(Object.keys(args).length ? { arguments: args } : {}) });
    if (reply.ok) {
      out.push({ prompt: p, args, reply });
      continue;
    }
    // Values guessed for required arguments may be refused by a server that validates them
    // (the spec names no code for bad values, only for unknown prompts and missing arguments).
    const guessed = argsOf(p).some((a) => a.required === true && CONTRACT_PROMPT_ARGS[String(p.name)]?.[a.name] === undefined);
    if (!strict || guessed) t.note(`prompt "${String(p.name)}" refused the guessed arguments ${JSON.stringify(args)}: ${errorText(reply)}`);
    else t.fail(`prompts/get of the listed prompt "${String(p.name)}"${Object.keys(args).length ? ` with ${JSON.stringify(args)}` : ''} was answered with ${errorText(reply)}`, reply);
  }
  if (out.length === 0) return t.notVerified('no prompt could be fetched with the argument values at hand');
  return out;
}

listResultCheck(
  {
    id: 'prompts/list-result',
    title: 'prompts/list is answered with a valid ListPromptsResult on every page',
    level: 'MUST',
    requirement:
      'To retrieve available prompts, clients send a prompts/list request; the server answers with its prompts (a ListPromptsResult as the schema defines it). This operation supports pagination.',
    spec: prompts('listing-prompts'),
    requires: 'server.prompts',
  },
  { method: 'prompts/list', key: 'prompts', resultType: 'ListPromptsResult' },
);

check(
  {
    id: 'prompts/get',
    shared: true,
    title: 'every listed prompt can be fetched with prompts/get, answered with a valid GetPromptResult',
    level: 'MUST',
    requirement: 'To retrieve a specific prompt, clients send a prompts/get request with its name and arguments; the server answers with the prompt messages (a GetPromptResult).',
    spec: prompts('getting-a-prompt'),
    requires: 'server.prompts',
  },
  async (t) => {
    const c = await t.session();
    for (const g of await getAll(t, c, true)) {
      const bad = schemaProblem(t.revision, 'GetPromptResult', g.reply.result);
      if (bad) t.fail(`prompts/get of "${String(g.prompt.name)}" returned an invalid GetPromptResult: ${bad}`, g.reply);
    }
  },
);

check(
  {
    id: 'prompts/messages-valid',
    shared: true,
    title: 'prompt message content is well formed: base64 data with MIME types, embedded resources with text or blob',
    level: 'MUST',
    requirement:
      'The image (and audio) data MUST be base64-encoded and include a valid MIME type. Embedded resources MUST include a valid resource URI, the appropriate MIME type, and either text content or base64-encoded blob data.',
    spec: prompts('promptmessage'),
    requires: 'server.prompts',
  },
  async (t) => {
    const c = await t.session();
    for (const g of await getAll(t, c, false)) {
      const messages = Array.isArray(g.reply.result.messages) ? g.reply.result.messages : [];
      for (const [i, m] of messages.entries()) {
        if (!isObject(m)) continue;
        if (m.role !== 'user' && m.role !== 'assistant') t.fail(`prompt "${String(g.prompt.name)}" messages[${i}].role is ${JSON.stringify(m.role)}, not "user" or "assistant"`, g.reply);
        const problems = contentProblems(m.content, `messages[${i}].content`);
        if (problems.length) t.fail(`prompt "${String(g.prompt.name)}": ${problems.join('; ')}`, g.reply);
      }
    }
  },
);

check(
  {
    id: 'prompts/get-missing-argument',
    shared: true,
    title: 'prompts/get without a required argument is answered with error -32602',
    level: 'SHOULD',
    requirement: 'Servers SHOULD return standard JSON-RPC errors for common failure cases: Missing required arguments: -32602 (Invalid params).',
    spec: prompts('error-handling'),
    requires: 'server.prompts',
  },
  async (t) => {
    const c = await t.session();
    const list = await listAll(t, c, 'prompts/list', 'prompts');
    const p = list.find((x) => argsOf(x).some((a) => a.required === true));
    if (!p) return t.notApplicable('no listed prompt has a required argument');
    const reply = await c.request('prompts/get', { name: p.name as string, arguments: {} });
    const missing = argsOf(p)
      .filter((a) => a.required === true)
      .map((a) => a.name);
    if (reply.ok) return t.fail(`prompts/get of "${String(p.name)}" without its required argument(s) ${missing.join(', ')} was answered with a result`, reply);
    t.expectError(reply, ErrorCode.InvalidParams, `prompts/get of "${String(p.name)}" without ${missing.join(', ')}`);
  },
);

check(
  {
    id: 'prompts/get-unknown',
    shared: true,
    title: 'prompts/get of an unknown prompt is answered with error -32602',
    level: 'SHOULD',
    requirement: 'Servers SHOULD return standard JSON-RPC errors for common failure cases: Invalid prompt name: -32602 (Invalid params).',
    spec: prompts('error-handling'),
    requires: 'server.prompts',
  },
  async (t) => {
    const c = await t.session();
    const name = unknownName('mcp_conform_unknown_prompt');
    const reply = await c.request('prompts/get', { name });
    if (reply.ok) return t.fail(`prompts/get of the unknown prompt "${name}" was answered with a result`, reply);
    t.expectError(reply, ErrorCode.InvalidParams, `prompts/get of the unknown prompt "${name}"`);
  },
);

listChangedGatedCheck(
  {
    id: 'prompts/list-changed-gated',
    title: 'notifications/prompts/list_changed only from a server that declared prompts.listChanged',
    level: 'MUST',
    requirement:
      'listChanged indicates whether the server will emit notifications when the list of available prompts changes; both parties MUST only use capabilities that were successfully negotiated.',
    spec: prompts('list-changed-notification', STATEFUL_REVISIONS),
    requires: 'server.prompts',
  },
  'prompts',
);

check(
  {
    id: 'prompts/list-same-per-connection',
    title: 'prompts/list answers the same set of prompts on every connection',
    level: 'MUST',
    requirement:
      'Servers that declare the prompts capability MUST respond to prompts/list requests with the set of prompts currently available to the requesting client. This set MAY be empty and MAY change over time, but MUST NOT vary per-connection or as a side effect of other requests on the connection. (Checked: two connections, one after the other, list the same names.)',
    spec: prompts('capabilities', ['2026-07-28']),
    requires: 'server.prompts',
  },
  (t) => expectSameSetPerConnection(t, 'prompts/list', 'prompts', (x) => x.name),
);

check(
  {
    id: 'prompts/embedded-resource-mime-type',
    shared: true,
    title: 'resources embedded in prompt messages carry a MIME type',
    level: 'MUST',
    requirement: 'Resources can contain either text or binary (blob) data and MUST include: a valid resource URI, the appropriate MIME type, either text content or base64-encoded blob data. (Checked: a mimeType of type/subtype form is present; whether it is the appropriate one is not judged.)',
    spec: prompts('embedded-resources'),
    requires: 'server.prompts',
  },
  async (t) => {
    const c = await t.session();
    let embedded = 0;
    for (const g of await getAll(t, c, false)) {
      const messages = Array.isArray(g.reply.result.messages) ? g.reply.result.messages : [];
      for (const [i, m] of messages.entries()) {
        if (!isObject(m) || !isObject(m.content) || m.content.type !== 'resource' || !isObject(m.content.resource)) continue;
        embedded++;
        const type = m.content.resource.mimeType;
        if (!isMimeType(type)) t.fail(`prompt "${String(g.prompt.name)}" messages[${i}] embeds resource ${JSON.stringify(m.content.resource.uri)} ${type === undefined ? 'without a mimeType' : `with mimeType ${JSON.stringify(type)}`}`, g.reply);
      }
    }
    if (embedded === 0) t.notApplicable('no prompt fetched embeds a resource');
  },
);
