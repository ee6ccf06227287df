// Expectations (expectRequest behaviours): what the server saw, counted against what a script expects.
import type { Behaviour, ExpectationBehaviour, JsonObject } from '../behaviours.ts';
import { matchesSubset } from '../match.ts';
import type { ExpectationResult } from './types.ts';

export class Expectations {
  private readonly seen = new Map<ExpectationBehaviour, { count: number; firstAt?: number }>();

  /** Counts a message for every expectation it matches (`at`: ms since the server started). */
  record(behaviours: readonly Behaviour[], method: string, params: JsonObject | undefined, at: number): void {
    for (const b of behaviours) {
      if (b.kind !== 'expect') continue;
      if (b.spec.method !== method) continue;
      if (b.spec.params && !matchesSubset(params ?? {}, b.spec.params)) continue;
      const st = this.seen.get(b) ?? { count: 0 };
      st.count++;
      st.firstAt ??= at;
      this.seen.set(b, st);
    }
  }

  clear(): void {
    this.seen.clear();
  }

  /** The verdict on every expectation: met or unmet, with counts. */
  verify(behaviours: readonly Behaviour[]): ExpectationResult[] {
    const out: ExpectationResult[] = [];
    for (const b of behaviours) {
      if (b.kind !== 'expect') continue;
      const st = this.seen.get(b) ?? { count: 0 };
      const spec = b.spec;
      const t = spec.times ?? 1;
      // A number is a minimum; { min, max } bounds both ways (min defaults to 0 there, so { max: 0 } means never).
      const min = typeof t === 'number' ? t : (t.min ?? 0);
      const max = typeof t === 'number' ? Infinity : (t.max ?? Infinity);
      const what = `${spec.method}${spec.params ? ` ${JSON.stringify(spec.params)}` : ''}`;
      let met = st.count >= min && st.count <= max;
      let detail = `${what}: seen ${st.count} time(s), expected ${typeof t === 'number' ? `at least ${min}` : `${min}..${max === Infinity ? '∞' : max}`}`;
      if (met && spec.within !== undefined && min > 0 && (st.firstAt ?? Infinity) > spec.within) {
        met = false;
        detail = `${what}: first seen after ${Math.round(st.firstAt ?? 0)} ms, expected within ${spec.within} ms`;
      } else if (met && spec.within !== undefined && st.firstAt !== undefined) {
        detail += `, first after ${Math.round(st.firstAt)} ms`;
      }
      const r: ExpectationResult = { expectation: spec, met, count: st.count, detail };
      if (b.id) r.id = b.id;
      if (st.firstAt !== undefined) r.firstAt = st.firstAt;
      out.push(r);
    }
    return out;
  }
}
