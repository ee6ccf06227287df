// The mock server (mock-server/server/), for the rest of mock-server/: the room's public module
// (mock-server/index.ts) and its other parts import it from here.
export { MockServer, ServerSession, RequestCtx, createMockServer } from './server.ts';
export { fitTo } from './fit.ts';
export { InputRequired, MissingClientCapability } from './errors.ts';
export type { MockServerOptions, ExpectationResult, ClientReply, ObservedMessage } from './types.ts';
export type { ServerContext } from '../behaviours.ts';
