// Using the token: the Bearer header on every request, never in the query, only tokens from the
// server's own authorization server.
import { AUTHORIZED_SCENARIOS, PRM_REVISIONS } from '../auth-scenarios.ts';
import { clientCheck, authPage, cite } from '../../kit/index.ts';
import { ALL_REVS, recs, mcpRecs, of, pathOf, issuedTokens, bearerOf, authEvidence, authRuns } from './common.ts';

clientCheck(
  {
    id: 'client-auth/bearer-every-request',
    title: 'once it has a token, every HTTP request to the MCP server carries Authorization: Bearer',
    level: 'MUST',
    requirement: 'MCP client MUST use the Authorization request header field (Authorization: Bearer <access-token>); authorization MUST be included in every HTTP request from client to server, even if they are part of the same logical session.',
    spec: cite(ALL_REVS, authPage('token-requirements')),
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    for (const run of runs) {
      const firstToken = of(run, 'token').find((r) => r.status === 200);
      if (!firstToken) continue;
      const bare = mcpRecs(run).find((r) => r.seq > firstToken.seq && bearerOf(r) === undefined);
      if (bare) return t.fail(`scenario ${run.scenario}: after getting a token the client sent ${bare.method} ${pathOf(bare.url)} ${bare.headers.authorization ? `with Authorization ${JSON.stringify(bare.headers.authorization.slice(0, 30))}` : 'without an Authorization header'}`, authEvidence([firstToken, bare]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/no-token-in-query',
    title: 'access tokens are never put in the URL query string',
    level: 'MUST',
    requirement: 'Access tokens MUST NOT be included in the URI query string.',
    spec: cite(ALL_REVS, authPage('token-requirements')),
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    for (const run of runs) {
      const tokens = issuedTokens(run);
      const leak = recs(run).find((r) => r.side === 'rs' && (r.params.access_token !== undefined || tokens.some((tok) => r.url.includes(tok))));
      if (leak) return t.fail(`scenario ${run.scenario}: the client put an access token in the URL of ${leak.method} ${pathOf(leak.url)}?…`, authEvidence([leak]));
    }
  },
);

clientCheck(
  {
    id: 'client-auth/tokens-from-its-as',
    title: 'only tokens issued by the MCP server\'s own authorization server are sent to it',
    level: 'MUST',
    requirement: 'MCP clients MUST NOT send tokens to the MCP server other than ones issued by the MCP server\'s authorization server.',
    spec: cite(PRM_REVISIONS, authPage('token-handling')),
    scenarios: AUTHORIZED_SCENARIOS,
  },
  (t) => {
    const { runs } = authRuns(t, AUTHORIZED_SCENARIOS);
    for (const run of runs) {
      const tokens = new Set(issuedTokens(run));
      const foreign = mcpRecs(run).find((r) => {
        const b = bearerOf(r);
        return b !== undefined && !tokens.has(b);
      });
      if (foreign) return t.fail(`scenario ${run.scenario}: the client sent a Bearer token its MCP server's authorization server never issued (${bearerOf(foreign)!.slice(0, 16)}…)`, authEvidence([foreign]));
    }
  },
);
