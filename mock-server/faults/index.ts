// Fault injection. Message-level faults wrap any Transport (what one side sends is delayed,
// dropped, duplicated, corrupted…); HTTP-level faults plug into the Streamable HTTP handler's
// httpFault hook (http.ts). A fault applies per message, per method, every nth, after n, or with
// a probability drawn from a seeded generator, so a failing run can be replayed exactly.
import { isObject } from '../../schema/index.ts';
import { frameText, isRawFrame, type Transport } from '../transport.ts';

export const MESSAGE_FAULTS = ['delay', 'drop', 'disconnect', 'duplicate', 'wrong-id', 'malformed', 'oversized', 'reorder', 'stderr-noise'] as const;
export const HTTP_FAULTS = ['http-status', 'expire-session', 'slow-sse', 'stuck-sse', 'broadcast'] as const;
export type FaultKind = (typeof MESSAGE_FAULTS)[number] | (typeof HTTP_FAULTS)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** Only messages of this method (for responses: answering a request of it). */
  method?: string;
  /** Only the nth matching message (1-based). */
  nth?: number;
  /** Every nth matching message. */
  every?: number;
  /** Only after this many matching messages went through untouched. */
  after?: number;
  /** Probability per matching message (seeded). */
  p?: number;
  /** delay: milliseconds (default 1000); slow-sse: pause between events (default 1000). */
  ms?: number;
  /** oversized: size of the padding (default 4 MiB). */
  bytes?: number;
  /** duplicate: extra copies (1); reorder: messages held and reversed (2); stderr-noise: lines (3). */
  count?: number;
  /** http-status: the status (default 500). */
  status?: number;
  /** 'out' (default): what this side sends; 'in': what it receives (delay, drop, duplicate). */
  direction?: 'out' | 'in';
}

export type FaultInput = string | FaultSpec;

const ALL_KINDS: readonly string[] = [...MESSAGE_FAULTS, ...HTTP_FAULTS];
const NUMERIC = new Set(['nth', 'every', 'after', 'p', 'ms', 'bytes', 'count', 'status']);
/** What a bare value means per kind: `delay:500`, `http-status:503`, `reorder:3`. */
const BARE: Partial<Record<FaultKind, keyof FaultSpec>> = {
  delay: 'ms',
  'slow-sse': 'ms',
  oversized: 'bytes',
  duplicate: 'count',
  reorder: 'count',
  'stderr-noise': 'count',
  'http-status': 'status',
  drop: 'method',
  disconnect: 'method',
};

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

/** Parses `kind[:key=value,…]`, e.g. `delay:ms=500,method=tools/call` or `http-status:503,p=0.5`. */
export function parseFault(text: string): FaultSpec {
  const [kindPart, rest = ''] = splitOnce(text.trim(), ':');
  const kind = kindPart.trim();
  if (!ALL_KINDS.includes(kind)) throw new FaultSpecError(`unknown fault "${kind}" (known: ${ALL_KINDS.join(', ')})`);
  const spec: Record<string, unknown> = { kind };
  for (const part of rest.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    let k: string;
    let v: string;
    if (eq === -1) {
      const bare = BARE[kind as FaultKind];
      if (!bare) throw new FaultSpecError(`fault "${kind}": "${part}" needs a key (key=value)`);
      k = bare;
      v = part;
    } else {
      k = part.slice(0, eq).trim();
      v = part.slice(eq + 1).trim();
    }
    spec[k] = v;
  }
  return checkFault(spec);
}

/** Validates a fault object (from a script) and converts numeric fields. */
export function checkFault(input: Record<string, unknown>): FaultSpec {
  const kind = input.kind;
  if (typeof kind !== 'string' || !ALL_KINDS.includes(kind)) throw new FaultSpecError(`unknown fault "${String(kind)}" (known: ${ALL_KINDS.join(', ')})`);
  const out: Record<string, unknown> = { kind };
  for (const [k, raw] of Object.entries(input)) {
    if (k === 'kind') continue;
    if (NUMERIC.has(k)) {
      const n = typeof raw === 'number' ? raw : Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new FaultSpecError(`fault "${kind}": ${k} must be a non-negative number, got "${String(raw)}"`);
      if (k === 'p' && n > 1) throw new FaultSpecError(`fault "${kind}": p must be between 0 and 1`);
      if (k !== 'p' && !Number.isInteger(n)) throw new FaultSpecError(`fault "${kind}": ${k} must be an integer`);
      out[k] = n;
    } else if (k === 'method') {
      out[k] = String(raw);
    } else if (k === 'direction') {
      if (raw !== 'in' && raw !== 'out') throw new FaultSpecError(`fault "${kind}": direction must be in or out`);
      out[k] = raw;
    } else {
      throw new FaultSpecError(`fault "${kind}": unknown option "${k}" (options: method, nth, every, after, p, ms, bytes, count, status, direction)`);
    }
  }
  if (out.direction === 'in' && !['delay', 'drop', 'duplicate'].includes(kind)) throw new FaultSpecError(`fault "${kind}": only delay, drop and duplicate apply to incoming messages`);
  return out as unknown as FaultSpec;
}

export function toFaultSpec(f: FaultInput): FaultSpec {
  return typeof f === 'string' ? parseFault(f) : checkFault(f as unknown as Record<string, unknown>);
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i === -1 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

/** A small seeded PRNG (mulberry32): the same seed gives the same fault pattern. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides, message by message, whether a fault fires (counting its matches). */
export class FaultGate {
  private matched = 0;
  constructor(readonly spec: FaultSpec, private readonly random: () => number) {}

  fires(method: string | undefined): boolean {
    const s = this.spec;
    if (s.method !== undefined && s.method !== method) return false;
    this.matched++;
    const n = this.matched;
    if (s.after !== undefined && n <= s.after) return false;
    if (s.nth !== undefined && n !== s.nth) return false;
    if (s.every !== undefined && n % s.every !== 0) return false;
    if (s.p !== undefined && this.random() >= s.p) return false;
    return true;
  }
}

export interface FaultOptions {
  seed?: number;
  /** Where stderr-noise goes (default: process.stderr). */
  stderr?: (text: string) => void;
  /** The transport frames messages as lines (stdio): malformed frames then end with a newline. */
  lineFramed?: boolean;
  /** Called for every fault that fires (also reported through onnote). */
  onfault?: (kind: FaultKind, detail: string) => void;
}

/** Wraps a transport so the given message-level faults happen to what passes through it. */
export class FaultyTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onmalformed?: Transport['onmalformed'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  onnote?: Transport['onnote'];
  /** Faults that fired, in order. */
  readonly fired: { kind: FaultKind; detail: string }[] = [];
  private readonly out: FaultGate[];
  private readonly inn: FaultGate[];
  /** Methods of requests received, to know what a response answers. */
  private readonly incomingMethods = new Map<string, string>();
  private readonly outgoingMethods = new Map<string, string>();
  private held: unknown[] = [];
  private heldTimer?: NodeJS.Timeout;
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(readonly inner: Transport, faults: readonly FaultInput[], readonly options: FaultOptions = {}) {
    const random = seededRandom(options.seed ?? 1);
    const specs = faults.map(toFaultSpec).filter((f) => (MESSAGE_FAULTS as readonly string[]).includes(f.kind));
    this.out = specs.filter((f) => f.direction !== 'in').map((f) => new FaultGate(f, random));
    this.inn = specs.filter((f) => f.direction === 'in').map((f) => new FaultGate(f, random));
    inner.onmessage = (m, info) => this.receive(m, info);
    inner.onmalformed = (raw, err) => this.onmalformed?.(raw, err);
    inner.onclose = (reason) => {
      this.closed = true;
      this.clearTimers();
      this.onclose?.(reason);
    };
    inner.onerror = (err) => this.onerror?.(err);
    inner.onnote = (note) => this.onnote?.(note);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  async close(): Promise<void> {
    this.clearTimers();
    await this.inner.close();
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.heldTimer) clearTimeout(this.heldTimer);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private record(kind: FaultKind, detail: string): void {
    this.fired.push({ kind, detail });
    if (this.fired.length > 10_000) this.fired.splice(0, 5_000);
    this.onnote?.(`fault ${kind}: ${detail}`);
    this.options.onfault?.(kind, detail);
  }

  private methodOf(m: unknown, table: Map<string, string>): string | undefined {
    if (!isObject(m)) return undefined;
    if (typeof m.method === 'string') return m.method;
    return table.get(JSON.stringify(m.id));
  }

  private receive(m: unknown, info: Parameters<NonNullable<Transport['onmessage']>>[1]): void {
    if (isObject(m) && typeof m.method === 'string' && Object.hasOwn(m, 'id')) {
      this.incomingMethods.set(JSON.stringify(m.id), m.method);
      if (this.incomingMethods.size > 10_000) this.incomingMethods.clear();
    }
    const method = this.methodOf(m, this.outgoingMethods);
    for (const g of this.inn) {
      if (!g.fires(method)) continue;
      const what = describe(m, method);
      switch (g.spec.kind) {
        case 'drop':
          this.record('drop', `incoming ${what}`);
          return;
        case 'delay': {
          const ms = g.spec.ms ?? 1000;
          this.record('delay', `incoming ${what} by ${ms} ms`);
          this.later(ms, () => this.onmessage?.(m, info));
          return;
        }
        case 'duplicate':
          this.record('duplicate', `incoming ${what}`);
          for (let i = 0; i < (g.spec.count ?? 1); i++) this.onmessage?.(m, info);
          break;
        default:
          break;
      }
    }
    this.onmessage?.(m, info);
  }

  async send(message: unknown): Promise<void> {
    if (isObject(message) && typeof message.method === 'string' && Object.hasOwn(message, 'id')) {
      this.outgoingMethods.set(JSON.stringify(message.id), message.method);
      if (this.outgoingMethods.size > 10_000) this.outgoingMethods.clear();
    }
    const method = isRawFrame(message) ? undefined : this.methodOf(message, this.incomingMethods);
    let msg = message;
    let copies = 1;
    for (const g of this.out) {
      if (!g.fires(method)) continue;
      const what = describe(msg, method);
      switch (g.spec.kind) {
        case 'drop':
          this.record('drop', what);
          return;
        case 'disconnect':
          this.record('disconnect', `instead of ${what}`);
          await this.inner.close();
          return;
        case 'delay': {
          const ms = g.spec.ms ?? 1000;
          this.record('delay', `${what} by ${ms} ms`);
          const delayed = msg;
          this.later(ms, () => void this.inner.send(delayed).catch(() => {}));
          return;
        }
        case 'duplicate':
          copies += g.spec.count ?? 1;
          this.record('duplicate', `${what} ×${copies}`);
          break;
        case 'wrong-id':
          if (isObject(msg) && Object.hasOwn(msg, 'id') && typeof msg.method !== 'string') {
            const id = msg.id;
            const wrong = typeof id === 'number' ? id + 1_000_000 : `${String(id)}-wrong`;
            this.record('wrong-id', `${what}: id ${JSON.stringify(id)} → ${JSON.stringify(wrong)}`);
            msg = { ...msg, id: wrong };
          }
          break;
        case 'malformed': {
          const text = frameText(msg);
          const cut = `${text.slice(0, Math.max(1, Math.floor(text.length / 2)))}`;
          this.record('malformed', `${what} cut to ${cut.length} of ${text.length} chars`);
          msg = { raw: this.options.lineFramed ? `${cut}\n` : cut };
          break;
        }
        case 'oversized': {
          const bytes = g.spec.bytes ?? 4 * 1024 * 1024;
          if (isObject(msg)) {
            const padding = 'x'.repeat(bytes);
            if (isObject(msg.result)) msg = { ...msg, result: { ...msg.result, _meta: { ...(isObject(msg.result._meta) ? msg.result._meta : {}), 'dev.mcp-conform/padding': padding } } };
            else if (isObject(msg.error)) msg = { ...msg, error: { ...msg.error, data: { padding } } };
            else msg = { ...msg, params: { ...(isObject(msg.params) ? msg.params : {}), _meta: { ...(isObject(msg.params) && isObject(msg.params._meta) ? msg.params._meta : {}), 'dev.mcp-conform/padding': padding } } };
            this.record('oversized', `${what} padded by ${bytes} bytes`);
          }
          break;
        }
        case 'reorder':
          this.hold(msg, g.spec.count ?? 2, what);
          return;
        case 'stderr-noise': {
          const lines = g.spec.count ?? 3;
          const sink = this.options.stderr ?? ((t: string) => void process.stderr.write(t));
          let noise = '';
          for (let i = 0; i < lines; i++) noise += i % 2 ? `{"jsonrpc":"2.0","note":"stderr noise ${i} is not a message"\n` : `[mock] debug noise line ${i} before ${what}\n`;
          sink(noise);
          this.record('stderr-noise', `${lines} line(s) before ${what}`);
          break;
        }
        default:
          break;
      }
    }
    for (let i = 0; i < copies; i++) await this.inner.send(msg);
  }

  /** Holds messages until `count` are waiting, then sends them newest first (or flushes after 500 ms). */
  private hold(msg: unknown, count: number, what: string): void {
    this.held.push(msg);
    this.record('reorder', `holding ${what} (${this.held.length}/${count})`);
    const flush = () => {
      if (this.heldTimer) clearTimeout(this.heldTimer);
      this.heldTimer = undefined;
      const batch = this.held.reverse();
      this.held = [];
      if (this.closed) return;
      void (async () => {
        for (const m of batch) await this.inner.send(m).catch(() => {});
      })();
    };
    if (this.held.length >= count) flush();
    else if (!this.heldTimer) this.heldTimer = setTimeout(flush, 500);
  }
}

function describe(m: unknown, method: string | undefined): string {
  if (isRawFrame(m)) return 'raw frame';
  if (!isObject(m)) return 'message';
  if (typeof m.method === 'string') return Object.hasOwn(m, 'id') ? `request ${m.method} (id ${JSON.stringify(m.id)})` : `notification ${m.method}`;
  return `response to ${method ?? '?'} (id ${JSON.stringify(m.id)})`;
}

/** Wraps a transport with message-level faults (a no-op wrapper when there are none). */
export function withFaults(transport: Transport, faults: readonly FaultInput[], options: FaultOptions = {}): Transport {
  const specs = faults.map(toFaultSpec);
  if (!specs.some((f) => (MESSAGE_FAULTS as readonly string[]).includes(f.kind))) return transport;
  return new FaultyTransport(transport, specs, options);
}

/** One line per fault kind, for --help and the README. */
export const FAULT_HELP: Record<FaultKind, string> = {
  delay: 'delay a message (ms, default 1000)',
  drop: 'never send a message',
  disconnect: 'close the connection instead of sending',
  duplicate: 'send a message twice (count extra copies)',
  'wrong-id': 'answer with an id that matches no request',
  malformed: 'send half of the message: invalid JSON',
  oversized: 'pad a message with bytes of data (default 4 MiB)',
  reorder: 'hold count messages (default 2) and send them newest first',
  'stderr-noise': 'write count lines (default 3) of noise to stderr (stdio)',
  'http-status': 'answer the HTTP request with status (400, 404, 500, 503…)',
  'expire-session': 'end the session: this and later requests get 404',
  'slow-sse': 'answer with an SSE stream that sends one event every ms',
  'stuck-sse': 'answer with an SSE stream that never sends and never closes',
  broadcast: 'also write every response on the open SSE streams of every other session (cross-talk)',
};
