// The reference server on stdio, without the CLI around it: the process `mcp-conform server
// --reference` (and `npm start`) starts once per check, so its start-up is kept lean.
import { StdioServerTransport } from '../transports/stdio-server.ts';
import { referenceServer } from './server.ts';

const session = await referenceServer().connect(new StdioServerTransport());
session.peer.onclose = () => process.exit(0);
