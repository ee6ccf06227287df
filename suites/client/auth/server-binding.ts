// Pre-registered credentials belong to one authorization server (client-registration
// #authorization-server-binding): when the PRM names another one, the client surfaces an error
// (or registers anew there) instead of presenting those credentials to the new server.
import { describeAuthRecord } from '../../../mock-server/index.ts';
import { PRE_REGISTERED, PRE_REGISTERED_MIGRATION } from '../auth-scenarios.ts';
import { clientCheck, exitSummary as exitSummaryOf } from '../../kit/index.ts';
import { type A, recs, authEvidence, authRuns, originOf } from './common.ts';

/** Whether an AS request carries the pre-registered client_id or secret (Basic header, form or query). */
const presents = (r: A) => r.clientId === PRE_REGISTERED.client_id || r.params.client_id === PRE_REGISTERED.client_id || r.params.client_secret === PRE_REGISTERED.client_secret;

clientCheck(
  {
    id: 'client-auth/pre-registered-server-mismatch',
    title: 'pre-registered credentials are not presented to another authorization server than theirs',
    level: 'SHOULD',
    requirement:
      'Pre-registered credentials are inherently specific to a particular authorization server. If the authorization server indicated by protected resource metadata no longer matches the one the credentials were registered with, clients SHOULD surface an error rather than silently attempting to use mismatched credentials.',
    spec: { '2026-07-28': 'basic/authorization/client-registration#authorization-server-binding' },
    scenarios: [PRE_REGISTERED_MIGRATION],
  },
  (t) => {
    const { runs } = authRuns(t, [PRE_REGISTERED_MIGRATION]);
    for (const run of runs) {
      const changed = run.events.find((e) => e.what === 'authorization-server-changed');
      if (!changed?.detail) return t.notVerified(`the authorization server never changed: the client made no request (tools, resources or prompts) that was served with a token (${exitSummaryOf(run)})`);
      const second = originOf(changed.detail);
      const asRecs = recs(run).filter((r) => r.side === 'as');
      const atSecond = asRecs.filter((r) => originOf(r.url) === second);
      const used = atSecond.find(presents);
      if (used) {
        return t.fail(
          `the PRM now names ${changed.detail}, not the authorization server the pre-registered client ${PRE_REGISTERED.client_id} belongs to, yet the client presented those credentials there (${describeAuthRecord(used)}) instead of surfacing an error`,
          authEvidence([...asRecs.filter((r) => originOf(r.url) !== second && r.endpoint === 'token').slice(-1), used]),
        );
      }
      if (atSecond.length === 0) t.note(`the client stopped when the PRM named ${changed.detail} (${exitSummaryOf(run)})`);
    }
  },
);
