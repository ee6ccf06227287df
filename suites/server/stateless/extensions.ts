// 2026-07-28 extension negotiation (basic/versioning#extension-negotiation): extension
// identifiers in the server's capabilities, and core behaviour towards a client that declares no
// extension. The extensions' own protocols (such as io.modelcontextprotocol/tasks) are specified
// outside the core schema and are not checked here.
import { isObject } from '../../../schema/index.ts';
import type { Reply } from '../../../mock-server/index.ts';
import { check, type CheckContext } from '../../harness/index.ts';
import { type StatelessClient, at, safeOperations, type Json } from '../../kit/index.ts';

// basic/index#meta: prefix = labels (letter first, letter or digit last, hyphens inside) joined
// by dots, then "/"; name = empty, or alphanumerics at both ends with - _ . inside.
const LABEL = '[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const IDENTIFIER = new RegExp(`^${LABEL}(?:\\.${LABEL})*/(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?$`);

/** Why an extension identifier is not a prefixed `_meta` key name, or undefined. */
export function extensionIdProblem(id: string): string | undefined {
  if (!id.includes('/')) return 'it has no prefix (an extension identifier needs one, ending in "/")';
  return IDENTIFIER.test(id) ? undefined : 'it is not a valid prefixed _meta key name';
}

async function advertised(t: CheckContext): Promise<{ s: StatelessClient; ids: string[] }> {
  const s = await t.stateless();
  const ext = s.serverCapabilities.extensions;
  const ids = isObject(ext) ? Object.keys(ext) : [];
  if (ids.length === 0) return t.notApplicable('the server advertises no extensions in its capabilities');
  return { s, ids };
}

check(
  {
    id: 'extensions/identifiers',
    title: 'extension identifiers in the server capabilities are prefixed _meta key names',
    level: 'MUST',
    requirement: 'Extensions are advertised in the extensions field of capabilities. Extension identifiers MUST follow the _meta key naming rules, with a mandatory prefix.',
    spec: at('basic/versioning#extension-negotiation'),
  },
  async (t) => {
    const { ids } = await advertised(t);
    const bad = ids.map((id) => [id, extensionIdProblem(id)] as const).filter(([, why]) => why);
    if (bad.length) t.fail(`server/discover advertises ${bad.map(([id, why]) => `${JSON.stringify(id)} (${why})`).join(', ')}`);
  },
);

check(
  {
    id: 'extensions/core-fallback',
    title: 'a server with extensions answers a client that declares none with core results',
    level: 'MUST',
    requirement:
      'If one party supports an extension but the other does not, the supporting party MUST either revert to core protocol behavior or reject the request with an appropriate error. The set of supported ResultType values MUST be created from the set defined in the core protocol and include any additional values of supported extensions that are advertised via capabilities.',
    spec: at('basic/versioning#extension-negotiation'),
  },
  async (t) => {
    const { s, ids } = await advertised(t);
    t.note(`the server advertises ${ids.join(', ')}; every request here declares no extension`);
    const ops = await safeOperations(s, t.config.callTools);
    if (ops.length === 0) return t.notVerified('no operation the checks may send (resources/read, prompts/get, tools/call of tools the --call-tools policy allows)');
    const replies: { label: string; reply: Reply }[] = [];
    for (const op of ops) replies.push({ label: op.label, reply: await s.request<Json>(op.method, op.params, { capabilities: {} }) });
    for (const { label, reply } of replies) {
      if (!reply.ok) continue;
      const type = reply.result.resultType;
      // The core result types of these methods (whether an input_required was right is mrtr/*'s question).
      if (type !== 'complete' && type !== 'input_required') t.fail(`${label} was answered with resultType ${JSON.stringify(type)}, not a core result, although the client declared no extension`, reply);
    }
    if (replies.every((r) => !r.reply.ok)) t.notVerified(`every operation was answered with an error (first: ${JSON.stringify(replies[0]?.reply.ok === false ? replies[0].reply.error : undefined)})`);
  },
);
