// Before any check runs: can the target be started and reached at all, and which revisions
// does it speak? (initialize with each revision; it supports those it answers with themselves.)
import { isRevision, isStateless, LATEST_STATEFUL, STATEFUL_REVISIONS, type Revision } from '../../schema/index.ts';
import { MockClient, WireLog, type TargetSpec } from '../../mock-server/index.ts';
import { openTransport } from './connect.ts';
import { discoverTarget, type DiscoverProbe, type StatelessClient } from './stateless.ts';
import { stderrNote } from './stderr-gist.ts';
import { connectionIds } from './crosstalk.ts';
import { listDiscovered, listInitialized, type Listed } from './tool-plan.ts';

export interface RevisionProbe {
  asked: Revision;
  /** The protocolVersion the server answered, or undefined (error / no answer). */
  answered?: string;
  error?: string;
}

export interface ProbeResult {
  /** The target answered an initialize request (with a result or an error). */
  reachable: boolean;
  /** Why it is unreachable: spawn failure, refused connection, no answer, exit. */
  reason?: string;
  /** Revisions the target answered with themselves. */
  supported: Revision[];
  probes: RevisionProbe[];
  /** stderr of a stdio target's first probe (for the error message). */
  stderr?: string;
  /** With `listTools`: the tools listed on a probe's connection, by the revision it initialized at
   * (planToolCalls takes them instead of connecting again). */
  tools?: Map<Revision, Listed>;
}

/** One initialize exchange; never throws. */
async function probeOnce(target: TargetSpec, asked: Revision, timeoutMs: number, listTools = false): Promise<RevisionProbe & { reached: boolean; stderr?: string; tools?: Listed }> {
  const opened = openTransport(target, timeoutMs);
  // Ids of its own: a server that answers on the wrong stream cannot make one probe take another's answer.
  const wire = new WireLog(200);
  const client = new MockClient(opened.transport, { protocolVersion: asked, requestTimeoutMs: timeoutMs, wire, ...connectionIds(target, wire) });
  client.peer.revision = undefined; // probing validates nothing
  const out: RevisionProbe & { reached: boolean; stderr?: string; tools?: Listed } = { asked, reached: false };
  try {
    await client.start();
    const reply = await client.initialize({ timeoutMs });
    out.reached = true;
    if (reply.ok) {
      out.answered = String(reply.result.protocolVersion);
      if (listTools && out.answered === asked) out.tools = await listInitialized(client, timeoutMs);
    } else out.error = `initialize answered error ${reply.error.code}: ${reply.error.message}`;
  } catch (err) {
    out.error = (err as Error).message;
  } finally {
    const stderr = opened.stderr?.().trim();
    if (stderr) out.stderr = stderr.slice(-2_000);
    // A probe that failed says why in the server's own words too (it may have died).
    const said = out.error && stderr ? stderrNote(stderr) : '';
    if (said) out.error += ` (${said})`;
    await client.close().catch(() => {});
  }
  return out;
}

/**
 * Probes the target. `revisions: 'all'` asks every stateful revision and keeps those it supports;
 * an explicit list is kept as given (checks at an unsupported one end not-applicable).
 */
export async function probeTarget(target: TargetSpec, revisions: Revision[] | 'all', timeoutMs: number, opts: { sequential?: boolean; listTools?: boolean } = {}): Promise<ProbeResult> {
  const list = opts.listTools ?? false;
  const wanted = revisions === 'all' ? null : revisions;
  const first: Revision = wanted?.find((r) => !isStateless(r)) ?? LATEST_STATEFUL;
  const listedModern = new Map<Revision, Listed>();
  const listModern = (rev: Revision) => (list ? async (s: StatelessClient, d: DiscoverProbe) => void listedModern.set(rev, await listDiscovered(s, d.result, timeoutMs)) : undefined);
  if (wanted && wanted.every(isStateless)) {
    // No initialize from 2026-07-28 on: server/discover tells reachability (an older server that
    // refuses it is reachable; its stateless checks end not-applicable, saying why).
    const asked = wanted[0]!;
    const d = await discoverTarget(target, asked, timeoutMs, listModern(asked));
    if (d.unreachable) return { reachable: false, reason: d.reason, supported: [], probes: [{ asked, error: d.reason }] };
    return { reachable: true, supported: [...wanted], probes: [d.speaks ? { asked, answered: asked } : { asked, error: d.reason }], ...(list ? { tools: listedModern } : {}) };
  }
  // Asked in parallel with the initialize probes (one after the other with --concurrency 1): does the target also speak 2026-07-28?
  const ask = () => discoverTarget(target, '2026-07-28', timeoutMs, listModern('2026-07-28'));
  const modern = wanted === null && !opts.sequential ? ask() : undefined;
  const p0 = await probeOnce(target, first, timeoutMs, list);
  if (!p0.reached && wanted === null && (await (modern ?? ask())).speaks) {
    // A 2026-07-28-only server need not answer initialize at all.
    const { tools: _none, ...first } = p0;
    return { reachable: true, supported: ['2026-07-28'], probes: [first, { asked: '2026-07-28', answered: '2026-07-28' }], ...(list ? { tools: listedModern } : {}) };
  }
  if (!p0.reached) {
    const result: ProbeResult = { reachable: false, reason: p0.error ?? 'no answer to initialize', supported: [], probes: [p0] };
    if (p0.stderr) result.stderr = p0.stderr;
    return result;
  }
  const probes: (RevisionProbe & { tools?: Listed })[] = [p0];
  const tools = () => (list ? { tools: new Map([...probes.flatMap((p) => (p.tools === undefined ? [] : [[p.asked, p.tools] as const])), ...listedModern]) } : {});
  if (wanted) {
    const { tools: _listed, ...first } = p0;
    return { reachable: true, supported: [...wanted], probes: [first], ...tools() };
  }
  const others = STATEFUL_REVISIONS.filter((r) => r !== first);
  if (opts.sequential) for (const r of others) probes.push(await probeOnce(target, r, timeoutMs, list));
  else probes.push(...(await Promise.all(others.map((r) => probeOnce(target, r, timeoutMs, list)))));
  let supported = probes.filter((p) => p.answered === p.asked).map((p) => p.asked);
  // A server that never echoes a version still says which ones it speaks by answering them.
  if (supported.length === 0) supported = [...new Set(probes.map((p) => p.answered).filter((v): v is Revision => isRevision(v) && !isStateless(v)))];
  const d = wanted === null ? await (modern ?? ask()) : undefined;
  if (d?.speaks) {
    probes.push({ asked: '2026-07-28', answered: '2026-07-28' });
    supported.push('2026-07-28');
  } else if (d?.unreachable) probes.push({ asked: '2026-07-28', error: d.reason });
  if (supported.length === 0) supported = [first];
  supported.sort();
  return { reachable: true, supported, probes: probes.map(({ asked, answered, error }) => ({ asked, ...(answered !== undefined ? { answered } : {}), ...(error !== undefined ? { error } : {}) })), ...tools() };
}
