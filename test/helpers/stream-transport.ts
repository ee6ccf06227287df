// A client Transport to a server that runs in this process on a pair of streams: the server's
// own stdio code (the SDK's StdioServerTransport) does the framing, nothing is spawned.
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { Transport } from '../../mock-server/index.ts';

/** Starts a server on (stdin, stdout); resolves with its shutdown. */
export type StreamServer = (stdin: Readable, stdout: Writable) => Promise<() => Promise<void>>;

export function streamTransport(start: StreamServer): Transport {
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  let stop: (() => Promise<void>) | undefined;
  let closed = false;
  let buf = '';
  const t: Transport = {
    async start() {
      fromServer.setEncoding('utf8');
      fromServer.on('data', (chunk: string) => {
        buf += chunk;
        for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i).replace(/\r$/, '');
          buf = buf.slice(i + 1);
          if (line.trim() === '' || closed) continue;
          let parsed: unknown;
          try {
            parsed = JSON.parse(line);
          } catch (err) {
            t.onmalformed?.(line, err as Error);
            continue;
          }
          t.onmessage?.(parsed, { raw: line });
        }
      });
      stop = await start(toServer, fromServer);
    },
    async send(message) {
      if (closed) throw new Error('server is closed');
      const raw = typeof message === 'object' && message !== null && 'raw' in message ? (message as { raw: string | Uint8Array }).raw : `${JSON.stringify(message)}\n`;
      toServer.write(raw);
    },
    async close() {
      if (closed) return;
      closed = true;
      toServer.end();
      await stop?.().catch(() => {});
      t.onclose?.('closed locally');
    },
  };
  return t;
}
