// A client driver for the Vercel AI SDK's MCP client (`@ai-sdk/mcp`, its own implementation, not
// built on the official SDK), over Streamable HTTP (type 'http') or stdio:
//
//   mcp-conform client -- node bin/run.js test/drivers/ai-sdk-client.ts
//   mcp-conform client -- node bin/run.js test/drivers/ai-sdk-client.ts --stdio {server}
//
// What an application using it does: connect, list tools (following nextCursor, stopping on a
// repeated cursor), run each tool with arguments that fit its schema (the scenario's timeout),
// answer elicitations as a scripted user, close. The library declares only elicitation; roots
// and sampling are not offered by it.
import { createMCPClient, ElicitationRequestSchema, type ListToolsResult } from '@ai-sdk/mcp';
import { Experimental_StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { callArguments, driverContext, elicitationAnswer, log, parseTarget, runDriver } from './common.ts';

const ctx = driverContext();
const target = parseTarget(process.argv.slice(2));

async function main(): Promise<number> {
  const client = await createMCPClient({
    transport: target.kind === 'http' ? { type: 'http', url: target.url } : new Experimental_StdioMCPTransport({ command: target.command, args: target.args, stderr: 'inherit' }),
    clientName: 'mcp-conform-ai-sdk-driver',
    capabilities: { elicitation: {} },
    initializationOptions: { timeout: ctx.requestTimeoutMs },
  });
  client.onElicitationRequest(ElicitationRequestSchema, (req) => elicitationAnswer(req.params as Record<string, unknown>, ctx) as never);
  let failures = 0;
  try {
    const all: ListToolsResult['tools'] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await client.listTools({ ...(cursor === undefined ? {} : { params: { cursor } }), options: { timeout: ctx.requestTimeoutMs } });
      all.push(...r.tools);
      cursor = r.nextCursor;
      if (cursor === undefined || seen.has(cursor)) break;
      seen.add(cursor);
    }
    const tools = client.toolsFromDefinitions({ tools: all });
    for (const def of all) {
      const t = tools[def.name];
      if (!t?.execute) continue;
      try {
        await t.execute(callArguments(ctx, def, all), { toolCallId: `call-${def.name}`, messages: [], abortSignal: AbortSignal.timeout(ctx.requestTimeoutMs) });
        log(`${def.name}: ok`);
      } catch (err) {
        failures++;
        log(`${def.name} failed:`, err instanceof Error ? err.message : String(err));
      }
    }
  } finally {
    await client.close();
  }
  log(`done (${failures} failed call(s))`);
  return 0;
}

runDriver(main);
