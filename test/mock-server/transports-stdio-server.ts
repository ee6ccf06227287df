// Run as a child process by the transport tests: the echo server over this process's stdio.
import { StdioServerTransport } from '../../mock-server/index.ts';
import { echoServer } from './transports-fixtures.ts';

const peer = echoServer(new StdioServerTransport());
peer.onclose = () => process.exit(0);
await peer.start();
console.log('this goes to stderr, not stdout');
