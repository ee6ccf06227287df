// Cross-talk: a server that sends an answer on a connection whose client never sent that id (it
// answered another client, on the wrong stream). Checks run concurrently, each on connections of
// its own, so one such server defect would otherwise surface as a scatter of unrelated failures
// (a check takes another session's answer for its own, or "hears" an answer to a notification).
//
// Every harness connection numbers its requests in a range of its own (connectionIds), and on
// HTTP and SSE targets each answer is held against what its check sent (read from the wire log):
// an answer to an id the check never sent, or one answer too many to an id it did send (two
// checks may send the same literal id), is someone else's. The Peer logs it with a note and sets
// it aside (strayNote): the check never sees it. A check that cannot tell which of two answers
// was its own ends not-verified (applyCrossTalk), and the run reports the strays once, as
// `transport/cross-talk` (crossTalkResult).
import { specUrl, type Revision } from '../../schema/index.ts';
import type { CheckResult, WireEntry } from '../../reports/index.ts';
import type { FrameInfo, WireLog } from '../../mock-server/index.ts';
import { checkMeta } from './meta.ts';

export const CROSS_TALK = checkMeta({
  id: 'transport/cross-talk',
  title: 'answers reach only the connection that sent the request',
  level: 'MUST',
  requirement: 'The server MUST send each of its JSON-RPC messages on only one of the connected streams; that is, it MUST NOT broadcast the same message across multiple streams.',
  spec: {
    // 2024-11-05 says it through the id rule: a response answers a request of that client.
    '2024-11-05': 'basic/messages#responses',
    '2025-03-26': 'basic/transports#multiple-connections',
    '2025-06-18': 'basic/transports#multiple-connections',
    '2025-11-25': 'basic/transports#multiple-connections',
    // A request's answer is the answer to its own POST (a JSON body or that POST's SSE stream).
    '2026-07-28': 'basic/transports/streamable-http#sending-messages',
  },
});

/**
 * Request ids: connection tag × 1000 + n, all below 2^31 (some servers keep ids in 32-bit
 * integers). Tags have 7 digits and take the process id (vitest runs checks in several worker
 * processes) and a per-process counter, so concurrent connections get ranges of their own. The
 * range is a hint for the wire-log note; what decides is what the check sent (SentIndex).
 */
const PER_CONNECTION = 1_000;
const TAG_MIN = 1_000_000;
const TAG_MAX = 1_999_999;
let connections = 0;

function tagOf(id: unknown): number | undefined {
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return undefined;
  const tag = Math.floor(id / PER_CONNECTION);
  return tag >= TAG_MIN && tag <= TAG_MAX ? tag : undefined;
}

export const STRAY_NOTE = 'cross-talk';
/** In the note of an answer that makes a check's own answers uncertain (see applyCrossTalk). */
const AMBIGUOUS = 'already had its answer';

const isId = (id: unknown) => typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id));

/** What a check sent so far, read from its wire log as it grows, and the answers it took. */
class SentIndex {
  private seen = 0;
  /** How many requests the check sent with each id, and how many answers to it it took. */
  private readonly ids = new Map<string, number>();
  private readonly answered = new Map<string, number>();
  /** Frames a server may answer with `id: null` (not JSON, a batch, no readable id, not a valid request…). */
  private nullable = 0;
  private nullAnswered = 0;
  /** Ids of invalid requests: answered with their id or with null, not both. */
  private readonly flex = new Set<string>();
  private flexAnswered = 0;

  constructor(private readonly wire: WireLog) {}

  private catchUp(): void {
    const entries = this.wire.entries;
    for (; this.seen < entries.length; this.seen++) {
      const e = entries[this.seen]!;
      if (e.dir !== 'send') continue;
      let msg = e.msg;
      if (msg === undefined) {
        if (e.raw === undefined) continue; // a note
        try {
          msg = JSON.parse(e.raw) as unknown;
        } catch {
          // Not JSON: answered with id null; the ids it names count as sent all the same.
          this.nullable++;
          for (const m of e.raw.matchAll(/"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)/g)) {
            try {
              this.add(JSON.parse(m[1]!));
            } catch {
              // not an id after all
            }
          }
          continue;
        }
      }
      if (Array.isArray(msg)) {
        this.nullable++; // a batch may be refused as a whole
        for (const m of msg) this.addMessage(m, false);
      } else this.addMessage(msg, true);
    }
  }

  private add(id: unknown): string {
    const k = JSON.stringify(id);
    this.ids.set(k, (this.ids.get(k) ?? 0) + 1);
    return k;
  }

  private addMessage(m: unknown, countInvalid: boolean): void {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      if (countInvalid) this.nullable++;
      return;
    }
    const o = m as Record<string, unknown>;
    const k = Object.hasOwn(o, 'id') && isId(o.id) ? this.add(o.id) : undefined;
    const invalid = typeof o.method !== 'string' || o.jsonrpc !== '2.0' || (Object.hasOwn(o, 'id') && !isId(o.id));
    if (!invalid) return;
    this.nullable++;
    if (k !== undefined) this.flex.add(k);
  }

  /**
   * Is this answer the check's to judge? Yes when it answers an id the check sent and has not
   * had every answer to yet (another check may send the same literal id: its answer is then one
   * too many here); a null id likewise, against what the check sent that may be answered so.
   * 'ambiguous': taken, but an invalid request now has an answer by id and one by null: one of
   * them was another check's.
   */
  owes(id: unknown): 'yes' | 'ambiguous' | 'never sent' | 'already answered' {
    this.catchUp();
    if (this.wire.dropped > 0) return 'yes';
    if (id === null || id === undefined) {
      if (this.nullAnswered >= this.nullable) return this.nullable === 0 ? 'never sent' : 'already answered';
      this.nullAnswered++;
      return this.nullAnswered + this.flexAnswered > this.nullable ? 'ambiguous' : 'yes';
    }
    const k = JSON.stringify(id);
    const sent = this.ids.get(k) ?? 0;
    if (sent === 0) return 'never sent';
    const got = this.answered.get(k) ?? 0;
    if (got >= sent) return 'already answered';
    this.answered.set(k, got + 1);
    if (!this.flex.has(k)) return 'yes';
    this.flexAnswered++;
    return this.nullAnswered + this.flexAnswered > this.nullable ? 'ambiguous' : 'yes';
  }
}

/** One index per check (its connections share the wire log), so literal ids are counted per check. */
const indexes = new WeakMap<WireLog, SentIndex>();
function sentIndex(wire: WireLog): SentIndex {
  let i = indexes.get(wire);
  if (!i) {
    i = new SentIndex(wire);
    indexes.set(wire, i);
  }
  return i;
}

export interface ConnectionIds {
  firstId: number;
  strayNote?: (m: Record<string, unknown>, info: FrameInfo) => string | undefined;
}

/**
 * What a new connection's MockClient gets: its own id range and, for HTTP and SSE targets (where
 * concurrent connections share one server), the rule that sets aside responses to ids neither it
 * nor any other connection of its check sent — read from the check's wire log. (A stdio target
 * is a process per connection: nothing can stray there, and an odd id is that server's own bug.)
 */
export function connectionIds(target: { kind: string }, wire: WireLog, existing?: number): ConnectionIds {
  // A shared session changing hands (session-pool.ts) keeps its connection's range.
  const tag = existing !== undefined ? Math.floor(existing / PER_CONNECTION) : TAG_MIN + (process.pid % 1_000) * 1_000 + (connections++ % 1_000);
  const firstId = existing ?? tag * PER_CONNECTION + 1;
  if (target.kind !== 'http' && target.kind !== 'sse') return { firstId };
  const sent = sentIndex(wire);
  return {
    firstId,
    strayNote: (m, info) => {
      if (typeof m.method === 'string' || !(Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error'))) return undefined;
      // The whole body of the HTTP response to our own POST (the HTTP client notes it "HTTP <status>…")
      // answers that POST: only streams can carry someone else's answers.
      if (info.note?.startsWith('HTTP ')) return undefined;
      // A numbered id names its connection: this one's answers (a duplicate too) are the check's to
      // judge; another's are cross-talk, even when that connection belongs to the same check.
      const other = tagOf(m.id);
      if (other === tag) return undefined;
      const owed = other === undefined ? sent.owes(m.id) : 'never sent';
      if (owed === 'yes') return undefined;
      if (owed === 'ambiguous') {
        // Taken (it may be the check's own), but marked: the check's verdict cannot be trusted.
        wire.note('recv', `${STRAY_NOTE} (${AMBIGUOUS}): an invalid request of this check was answered both by id and with id null; one answer was another check's`);
        return undefined;
      }
      const what =
        m.id === null || m.id === undefined
          ? owed === 'already answered'
            ? `with ${m.id === null ? 'id null' : 'no id'}, one more than this check sent frames that could be answered so: it ${AMBIGUOUS} (another check's was one of them)`
            : `with ${m.id === null ? 'id null' : 'no id'}, and this check sent nothing that could be answered without an id`
          : other !== undefined
            ? `to id ${JSON.stringify(m.id)}, from the id range of another connection`
            : owed === 'already answered'
              ? `to id ${JSON.stringify(m.id)}, which this check sent and ${AMBIGUOUS} to (another check sends that id too)`
              : `to id ${JSON.stringify(m.id)}, which this check never sent`;
      return `${STRAY_NOTE}: a response ${what}; set aside, not judged here (see transport/cross-talk)`;
    },
  };
}

/** What one check saw: how many strays, and the first one (a compact wire entry). */
export interface CrossTalk {
  count: number;
  first: WireEntry;
}


/**
 * Records on a check's result what strayed into its connections, and when an answer to one of
 * its own ids came twice (another check sent the same literal id, and both answers reached this
 * check), makes the verdict not-verified: which answer was this check's cannot be told, so
 * neither its verdict nor the schema violations it collected can be trusted.
 */
export function applyCrossTalk(result: CheckResult, entries: readonly WireEntry[], strayCount: number, compact: (e: WireEntry) => WireEntry): void {
  const strays = entries.filter((e) => e.dir === 'recv' && e.msg !== undefined && e.note?.includes(`${STRAY_NOTE}:`));
  const first = strays[0];
  if (!first) return;
  result.crossTalk = { count: Math.max(strays.length, strayCount), first: compact(first) };
  const twice = entries.filter((e) => e.dir === 'recv' && e.note?.includes(AMBIGUOUS));
  if (twice.length === 0 || result.verdict === 'not-applicable' || result.verdict === 'not-verified') return;
  const ids = [...new Set(twice.map((e) => JSON.stringify((e.msg as { id?: unknown } | undefined)?.id ?? null)))].slice(0, 3).join(', ');
  const had = result.verdict === 'pass' ? 'it would have passed' : `it would have said: ${result.message}`;
  result.message = `not verified: answers to ids this check sent (${ids}) came twice, one from another check's request (cross-talk, see transport/cross-talk), so which was its own cannot be told; rerun with --concurrency 1 (${had})`;
  result.verdict = 'not-verified';
  result.evidence = twice.slice(0, 4).map(compact);
  delete result.violations;
}

const SHOWN = 3;

/**
 * The one run-level `transport/cross-talk` result, for runs against an HTTP or SSE target (a
 * stdio target is a process per connection: nothing can stray). Fails when any check saw a stray;
 * passes when checks ran side by side and none did; not-verified when they ran one at a time.
 */
export function crossTalkResult(checks: readonly CheckResult[], run: { revisions: readonly Revision[]; transport: string; concurrency?: number }): CheckResult | undefined {
  if (run.transport !== 'http' && run.transport !== 'sse') return undefined;
  const rev = [...run.revisions].reverse().find((r) => CROSS_TALK.spec[r] !== undefined);
  const page = rev ? CROSS_TALK.spec[rev] : undefined;
  const base: CheckResult = {
    id: CROSS_TALK.id,
    title: CROSS_TALK.title,
    level: CROSS_TALK.level,
    revision: null,
    verdict: 'pass',
    message: '',
    requirement: CROSS_TALK.requirement,
    specUrl: rev && page ? specUrl(rev, page) : null,
    durationMs: 0,
    wireLog: null,
  };
  const hit = checks.filter((c) => c.crossTalk !== undefined && c.id !== CROSS_TALK.id);
  if (hit.length === 0) {
    if ((run.concurrency ?? 2) <= 1) return { ...base, verdict: 'not-verified', message: 'checks ran one at a time (--concurrency 1), and none that held two sessions at once saw an answer stray' };
    return base;
  }
  const count = hit.reduce((n, c) => n + (c.crossTalk?.count ?? 0), 0);
  const first = hit[0]!;
  const firstId = (first.crossTalk?.first.msg as { id?: unknown } | undefined)?.id;
  const evidence: WireEntry[] = hit.slice(0, SHOWN).map((c) => ({ ...c.crossTalk!.first, note: `during ${c.id} [${c.revision ?? 'any'}] (${c.wireLog ?? 'no wire log'}): ${c.crossTalk!.count} stray answer(s); first: ${c.crossTalk!.first.note ?? ''}` }));
  return {
    ...base,
    verdict: 'fail',
    message:
      `${count} answer(s) arrived on connections that never sent their ids, in ${hit.length} check(s): the server sends responses on other clients' streams. ` +
      `First: id ${JSON.stringify(firstId)} during ${first.id} [${first.revision ?? 'any'}]${first.wireLog ? ` (${first.wireLog})` : ''}. ` +
      ((run.concurrency ?? 2) <= 1
        ? 'The checks set these answers aside (with --concurrency 1 they came from sessions a check held at once).'
        : 'The checks set these answers aside; rerun with --concurrency 1 for verdicts not exposed to it.'),
    evidence,
    crossTalk: { count, first: first.crossTalk!.first },
  };
}

/**
 * Once a run has shown that the server sends answers on other clients' streams, an answer with id
 * null (a parse error, an invalid request) cannot be attributed: another check's null-id answer
 * may have arrived first, and this check's own after it closed its connection. A verdict that
 * rests on such an answer becomes not-verified, saying so, rather than blaming the check's subject.
 */
function untrustNullIdVerdicts(checks: readonly CheckResult[]): CheckResult[] {
  return checks.map((c) => {
    if ((c.verdict !== 'fail' && c.verdict !== 'warn') || c.id === CROSS_TALK.id) return c;
    const nullId = (c.evidence ?? []).some((e) => {
      const m = e.msg as { id?: unknown; method?: unknown } | undefined;
      return e.dir === 'recv' && m !== undefined && typeof m === 'object' && m !== null && m.method === undefined && (m.id === null || m.id === undefined);
    });
    if (!nullId) return c;
    return {
      ...c,
      verdict: 'not-verified',
      message: `not verified: the server sends answers on other clients' streams (cross-talk, see transport/cross-talk), and an answer with id null cannot be told from another check's; rerun with --concurrency 1 (it would have said: ${c.message})`,
    };
  });
}

/** The checks with transport/cross-talk added (HTTP and SSE targets), and what it makes untrustworthy demoted. */
export function withCrossTalk(checks: readonly CheckResult[], run: { revisions: readonly Revision[]; transport: string; concurrency?: number }): CheckResult[] {
  const xtalk = crossTalkResult(checks, run);
  if (!xtalk) return [...checks];
  return [...(xtalk.verdict === 'fail' ? untrustNullIdVerdicts(checks) : checks), xtalk];
}
