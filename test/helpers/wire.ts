// Reading wire logs (wire/*.jsonl of a results folder, or a fixture's --wire file) in tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WireEntry } from '../../reports/model.ts';

type Msg = { method?: string; id?: unknown; params?: { name?: unknown }; result?: { tools?: { name?: unknown }[] } };

export function readWireFile(file: string): WireEntry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as WireEntry);
}

/**
 * The tools/call requests a run sent to tools the server lists, from the wire logs of a results
 * folder. Calls of made-up names (the unknown-tool checks) reach no tool and are left out; an
 * entry too large to keep whole (stored as text) counts as a call of anything.
 */
/**
 * The tool a tools/call names, read from the kept start of a message too large to keep whole
 * (`{"jsonrpc":…,"method":"tools/call","params":{"name":…` — the name precedes the arguments);
 * undefined when that start does not show it, so the caller counts it as a call of anything.
 */
export function toolNameInRaw(raw: string | undefined): string | undefined {
  if (!raw?.includes('"tools/call"')) return undefined;
  const m = /"method":"tools\/call","params":\{"name":("(?:[^"\\]|\\.)*")/.exec(raw);
  return m ? (JSON.parse(m[1] as string) as string) : undefined;
}

export function toolCallsInResults(outDir: string, listedOut = new Set<string>()): { check: string; tool: string }[] {
  const dir = join(outDir, 'wire');
  const sent: { check: string; tool: string }[] = [];
  for (const f of readdirSync(dir)) {
    for (const e of readWireFile(join(dir, f))) {
      const msg = e.msg as Msg | undefined;
      if (e.dir === 'recv' && Array.isArray(msg?.result?.tools)) for (const x of msg.result.tools) listedOut.add(String(x.name));
      if (e.dir === 'send' && msg?.method === 'tools/call') sent.push({ check: f, tool: String(msg.params?.name) });
      else if (e.dir === 'send' && e.raw?.includes('"tools/call"')) sent.push({ check: f, tool: toolNameInRaw(e.raw) ?? '*' });
    }
  }
  return sent.filter((c) => c.tool === '*' || listedOut.has(c.tool));
}
