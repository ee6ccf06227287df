// Property tests as vitest tests: prop([arbitraries], params)(name, predicate). Not
// @fast-check/vitest's test.prop: importing that package walks every chain of vitest 4.1's `test`
// (skip, only, concurrent, each, …) and cost about 2.6 s of CPU in each test file that used it.
import * as fc from 'fast-check';
import { it } from 'vitest';

export { fc };

export function prop<Ts extends unknown[]>(arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> }, params: fc.Parameters<[Ts]> = {}) {
  return (name: string, predicate: (...args: Ts) => unknown, timeout?: number): void => {
    it(name, async () => {
      // A failure names its seed and counterexample (fast-check's report).
      await fc.assert(fc.asyncProperty(fc.tuple(...(arbitraries as fc.Arbitrary<unknown>[])) as unknown as fc.Arbitrary<Ts>, async (args) => predicate(...args) as boolean | void), params);
    }, timeout);
  };
}
