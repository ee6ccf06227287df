// What the Streamable HTTP and legacy HTTP+SSE client transports share: the Transport callbacks,
// the target URL, the recorder of every HTTP exchange, the fetch in use, and how an outgoing
// frame is read back as JSON.
import { frameText, isRawFrame, type Transport } from '../transport.ts';
import { HttpRecorder, tryParse, type HttpExchange, type RecorderOptions } from './http-common.ts';

export interface HttpClientBaseOptions extends RecorderOptions {
  url: string | URL;
  fetch?: typeof fetch;
}

export abstract class HttpClientBase<O extends HttpClientBaseOptions> implements Transport {
  onmessage?: Transport['onmessage'];
  onmalformed?: Transport['onmalformed'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  onnote?: Transport['onnote'];

  readonly url: URL;
  readonly recorder: HttpRecorder;
  closed = false;
  protected readonly fetchFn: typeof fetch;

  constructor(readonly options: O) {
    this.url = new URL(options.url);
    this.recorder = new HttpRecorder(options);
    this.fetchFn = options.fetch ?? fetch;
  }

  /** Every HTTP exchange so far (oldest dropped past the cap). */
  get exchanges(): HttpExchange[] {
    return this.recorder.exchanges;
  }

  set onexchange(fn: ((x: HttpExchange) => void) | undefined) {
    this.recorder.onexchange = fn;
  }

  get onexchange(): ((x: HttpExchange) => void) | undefined {
    return this.recorder.onexchange;
  }

  abstract start(): Promise<void>;
  abstract send(message: unknown): Promise<void>;
  abstract close(): Promise<void>;
}

/** The text an outgoing message is sent as, and its JSON (undefined for a raw frame that is not JSON). */
export function outgoing(message: unknown): { text: string; parsed: unknown } {
  const text = frameText(message);
  if (!isRawFrame(message)) return { text, parsed: message };
  const p = tryParse(text);
  return { text, parsed: p.ok ? p.value : undefined };
}
