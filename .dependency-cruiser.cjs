// The layout's dependency rules (README "Architecture"), checked by `npm test` (npm run lint:deps).
// Each room talks to the others only as drawn here; a new import that breaks a rule fails the run.
// Known violations (the debt, left on purpose) are listed in .dependency-cruiser-known-violations.json
// and ignored by lint:deps (--ignore-known); any other fails. Today there are none (the last one,
// mock-server/behaviours.ts ↔ server.ts, went when server/server.ts began adding a handler's
// `server` and `session` to ServerContext by declaration merging).
// After fixing one, regenerate the file: npm run lint:deps -- --output-type baseline > .dependency-cruiser-known-violations.json
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'schema-imports-nothing-of-ours',
      comment: 'schema/ is the one source of truth: it imports no other room of the project',
      severity: 'error',
      from: { path: '^schema/' },
      to: { path: '^(suites|mock-server|reports|cli|test|bench)/' },
    },
    {
      name: 'mock-server-stands-alone',
      comment: 'mock-server/ (the peer engine, also a library) imports neither suites/ nor reports/ nor cli/',
      severity: 'error',
      from: { path: '^mock-server/' },
      to: { path: '^(suites|reports|cli|test|bench)/' },
    },
    {
      name: 'reports-never-import-suites',
      comment: 'reports/ renders results; it does not call up into the checks',
      severity: 'error',
      from: { path: '^reports/' },
      to: { path: '^(suites|cli|test|bench)/' },
    },
    {
      name: 'runtime-never-imports-tests',
      comment: 'nothing that ships imports test/ or bench/',
      severity: 'error',
      from: { path: '^(schema|suites|mock-server|reports|cli)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'rooms-meet-at-their-index',
      comment:
        'a room talks to another through its public module (schema/index.ts, mock-server/index.ts, reports/index.ts, suites/<area>/index.ts), never its insides; reports/model.ts (the results model, light enough for every vitest worker) is a second public module of reports/, and schema/arbitrary/index.ts (schema → fast-check, kept out of what every process loads) one of schema/',
      severity: 'error',
      from: { path: '^(schema|suites|mock-server|reports|cli)/' },
      to: {
        path: '^(schema|suites|mock-server|reports|cli)/',
        pathNot: ['^$1/', '^(schema|mock-server|reports)/index\\.ts$', '^reports/model\\.ts$', '^schema/arbitrary/index\\.ts$', '^suites/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'no-cycles',
      comment: 'no import cycles (type-only imports included: a cycle of types is still a knot)',
      severity: 'error',
      from: { path: '^(schema|suites|mock-server|reports|cli)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|schema/generated|schema/\\.cache)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
