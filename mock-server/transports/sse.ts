// Server-Sent Events framing shared by every HTTP transport: an encoder for the server side and
// a stream reader (on eventsource-parser) for the client side.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEventInit {
  id?: string;
  event?: string;
  /** Sent as one `data:` line per line of text, so embedded newlines survive the framing. */
  data?: string;
  retry?: number;
}

export type SseEvent = EventSourceMessage;

/** One event in wire form, ending with the blank line that dispatches it. */
export function encodeSseEvent(e: SseEventInit): string {
  let out = '';
  if (e.event !== undefined) out += `event: ${e.event}\n`;
  if (e.id !== undefined) out += `id: ${e.id}\n`;
  if (e.retry !== undefined) out += `retry: ${e.retry}\n`;
  if (e.data !== undefined) for (const line of e.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line: ignored by clients, keeps idle connections alive. */
export function encodeSseComment(text = ''): string {
  return `:${text ? ` ${text}` : ''}\n\n`;
}

export interface SseReadHandlers {
  onevent: (event: SseEvent) => void;
  onretry?: (ms: number) => void;
  oncomment?: (text: string) => void;
  /** Raw text as it arrives, for exchange recording. */
  onchunk?: (text: string) => void;
  onparseerror?: (message: string) => void;
}

/**
 * Reads an SSE body until it ends, fails or `signal` aborts. Resolves with how it ended; never
 * rejects (a broken connection is a result a conformance check wants to see, not an exception).
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  handlers: SseReadHandlers,
  signal?: AbortSignal,
): Promise<{ ended: 'eof' | 'aborted' | 'error'; error?: string }> {
  const parser = createParser({
    onEvent: (e) => handlers.onevent(e),
    onRetry: (ms) => handlers.onretry?.(ms),
    onComment: (c) => handlers.oncomment?.(c),
    onError: (err) => handlers.onparseerror?.(err.message),
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const onAbort = () => void reader.cancel().catch(() => {});
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      handlers.onchunk?.(text);
      parser.feed(text);
    }
    const tail = decoder.decode();
    if (tail) parser.feed(tail);
    return signal?.aborted ? { ended: 'aborted' } : { ended: 'eof' };
  } catch (err) {
    if (signal?.aborted) return { ended: 'aborted' };
    return { ended: 'error', error: (err as Error).message };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
}

/** An SSE response body the server side writes to; `closed` tells whether the reader went away. */
export class SseWriter {
  private controller?: ReadableStreamDefaultController<Uint8Array>;
  private readonly encoder = new TextEncoder();
  closed = false;
  readonly stream: ReadableStream<Uint8Array>;
  /** The reader cancelled (client disconnected). */
  oncancel?: () => void;
  private keepAlive?: NodeJS.Timeout;

  constructor(keepAliveMs?: number) {
    this.stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c;
      },
      cancel: () => {
        this.closed = true;
        this.stopKeepAlive();
        this.oncancel?.();
      },
    });
    if (keepAliveMs && keepAliveMs > 0) {
      this.keepAlive = setInterval(() => this.write(encodeSseComment()), keepAliveMs);
      this.keepAlive.unref();
    }
  }

  write(text: string): boolean {
    if (this.closed || !this.controller) return false;
    try {
      this.controller.enqueue(this.encoder.encode(text));
      return true;
    } catch {
      this.closed = true;
      return false;
    }
  }

  event(e: SseEventInit): boolean {
    return this.write(encodeSseEvent(e));
  }

  close(): void {
    this.stopKeepAlive();
    if (this.closed) return;
    this.closed = true;
    try {
      this.controller?.close();
    } catch {
      // already closed or errored
    }
  }

  private stopKeepAlive(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }
}

export const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  // Tells reverse proxies not to buffer the stream (2026-07-28 streamable-http#receiving-messages).
  'x-accel-buffering': 'no',
};
