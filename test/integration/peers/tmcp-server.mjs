// A small server built with tmcp (its own protocol implementation, not the SDK; pinned in
// install.ts), for `npm run test:peers`: two read-only tools, a resource, a resource template and
// a prompt. `node tmcp-server.mjs` serves stdio; `--http PORT` serves its HttpTransport (Web
// Request/Response) on 127.0.0.1 through the few lines of Node glue below.
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { ValibotJsonSchemaAdapter } from '@tmcp/adapter-valibot';
import { HttpTransport } from '@tmcp/transport-http';
import { StdioTransport } from '@tmcp/transport-stdio';
import { McpServer } from 'tmcp';
import * as v from 'valibot';

const server = new McpServer(
  { name: 'mcp-conform-tmcp-peer', version: '1.0.0', description: 'tmcp peer of mcp-conform' },
  { adapter: new ValibotJsonSchemaAdapter(), capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true } } },
);
const text = (t) => ({ content: [{ type: 'text', text: t }] });

server.tool({ name: 'add', description: 'Add two numbers', schema: v.object({ a: v.number(), b: v.number() }), annotations: { readOnlyHint: true } }, async ({ a, b }) => text(String(a + b)));
server.tool({ name: 'echo', description: 'Echo a message back', schema: v.object({ message: v.string() }), annotations: { readOnlyHint: true } }, async ({ message }) => text(message));
server.resource({ name: 'greeting', description: 'A greeting', uri: 'memo://greeting' }, async (uri) => ({ contents: [{ uri, mimeType: 'text/plain', text: 'Hello from tmcp' }] }));
server.template({ name: 'note', description: 'A note by name', uri: 'memo://notes/{name}' }, async (uri, { name }) => ({ contents: [{ uri, mimeType: 'text/plain', text: `Note ${name}` }] }));
server.prompt({ name: 'summarize', description: 'Summarize a text', schema: v.object({ text: v.string() }) }, async ({ text: t }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Summarize this:\n\n${t}` } }] }));

const i = process.argv.indexOf('--http');
if (i >= 0) {
  const transport = new HttpTransport(server, { path: '/mcp' });
  const http = createServer(async (req, res) => {
    try {
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Readable.toWeb(req);
      const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers: req.headers, body, duplex: 'half' });
      const response = (await transport.respond(request)) ?? new Response(null, { status: 404 });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (!response.body) return res.end();
      const reader = response.body.getReader();
      res.on('close', () => reader.cancel().catch(() => {}));
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        res.write(value);
      }
      res.end();
    } catch (err) {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    }
  });
  // Longer than a client's pooled keep-alive, so a reused connection is never closed under it.
  http.keepAliveTimeout = 60_000;
  http.listen(Number(process.argv[i + 1]), '127.0.0.1');
} else {
  new StdioTransport(server).listen();
}
