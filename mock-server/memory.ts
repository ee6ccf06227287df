// An in-memory transport pair for unit tests: what one side sends, the other receives, as text
// (so raw frames and malformed JSON behave as on a real wire).
import { deliverFrame, frameText, type Transport } from './transport.ts';

class MemoryTransport implements Transport {
  other?: MemoryTransport;
  closed = false;
  onmessage?: Transport['onmessage'];
  onmalformed?: Transport['onmalformed'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  onnote?: Transport['onnote'];

  async start(): Promise<void> {}

  async send(message: unknown): Promise<void> {
    if (this.closed) throw new Error('in-memory transport is closed');
    const text = frameText(message);
    const peer = this.other;
    // Deliver asynchronously, like a real wire, so a handler never runs inside send().
    queueMicrotask(() => peer?.deliver(text));
  }

  deliver(text: string): void {
    if (!this.closed) deliverFrame(this, text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.('closed locally');
    const peer = this.other;
    if (peer && !peer.closed) {
      peer.closed = true;
      queueMicrotask(() => peer.onclose?.('closed by the other side'));
    }
  }
}

/** Two connected transports: [clientSide, serverSide]. */
export function createMemoryPair(): [Transport, Transport] {
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  a.other = b;
  b.other = a;
  return [a, b];
}
