// Peers used by the transport tests: a small echo server and a client handshake, over any Transport.
import { Peer, type Transport } from '../../mock-server/index.ts';

export const ECHO_TOOL = {
  name: 'echo',
  description: 'Echoes its text',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
};

/** A server Peer answering initialize, ping, tools/list and tools/call (echo, with progress). */
export function echoServer(transport: Transport): Peer {
  const peer = new Peer(transport, { role: 'server', revision: '2025-11-25' });
  peer.setRequestHandler('initialize', (params) => ({
    protocolVersion: typeof params?.protocolVersion === 'string' ? params.protocolVersion : '2025-11-25',
    capabilities: { tools: {} },
    serverInfo: { name: 'echo', version: '1.0.0' },
  }));
  peer.setRequestHandler('ping', () => ({}));
  peer.setRequestHandler('tools/list', () => ({ tools: [ECHO_TOOL] }));
  peer.setRequestHandler('tools/call', async (params, ctx) => {
    if (ctx.progressToken !== undefined) await ctx.peer.notify('notifications/progress', { progressToken: ctx.progressToken, progress: 1, total: 1 });
    const args = (params?.arguments ?? {}) as Record<string, unknown>;
    return { content: [{ type: 'text', text: String(args.text ?? '') }] };
  });
  return peer;
}

/** A client Peer that has done the initialize handshake. */
export async function initializedClient(transport: Transport, version = '2025-11-25'): Promise<Peer> {
  const peer = new Peer(transport, { role: 'client', revision: '2025-11-25', requestTimeoutMs: 15_000 });
  await peer.start();
  const init = await peer.request('initialize', { protocolVersion: version, capabilities: {}, clientInfo: { name: 'transports-test', version: '0.0.0' } });
  if (!init.ok) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
  const negotiated = init.result.protocolVersion;
  if ('setProtocolVersion' in transport && typeof transport.setProtocolVersion === 'function' && typeof negotiated === 'string') {
    (transport as { setProtocolVersion(v: string): void }).setProtocolVersion(negotiated);
  }
  await peer.notify('notifications/initialized');
  return peer;
}
