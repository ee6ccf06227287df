import { MockClient, StdioClientTransport } from '../mock-server/index.ts';
const [cmd, ...args] = process.argv.slice(2);
const c = new MockClient(new StdioClientTransport({ command: cmd!, args }), { protocolVersion: '2025-11-25', capabilities: { sampling: {}, elicitation: {}, roots: {} } });
await c.start();
const r = await c.initialize();
console.log(JSON.stringify(r.ok ? r.result : r.error));
for (const m of ['tools/list', 'resources/list', 'resources/templates/list', 'prompts/list']) {
  const x = await c.request(m, {});
  console.log(m, m === "tools/list" && x.ok ? JSON.stringify((x.result as any).tools.map((t: any) => [t.name, t.annotations?.readOnlyHint, t.annotations?.destructiveHint, t.execution?.taskSupport, Object.keys(t.inputSchema.properties ?? {}).join("|")])) : "");
}
const u = await c.request('tools/call', { name: 'nope_tool', arguments: {} });
console.log('unknown', JSON.stringify(u.message));
console.log('violations', JSON.stringify(c.peer.violations.map(v => v.violations)).slice(0, 2000));
await c.close();
process.exit(0);
