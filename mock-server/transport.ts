// The message-level transport every peer talks through: stdio, Streamable HTTP, legacy
// HTTP+SSE and in-memory all implement it, on both the client and the server side.

/** A frame sent as-is, bypassing JSON serialisation: for fault injection and fuzzing. */
export interface RawFrame {
  raw: string | Uint8Array;
}

export interface FrameInfo {
  /** The frame's text as received. */
  raw: string;
  /** Transport detail worth recording (HTTP status and content type, SSE event id…). */
  note?: string;
}

export interface Transport {
  /** Connects, spawns or starts listening; resolves when messages can flow. */
  start(): Promise<void>;
  /** Sends one JSON-RPC message (serialised by the transport) or a raw frame. */
  send(message: unknown): Promise<void>;
  /** Closes; idempotent; never throws. */
  close(): Promise<void>;
  /** A parsed JSON frame arrived. */
  onmessage?: (message: unknown, info: FrameInfo) => void;
  /** A frame arrived that is not JSON. */
  onmalformed?: (raw: string, error: Error) => void;
  /** The other side went away (process exit, stream closed, session ended). */
  onclose?: (reason: string) => void;
  /** A transport failure that is not a message. */
  onerror?: (error: Error) => void;
  /** Transport-level events for the wire log: stderr lines, HTTP statuses, reconnects. */
  onnote?: (note: string) => void;
  /** Told the negotiated revision (HTTP sends it as MCP-Protocol-Version on later requests). */
  setProtocolVersion?(version: string): void;
}

export function isRawFrame(value: unknown): value is RawFrame {
  return typeof value === 'object' && value !== null && 'raw' in value && Object.keys(value).length === 1;
}

/** Serialises a message or raw frame to the exact text that goes on the wire. */
export function frameText(message: unknown): string {
  if (isRawFrame(message)) return typeof message.raw === 'string' ? message.raw : Buffer.from(message.raw).toString('utf8');
  return JSON.stringify(message);
}

/** Parses a received frame: onmessage with the value, or onmalformed when it is not JSON. Returns the value (undefined when malformed). */
export function deliverFrame(t: Pick<Transport, 'onmessage' | 'onmalformed'>, text: string, note?: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    t.onmalformed?.(text, err as Error);
    return undefined;
  }
  t.onmessage?.(parsed, note === undefined ? { raw: text } : { raw: text, note });
  return parsed;
}

/**
 * Newline-delimited framing (basic/transports#stdio): reassembles lines across chunks, drops a
 * trailing \r and blank lines, and reports a line longer than `maxBytes` instead of growing.
 */
export class LineFramer {
  private buffer: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: (bytes: number, max: number) => void,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      this.buffer.push(chunk.subarray(start, i));
      const line = Buffer.concat(this.buffer).toString('utf8');
      this.buffer = [];
      this.bytes = 0;
      start = i + 1;
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (text.trim() !== '') this.onLine(text);
    }
    if (start < chunk.length) {
      this.buffer.push(chunk.subarray(start));
      this.bytes += chunk.length - start;
      if (this.bytes > this.maxBytes) {
        const dropped = this.bytes;
        this.buffer = [];
        this.bytes = 0;
        this.onOverflow(dropped, this.maxBytes);
      }
    }
  }
}
