// Scripts: the README's YAML and TypeScript examples served and driven; schema errors reported
// with file:line:col; the published JSON Schema itself; and the `mcp-conform mock` command.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryPair,
  loadScript,
  loadServer,
  MockClient,
  parseScript,
  runClientScript,
  ScriptError,
  scriptSchema,
  serveMockHttp,
  StreamableHttpClientTransport,
  type ScriptDoc,
} from '../../mock-server/index.ts';
import { createAjv } from '../../schema/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = `${ROOT}test/fixtures/readme/`;
const CLI = `${ROOT}bin/mcp-conform.js`;
const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function errorsOf(text: string, file = 'x.yaml'): string[] {
  try {
    parseScript(text, file);
  } catch (err) {
    if (err instanceof ScriptError) return err.message.split('\n');
    throw err;
  }
  return [];
}

function run(args: string[], input?: string, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out: ${args.join(' ')}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

describe('README examples', () => {
  it('the YAML server script serves what the YAML client script expects, and verifies its expectations', async () => {
    const { server } = await loadServer(`${README}weather.mock.yaml`);
    const loaded = await loadScript(`${README}weather.client.yaml`);
    if (loaded.kind !== 'script') throw new Error('expected a script');
    const [a, b] = createMemoryPair();
    await server.connect(b);
    const report = await runClientScript(a, loaded.doc);
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(server.verify().map((v) => v.met)).toEqual([true, true]);
    // The roots/list request went out after initialized, and the client's canned answer came back.
    await new Promise((r) => setTimeout(r, 50));
    expect(server.clientReplies.map((r) => r.method)).toEqual(expect.arrayContaining(['elicitation/create', 'roots/list']));
    expect(server.problems).toEqual([]);
    await server.close();
  });

  it('the YAML server speaks 2026-07-28 too (input_required for the confirmation)', async () => {
    const { server } = await loadServer(`${README}weather.mock.yaml`);
    const loaded = await loadScript(`${README}weather.client.yaml`);
    if (loaded.kind !== 'script') throw new Error('expected a script');
    const doc: ScriptDoc = { ...loaded.doc, client: { ...loaded.doc.client, protocolVersion: '2026-07-28' } };
    const [a, b] = createMemoryPair();
    await server.connect(b);
    const report = await runClientScript(a, doc);
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.violations).toEqual([]);
    await server.close();
  });

  it('the TypeScript script: programmable handlers, progress, sampling, overrides, its own faults', async () => {
    const { server, definition } = await loadServer(`${README}counter.mock.ts`);
    expect(definition?.faults).toEqual(['delay:ms=50,method=tools/call,nth=1']);
    const served = await serveMockHttp(server, { faults: definition?.faults ?? [], responseMode: 'sse' });
    cleanup.push(() => served.close());
    const client = new MockClient(new StreamableHttpClientTransport({ url: served.url, getStream: true }), { capabilities: { sampling: {} }, requestTimeoutMs: 10_000 });
    cleanup.push(() => client.close());
    await client.start();
    await client.initialize();
    const progress: number[] = [];
    const t0 = performance.now();
    const r = await client.request('tools/call', { name: 'increment', arguments: { by: 2 } }, { onprogress: (p) => progress.push(Number(p.progress)) });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    expect(r).toMatchObject({ ok: true, result: { structuredContent: { count: 2 } } });
    expect(progress).toEqual([1]);
    expect(await client.request('tools/call', { name: 'ask_model', arguments: { q: 'why?' } })).toMatchObject({ ok: true, result: { content: [{ text: 'model said: mcp-conform mock reply' }] } });
    expect(await client.request('resources/list')).toMatchObject({ ok: false });
    expect(await client.request('prompts/get', { name: 'summarize', arguments: { topic: 'MCP' } })).toMatchObject({ ok: true, result: { messages: [{ content: { text: 'Summarize MCP' } }] } });
    await client.peer.waitFor((m) => m.method === 'notifications/tools/list_changed', 2_000, { includePast: true });
  });
});

describe('script validation', () => {
  it('reports schema errors as file:line:col field: message', () => {
    const errs = errorsOf(readFileSync(`${ROOT}test/fixtures/readme/weather.mock.yaml`, 'utf8').replace('    description: Current weather for a city', '    descripton: typo'), 'weather.yaml');
    expect(errs).toEqual(['weather.yaml:8:5 tools[0].descripton: unknown property "descripton"']);
    expect(errorsOf('tools:\n  - name: a\n    result: x\n    error: { code: 1, message: m }\n')).toEqual(['x.yaml:2:5 tools[0]: has both result and error: give one']);
    expect(errorsOf('resources:\n  - uri: a://b\n')).toEqual(['x.yaml:2:5 resources[0]: needs exactly one of text, blob or contents']);
    expect(errorsOf('logs:\n  - { level: loud, data: x, when: { after: initialized } }\n')[0]).toMatch(/^x\.yaml:2:14 logs\[0\]\.level: must be one of "debug"/);
    expect(errorsOf('notifications:\n  - method: notifications/tools/list_changed\n    when: { delayMs: 3 }\n')).toEqual(['x.yaml:3:11 notifications[0].when: needs after or during']);
    expect(errorsOf('faults: ["delay:ms=x"]\n')).toEqual(['x.yaml:1:10 faults[0]: fault "delay": ms must be a non-negative number, got "x"']);
    expect(errorsOf('steps:\n  - request: tools/list\n    parms: {}\n')).toEqual(['x.yaml:3:5 steps[0].parms: unknown property "parms"']);
    expect(errorsOf('tools: [\n')[0]).toMatch(/^x\.yaml:\d+:\d+ /);
    expect(errorsOf('- just\n- a list\n')).toEqual(['x.yaml:1:1 a script must be a mapping (YAML) or an object (JSON)']);
    // JSON goes through the same parser, with positions.
    expect(errorsOf('{\n  "tools": [{ "name": 3 }]\n}', 'x.json')).toEqual(['x.json:2:23 tools[0].name: must be string']);
  });

  it('publishes a JSON Schema that compiles and accepts every example script', () => {
    const validate = createAjv('2020-12').compile(scriptSchema);
    for (const f of ['weather.mock.yaml', 'weather.client.yaml']) {
      expect(() => parseScript(readFileSync(`${README}${f}`, 'utf8'), f)).not.toThrow();
    }
    expect(validate({ tools: [{ name: 'x', result: 'y' }] })).toBe(true);
    expect(validate({ tool: [] })).toBe(false);
  });
});

describe('mcp-conform mock', () => {
  it('exits 2 with clear messages for bad flags and scripts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), 'tools:\n  - nam: x\n');
    const cases: [string[], RegExp][] = [
      [['mock'], /nothing to serve/],
      [['mock', '--reference', '--http', '--stdio'], /choose one of --stdio, --http, --legacy-sse/],
      [['mock', '--reference', '--json'], /apply to --http/],
      [['mock', '--reference', '--fault', 'teleport'], /unknown fault "teleport"/],
      [['mock', '--reference', '--seed', 'x'], /--seed must be an integer/],
      [['mock', '--reference', '--revisions', '1999-01-01'], /unknown revision/],
      [['mock', '--script', join(dir, 'bad.yaml')], /bad\.yaml:2:5 tools\[0\]: missing required property "name"/],
      [['mock', '--script', join(dir, 'missing.yaml')], /cannot read/],
      [['mock', '--replay', join(dir, 'bad.yaml')], /bad\.yaml:1: not JSON/],
      [['mock', '--reference', '--', 'node', 'x.js'], /unexpected arguments/],
      [['mock', '--client', '--script', `${README}weather.client.yaml`], /needs a server/],
      [['mock', '--bogus'], /unknown option/],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args, undefined, 90_000)));
    cases.forEach(([args, re], i) => {
      expect(results[i]!.code, args.join(' ')).toBe(2);
      expect(results[i]!.stderr, args.join(' ')).toMatch(re);
    });
  }, 120_000);

  it('serves a script over stdio and prints the expectation verdict when stdin ends', async () => {
    const lines = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'cli', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_weather', arguments: { city: 'Oslo' } } },
    ];
    const r = await run(['mock', '--script', `${README}weather.mock.yaml`, '--stdio'], lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.find((m) => m.id === 2)).toMatchObject({ result: { structuredContent: { city: 'Oslo', celsius: 21 } } });
    expect(r.stderr).toContain('2/2 expectation(s) met');
    expect(r.code).toBe(0);
  }, 60_000);

  it('serves the reference server over HTTP on 127.0.0.1, printing the URL; Origin is checked', async () => {
    const child = spawn(process.execPath, [CLI, 'mock', '--reference', '--http', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.push(() => child.kill('SIGKILL'));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no URL printed')), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        clearTimeout(timer);
        resolve(d.toString().trim().split('\n')[0]!);
      });
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new MockClient(new StreamableHttpClientTransport({ url }), { requestTimeoutMs: 10_000 });
    cleanup.push(() => client.close());
    await client.start();
    expect((await client.initialize()).ok).toBe(true);
    const evil = await fetch(url, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(evil.status).toBe(403);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('runs a client script against a server command (--client … -- CMD)', async () => {
    const r = await run(['mock', '--client', '--script', `${README}weather.client.yaml`, '--', process.execPath, CLI, 'mock', '--script', `${README}weather.mock.yaml`, '--stdio'], undefined, 60_000);
    expect(r.stdout).toContain('PASS: 6/6 steps met');
    expect(r.code).toBe(0);
  }, 90_000);
});
