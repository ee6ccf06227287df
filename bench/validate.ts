// Messages/s validating a generated corpus of realistic MCP messages with our compiled ajv
// validators vs the official SDK's zod schemas, same corpus, same process. Prints the ratio.
//   node bin/run.js bench/validate.ts [--n 20000]
import * as sdk from '@modelcontextprotocol/sdk/types.js';
import { validate } from '../schema/index.ts';

const REV = '2025-11-25' as const;
const n = Number(process.argv[process.argv.indexOf('--n') + 1]) || 20_000;

interface Kind {
  type: string;
  zod: { safeParse(v: unknown): { success: boolean } };
  make(i: number, rnd: Rnd): unknown;
}

// Deterministic variety without randomness: the corpus is the same on every run.
interface Rnd {
  nextInt(min: number, max: number): number;
}
let state = 42;
const rnd: Rnd = { nextInt: (min, max) => min + ((state = (state * 1103515245 + 12345) % 2147483648) % (max - min + 1)) };
const word = (r: Rnd, i: number) => `w${i}-${r.nextInt(0, 1e6).toString(36)}`;
const tool = (rnd: Rnd, i: number) => ({
  name: `tool_${word(rnd, i)}`,
  description: `Does thing ${i}`,
  inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'string', description: 'x' } }, required: ['a'] },
  annotations: { readOnlyHint: rnd.nextInt(0, 1) === 1 },
});

const kinds: Kind[] = [
  { type: 'CallToolRequest', zod: sdk.CallToolRequestSchema, make: (i, r) => ({ method: 'tools/call', params: { name: `t${i}`, arguments: { a: r.nextInt(0, 99), b: word(r, i) } }, jsonrpc: '2.0', id: i }) },
  { type: 'ListToolsResult', zod: sdk.ListToolsResultSchema, make: (i, r) => ({ tools: Array.from({ length: 1 + (i % 8) }, (_, k) => tool(r, i + k)), nextCursor: `c${i}` }) },
  { type: 'CallToolResult', zod: sdk.CallToolResultSchema, make: (i, r) => ({ content: [{ type: 'text', text: word(r, i).repeat(1 + (i % 5)) }, { type: 'image', data: 'aGVsbG8=', mimeType: 'image/png' }], isError: false }) },
  { type: 'ReadResourceResult', zod: sdk.ReadResourceResultSchema, make: (i, r) => ({ contents: [{ uri: `file:///r/${i}`, mimeType: 'text/plain', text: word(r, i) }] }) },
  { type: 'InitializeRequest', zod: sdk.InitializeRequestSchema, make: (i) => ({ jsonrpc: '2.0', id: i, method: 'initialize', params: { protocolVersion: REV, capabilities: { sampling: {}, roots: { listChanged: true } }, clientInfo: { name: 'bench', version: '1.0.0' } } }) },
  { type: 'LoggingMessageNotification', zod: sdk.LoggingMessageNotificationSchema, make: (i, r) => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', logger: 'bench', data: { i, w: word(r, i) } } }) },
  { type: 'ProgressNotification', zod: sdk.ProgressNotificationSchema, make: (i) => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: `p${i}`, progress: i, total: i + 10 } }) },
];

const corpus = Array.from({ length: n }, (_, i) => {
  const k = kinds[i % kinds.length]!;
  return { k, value: k.make(i, rnd) };
});

// Both sides must agree the corpus is valid, or the comparison means nothing.
for (const { k, value } of corpus.slice(0, kinds.length * 3)) {
  const ours = validate(REV, k.type, value);
  if (!ours.valid) throw new Error(`corpus item of ${k.type} rejected by ajv: ${JSON.stringify(ours.errors)}`);
  if (!k.zod.safeParse(value).success) throw new Error(`corpus item of ${k.type} rejected by zod`);
}

function rate(label: string, fn: (k: Kind, v: unknown) => boolean): number {
  for (let warm = 0; warm < 2; warm++) for (const { k, value } of corpus) fn(k, value);
  const t0 = performance.now();
  let ok = 0;
  for (const { k, value } of corpus) if (fn(k, value)) ok++;
  const secs = (performance.now() - t0) / 1000;
  if (ok !== corpus.length) throw new Error(`${label}: ${corpus.length - ok} rejected`);
  const r = corpus.length / secs;
  console.log(`${label.padEnd(26)} ${Math.round(r).toLocaleString('en-US').padStart(12)} messages/s`);
  return r;
}

console.log(`corpus: ${n} generated messages of ${kinds.length} types, revision ${REV}`);
const ajvRate = rate('ajv (mcp-conform)', (k, v) => validate(REV, k.type, v).valid);
const zodRate = rate('zod (official SDK types)', (k, v) => k.zod.safeParse(v).success);
console.log(`ratio ajv/zod: ${(ajvRate / zodRate).toFixed(2)}x`);
