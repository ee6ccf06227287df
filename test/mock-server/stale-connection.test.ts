// A kept-alive connection the server closes just as a request goes out on it fails with "other
// side closed" before the server read anything (Node servers close idle connections after 5 s):
// the HTTP clients send such a request once more on a new connection, saying so in the wire log,
// instead of failing the check that sent it. Any other failure is still the error, with its cause.
import { describe, expect, it } from 'vitest';
import { createStreamableHttpHandler, Peer, StreamableHttpClientTransport, WireLog } from '../../mock-server/index.ts';
import { fetchErrorText } from '../../mock-server/transports/http-common.ts';

const socketError = (code: string, message: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(message), { code }) });

function server() {
  return createStreamableHttpHandler({
    onSession: async (t) => {
      const p = new Peer(t, { role: 'server', revision: '2025-11-25', validate: false });
      p.setRequestHandler('ping', () => ({}));
      p.setRequestHandler('initialize', () => ({ protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 's', version: '1' } }));
      await p.start();
    },
  });
}

describe('a kept-alive connection closed under a request', () => {
  it('is sent again once on a new connection, noted in the wire log', async () => {
    const handler = server();
    let failures = 1;
    const fetchFn: typeof fetch = (input, init) => (failures-- > 0 ? Promise.reject(socketError('UND_ERR_SOCKET', 'other side closed')) : handler(new Request(input as URL, init)));
    const wire = new WireLog();
    const t = new StreamableHttpClientTransport({ url: 'http://127.0.0.1:9/mcp', fetch: fetchFn });
    const client = new Peer(t, { role: 'client', revision: '2025-11-25', validate: false, wire });
    const r = await client.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } });
    expect(r.ok).toBe(true);
    expect(wire.entries.some((e) => /fetch failed \(UND_ERR_SOCKET: other side closed\); sent again on a new connection/.test(e.note ?? ''))).toBe(true);
    await client.close();
    await handler.close();
  });

  it('fails the request when it fails again, or for any other reason, naming the cause', async () => {
    for (const [code, failures] of [['UND_ERR_SOCKET', 2], ['ECONNREFUSED', 1]] as const) {
      let left: number = failures;
      const fetchFn: typeof fetch = () => (left-- > 0 ? Promise.reject(socketError(code, 'boom')) : Promise.reject(new Error('unexpected third try')));
      const t = new StreamableHttpClientTransport({ url: 'http://127.0.0.1:9/mcp', fetch: fetchFn });
      const client = new Peer(t, { role: 'client', revision: '2025-11-25', validate: false, requestTimeoutMs: 2_000 });
      await expect(client.request('ping', {})).rejects.toThrow(new RegExp(`fetch failed \\(${code}: boom\\)`));
      expect(left).toBe(0);
      await client.close();
    }
    expect(fetchErrorText(new Error('plain'))).toBe('plain');
  });
});
