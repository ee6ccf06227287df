// An in-memory target: a server on the other end of an in-memory transport pair. For the
// fuzzer's own tests and the benchmark (no process, so a fresh session costs microseconds).
import { createMemoryPair, type Transport } from '../../mock-server/index.ts';
import type { TargetFactory } from './session.ts';

/** Anything that serves one connection (a MockServer, an echo Peer…). */
export interface InMemoryServer {
  connect(transport: Transport): Promise<unknown>;
}

/**
 * A target factory whose sessions are in-memory connections to servers made by `make` (one per
 * session); `wrap` may stand between the server and its transport (to seed bugs).
 */
export function memoryFactory(make: () => InMemoryServer, wrap?: (serverSide: Transport) => Transport, description = 'in-memory server'): TargetFactory {
  return {
    description,
    transport: 'memory',
    async open() {
      const [client, server] = createMemoryPair();
      await make().connect(wrap ? wrap(server) : server);
      return { transport: client, ordered: true, dispose: () => server.close() };
    },
  };
}
