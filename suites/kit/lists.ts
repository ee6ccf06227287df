// What checks build on the one paginator (walkList, suites/harness/list.ts, where t.listAll uses it too).
import type { MockClient } from '../../mock-server/index.ts';
import { walkList } from '../harness/index.ts';
import { errorText, type Json, type T, type Tool } from './common.ts';

/**
 * 2026-07-28 `capabilities`: the set a list request answers "MAY change over time … but MUST NOT
 * vary per-connection". Lists on the check's connection, on a second, fresh one, and on the first
 * again: a set that changed on the first connection too is a change over time (allowed; then
 * nothing is judged). Items are told apart by `id`.
 */
export async function expectSameSetPerConnection(t: T, method: string, key: string, id: (x: Json) => unknown): Promise<void> {
  const read = async (c: MockClient): Promise<string[]> => {
    const l = await walkList(c, method, key);
    if (l.error || l.malformed || l.loop || l.capped) return t.notVerified(`${method} could not be read to its end (see the ${method.split('/')[0]}/list checks)`, l.error);
    return l.items.map((x) => JSON.stringify(id(x))).sort();
  };
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  const only = (x: string[], y: string[]) => x.filter((v) => !y.includes(v)).slice(0, 5).join(', ') || '(none)';
  const a = await t.session();
  const first = await read(a);
  const other = await read(await t.session({ fresh: true }));
  if (same(first, other)) return;
  const again = await read(a);
  if (!same(first, again)) return t.notVerified(`the ${method} set changed on one connection while the check ran (allowed over time): cannot tell a per-connection set from that`);
  t.fail(`${method} answered different sets on two connections (first only: ${only(first, other)}; second only: ${only(other, first)})`);
}

/**
 * Every item of a list, for checks about something else: a list that cannot be read makes the
 * check not-verified (the list's own checks report why).
 */
export async function listAll(t: T, c: MockClient, method: string, key: string): Promise<Json[]> {
  const l = await walkList(c, method, key);
  if (l.error) return t.notVerified(`${method} was answered with ${errorText(l.error)} (see the ${method.split('/')[0]}/list checks)`, l.error);
  return l.items;
}

export async function listTools(t: T, c: MockClient): Promise<Tool[]> {
  if (!c.serverCapabilities.tools) return t.notApplicable('the server does not declare the tools capability');
  return (await listAll(t, c, 'tools/list', 'tools')) as unknown as Tool[];
}
