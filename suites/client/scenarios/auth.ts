// The authorization scenarios (auth-scenarios.ts) as client scenarios: an OAuth-protected mock over HTTP.
import { tool } from '../../../mock-server/index.ts';
import { AUTH_SCENARIOS } from '../auth-scenarios.ts';
import { type Scenario, addNumbers, NO_ARGS, HTTP } from './kit.ts';

export const AUTH_CLIENT_SCENARIOS: Scenario[] = AUTH_SCENARIOS.map(
  (a): Scenario => ({
    name: a.name,
    description: a.description,
    expects: a.expects,
    revisions: a.revisions,
    transports: HTTP,
    ...(a.context ? { get context() { return a.context; } } : {}),
    auth: a.auth,
    build: () => ({
      behaviours: [
        addNumbers,
        ...(a.auth.switchTo ? [tool('second_call', { description: 'A second tool to call', inputSchema: NO_ARGS, result: 'ok' })] : []),
        ...(a.auth.extraTool ? [tool(a.auth.extraTool, { description: 'A tool to call', inputSchema: NO_ARGS, result: 'ok' })] : []),
      ],
    }),
  }),
);
