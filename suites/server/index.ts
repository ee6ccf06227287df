// The public module of the server suites: every suite file, by path under suites/server, which
// the CLI imports to learn the checks (loadServerChecks) before vitest runs them (vitest never
// collects this file: suite-run.ts excludes it). Listed rather than read from the folder so the
// imports are static: a bundled CLI (bin/dev-entry.js) and the compiled package need no TypeScript
// loader for them. test/suites/suites-list.test.ts keeps the list equal to the folder.
export const SERVER_SUITE_MODULES: Record<string, () => Promise<unknown>> = {
  auth: () => import('./auth.ts'),
  'base-protocol': () => import('./base-protocol.ts'),
  cancellation: () => import('./cancellation.ts'),
  completion: () => import('./completion.ts'),
  'http/earlier-revisions': () => import('./http/earlier-revisions.ts'),
  'http/legacy-sse': () => import('./http/legacy-sse.ts'),
  'http/origin': () => import('./http/origin.ts'),
  'http/param-headers': () => import('./http/param-headers.ts'),
  'http/protocol-version': () => import('./http/protocol-version.ts'),
  'http/request-headers': () => import('./http/request-headers.ts'),
  'http/sending': () => import('./http/sending.ts'),
  'http/sessions': () => import('./http/sessions.ts'),
  'http/streams': () => import('./http/streams.ts'),
  lifecycle: () => import('./lifecycle.ts'),
  logging: () => import('./logging.ts'),
  pagination: () => import('./pagination.ts'),
  ping: () => import('./ping.ts'),
  progress: () => import('./progress.ts'),
  prompts: () => import('./prompts.ts'),
  resources: () => import('./resources.ts'),
  'server-requests': () => import('./server-requests.ts'),
  'stateless/caching': () => import('./stateless/caching.ts'),
  'stateless/discover': () => import('./stateless/discover.ts'),
  'stateless/extensions': () => import('./stateless/extensions.ts'),
  'stateless/logging': () => import('./stateless/logging.ts'),
  'stateless/mrtr': () => import('./stateless/mrtr.ts'),
  'stateless/subscriptions': () => import('./stateless/subscriptions.ts'),
  stdio: () => import('./stdio.ts'),
  tasks: () => import('./tasks.ts'),
  tools: () => import('./tools.ts'),
};
