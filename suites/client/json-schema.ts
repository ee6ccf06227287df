// basic#json-schema-usage, the client's side: a network `$ref` in a tool's inputSchema is not
// fetched on the client's own (2026-07-28), and the 2020-12 keywords of a listed inputSchema reach
// the client's application unchanged (what it echoes back in json-schema-2020-12-preservation).
import { isObject, revisionsFrom, STATELESS_REVISIONS, type Revision } from '../../schema/index.ts';
import { clientRuns } from '../harness/index.ts';
import { around, brief, clientCheck, cite, exitSummary, toolCalls, toolName } from '../kit/index.ts';
import { CANARY_EVENT, ECHO_TOOL, FOCAL_SCHEMA, FOCAL_TOOL, preservedKeywords, REF_CANARY_PATH, REF_TOOL } from './scenarios/index.ts';

/** JSON equality (key order aside). */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return a === b;
}

/** A copy without `$anchor` keys (2025-11-25 judges the definitions of $defs, not the anchors). */
function withoutAnchors(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutAnchors);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== '$anchor').map(([k, x]) => [k, withoutAnchors(x)]));
}

/** Why the echoed schema does not carry a keyword of the listed one as listed, or undefined. */
function keywordProblem(echoed: Record<string, unknown>, k: string, rev: Revision): string | undefined {
  const listed: unknown = (FOCAL_SCHEMA as Record<string, unknown>)[k];
  if (!Object.hasOwn(echoed, k)) return `${k} missing`;
  const strip = k === '$defs' && rev < '2026-07-28' ? withoutAnchors : (x: unknown) => x;
  return same(strip(echoed[k]), strip(listed)) ? undefined : `${k} altered (${brief(echoed[k], 120)})`;
}

clientCheck(
  {
    id: 'client-json-schema/no-network-ref-deref',
    title: 'a $ref to a network URI in a tool inputSchema is not fetched',
    level: 'MUST',
    requirement: 'JSON Schema 2020-12 permits $ref to point at an absolute URI. Implementations MUST NOT automatically dereference $ref values that resolve to a network URI.',
    spec: cite(STATELESS_REVISIONS, 'basic#ref-resolution'),
    scenarios: ['json-schema-ref-no-deref'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('json-schema-ref-no-deref');
    const fetched = run.events.filter((e) => e.what === CANARY_EVENT);
    if (fetched.length) {
      const first = fetched[0]!;
      return t.fail(
        `the client fetched ${REF_CANARY_PATH} (${fetched.length} time(s), first: ${first.detail ?? ''}), the http:// URI a $ref in ${REF_TOOL}'s inputSchema points at; nothing but the schema led it there`,
        v.evidence(around(run, first.t)),
      );
    }
    // Never listed: the client never saw the $ref, so not fetching it shows nothing.
    if (!run.events.some((e) => e.what === 'tools-listed')) t.notVerified(`the client never listed tools, so it never saw the $ref (${exitSummary(run)})`);
  },
);

clientCheck(
  {
    id: 'client-json-schema/dialect-keywords-preserved',
    title: 'the 2020-12 keywords of a listed tool inputSchema reach the application unchanged (echoed back)',
    level: 'MUST',
    requirement:
      'Supported dialects: Implementations MUST support at least 2020-12. (Checked: the inputSchema the client echoes for json_schema_2020_12_tool keeps $schema, the definitions of $defs and additionalProperties: false as listed; from 2026-07-28, where inputSchema is any 2020-12 schema, also $anchor, allOf/anyOf and if/then/else. A client that strips them cannot validate by the dialect the schema declares.)',
    spec: cite(revisionsFrom('2025-11-25'), 'basic#schema-dialect'),
    scenarios: ['json-schema-2020-12-preservation'],
  },
  (t) => {
    const v = clientRuns(t);
    const run = v.need('json-schema-2020-12-preservation');
    const calls = toolCalls(run).filter((c) => toolName(c) === ECHO_TOOL);
    if (!calls.length) return t.notVerified(`the client did not call ${ECHO_TOOL}, so what it kept of ${FOCAL_TOOL}'s inputSchema is not on the wire (${exitSummary(run)})`);
    const schemaOf = (m: Record<string, unknown>) => (isObject(m.params) && isObject(m.params.arguments) ? m.params.arguments.schema : undefined);
    // The contract's echo carries the focal tool's properties; anything else (e.g. `{}` from a client filling in arguments) echoes nothing.
    const echo = calls.find((c) => {
      const s = schemaOf(c.m);
      return isObject(s) && isObject(s.properties) && Object.hasOwn(s.properties, 'recipient');
    });
    if (!echo) return t.notVerified(`the client called ${ECHO_TOOL} without ${FOCAL_TOOL}'s inputSchema as \`schema\` (${brief(schemaOf(calls[0]!.m))}): it does not follow the scenario's echo contract`);
    const echoed = schemaOf(echo.m) as Record<string, unknown>;
    const problems = preservedKeywords(t.revision).flatMap((k) => keywordProblem(echoed, k, t.revision) ?? []);
    if (problems.length) return t.fail(`the inputSchema the client echoed for ${FOCAL_TOOL} lost what was listed: ${problems.join('; ')}`, v.evidence([echo.e]));
  },
);
