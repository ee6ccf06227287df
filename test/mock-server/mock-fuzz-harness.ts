// The fuzz run behind mock-fuzz.test.ts (kept apart so it can also be profiled on its own):
// seeded random and malformed frames into the mock over the in-memory pair, with a record of
// every way the mock's answers departed from what JSON-RPC and MCP require.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { createMemoryPair, createMockServer, type Transport } from '../../mock-server/index.ts';
import { REFERENCE_OPTIONS, referencePrompts, referenceResources, referenceTools } from '../../mock-server/reference/server.ts';
import { REVISIONS, registry } from '../../schema/index.ts';


const methods = [...new Set(REVISIONS.flatMap((r) => [...registry(r).methods.keys()]))];
const toolNames = referenceTools.map((t) => (t.kind === 'tool' ? t.name : '')).filter((n) => n !== 'slow');

const json = fc.jsonValue({ maxDepth: 2 });
const meta = fc.record(
  {
    'io.modelcontextprotocol/protocolVersion': fc.constantFrom('2026-07-28', '2026-07-28', '2025-11-25', '1900-01-01'),
    'io.modelcontextprotocol/clientCapabilities': fc.oneof(fc.constant({}), fc.constant({ elicitation: {}, sampling: {}, roots: {} }), json),
    'io.modelcontextprotocol/logLevel': fc.constantFrom('debug', 'error', 'loud'),
    progressToken: fc.oneof(fc.integer(), fc.string({ maxLength: 4 })),
  },
  { requiredKeys: [] },
);
const params = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 3 }),
  fc.record({ name: fc.oneof(fc.constantFrom(...toolNames, 'test_prompt_with_arguments', 'test_simple_prompt'), fc.string({ maxLength: 5 })), arguments: fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), json, { maxKeys: 3 }), json), _meta: meta }, { requiredKeys: ['name'] }),
  fc.record({ uri: fc.oneof(fc.constantFrom('test://static-text', 'test://template/x/data', 'test://items/3', 'test://none'), fc.string({ maxLength: 8 })), _meta: meta }, { requiredKeys: [] }),
  fc.record({ protocolVersion: fc.constantFrom(...REVISIONS, 'x'), capabilities: json, clientInfo: fc.oneof(fc.constant({ name: 'f', version: '1' }), json) }, { requiredKeys: [] }),
  fc.record({ cursor: fc.string({ maxLength: 10 }), level: fc.constantFrom('debug', 'info', 'nope'), _meta: meta }, { requiredKeys: [] }),
  fc.record({ notifications: fc.record({ toolsListChanged: fc.boolean(), resourceSubscriptions: fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }) }, { requiredKeys: [] }), _meta: meta }),
  json,
);
const id = fc.oneof({ weight: 6, arbitrary: fc.constant('unique') }, fc.constant(null), fc.boolean(), fc.double({ noNaN: true, min: 0.1, max: 9 }).filter((d) => !Number.isInteger(d)), fc.constant({}));
const message = fc.record(
  {
    jsonrpc: fc.constantFrom('2.0', '2.0', '2.0', '2.0', '1.0'),
    id,
    method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...methods) }, fc.string({ maxLength: 6 }), fc.integer()),
    params,
    result: json,
  },
  { requiredKeys: ['jsonrpc'] },
);
const frame = fc.oneof(
  { weight: 12, arbitrary: message.map((m) => ({ kind: 'message' as const, value: m as Record<string, unknown> })) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map((s) => ({ kind: 'text' as const, value: s })) },
  { weight: 1, arbitrary: json.map((v) => ({ kind: 'json' as const, value: v })) },
  { weight: 1, arbitrary: fc.array(message, { maxLength: 3 }).map((v) => ({ kind: 'batch' as const, value: v as Record<string, unknown>[] })) },
  { weight: 1, arbitrary: message.map((m) => ({ kind: 'cut' as const, value: JSON.stringify(m).slice(0, 9) })) },
);
type Frame = typeof frame extends fc.Arbitrary<infer T> ? T : never;

interface Expect {
  /** Request ids that must get exactly one answer (subscriptions/listen may stay open). */
  answered: Map<string, string>;
  /** Frames that must be answered with id null (-32700 or -32600). */
  nullAnswers: number;
}

let counter = 0;
/** Gives requests unique ids (so answers can be matched) and works out what must be answered. */
function prepare(f: Frame, exp: Expect): string {
  const one = (m: Record<string, unknown>): Record<string, unknown> => {
    const out = { ...m };
    if (out.id === 'unique') out.id = counter % 2 ? `f${counter++}` : counter++;
    if (!Object.hasOwn(m, 'id')) delete out.id;
    const isRequest = typeof out.method === 'string' && Object.hasOwn(out, 'id');
    const isResponse = typeof out.method !== 'string' && Object.hasOwn(out, 'result');
    const validId = typeof out.id === 'string' || (typeof out.id === 'number' && Number.isInteger(out.id));
    if (isRequest && validId) exp.answered.set(JSON.stringify(out.id), String(out.method));
    else if (isRequest) exp.nullAnswers++;
    else if (typeof out.method !== 'string' && !isResponse) {
      if (validId) exp.answered.set(JSON.stringify(out.id), '(invalid)');
      else exp.nullAnswers++;
    }
    return out;
  };
  switch (f.kind) {
    case 'message':
      return JSON.stringify(one(f.value));
    case 'batch':
      if (f.value.length === 0) exp.nullAnswers++;
      return JSON.stringify(f.value.map(one));
    case 'json': {
      // Random JSON carries no ids (they could collide with the unique ones): answers, if any, have id null.
      const noId = (v: unknown) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
        const { id: _id, ...rest } = v as Record<string, unknown>;
        return rest;
      };
      const v = Array.isArray(f.value) ? f.value.map(noId) : noId(f.value);
      const invalid = (x: unknown) => typeof x !== 'object' || x === null || Array.isArray(x) || (!Object.hasOwn(x, 'method') && !Object.hasOwn(x, 'result') && !Object.hasOwn(x, 'error'));
      if (Array.isArray(v)) exp.nullAnswers += v.length === 0 ? 1 : v.filter(invalid).length;
      else if (invalid(v)) exp.nullAnswers++;
      return JSON.stringify(v);
    }
    case 'text':
    case 'cut': {
      let parses = true;
      try {
        JSON.parse(f.value);
      } catch {
        parses = false;
      }
      // Not JSON: -32700; JSON (sent as a string value instead): not an object, -32600. Both with id null.
      exp.nullAnswers++;
      return parses ? JSON.stringify('text') : f.value;
    }
  }
}

export interface FuzzOutcome {
  sent: number;
  ms: number;
  cpuMs: number;
  heapGrowthMiB: number;
  /** Every departure from the rules, per session (empty: all good). */
  failures: string[];
  problems: string[];
  observed: number;
}

/** Heap in use after a full collection: what is retained, not what the collector has not reached yet. */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

export async function runFuzz(seed: number, sessions: number, perSession: number): Promise<FuzzOutcome> {
  const server = createMockServer({ ...REFERENCE_OPTIONS, requestTimeoutMs: 200, historyLimit: 500 }, referenceTools.filter((t) => t.kind !== 'tool' || t.name !== 'slow'), referenceResources, referencePrompts);
  const failures: string[] = [];
  const heapBefore = heapAfterGc();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let sent = 0;
  for (let s = 0; s < sessions; s++) {
    // Generated per session, so the frames of one session are garbage once it is done.
    const frames = fc.sample(frame, { seed: seed + s, numRuns: perSession });
    const [client, serverSide] = createMemoryPair();
    const session = await server.connect(serverSide);
    const exp: Expect = { answered: new Map(), nullAnswers: 0 };
    const answers = new Map<string, number>();
    let nullAnswers = 0;
    let last = performance.now();
    client.onmessage = (m) => {
      last = performance.now();
      const msg = m as Record<string, unknown>;
      // A server→client request (sampling, elicitation…) is left unanswered: it times out.
      if (typeof msg.method === 'string') return;
      if (msg.id === null) nullAnswers++;
      else answers.set(JSON.stringify(msg.id), (answers.get(JSON.stringify(msg.id)) ?? 0) + 1);
    };
    client.onmalformed = (raw) => failures.push(`session ${s}: the mock sent a frame that is not JSON: ${raw.slice(0, 80)}`);
    const t: Transport = client;
    for (const f of frames) {
      await t.send({ raw: prepare(f, exp) });
      sent++;
      // Let the mock keep up (and handlers finish) every so often.
      if (sent % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    // Quiet for 300 ms (server→client requests time out after 200 ms), at most 10 s.
    const deadline = performance.now() + 10_000;
    while (performance.now() - last < 300 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const tag = `session ${s}:`;
    // Never a schema-invalid message from the mock.
    for (const v of session.peer.violations.filter((x) => x.dir === 'send').slice(0, 5)) failures.push(`${tag} sent an invalid message ${JSON.stringify(v.message).slice(0, 200)}: ${JSON.stringify(v.violations)}`);
    // Every request with a valid id answered exactly once (open listen streams excepted).
    for (const [k, method] of exp.answered) {
      const n = answers.get(k) ?? 0;
      if (n > 1) failures.push(`${tag} ${k} ${method} answered ${n} times`);
      if (n === 0 && method !== 'subscriptions/listen' && method !== 'notifications/cancelled') failures.push(`${tag} ${k} ${method} not answered`);
    }
    for (const k of answers.keys()) if (!exp.answered.has(k)) failures.push(`${tag} an answer to ${k}, which nobody asked`);
    if (nullAnswers !== exp.nullAnswers) failures.push(`${tag} ${nullAnswers} answers with id null, expected ${exp.nullAnswers}`);
    // Bounded per-connection history (trimmed in bulk: at most twice historyLimit).
    if (session.peer.received.length > 1000) failures.push(`${tag} ${session.peer.received.length} received messages kept`);
    if (session.peer.violations.length > 1000) failures.push(`${tag} ${session.peer.violations.length} violations kept`);
    if (session.peer.wire.entries.length > 20_000) failures.push(`${tag} ${session.peer.wire.entries.length} wire entries kept`);
    await session.close();
  }
  const cpu = process.cpuUsage(cpu0);
  const outcome: FuzzOutcome = {
    sent,
    ms: Math.round(performance.now() - t0),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    heapGrowthMiB: (heapAfterGc() - heapBefore) / 1024 / 1024,
    failures,
    problems: [...server.problems],
    observed: server.observed.length,
  };
  await server.close();
  return outcome;
}
