// How a check ends early (fail, not applicable, not verified): a leaf module, so the drivers
// (stateless.ts, http.ts) throw it without importing the context that uses them.
import type { WireEntry } from '../../reports/index.ts';

/** Ends a check with a verdict: thrown by t.fail / t.notApplicable / t.notVerified. */
export class CheckOutcome extends Error {
  constructor(
    readonly kind: 'fail' | 'not-applicable' | 'not-verified',
    message: string,
    readonly evidence?: WireEntry[],
  ) {
    super(message);
    this.name = 'CheckOutcome';
  }
}
