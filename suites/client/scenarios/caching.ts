// 2026-07-28 caching hints (server/utilities/caching): the mock gives each cacheable result a
// ttlMs that makes it stale by the scenario's second round (positive and expired, 0, negative),
// and a long one on resources/read; the client must fetch again what is stale, and what it asks
// with other parameters.
import { isObject, STATELESS_REVISIONS } from '../../../schema/index.ts';
import { prompt, resource } from '../../../mock-server/index.ts';
import { type Scenario, addNumbers, BOTH } from './kit.ts';

/** The ttlMs the mock puts on each cacheable result of scenario cache-ttl, by method. */
export const CACHE_TTL = { 'tools/list': 300, 'prompts/list': 0, 'resources/list': -1000, 'resources/read': 60_000 } as const;
/** How long the driver waits between the two rounds (longer than the positive ttlMs). */
export const CACHE_WAIT_MS = 1000;
export const CACHE_URIS = ['test://cache/a', 'test://cache/b'] as const;

/** Which cacheable method a result answers (the outgoing rewrite sees the result, not the request). */
function methodOf(result: Record<string, unknown>): keyof typeof CACHE_TTL | undefined {
  if (Array.isArray(result.tools)) return 'tools/list';
  if (Array.isArray(result.prompts)) return 'prompts/list';
  if (Array.isArray(result.resources)) return 'resources/list';
  if (Array.isArray(result.contents)) return 'resources/read';
  return undefined;
}

export const CACHING_SCENARIOS: Scenario[] = [
  {
    name: 'cache-ttl',
    description: `Results carry ttlMs ${Object.entries(CACHE_TTL).map(([m, t]) => `${m} ${t}`).join(', ')} (cacheScope public).`,
    expects: `List tools and prompts and read ${CACHE_URIS[0]}; wait context.cache.waitMs (${CACHE_WAIT_MS} ms); list tools and prompts again and read ${CACHE_URIS[1]} (through the client's cache, if it has one); call add_numbers; then list resources twice.`,
    revisions: STATELESS_REVISIONS,
    transports: BOTH,
    context: { cache: { waitMs: CACHE_WAIT_MS } },
    build: () => ({
      behaviours: [addNumbers, prompt('cache_prompt', { description: 'A prompt', messages: [{ role: 'user', content: { type: 'text', text: 'Hello' } }] }), ...CACHE_URIS.map((uri) => resource(uri, { name: uri.slice(-1), mimeType: 'text/plain', text: `resource ${uri}` }))],
      outgoing: (m) => {
        const result = isObject(m.result) ? m.result : undefined;
        const method = result && result.resultType !== 'input_required' ? methodOf(result) : undefined;
        return method ? { ...m, result: { ...result, ttlMs: CACHE_TTL[method], cacheScope: 'public' } } : m;
      },
    }),
  },
];
