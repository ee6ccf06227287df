// Runs the auth-server checks in this process (no vitest: there is no MCP server to start, and
// every check of a run shares one OAuth flow), then ends the flow's loopback listener.
import type { Revision } from '../../schema/index.ts';
import type { CheckResult } from '../../reports/index.ts';
import { definedChecks, runChecks, runConfig, type AuthServerTarget, type CheckDef, type RunConfig } from '../harness/index.ts';
import { AS_REVISIONS, closeFlow } from './checks.ts';

export { AS_REVISIONS };

/** The auth-server checks, in definition order. */
export function authServerChecks(): CheckDef[] {
  return definedChecks().filter((d) => d.meta.id.startsWith('auth-server/'));
}

export interface AuthServerRunOptions extends Partial<Omit<RunConfig, 'target' | 'revisions' | 'authServer'>> {
  revisions?: Revision[];
  onResult?: (r: CheckResult) => void;
}

/** Every selected auth-server check at each revision, against one authorization server. */
export async function runAuthServerChecks(target: AuthServerTarget, o: AuthServerRunOptions = {}): Promise<CheckResult[]> {
  const { revisions = AS_REVISIONS, onResult, ...over } = o;
  const cfg = runConfig({ kind: 'http', url: target.issuer }, revisions, { ...over, authServer: target });
  try {
    return await runChecks(authServerChecks(), cfg, { concurrency: cfg.concurrency ?? 6, ...(onResult ? { onResult } : {}) });
  } finally {
    await closeFlow(target);
  }
}
