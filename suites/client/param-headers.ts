// basic/transports/streamable-http (2026-07-28), client side of the custom headers from tool
// parameters: Mcp-Param-* headers mirrored from x-mcp-header arguments, the Base64 sentinel for
// values (and tool names) that are not plain header text, and tools with invalid annotations left out.
import { isObject, STATELESS_REVISIONS } from '../../schema/index.ts';
import { decodeHeaderValue, paramHeaderSpecs, type ParamHeaderSpec } from '../../mock-server/index.ts';
import { clientRuns, type ClientRun, type HttpRecord } from '../harness/index.ts';
import { exitSummary, httpMessages, clientCheck, cite } from '../kit/index.ts';
import { CHANGED_TOOL, INVALID_HEADER_TOOLS, MIRROR_TOOL, UNSAFE_NAME_TOOL } from './scenarios/index.ts';

const page = (anchor: string) => cite(STATELESS_REVISIONS, `basic/transports/streamable-http#${anchor}`);

interface Call {
  h: HttpRecord;
  name: string;
  args: unknown;
}

/** The tools/call POSTs of a run, with the tool's name and arguments. */
function toolCallPosts(run: ClientRun): Call[] {
  const out: Call[] = [];
  for (const { h, m } of httpMessages(run)) {
    if (h.method !== 'POST' || !isObject(m) || m.method !== 'tools/call' || !isObject(m.params) || typeof m.params.name !== 'string') continue;
    out.push({ h, name: m.params.name, args: m.params.arguments });
  }
  return out;
}

function valueAt(args: unknown, path: readonly string[]): unknown {
  let cur = args;
  for (const k of path) {
    if (!isObject(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** The header text of an argument (Value Encoding's type conversion), or undefined when no header is due. */
function headerText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

/** Values that cannot be plain header text: non-ASCII or control characters, outer whitespace, or the sentinel's look. */
function needsBase64(s: string): boolean {
  return !/^[\x20-\x7e\t]*$/.test(s) || s !== s.trim() || (s.startsWith('=?base64?') && s.endsWith('?='));
}

const SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/** Why a raw header value is not the exact sentinel encoding of `value`, or undefined. */
function encodingProblem(raw: string, value: string): string | undefined {
  const m = SENTINEL.exec(raw);
  if (!m || m[1]!.length % 4 !== 0) return `'${raw}' is not =?base64?…?= (lowercase markers, Base64 inside)`;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  return decoded === value ? undefined : `'${raw}' decodes to ${JSON.stringify(decoded)}, not ${JSON.stringify(value)}`;
}

const mirrorSpecs: ParamHeaderSpec[] = paramHeaderSpecs(MIRROR_TOOL.inputSchema).specs;

function needMirrorCalls(t: Parameters<Parameters<typeof clientCheck>[1]>[0], run: ClientRun): Call[] {
  const calls = toolCallPosts(run).filter((c) => c.name === MIRROR_TOOL.name);
  if (!calls.length) return t.notVerified(`the client did not call ${MIRROR_TOOL.name} (${exitSummary(run)})`);
  return calls;
}

clientCheck(
  {
    id: 'client-transport/mcp-param-headers',
    title: 'tools/call mirrors x-mcp-header arguments into Mcp-Param-* headers that match the body',
    level: 'MUST',
    requirement:
      'When a server\'s tool definition includes x-mcp-header annotations, conforming clients MUST mirror the designated parameter values into HTTP headers: extract the value at each annotated property\'s exact property path, encode it per Value Encoding and append a Mcp-Param-{Name}: {Value} header.',
    spec: page('custom-headers-from-tool-parameters'),
    scenarios: ['param-headers'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    const run = v.need('param-headers');
    for (const c of needMirrorCalls(t, run)) {
      for (const s of mirrorSpecs) {
        const want = headerText(valueAt(c.args, s.path));
        const raw = c.h.headers[`mcp-param-${s.name.toLowerCase()}`];
        if (want === undefined) continue; // no value, no header (what the client sent instead is its business here)
        if (raw === undefined) return t.fail(`tools/call ${c.name} has arguments.${s.path.join('.')} = ${JSON.stringify(valueAt(c.args, s.path))} but no Mcp-Param-${s.name} header`, v.httpEvidence([c.h]));
        const decoded = decodeHeaderValue(raw);
        const got = decoded.ok ? decoded.value : undefined;
        const same = s.type === 'integer' ? got !== undefined && Number(got) === Number(want) && /^-?\d+$/.test(got) : got === want;
        if (!same) return t.fail(`Mcp-Param-${s.name}: '${raw}' does not carry arguments.${s.path.join('.')} = ${JSON.stringify(want)}${decoded.ok ? '' : ` (${decoded.reason})`}`, v.httpEvidence([c.h]));
      }
    }
  },
);

clientCheck(
  {
    id: 'client-transport/header-values-encoded',
    title: 'Mcp-Param and Mcp-Name values that are not plain header text are sent as =?base64?…?=',
    level: 'MUST',
    requirement:
      'When a value cannot be safely represented as a plain ASCII header value (non-ASCII, control characters, leading/trailing whitespace), clients MUST use Base64 encoding of the UTF-8 representation as =?base64?{value}?= (lowercase markers, exactly as shown); the same rule applies to Mcp-Name; clients MUST also Base64-encode a plain-ASCII value that matches the sentinel pattern.',
    spec: page('value-encoding'),
    scenarios: ['param-headers'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    const run = v.need('param-headers');
    const calls = toolCallPosts(run);
    let judged = 0;
    for (const c of calls.filter((x) => x.name === UNSAFE_NAME_TOOL)) {
      const raw = c.h.headers['mcp-name'];
      if (raw === undefined) continue; // client-transport/http-request-headers judges a missing Mcp-Name
      judged++;
      const problem = encodingProblem(raw, UNSAFE_NAME_TOOL);
      if (problem) return t.fail(`Mcp-Name of tools/call ${JSON.stringify(UNSAFE_NAME_TOOL)}: ${problem}`, v.httpEvidence([c.h]));
    }
    for (const c of calls.filter((x) => x.name === MIRROR_TOOL.name)) {
      for (const s of mirrorSpecs) {
        const want = headerText(valueAt(c.args, s.path));
        const raw = c.h.headers[`mcp-param-${s.name.toLowerCase()}`];
        if (want === undefined || raw === undefined || !needsBase64(want)) continue;
        judged++;
        const problem = encodingProblem(raw, want);
        if (problem) return t.fail(`Mcp-Param-${s.name} for ${JSON.stringify(want)}: ${problem}`, v.httpEvidence([c.h]));
      }
    }
    if (judged === 0) {
      t.notVerified(
        calls.some((c) => c.name === MIRROR_TOOL.name || c.name === UNSAFE_NAME_TOOL)
          ? 'the client sent no Mcp-Name or Mcp-Param header whose value needs Base64 (client-transport/mcp-param-headers judges missing ones)'
          : `the client called neither ${MIRROR_TOOL.name} nor ${UNSAFE_NAME_TOOL} (${exitSummary(run)})`,
      );
    }
  },
);

clientCheck(
  {
    id: 'client-transport/invalid-param-tools-excluded',
    title: 'tools whose x-mcp-header annotations break the constraints are left out (never called)',
    level: 'MUST',
    requirement:
      'Clients using the Streamable HTTP transport MUST reject tool definitions where any x-mcp-header value violates these constraints. Rejection means the client MUST exclude the invalid tool from the result of tools/list.',
    spec: page('schema-extension'),
    scenarios: ['param-headers'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    const run = v.need('param-headers');
    const calls = toolCallPosts(run);
    const bad = calls.find((c) => Object.hasOwn(INVALID_HEADER_TOOLS, c.name));
    if (bad) {
      const why = paramHeaderSpecs(INVALID_HEADER_TOOLS[bad.name]).errors.join('; ');
      return t.fail(`the client called ${bad.name}, whose definition it must reject (${why})`, v.httpEvidence([bad.h]));
    }
    // Calling the valid tools shows the client offers listed tools: leaving the invalid ones out was its choice.
    if (!calls.some((c) => c.name === MIRROR_TOOL.name || c.name === 'add_numbers')) t.notVerified(`the client called none of the valid tools either (${exitSummary(run)}), so not calling the invalid ones shows nothing`);
  },
);

clientCheck(
  {
    id: 'client-transport/header-mismatch-relist',
    title: 'after a HeaderMismatch refusal of tools/call the client lists tools again and retries with the headers',
    level: 'SHOULD',
    requirement:
      'If the server rejects a request with a HeaderMismatch error because required Mcp-Param-* headers are missing or do not match the body, the client SHOULD call tools/list to check for changes to the tool\'s inputSchema, then retry the original request with the appropriate headers.',
    spec: page('client-behavior'),
    scenarios: ['param-headers-changed'],
  },
  (t) => {
    const v = clientRuns(t);
    v.requireTransport('http');
    const run = v.need('param-headers-changed');
    const posts = httpMessages(run).filter((x) => x.h.method === 'POST' && isObject(x.m));
    const isCall = (m: unknown) => isObject(m) && m.method === 'tools/call' && isObject(m.params) && m.params.name === CHANGED_TOOL;
    const refused = posts.find((x) => isCall(x.m) && x.h.status === 400);
    if (!refused) {
      const call = posts.find((x) => isCall(x.m));
      return t.notVerified(call ? `the client's first call of ${CHANGED_TOOL} was not refused (it sent Mcp-Param-Region before the listing showed the annotation)` : `the client did not call ${CHANGED_TOOL} (${exitSummary(run)})`);
    }
    const relist = posts.find((x) => x.h.t > refused.h.t && isObject(x.m) && x.m.method === 'tools/list');
    if (!relist) return t.fail(`after tools/call ${CHANGED_TOOL} was refused with HeaderMismatch the client did not list tools again (${exitSummary(run)})`, v.httpEvidence([refused.h]));
    const retry = posts.find((x) => x.h.t > relist.h.t && isCall(x.m));
    if (!retry) return t.fail(`after HeaderMismatch and a new tools/list the client did not retry tools/call ${CHANGED_TOOL}`, v.httpEvidence([refused.h, relist.h]));
    if (retry.h.headers['mcp-param-region'] === undefined) t.fail(`the client retried tools/call ${CHANGED_TOOL} without the Mcp-Param-Region header the new listing asks for`, v.httpEvidence([refused.h, retry.h]));
  },
);
