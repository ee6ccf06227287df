// A small server built with fastmcp (pinned in install.ts), for `npm run test:peers`: two
// read-only tools, a resource, a resource template and a prompt, as an application would declare
// them. `node fastmcp-server.mjs` serves stdio; `--http PORT` serves Streamable HTTP on 127.0.0.1.
import { FastMCP } from 'fastmcp';
import { z } from 'zod';

const server = new FastMCP({ name: 'mcp-conform-fastmcp-peer', version: '1.0.0' });

server.addTool({
  name: 'add',
  description: 'Add two numbers',
  parameters: z.object({ a: z.number(), b: z.number() }),
  annotations: { readOnlyHint: true, title: 'Add' },
  execute: async ({ a, b }) => String(a + b),
});
server.addTool({
  name: 'echo',
  description: 'Echo a message back',
  parameters: z.object({ message: z.string() }),
  annotations: { readOnlyHint: true, title: 'Echo' },
  execute: async ({ message }) => message,
});
server.addResource({
  uri: 'memo://greeting',
  name: 'Greeting',
  mimeType: 'text/plain',
  async load() {
    return { text: 'Hello from fastmcp' };
  },
});
server.addResourceTemplate({
  uriTemplate: 'memo://notes/{name}',
  name: 'Note',
  mimeType: 'text/plain',
  arguments: [{ name: 'name', description: 'Name of the note', required: true }],
  async load({ name }) {
    return { text: `Note ${name}` };
  },
});
server.addPrompt({
  name: 'summarize',
  description: 'Summarize a text',
  arguments: [{ name: 'text', description: 'The text to summarize', required: true }],
  load: async ({ text }) => `Summarize this:\n\n${text}`,
});

const i = process.argv.indexOf('--http');
if (i >= 0) {
  await server.start({ transportType: 'httpStream', httpStream: { host: '127.0.0.1', port: Number(process.argv[i + 1]), endpoint: '/mcp' } });
} else {
  await server.start({ transportType: 'stdio' });
}
