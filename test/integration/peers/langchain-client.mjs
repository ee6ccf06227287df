// A small application of LangChain's MCP adapters (@langchain/mcp-adapters, pinned in install.ts)
// as an MCP client under test, for `npm run test:peers`, run once per scenario by
// `mcp-conform client`: `node langchain-client.mjs URL` (Streamable HTTP, the URL last) or
// `node langchain-client.mjs --stdio CMD ARGS…`. It loads the server's tools as LangChain tools and
// invokes each once with arguments that fit its input schema, then closes.
import { MultiServerMCPClient } from '@langchain/mcp-adapters';

const argv = process.argv.slice(2);
const s = argv.indexOf('--stdio');
const server = s >= 0 ? { transport: 'stdio', command: argv[s + 1], args: argv.slice(s + 2) } : { transport: 'http', url: argv.at(-1), automaticSSEFallback: false };
const log = (...a) => process.stderr.write(`[langchain-client] ${a.join(' ')}\n`);

function valueFor(schema, name, index) {
  if (schema && 'default' in schema) return schema.default;
  if (Array.isArray(schema?.enum) && schema.enum.length) return schema.enum[0];
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  if (type === 'number' || type === 'integer') return index + 2; // add_numbers gets 2 and 3
  if (type === 'boolean') return true;
  if (type === 'array') return [];
  if (type === 'object') return {};
  return 'mcp-conform';
}
function argumentsFor(schema) {
  const props = schema && typeof schema === 'object' && schema.properties && typeof schema.properties === 'object' ? schema.properties : {};
  return Object.fromEntries(Object.entries(props).map(([n, p], i) => [n, valueFor(p, n, i)]));
}

const client = new MultiServerMCPClient({ mcpServers: { peer: server }, useStandardContentBlocks: true, throwOnLoadError: true });
let code = 0;
try {
  const tools = await client.getTools();
  for (const t of tools) {
    try {
      await t.invoke(argumentsFor(t.schema), { signal: AbortSignal.timeout(10_000) });
      log(`${t.name}: ok`);
    } catch (err) {
      log(`${t.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
} catch (err) {
  log(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  code = 1;
} finally {
  await client.close().catch(() => {});
}
process.exit(code);
