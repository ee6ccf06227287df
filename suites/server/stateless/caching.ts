// 2026-07-28 caching hints (server/utilities/caching): ttlMs and cacheScope on cacheable results.
import type { Reply } from '../../../mock-server/index.ts';
import { check, walkList } from '../../harness/index.ts';
import { at } from '../../kit/index.ts';

check(
  {
    id: 'caching/hints',
    title: 'cacheable results carry ttlMs >= 0 and cacheScope "public" or "private"',
    level: 'MUST',
    requirement:
      'Servers MUST include caching hints on results with resultType: "complete" returned by server/discover, tools/list, prompts/list, resources/list, resources/templates/list and resources/read. Servers MUST provide a ttlMs value that is >= 0.',
    spec: at('server/utilities/caching#cacheable-results'),
  },
  async (t) => {
    const s = await t.stateless();
    const caps = s.serverCapabilities;
    const got: { method: string; reply: Reply }[] = [{ method: 'server/discover', reply: await s.request('server/discover') }];
    if (caps.tools) got.push({ method: 'tools/list', reply: await s.request('tools/list') });
    if (caps.prompts) got.push({ method: 'prompts/list', reply: await s.request('prompts/list') });
    if (caps.resources) {
      const list = await s.request('resources/list');
      got.push({ method: 'resources/list', reply: list }, { method: 'resources/templates/list', reply: await s.request('resources/templates/list') });
      const first = list.ok && Array.isArray(list.result.resources) ? (list.result.resources[0] as { uri?: unknown } | undefined) : undefined;
      if (typeof first?.uri === 'string') got.push({ method: `resources/read ${first.uri}`, reply: await s.request('resources/read', { uri: first.uri }) });
    }
    for (const { method, reply } of got) {
      if (!reply.ok || reply.result.resultType !== 'complete') continue;
      const { ttlMs, cacheScope } = reply.result;
      if (!(typeof ttlMs === 'number' && Number.isInteger(ttlMs) && ttlMs >= 0)) return t.fail(`the ${method} result has ttlMs ${JSON.stringify(ttlMs)}, not an integer >= 0`, reply);
      if (cacheScope !== 'public' && cacheScope !== 'private') return t.fail(`the ${method} result has cacheScope ${JSON.stringify(cacheScope)}, not "public" or "private"`, reply);
    }
  },
);

check(
  {
    id: 'caching/pages-same-scope',
    title: 'every page of a paginated list has the same cacheScope',
    level: 'MUST',
    requirement: 'Servers MUST apply the same cacheScope to all response pages for a given list request.',
    spec: at('server/utilities/caching#interaction-with-pagination'),
  },
  async (t) => {
    const s = await t.stateless();
    const caps = s.serverCapabilities;
    const lists: [string, string][] = [
      ...(caps.tools ? [['tools/list', 'tools'] as [string, string]] : []),
      ...(caps.prompts ? [['prompts/list', 'prompts'] as [string, string]] : []),
      ...(caps.resources ? [['resources/list', 'resources'], ['resources/templates/list', 'resourceTemplates']] as [string, string][] : []),
    ];
    let paged = false;
    for (const [method, key] of lists) {
      const l = await walkList(s, method, key, { maxPages: 5 });
      const scopes = l.pages.map((p) => p.reply.result.cacheScope);
      if (l.pages.some((p) => typeof p.reply.result.nextCursor === 'string')) paged = true;
      if (new Set(scopes).size > 1) return t.fail(`the pages of ${method} have cacheScope ${scopes.map((x) => JSON.stringify(x)).join(', ')}`, l.error ?? l.pages.at(-1)?.reply);
    }
    if (!paged) t.notApplicable('no list of the server has a second page');
  },
);
