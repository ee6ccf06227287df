// Results fixtures shared by the writer tests: one hand-made run and a fast-check arbitrary.
import { fc } from '../helpers/prop.ts';
import { REVISIONS } from '../../schema/index.ts';
// fast-check's own 'binary' unit costs about 2 s of CPU to set up; this one gives the same values.
import { codePoint } from '../../schema/arbitrary/engine.ts';
import { countVerdicts, RESULTS_FORMAT, RESULTS_FORMAT_VERSION, type CheckResult, type Results, type Verdict } from '../../reports/index.ts';

export const NASTY = `<script>alert("x")</script> & 'quotes' | pipes \`ticks\` ]]> \u0000\u0007 \uD800 end`;

export function check(id: string, verdict: Verdict, extra: Partial<CheckResult> = {}): CheckResult {
  return {
    id,
    title: `Title of ${id}`,
    level: verdict === 'warn' ? 'SHOULD' : 'MUST',
    revision: '2025-11-25',
    verdict,
    message: verdict === 'pass' ? '' : `reason for ${id}`,
    requirement: `Requirement of ${id}.`,
    specUrl: `https://modelcontextprotocol.io/specification/2025-11-25/${id.split('/')[0]}#x`,
    durationMs: 12,
    wireLog: `wire/${id.replace('/', '_')}.jsonl`,
    ...extra,
  };
}

export function sampleResults(overrides: Partial<Results> = {}): Results {
  const checks: CheckResult[] = [
    check('lifecycle/initialize-result', 'pass'),
    check('lifecycle/initialize-result', 'pass', { revision: '2025-06-18' }),
    check('lifecycle/version-negotiation', 'fail', {
      message: `server answered ${NASTY}`,
      evidence: [
        { t: 0, dir: 'send', msg: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '1999-01-01' } } },
        { t: 4, dir: 'recv', raw: 'not json </pre><script>x</script>', note: 'stdout' },
      ],
    }),
    check('tools/call-unknown-tool', 'warn'),
    check('tools/list-pagination', 'not-applicable', { message: 'server has no tools capability' }),
    check('tools/list-changed', 'not-verified', { message: 'no list change could be provoked' }),
    check('logging/set-level', 'info', { level: 'MAY', revision: null }),
  ];
  return {
    format: RESULTS_FORMAT,
    formatVersion: RESULTS_FORMAT_VERSION,
    tool: { name: 'mcp-conform', version: '0.1.0' },
    mode: 'server',
    target: { description: 'node my-server.js', transport: 'stdio' },
    revisions: ['2025-06-18', '2025-11-25'],
    startedAt: '2026-11-25T10:00:00.000Z',
    endedAt: '2026-11-25T10:00:02.500Z',
    counts: countVerdicts(checks),
    checks,
    hosts: [
      { host: 'Claude Code', works: true, summary: 'works with Claude Code', failingChecks: [] },
      { host: 'Claude.ai', works: false, summary: 'does not work with Claude.ai because initialize fails', failingChecks: ['lifecycle/version-negotiation'] },
    ],
    errors: ['target wrote to stderr: <b>boom</b>'],
    toolPlan: {
      policy: 'safe',
      revisions: [
        { revision: '2025-06-18', listed: 2, call: [{ name: 'read_file', why: 'annotated readOnlyHint: true' }], skip: [{ name: 'rm', why: 'not annotated, so possibly destructive by the spec defaults' }] },
        { revision: '2025-11-25', listed: 0, call: [], skip: [], note: 'the server does not declare the tools capability' },
      ],
    },
    ...overrides,
  };
}

const text = fc.oneof(fc.string(), fc.constantFrom(NASTY, '', '\n\n', '```', '|', '&amp;', ']]>', '\uDFFF'), fc.string({ unit: codePoint() }));
// Not fc.webUrl(): building it costs about 1.4 s of CPU in every test file that imports this one.
const url = fc.tuple(fc.constantFrom('https://spec.test/', 'http://127.0.0.1:8080/a/'), fc.string()).map(([base, path]) => base + encodeURIComponent(path));
const verdict = fc.constantFrom<Verdict>('pass', 'fail', 'warn', 'info', 'not-applicable', 'not-verified');
const revision = fc.constantFrom(...REVISIONS, null);

export const arbCheck: fc.Arbitrary<CheckResult> = fc.record(
  {
    id: fc.tuple(fc.constantFrom('tools', 'lifecycle', 'x<y>'), text).map(([a, b]) => `${a}/${b || 'n'}`),
    title: text,
    level: fc.constantFrom('MUST', 'SHOULD', 'MAY'),
    revision,
    verdict,
    message: text,
    requirement: text,
    specUrl: fc.oneof(fc.constant(null), url, fc.constantFrom('javascript:alert(1)', 'https://x.test/a"b<c>')),
    durationMs: fc.nat(100_000),
    wireLog: fc.oneof(fc.constant(null), text),
    evidence: fc.array(
      fc.record(
        { t: fc.nat(), dir: fc.constantFrom('send', 'recv'), msg: fc.jsonValue(), raw: text, note: text },
        { requiredKeys: ['t', 'dir'] },
      ),
      { maxLength: 3 },
    ),
    expected: fc.boolean(),
  },
  { requiredKeys: ['id', 'title', 'level', 'revision', 'verdict', 'message', 'requirement', 'specUrl', 'durationMs', 'wireLog'] },
) as fc.Arbitrary<CheckResult>;

export const arbResults: fc.Arbitrary<Results> = fc
  .record({
    checks: fc.array(arbCheck, { maxLength: 12 }),
    errors: fc.array(text, { maxLength: 3 }),
    description: text,
    hostSummary: text,
  })
  .map(({ checks, errors, description, hostSummary }) =>
    sampleResults({
      checks,
      errors,
      counts: countVerdicts(checks),
      target: { description, transport: 'http' },
      hosts: [{ host: 'H', works: false, summary: hostSummary, failingChecks: [] }],
    }),
  );
