// What the harness puts on a vitest task's meta, declared by module augmentation so
// `task.meta.mcpConform = result` and `testCase.meta().mcpConform` are typed everywhere.
import type { Revision } from '../schema/index.ts';
import type { CheckMeta, CheckResult } from './model.ts';
import type {} from 'vitest';

/**
 * Optional, set by the harness when a check starts: lets the reporter name a check that then
 * crashed or timed out before recording its CheckResult (instead of guessing from the test name).
 */
export interface CheckHint {
  check: CheckMeta;
  revision: Revision | null;
}

declare module 'vitest' {
  interface TaskMeta {
    /** The check's full result, decided by the harness. */
    mcpConform?: CheckResult;
    /** The check being run (see CheckHint). */
    mcpConformCheck?: CheckHint;
  }
}
