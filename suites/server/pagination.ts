// server/utilities/pagination, for every paginated list the server offers: cursors lead to a
// last page (no loops), no item comes back on two pages, invalid cursors are rejected.
import { ErrorCode } from '../../schema/index.ts';
import type { MockClient } from '../../mock-server/index.ts';
import { check } from '../harness/index.ts';
import { errorText, MAX_PAGES, EVERY, walkList, type Json, type T, cite, section } from '../kit/index.ts';

const pagination = (anchor: string) => cite(EVERY, section('server/utilities/pagination', anchor));

interface ListMethod {
  method: string;
  key: string;
  /** What identifies an item. */
  id: (item: Json) => unknown;
  declared: (caps: Json) => boolean;
}

const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null ? (v as Json) : undefined);

export const LIST_METHODS: ListMethod[] = [
  { method: 'tools/list', key: 'tools', id: (x) => x.name, declared: (c) => obj(c.tools) !== undefined },
  { method: 'prompts/list', key: 'prompts', id: (x) => x.name, declared: (c) => obj(c.prompts) !== undefined },
  { method: 'resources/list', key: 'resources', id: (x) => x.uri, declared: (c) => obj(c.resources) !== undefined },
  { method: 'resources/templates/list', key: 'resourceTemplates', id: (x) => x.uriTemplate, declared: (c) => obj(c.resources) !== undefined },
  // tasks/list (2025-11-25) pages too: "This operation supports pagination".
  { method: 'tasks/list', key: 'tasks', id: (x) => x.taskId, declared: (c) => obj(obj(c.tasks)?.list) !== undefined },
];

function declaredLists(t: T, c: MockClient): ListMethod[] {
  const caps = c.serverCapabilities as Json;
  const lists = LIST_METHODS.filter((l) => l.declared(caps));
  if (lists.length === 0) return t.notApplicable('the server declares no capability with a paginated list');
  return lists;
}

check(
  {
    id: 'pagination/terminates',
    shared: true,
    title: 'following nextCursor reaches a last page without nextCursor (no cursor loops)',
    level: 'MUST',
    requirement:
      'Pagination starts when the server sends a response that includes the current page of results and an optional nextCursor field if more results exist; the last page has no nextCursor.',
    spec: pagination('response-format'),
  },
  async (t) => {
    const c = await t.session();
    for (const l of declaredLists(t, c)) {
      const walk = await walkList(c, l.method, l.key);
      if (walk.error) {
        t.note(`${l.method} was answered with ${errorText(walk.error)}; not followed`);
        continue;
      }
      if (walk.loop !== undefined) t.fail(`${l.method}: after ${walk.pages.length} pages the server returned the cursor ${JSON.stringify(walk.loop)} again: the pages loop`, walk.pages.at(-1)?.reply);
      if (walk.capped) t.fail(`${l.method}: still a nextCursor after ${MAX_PAGES} pages`, walk.pages.at(-1)?.reply);
      if (walk.malformed) t.fail(`${l.method}: ${walk.malformed}`, walk.pages.at(-1)?.reply);
    }
  },
);

check(
  {
    id: 'pagination/no-duplicates',
    shared: true,
    title: 'no item comes back on two different pages',
    level: 'SHOULD',
    requirement: 'Servers SHOULD provide stable cursors: each item of a paginated list is on exactly one page.',
    spec: pagination('implementation-guidelines'),
  },
  async (t) => {
    const c = await t.session();
    let paged = 0;
    for (const l of declaredLists(t, c)) {
      const walk = await walkList(c, l.method, l.key);
      if (walk.error || walk.pages.length < 2) continue;
      paged++;
      const pageOf = new Map<string, number>();
      for (const [i, p] of walk.pages.entries()) {
        for (const item of p.items) {
          const id = JSON.stringify(l.id(item));
          const first = pageOf.get(id);
          if (first !== undefined && first !== i) t.fail(`${l.method}: ${id} is on page ${first + 1} and again on page ${i + 1}`, p.reply);
          pageOf.set(id, i);
        }
      }
    }
    if (paged === 0) t.notApplicable('no list has more than one page');
  },
);

check(
  {
    id: 'pagination/invalid-cursor',
    shared: true,
    title: 'a list request with an invalid cursor is answered with error -32602',
    level: 'SHOULD',
    requirement: 'Invalid cursors SHOULD result in an error with code -32602 (Invalid params).',
    spec: pagination('error-handling'),
  },
  async (t) => {
    const c = await t.session();
    for (const l of declaredLists(t, c)) {
      const reply = await c.request(l.method, { cursor: 'mcp-conform-invalid-cursor' });
      if (reply.ok) t.fail(`${l.method} with the made-up cursor "mcp-conform-invalid-cursor" was answered with a result`, reply);
      t.expectError(reply, ErrorCode.InvalidParams, `${l.method} with an invalid cursor`);
    }
  },
);
