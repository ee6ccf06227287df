// The `broadcast` fault: a server that writes every response it sends on every open SSE stream
// of every session, not only on the stream of the request it answers (a shared fan-out list in
// place of per-request routing). Concurrent clients then receive answers to ids they never sent:
// cross-talk, which the harness reports once as `transport/cross-talk`. It needs a registry
// shared by all the sessions of one handler, so it wraps the session transports, not a request.
import { isObject } from '../../schema/index.ts';
import { frameText, type Transport } from '../transport.ts';
import { SseServerTransport } from '../transports/sse-server.ts';
import { StreamableHttpServerTransport } from '../transports/http-server.ts';
import { FaultGate, seededRandom, toFaultSpec, type FaultInput, type FaultOptions } from './index.ts';

const isResponse = (m: unknown): m is Record<string, unknown> => isObject(m) && typeof m.method !== 'string' && (Object.hasOwn(m, 'result') || Object.hasOwn(m, 'error'));

/** Writes a frame on every open stream of a session's transport; false when none took it. */
function writeOnOpenStreams(t: Transport, text: string): boolean {
  if (t instanceof SseServerTransport) return !t.closed && t.writer.event({ event: 'message', data: text });
  if (t instanceof StreamableHttpServerTransport) {
    if (t.closed) return false;
    let any = false;
    for (const s of t.streams.values()) if (!s.ended && s.writer) any = s.push(text) || any;
    return any;
  }
  return false;
}

/** Sends what its session sends, and copies responses to the other sessions' open streams. */
class BroadcastingTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onmalformed?: Transport['onmalformed'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  onnote?: Transport['onnote'];
  /** Methods of the requests received, to tell what a response answers (the fault's `method`). */
  private readonly methods = new Map<string, string>();

  constructor(
    readonly inner: Transport,
    private readonly fanOut: (from: BroadcastingTransport, message: Record<string, unknown>, method: string | undefined) => void,
  ) {
    inner.onmessage = (m, info) => {
      if (isObject(m) && typeof m.method === 'string' && Object.hasOwn(m, 'id')) {
        this.methods.set(JSON.stringify(m.id), m.method);
        if (this.methods.size > 10_000) this.methods.clear();
      }
      this.onmessage?.(m, info);
    };
    inner.onmalformed = (raw, err) => this.onmalformed?.(raw, err);
    inner.onclose = (reason) => this.onclose?.(reason);
    inner.onerror = (err) => this.onerror?.(err);
    inner.onnote = (note) => this.onnote?.(note);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  async send(message: unknown): Promise<void> {
    await this.inner.send(message);
    if (isResponse(message)) this.fanOut(this, message, this.methods.get(JSON.stringify(message.id)));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface Broadcaster {
  /** Wraps one session's server transport (before the server connects to it). */
  wrap(t: Transport): Transport;
}

/**
 * The broadcaster for a handler's sessions when the faults list `broadcast`, else undefined.
 * The fault's method/nth/every/after/p select which responses are copied.
 */
export function broadcaster(faults: readonly FaultInput[], options: FaultOptions = {}): Broadcaster | undefined {
  const random = seededRandom((options.seed ?? 1) + 13);
  const gates = faults
    .map(toFaultSpec)
    .filter((f) => f.kind === 'broadcast')
    .map((f) => new FaultGate(f, random));
  if (!gates.length) return undefined;
  const live = new Set<BroadcastingTransport>();
  const fanOut = (from: BroadcastingTransport, message: Record<string, unknown>, method: string | undefined) => {
    if (!gates.some((g) => g.fires(method))) return;
    const text = frameText(message);
    let n = 0;
    for (const t of live) if (t !== from && writeOnOpenStreams(t.inner, text)) n++;
    if (n > 0) {
      const detail = `response to ${method ?? '?'} (id ${JSON.stringify(message.id)}) also written to ${n} other session(s)`;
      options.onfault?.('broadcast', detail);
      from.onnote?.(`fault broadcast: ${detail}`);
    }
  };
  return {
    wrap(t) {
      const b = new BroadcastingTransport(t, fanOut);
      live.add(b);
      const onclose = b.inner.onclose;
      b.inner.onclose = (reason) => {
        live.delete(b);
        onclose?.(reason);
      };
      return b;
    },
  };
}
