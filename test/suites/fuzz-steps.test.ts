// Pure parts of the fuzzer: what a correct receiver does with each generated step, fresh ids,
// which tools are safe to call, and the client launch contract.
import { fc, prop } from '../helpers/prop.ts';
import { describe, expect, test } from 'vitest';
import { concretize, launchVia, stepArbitrary, substitute, whyUnsafe, type FuzzStep, type StepContext } from '../../suites/fuzz/index.ts';

const ctx: StepContext = {
  rev: '2025-11-25',
  receiver: 'server',
  transport: 'stdio',
  capabilities: { tools: {} },
  tools: [{ name: 'echo', arguments: fc.record({ message: fc.string() }) }],
  excludeMethods: ['initialize'],
  hugeStringLength: 1_000,
  nestingDepth: 50,
};
const seed = Number(process.env.FC_SEED ?? 20261125);

describe('generated steps', () => {
  prop([stepArbitrary(ctx)], { seed, numRuns: 300 })('each step says what a correct server does with it', (step: FuzzStep) => {
    const e = step.expect;
    expect(step.label.length).toBeGreaterThan(0);
    expect(step.category).toBeTruthy();
    expect(step.message !== undefined || step.raw !== undefined || step.rawBase64 !== undefined).toBe(true);
    const m = step.message as Record<string, unknown> | undefined;
    if (e.reply === 'response') expect(e.id !== undefined || step.freshId !== undefined).toBe(true);
    if (step.category?.startsWith('valid notification')) expect(e.reply).toBe('none');
    if (/\((invalid-json|truncated-frame)\)/.test(step.category ?? '') && (step.raw ?? '').trim() !== '') {
      expect(e).toMatchObject({ reply: 'null-id-error', mustError: true, codes: [-32700] });
    }
    if (step.category?.startsWith('invalid request (forbidden-id-type')) expect(e).toMatchObject({ reply: 'error-any-id', mustError: true, codes: [-32600] });
    if (step.category === 'unknown method') expect(e).toMatchObject({ mustError: true, codes: [-32601] });
    if (e.toolCall) expect(m?.method).toBe('tools/call');
    if (step.category === 'tool call') expect(e.toolCall).toBe(true);
  });

  test('fresh ids are unique, of both types, and put in the message and its expectation', () => {
    const steps = fc.sample(stepArbitrary(ctx), { seed, numRuns: 200 }).filter((s) => s.freshId);
    let n = 0;
    const sent = steps.map((s) => concretize(s, () => ++n));
    const ids = sent.map((s) => (s.message as Record<string, unknown>).id);
    expect(new Set(ids.map((i) => JSON.stringify(i))).size).toBe(ids.length);
    expect(ids.some((i) => typeof i === 'string') && ids.some((i) => typeof i === 'number')).toBe(true);
    for (const s of sent) {
      expect(s.expect.id).toEqual((s.message as Record<string, unknown>).id);
      expect(s.freshId).toBeUndefined();
    }
  });
});

describe('safe tools', () => {
  const t = (annotations?: Record<string, unknown>) => ({ name: 't', inputSchema: { type: 'object' as const }, ...(annotations ? { annotations } : {}) });
  test('read-only tools are called by default; additive only with --call-tools additive; unannotated and open-world ones are not', () => {
    expect(whyUnsafe(t({ readOnlyHint: true }), 'safe')).toBeUndefined();
    // The server checks' policy (additive is not read-only), plus the openWorldHint exclusion.
    expect(whyUnsafe(t({ destructiveHint: false }), 'safe')).toMatch(/additive/);
    expect(whyUnsafe(t({ destructiveHint: false }), 'additive')).toBeUndefined();
    expect(whyUnsafe(t({ destructiveHint: false, openWorldHint: true }), 'additive')).toMatch(/openWorldHint/);
    expect(whyUnsafe(t(), 'safe')).toMatch(/not annotated/);
    expect(whyUnsafe(t({ readOnlyHint: false }), 'safe')).toMatch(/not annotated readOnlyHint: true/);
    expect(whyUnsafe(t({ readOnlyHint: true, openWorldHint: true }), 'safe')).toMatch(/openWorldHint/);
    expect(whyUnsafe(t({ readOnlyHint: true, openWorldHint: true }), ['t*'])).toBeUndefined();
    expect(whyUnsafe(t(), 'all')).toBeUndefined();
    expect(whyUnsafe(t({ readOnlyHint: true }), 'none')).toMatch(/none/);
  });
});

describe('client launch contract (as mcp-conform client)', () => {
  test('{url}, {server} alone or inside an argument, and the URL appended when there is no placeholder', () => {
    expect(launchVia(['node', 'c.js', '{url}'])).toBe('http');
    expect(launchVia(['node', 'c.js'])).toBe('http');
    expect(launchVia(['node', 'c.js', '--spawn={server}'])).toBe('stdio');
    const server = ['/usr/bin/node', '-e', 'relay code', '4242'];
    expect(substitute(['node', 'c.js', '{server}'], { server })).toEqual(['node', 'c.js', ...server]);
    expect(substitute(['node', 'c.js', '--spawn={server}'], { server })).toEqual(['node', 'c.js', "--spawn=/usr/bin/node -e 'relay code' 4242"]);
    expect(substitute(['node', 'c.js', '--url', '{url}'], { url: 'http://127.0.0.1:1/mcp' })).toEqual(['node', 'c.js', '--url', 'http://127.0.0.1:1/mcp']);
    expect(substitute(['node', 'c.js'], { url: 'http://127.0.0.1:1/mcp' })).toEqual(['node', 'c.js', 'http://127.0.0.1:1/mcp']);
  });
});
