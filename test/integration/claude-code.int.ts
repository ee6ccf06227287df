// Claude Code (@anthropic-ai/claude-code, pinned) as a real peer, offline and without an API key:
//  - as a server (`claude mcp serve`, stdio): the whole server suite runs against it, and no
//    tools/call reaches its tools, which carry no annotations (Bash, Write, Edit…);
//  - as a client: `claude mcp add` registers the mock server (stdio, Streamable HTTP, SSE) and
//    `claude mcp list` connects to it; the connection the mock recorded is judged by the
//    observed-tier client checks.
// HOME is a temporary folder each time: a user's real configuration is never touched. Every
// failure found is listed below with a judgement (is Claude Code wrong, or our check?); a new,
// unjudged failure fails this test.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { MockClient, serveHttp, StdioClientTransport, WireLog } from '../../mock-server/index.ts';
import { PROJECT_ROOT } from '../../schema/index.ts';
import type { Results, WireEntry } from '../../reports/model.ts';
import { httpFrontEnd } from '../fixtures/servers/host-server.ts';
import { readWireFile, toolCallsInResults } from '../helpers/wire.ts';
import { CLAUDE_CODE_VERSION, ensureClaudeCode, isolatedEnv, runClaude } from './claude-code.ts';
import { observeClient } from './observed.ts';

const RUN_JS = join(PROJECT_ROOT, 'bin/run.js');
const FIXTURE = join(PROJECT_ROOT, 'test/fixtures/servers/host-server.ts');
const tmp = mkdtempSync(join(tmpdir(), 'mcp-conform-claude-code-'));
const say = (line: string) => process.stderr.write(`[claude-code ${CLAUDE_CODE_VERSION}] ${line}\n`);
let claude: string;

beforeAll(() => {
  claude = ensureClaudeCode(say);
}, 1_200_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Failures of Claude Code as a server, judged. Keys are check ids; the text says who is wrong.
 * (Claude Code 2.1.332; see the report for the evidence of each.)
 */
export const SERVER_JUDGEMENTS: Record<string, string> = {
  'messages/batch-receive':
    'Claude Code is wrong: it accepts protocolVersion 2025-03-26, the one revision in which receivers MUST support JSON-RPC batches, and never answers a batch (its SDK dropped batching with 2025-06-18).',
};

/** Failures of Claude Code as a client, judged (observed-tier ids). */
export const CLIENT_JUDGEMENTS: Record<string, string> = {};

/** The tools `claude mcp serve` lists (every page). */
async function listTools(home: string, cwd: string): Promise<{ name: string; annotations?: unknown }[]> {
  const client = new MockClient(new StdioClientTransport({ command: claude, args: ['mcp', 'serve'], cwd, env: isolatedEnv(home) }), { requestTimeoutMs: 60_000 });
  try {
    await client.start();
    const init = await client.initialize();
    expect(init.ok).toBe(true);
    const tools: { name: string; annotations?: unknown }[] = [];
    let cursor: string | undefined;
    do {
      const r = await client.request<{ tools: { name: string; annotations?: unknown }[]; nextCursor?: string }>('tools/list', cursor ? { cursor } : {});
      if (!r.ok) throw new Error(`tools/list: ${r.error.message}`);
      tools.push(...r.result.tools);
      cursor = r.result.nextCursor;
    } while (cursor);
    return tools;
  } finally {
    await client.close();
  }
}

const mcpConform = (args: string[], timeoutMs: number) => cli(['server', ...args], timeoutMs, { ...process.env, NO_COLOR: '1' });

describe('Claude Code as a server (claude mcp serve)', () => {
  it('runs the server suite; no tools/call reaches its unannotated tools; every failure is judged', async () => {
    const home = mkdtempSync(join(tmp, 'home-'));
    const project = mkdtempSync(join(tmp, 'project-'));
    const out = join(tmp, 'server-results');
    // The CLI starts `claude mcp serve` with its own environment plus these: HOME and the config
    // folders point into the temporary home.
    const env = Object.entries(isolatedEnv(home)).filter(([k]) => k !== 'PATH' && k !== 'TERM' && k !== 'LANG').flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    // CI time: the revision with its judged failure (2025-03-26, batches) and the newest it speaks;
    // every `claude mcp serve` costs about 1 s of CPU, and --revision all took 136 s of a 15-minute
    // CI. MCP_CONFORM_CLAUDE_REVISIONS=all runs every revision.
    const revisions = process.env.MCP_CONFORM_CLAUDE_REVISIONS ?? '2025-03-26,2025-11-25';
    const run = await mcpConform(['--revision', revisions, '--timeout', '5000', '--profile', 'claude-code', '--profile', 'claude-desktop', '-o', out, ...env, '--cwd', project, '--stdio', '--', claude, 'mcp', 'serve'], 1_500_000);
    say(run.stdout.split('\n').slice(-25).join('\n'));
    expect([0, 1], run.stderr).toContain(run.code);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.checks.length).toBeGreaterThan(20);

    // Its tools carry no annotations, so the default policy may call none of them. (Its tools/list
    // answer is too large for the wire log to keep whole: the tools are listed here directly.)
    const tools = await listTools(home, project);
    const names = new Set(tools.map((x) => x.name));
    expect(['Bash', 'Write', 'Edit'].every((n) => names.has(n)), [...names].join(', ')).toBe(true);
    expect(tools.filter((x) => x.annotations !== undefined).map((x) => x.name)).toEqual([]);
    expect(toolCallsInResults(out, names)).toEqual([]);

    const failing = [...new Set(results.checks.filter((c) => c.verdict === 'fail').map((c) => c.id))].sort();
    for (const id of failing) {
      const c = results.checks.find((x) => x.id === id && x.verdict === 'fail')!;
      say(`fail ${id} [${c.revision}]: ${c.message.slice(0, 300)}\n    judged: ${SERVER_JUDGEMENTS[id] ?? 'NOT JUDGED'}`);
    }
    for (const h of results.hosts ?? []) say(`${h.works ? '✓' : '✗'} ${h.summary}`);
    expect(failing.filter((id) => !(id in SERVER_JUDGEMENTS))).toEqual([]);
    const stale = Object.keys(SERVER_JUDGEMENTS).filter((id) => !failing.includes(id));
    if (stale.length) say(`judged failures that did not fail this time: ${stale.join(', ')}`);
  }, 1_600_000);
});

describe('Claude Code as a client (claude mcp add, claude mcp list)', () => {
  for (const transport of ['stdio', 'http', 'sse'] as const) {
    it(`connects to the mock server over ${transport}, and what it sent passes the observed checks`, async () => {
      const home = mkdtempSync(join(tmp, 'home-'));
      const project = mkdtempSync(join(tmp, 'project-'));
      let entries: () => WireEntry[];
      let exchanges: () => ReturnType<ReturnType<typeof httpFrontEnd>['exchanges']> = () => [];
      let add: string[];
      let close = async () => {};
      if (transport === 'stdio') {
        const file = join(project, 'wire.jsonl');
        add = ['mcp', 'add', 'fixture', '--', process.execPath, RUN_JS, FIXTURE, 'good', '--wire', file];
        entries = () => readWireFile(file);
      } else {
        const wire = new WireLog();
        const front = httpFrontEnd('good', 'none', { wire });
        const served = await serveHttp(front);
        close = () => served.close();
        add = ['mcp', 'add', '--transport', transport, 'fixture', `${served.url}/${transport === 'http' ? 'mcp' : 'sse'}`];
        entries = () => wire.entries;
        exchanges = () => front.exchanges();
      }
      try {
        const added = await runClaude(claude, add, { home, cwd: project });
        expect(added.code, added.stderr + added.stdout).toBe(0);
        const listed = await runClaude(claude, ['mcp', 'list'], { home, cwd: project, timeoutMs: 180_000 });
        say(`${transport}: claude mcp list → ${listed.stdout.trim().split('\n').at(-1)}`);
        expect(listed.stdout).toMatch(/fixture: .*Connected/);
        const seen = entries();
        const init = seen.find((e) => e.dir === 'recv' && (e.msg as { method?: string } | undefined)?.method === 'initialize')?.msg as { params?: { clientInfo?: { name?: string } } } | undefined;
        expect(init?.params?.clientInfo?.name).toBe('claude-code');
        const obs = observeClient(seen, exchanges());
        for (const o of obs) say(`${transport}: ${o.ok ? 'pass' : 'FAIL'} ${o.id}: ${o.message}${o.ok ? '' : `\n    judged: ${CLIENT_JUDGEMENTS[o.id] ?? 'NOT JUDGED'}`}`);
        expect(obs.length).toBeGreaterThanOrEqual(4);
        expect(obs.filter((o) => !o.ok && !(o.id in CLIENT_JUDGEMENTS)).map((o) => `${o.id}: ${o.message}`)).toEqual([]);
      } finally {
        await close();
      }
    }, 400_000);
  }
});
