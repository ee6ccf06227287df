// Workload identity federation (an extension, the official suite's auth/wif-jwt-bearer): the
// workload's JWT from the context goes to the MCP server's authorization server as a JWT bearer grant.
import type { Revision } from '../../../schema/index.ts';
import { describeAuthRecord, JWT_BEARER_GRANT } from '../../../mock-server/index.ts';
import { WIF_CLIENT_ID, WIF_SCENARIO } from '../auth-scenarios.ts';
import { clientCheck } from '../../kit/index.ts';
import { mcpRecs, of, json, bearerOf, authEvidence, authRuns } from './common.ts';

// The core pages name no extension; they point to the extensions' own repository from this section.
const EXT_SPEC: Partial<Record<Revision, string>> = { '2025-11-25': 'basic/authorization#mcp-authorization-extensions', '2026-07-28': 'basic/authorization#mcp-authorization-extensions' };

clientCheck(
  {
    id: 'client-auth/wif-jwt-bearer',
    title: 'workload identity federation: the workload JWT is presented as a JWT bearer grant, and its token gets through',
    level: 'MUST',
    requirement:
      'Workload identity federation (an MCP authorization extension): the client requests a token with grant_type urn:ietf:params:oauth:grant-type:jwt-bearer and the workload\'s JWT as the assertion (RFC 7523 §2.1: a single JWT; §3: its aud identifies the authorization server and it is not expired), as the client it is registered as, and uses the access token with the MCP server.',
    spec: EXT_SPEC,
    scenarios: [WIF_SCENARIO],
  },
  (t) => {
    const { runs } = authRuns(t, [WIF_SCENARIO]);
    for (const run of runs) {
      const grants = of(run, 'token').filter((r) => r.params.grant_type === JWT_BEARER_GRANT);
      if (grants.length === 0) {
        const other = of(run, 'token', 'authorize')[0];
        t.notApplicable(`the client made no JWT bearer grant request: it does not implement workload identity federation (an optional extension)${other ? `; it tried ${describeAuthRecord(other)}` : ''}`);
      }
      const first = grants[0]!;
      if (!first.params.assertion) return t.fail('the JWT bearer grant request carried no assertion', authEvidence([first]));
      if (first.clientId !== undefined && first.clientId !== WIF_CLIENT_ID) return t.fail(`the JWT bearer grant request named the client ${first.clientId}, not ${WIF_CLIENT_ID} (context.client_id)`, authEvidence([first]));
      const ok = grants.find((r) => r.status === 200);
      if (!ok) return t.fail(`the authorization server refused the workload JWT (${describeAuthRecord(first)}): not context.valid_jwt, or not as that client`, authEvidence(grants));
      const token = json(ok.responseBody)?.access_token;
      const used = mcpRecs(run).some((r) => r.seq > ok.seq && r.status < 400 && bearerOf(r) !== undefined && (typeof token !== 'string' || bearerOf(r) === token));
      if (!used) return t.fail('the client got an access token for the workload JWT but never got through to the MCP server with it', authEvidence([ok, ...mcpRecs(run).filter((r) => r.seq > ok.seq).slice(0, 3)]));
    }
  },
);
