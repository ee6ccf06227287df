// Record and replay. Recording proxies a real server: every message between the client and the
// server goes both ways unchanged and into a JSONL cassette, with credentials redacted. Replay
// serves a cassette back as a mock: requests are matched by method and params (ids rewritten),
// what the server sent around each answer is sent again, and an unmatched request gets a clear error.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ErrorCode, isObject, type Current } from '../../schema/index.ts';
import { Peer, RpcError } from '../peer.ts';
import { isRawFrame, type Transport } from '../transport.ts';

export const CASSETTE_VERSION = 1;

export interface CassetteHeader {
  type: 'mcp-conform-cassette';
  version: number;
  /** What was recorded: "stdio: cmd args" or a URL. */
  target: string;
  recordedAt: string;
  /** HTTP headers sent to the target (redacted). */
  headers?: Record<string, string>;
}

export interface CassetteEntry {
  /** Milliseconds since the recording started. */
  t: number;
  /** c2s: client to server; s2c: server to client. */
  dir: 'c2s' | 's2c';
  /** Which client connection (HTTP recordings may hold several). */
  conn?: number;
  msg?: unknown;
  /** A frame that was not JSON, as text. */
  raw?: string;
}

const SECRET_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|x-auth-token|auth[-_]?token|access[-_]?token|refresh[-_]?token|id[-_]?token|token|secret|client[-_]?secret|password|passwd|pwd|private[-_]?key|session[-_]?token|bearer)$/i;
const SECRET_VALUE = [
  /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, // JWT
  /\b(sk|pk|rk)-[A-Za-z0-9_-]{16,}/g, // API keys of several providers
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
];
export const REDACTED = '[REDACTED]';

/** A deep copy with credential-like fields and token-like strings replaced by [REDACTED]. */
export function redact<T>(value: T): T {
  if (typeof value === 'string') {
    let s: string = value;
    for (const re of SECRET_VALUE) s = s.replace(re, (m, scheme: unknown) => (typeof scheme === 'string' && /^(Bearer|Basic|Token)$/.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED));
    return s as T;
  }
  if (Array.isArray(value)) return value.map((v) => redact(v)) as T;
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && v !== '' ? REDACTED : redact(v);
    return out as T;
  }
  return value;
}

export class CassetteWriter {
  private readonly t0 = performance.now();
  constructor(readonly file: string, header: Omit<CassetteHeader, 'type' | 'version' | 'recordedAt'>) {
    mkdirSync(dirname(file), { recursive: true });
    const h: CassetteHeader = { type: 'mcp-conform-cassette', version: CASSETTE_VERSION, recordedAt: new Date().toISOString(), ...header };
    if (h.headers) h.headers = redact(h.headers);
    writeFileSync(file, `${JSON.stringify(h)}\n`);
  }

  write(entry: Omit<CassetteEntry, 't'>): void {
    const e: CassetteEntry = { t: Math.round((performance.now() - this.t0) * 10) / 10, ...entry };
    if (e.msg !== undefined) e.msg = redact(e.msg);
    if (e.raw !== undefined) e.raw = redact(e.raw);
    appendFileSync(this.file, `${JSON.stringify(e)}\n`);
  }
}

/**
 * Pipes two transports into each other, recording both directions: `front` faces the client,
 * `back` reaches the real server. Either side closing closes the other.
 */
export async function recordProxy(front: Transport, back: Transport, writer: CassetteWriter, conn?: number): Promise<{ closed: Promise<string> }> {
  let resolveClosed: (r: string) => void = () => {};
  const closed = new Promise<string>((r) => (resolveClosed = r));
  let done = false;
  const finish = (reason: string, other: Transport) => {
    if (done) return;
    done = true;
    void other.close().catch(() => {});
    resolveClosed(reason);
  };
  const tag = conn === undefined ? {} : { conn };
  front.onmessage = (msg) => {
    writer.write({ dir: 'c2s', msg, ...tag });
    back.send(msg).catch(() => {});
  };
  front.onmalformed = (raw) => {
    writer.write({ dir: 'c2s', raw, ...tag });
    back.send({ raw: `${raw}\n` }).catch(() => {});
  };
  back.onmessage = (msg) => {
    writer.write({ dir: 's2c', msg, ...tag });
    if (isObject(msg) && isObject(msg.result) && typeof msg.result.protocolVersion === 'string') front.setProtocolVersion?.(msg.result.protocolVersion);
    front.send(msg).catch(() => {});
  };
  back.onmalformed = (raw) => {
    writer.write({ dir: 's2c', raw, ...tag });
    front.send({ raw: `${raw}\n` }).catch(() => {});
  };
  back.onnote = (note) => {
    if (note.startsWith('stderr: ')) process.stderr.write(`[server] ${note.slice(8)}\n`);
  };
  front.onclose = (reason) => finish(`client: ${reason}`, back);
  back.onclose = (reason) => finish(`server: ${reason}`, front);
  await back.start();
  await front.start();
  return { closed };
}

export interface Cassette {
  header: CassetteHeader;
  entries: CassetteEntry[];
}

export class CassetteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CassetteError';
  }
}

export function parseCassette(text: string, file = '<cassette>'): Cassette {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (!lines.length) throw new CassetteError(`${file}: empty cassette`);
  const parse = (l: string, i: number): unknown => {
    try {
      return JSON.parse(l);
    } catch (err) {
      throw new CassetteError(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
  };
  const header = parse(lines[0]!, 0);
  if (!isObject(header) || header.type !== 'mcp-conform-cassette') throw new CassetteError(`${file}:1: not an mcp-conform cassette (the first line must be its header)`);
  if (header.version !== CASSETTE_VERSION) throw new CassetteError(`${file}:1: cassette version ${String(header.version)} is not supported (expected ${CASSETTE_VERSION})`);
  const entries = lines.slice(1).map((l, i) => {
    const e = parse(l, i + 1);
    if (!isObject(e) || (e.dir !== 'c2s' && e.dir !== 's2c')) throw new CassetteError(`${file}:${i + 2}: an entry needs dir "c2s" or "s2c"`);
    return e as unknown as CassetteEntry;
  });
  return { header: header as unknown as CassetteHeader, entries };
}

export function readCassette(file: string): Cassette {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CassetteError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseCassette(text, file);
}

interface Exchange {
  method: string;
  params: unknown;
  /** What the server sent while answering (notifications, its own requests), in order. */
  during: unknown[];
  response: Record<string, unknown> | undefined;
  /** What the server sent after answering, before the client's next message. */
  after: unknown[];
  used: number;
}

/** Params compared by replay: _meta is left out (progress tokens, client info and versions vary). */
function comparable(params: unknown): unknown {
  if (!isObject(params)) return params ?? {};
  const { _meta: _m, ...rest } = params;
  return rest;
}

function buildExchanges(entries: CassetteEntry[]): { exchanges: Exchange[]; preamble: unknown[] } {
  const exchanges: Exchange[] = [];
  const preamble: unknown[] = [];
  const open = new Map<string, Exchange>();
  let last: Exchange | undefined;
  // Group by connection so interleaved HTTP sessions do not mix.
  for (const e of entries) {
    const m = e.msg;
    const conn = e.conn ?? 0;
    const k = (id: unknown) => `${conn}:${JSON.stringify(id)}`;
    if (e.dir === 'c2s') {
      if (isObject(m) && typeof m.method === 'string' && Object.hasOwn(m, 'id')) {
        const x: Exchange = { method: m.method, params: m.params, during: [], response: undefined, after: [], used: 0 };
        exchanges.push(x);
        open.set(k(m.id), x);
      }
      last = undefined;
      continue;
    }
    if (m === undefined) continue;
    if (isObject(m) && !Object.hasOwn(m, 'method') && Object.hasOwn(m, 'id')) {
      const x = open.get(k(m.id));
      if (x) {
        x.response = m;
        open.delete(k(m.id));
        last = x;
        continue;
      }
    }
    // A server notification or request: belongs to the exchange in progress, else follows the last answer.
    const inProgress = [...open.values()].at(-1);
    if (inProgress) inProgress.during.push(m);
    else if (last) last.after.push(m);
    else preamble.push(m);
  }
  return { exchanges, preamble };
}

export interface ReplayOptions {
  /** Called for each request no recorded exchange matches (the client gets an error too). */
  onunmatched?: (method: string, params: unknown) => void;
}

/** Serves a cassette on one connection. */
export class ReplayServer {
  readonly exchanges: Exchange[];
  private readonly preamble: unknown[];
  readonly unmatched: { method: string; params: unknown }[] = [];

  constructor(readonly cassette: Cassette, readonly options: ReplayOptions = {}) {
    const built = buildExchanges(cassette.entries);
    this.exchanges = built.exchanges;
    this.preamble = built.preamble;
  }

  /** Finds the recorded exchange for a request: same method and params, unused ones first. */
  match(method: string, params: unknown): Exchange | undefined {
    const want = comparable(params);
    const same = this.exchanges.filter((x) => x.method === method && x.response && isDeepStrictEqual(comparable(x.params), want));
    const hit = same.find((x) => x.used === 0) ?? same.at(-1);
    if (hit) return hit;
    // initialize carries client details that differ between clients: the method alone decides.
    if (method === 'initialize') return this.exchanges.find((x) => x.method === 'initialize' && x.response);
    return undefined;
  }

  async connect(transport: Transport): Promise<Peer> {
    const peer = new Peer(transport, { role: 'server', validate: false, historyLimit: 1000 });
    peer.setFallbackRequestHandler(async (params, ctx) => {
      const x = this.match(ctx.method, params);
      if (!x || !x.response) {
        this.unmatched.push({ method: ctx.method, params });
        this.options.onunmatched?.(ctx.method, params);
        const recorded = this.exchanges.filter((e) => e.method === ctx.method).map((e) => comparable(e.params));
        throw new RpcError(
          ErrorCode.InternalError,
          `replay: no recorded ${ctx.method} request matches these params${recorded.length ? ` (${recorded.length} recorded with other params)` : ' (none recorded)'}`,
          { method: ctx.method, params: comparable(params), recorded: recorded.slice(0, 10) },
        );
      }
      x.used++;
      for (const m of x.during) await this.resend(peer, m, ctx.progressToken);
      const after = x.after;
      if (after.length) setTimeout(() => void (async () => {
        for (const m of after) await this.resend(peer, m, undefined);
      })().catch(() => {}), 0);
      if (Object.hasOwn(x.response, 'error')) {
        const e = x.response.error as { code: number; message: string; data?: unknown };
        throw new RpcError(e.code, e.message, e.data);
      }
      return x.response.result ?? {};
    });
    await peer.start();
    for (const m of this.preamble) await this.resend(peer, m, undefined);
    return peer;
  }

  private async resend(peer: Peer, m: unknown, progressToken: Current['ProgressToken'] | undefined): Promise<void> {
    if (!isObject(m) || typeof m.method !== 'string') {
      if (m !== undefined && !isRawFrame(m)) await peer.send(m).catch(() => {});
      return;
    }
    const params = isObject(m.params) ? { ...m.params } : undefined;
    // Progress belongs to the request being answered now: use its token.
    if (m.method === 'notifications/progress' && params && progressToken !== undefined) params.progressToken = progressToken;
    if (Object.hasOwn(m, 'id')) {
      // A server→client request: asked again with a fresh id; the client's answer is not needed.
      void peer.request(m.method, params, { timeoutMs: 30_000 }).catch(() => {});
      return;
    }
    await peer.notify(m.method, params).catch(() => {});
  }
}
