// `mcp-conform matrix` (issue 18): the targets file's rules and the writers are tested as
// functions; one CLI run proves the plumbing (the reference server with --only lifecycle at one
// revision, a URL nobody listens on, a target that crashes at start, one scenario of a client:
// four rows, exit 0, every file written), one in-process run proves the budget kill leaves nothing behind, and one
// `report merge` of two matrix shards puts them back together. Each CLI run costs seconds of CPU.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childArgs, parseTargets, runTarget, slugOf, TargetsFileError } from '../../cli/matrix.ts';
import { shardIds } from '../../cli/shard.ts';
import { endOwnProcesses, liveChildren } from '../../mock-server/index.ts';
import { buildMatrix, isMatrix, matrixFails, mergeMatrices, renderMatrixHtml, renderMatrixMarkdown, type Matrix, type MatrixRun } from '../../reports/index.ts';
import { check, sampleResults } from '../reports/sample.ts';
import { cli } from '../helpers/cli.ts';
import { freePort } from '../helpers/everything.ts';
import { ROOT } from '../helpers/transpile.ts';

const dir = mkdtempSync(join(tmpdir(), 'mcp-conform-matrix-'));
afterAll(() => endOwnProcesses(500));

describe('the targets file', () => {
  const base = '/base';
  it('reads every form, with defaults, relative paths against the file, and the child arguments', () => {
    const targets = parseTargets(
      [
        'defaults: { revisions: [2025-06-18], budget: 1000, args: [--only, lifecycle] }',
        'targets:',
        '  - name: My Server (stdio)',
        '    stdio: { command: node, args: [server.js], env: { A: "1" }, cwd: sub }',
        '  - { name: http, url: "http://127.0.0.1:3000/mcp", headers: { X-Key: k }, start: { command: node, args: [s.js] }, revisions: all }',
        '  - { name: sse, sse: "http://127.0.0.1:3001/sse", budget: 5, timeout: 7 }',
        '  - { name: cfg, config: mcp.json, entry: github, args: [--profile, claude-code] }',
        '  - { name: a client, mode: client, stdio: { command: node, args: [client.js, "{url}"] } }',
      ].join('\n'),
      'targets.yaml',
      base,
    );
    expect(targets.map((t) => [t.slug, t.mode, t.revisions, t.budgetMs])).toEqual([
      ['my-server-stdio', 'server', ['2025-06-18'], 1000],
      ['http', 'server', 'all', 1000],
      ['sse', 'server', ['2025-06-18'], 5],
      ['cfg', 'server', ['2025-06-18'], 1000],
      ['a-client', 'client', ['2025-06-18'], 1000],
    ]);
    expect(targets[0]?.stdio).toEqual({ command: 'node', args: ['server.js'], env: { A: '1' }, cwd: '/base/sub' });
    expect(targets[1]?.start?.cwd).toBe('/base');
    expect(targets[3]?.config).toBe('/base/mcp.json');
    const out = '/out';
    expect(childArgs(targets[0]!, out)).toEqual(['server', '--out', '/out/my-server-stdio', '--format', 'json,html', '--budget', '1000', '--revision', '2025-06-18', '--only', 'lifecycle', '--cwd', '/base/sub', '--env', 'A=1', '--stdio', '--', 'node', 'server.js']);
    expect(childArgs(targets[1]!, out).slice(-4)).toEqual(['--url', 'http://127.0.0.1:3000/mcp', '--header', 'X-Key:k']);
    expect(childArgs(targets[2]!, out)).toContain('--sse');
    expect(childArgs(targets[2]!, out).join(' ')).toContain('--timeout 7');
    expect(childArgs(targets[3]!, out).slice(-6)).toEqual(['--profile', 'claude-code', '--config', '/base/mcp.json', '--name', 'github']);
    const client = childArgs(targets[4]!, out);
    expect(client[0]).toBe('client');
    expect(client).not.toContain('--stdio');
    expect(client.slice(-3)).toEqual(['node', 'client.js', '{url}']);
  });

  it.each([
    ['targets: []', /expected "targets:"/],
    ['targets:\n  - { name: x }', /target 1 \(x\): needs one of stdio, url, sse, config/],
    ['targets:\n  - { name: ok, url: "http://h/mcp" }\n  - { name: two, url: "http://h/mcp", sse: "http://h/sse" }', /target 2 \(two\): has url and sse/],
    ['targets:\n  - { name: x, url: "ftp://h" }', /target 1 \(x\): url "ftp:\/\/h" is not an http\(s\) URL/],
    ['targets:\n  - { name: x, url: "http://h/mcp", revisions: [1999-01-01] }', /target 1 \(x\):.*1999-01-01/],
    ['targets:\n  - { name: x, stdio: { command: node }, colour: red }', /target 1 \(x\): unknown key\(s\) colour/],
    ['targets:\n  - { name: x, config: a.json }', /target 1 \(x\): config needs entry/],
    ['targets:\n  - { name: x, mode: client, url: "http://h/mcp" }', /a client target is a command/],
    ['targets:\n  - { name: A b, url: "http://h/mcp" }\n  - { name: a-b, url: "http://h/mcp" }', /target 2 \(a-b\): .*names must differ/],
    ['targets:\n  - { name: x, url: "http://h/mcp", budget: -1 }', /budget must be a positive/],
    ['targets: [', /is not YAML/],
  ])('rejects %j naming the entry', (text, message) => {
    expect(() => parseTargets(text, 't.yaml', '/')).toThrow(TargetsFileError);
    expect(() => parseTargets(text, 't.yaml', '/')).toThrow(message);
  });

  it('the README\'s example (examples/matrix/targets.yaml) is a valid targets file of six implementations', () => {
    const file = join(ROOT, 'examples/matrix/targets.yaml');
    const targets = parseTargets(readFileSync(file, 'utf8'), file);
    expect(targets.length).toBe(6);
    expect(targets.filter((t) => t.stdio).length).toBe(5);
    expect(targets.find((t) => t.url)?.start?.cwd).toBe(ROOT);
    for (const t of targets) if (t.stdio) expect(t.stdio.cwd).toBe(ROOT);
  });

  it('slugs are folder names; --shard splits the targets in file order', () => {
    expect(slugOf('Claude Code: mcp serve')).toBe('claude-code-mcp-serve');
    expect(slugOf('../..')).toBe('target');
    const names = ['a', 'b', 'c', 'd', 'e'];
    const parts = [1, 2].map((index) => shardIds(names, { index, count: 2 }));
    expect(parts.flat()).toEqual(names);
  });
});

describe('the matrix writers', () => {
  const run = (name: string, over: Partial<MatrixRun> = {}): MatrixRun => ({
    name,
    slug: slugOf(name),
    mode: 'server',
    description: `node ${name}.js`,
    transport: 'stdio',
    status: 'tested',
    reason: '',
    exitCode: 0,
    durationMs: 10,
    results: null,
    hasReport: true,
    hasWire: true,
    ...over,
  });
  const meta = { tool: { name: 'mcp-conform', version: '0' }, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:01:00.000Z' };

  it('pass rates per revision, links to each target folder, rows for targets that were not tested, no script or network in the HTML', () => {
    const good = sampleResults({ checks: [check('tools/list', 'pass', { revision: '2025-06-18', wireLog: 'wire/tools-list.jsonl' }), check('tools/list', 'fail', { revision: '2025-11-25', wireLog: 'wire/x.jsonl' }), check('lifecycle/init', 'pass', { revision: '2025-06-18' }), check('lifecycle/init', 'not-applicable', { revision: '2025-11-25' })] });
    const m = buildMatrix([run('good', { results: good, exitCode: 1 }), run('<gone>', { status: 'crashed', reason: 'process exited (code 1) <b>', exitCode: 3, hasReport: false, hasWire: false })], meta);
    const [t, gone] = m.targets;
    expect(t?.rates.map((r) => [r.revision, r.passRate])).toEqual([
      ['2025-06-18', 100],
      ['2025-11-25', 0],
    ]);
    expect(t?.cells['tools/list']?.map((c) => c.wireLog)).toEqual(['good/wire/tools-list.jsonl', 'good/wire/x.jsonl']);
    expect(gone).toMatchObject({ status: 'crashed', report: null, results: null, rates: [] });
    expect(m.checks.map((c) => c.id)).toEqual(['lifecycle/init', 'tools/list']);
    expect(matrixFails(m, 'must')).toBe(true);
    expect(matrixFails(m, 'never')).toBe(false);

    const html = renderMatrixHtml(m);
    expect(html).not.toMatch(/<script|src="http|href="http/i);
    expect(html).toContain(`content="default-src 'none'`);
    expect(html).toContain('href="good/report.html#area-tools"');
    expect(html).toContain('href="good/wire/x.jsonl"');
    expect(html).toContain('CRASHED: process exited (code 1) &lt;b&gt;');
    expect(html).not.toContain('<b>');
    const md = renderMatrixMarkdown(m);
    expect(md).toContain('| good | tested (1 failed, 0 warned) | 100% (2/2) | 0% (0/1) | [report](good/report.html) |');
    expect(md).toContain('**CRASHED**: process exited (code 1) <b>');
    expect(md).toMatch(/\| `tools\/list` MUST \| ✓✗ \|\s+\|/);
  });

  it('matrices of shards merge into one over all their targets', () => {
    const a = buildMatrix([run('a', { results: sampleResults() })], { ...meta, shard: { index: 1, count: 2 } });
    const b = buildMatrix([run('b', { status: 'unreachable', reason: 'refused' })], { ...meta, startedAt: '2025-12-31T00:00:00.000Z', shard: { index: 2, count: 2 } });
    const m = mergeMatrices([a, b]);
    expect(m.targets.map((t) => t.name)).toEqual(['a', 'b']);
    expect(m.startedAt).toBe('2025-12-31T00:00:00.000Z');
    expect(m.shard).toBeUndefined();
    expect(isMatrix(JSON.parse(JSON.stringify(m)))).toBe(true);
  });
});

/** Live processes whose command line holds `tag`. */
function processesWith(tag: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(tag)) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

describe('mcp-conform matrix', () => {
  it('tests each target in its own folder; a crashed and an unreachable target are rows saying so; shards merge', async () => {
    const port = await freePort(); // nobody listens there
    const file = join(dir, 'targets.yaml');
    writeFileSync(
      file,
      [
        'defaults: { revisions: [2025-06-18], budget: 60000 }',
        'targets:',
        `  - { name: reference, args: [--only, lifecycle], stdio: { command: ${JSON.stringify(process.execPath)}, args: [bin/run.js, mock-server/reference/stdio], cwd: ${JSON.stringify(ROOT)} } }`,
        `  - { name: nobody home, url: "http://127.0.0.1:${port}/mcp", timeout: 2000 }`,
        `  - { name: crashes, stdio: { command: ${JSON.stringify(process.execPath)}, args: [-e, "console.error('boom'); process.exit(1)"] } }`,
        // A client target: one scenario of the SDK client driver (a few seconds).
        `  - { name: sdk client, mode: client, args: [--scenario, initialize], stdio: { command: ${JSON.stringify(process.execPath)}, args: [bin/run.js, test/drivers/sdk-client.ts], cwd: ${JSON.stringify(ROOT)} } }`,
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const r = await cli(['matrix', file, '--out', out, '--jobs', '2'], 180_000);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8')) as Matrix;
    expect(m.targets.map((t) => [t.name, t.status])).toEqual([
      ['reference', 'tested'],
      ['nobody home', 'unreachable'],
      ['crashes', 'crashed'],
      ['sdk client', 'tested'],
    ]);
    expect(m.targets[3]).toMatchObject({ mode: 'client', report: 'sdk-client/report.html' });
    expect(Object.keys(m.targets[3]?.cells ?? {}).every((id) => id.startsWith('client-'))).toBe(true);
    const [ref, nobody, crash] = m.targets;
    expect(ref?.counts.failed).toBe(0);
    expect(ref?.counts.passed).toBeGreaterThan(0);
    expect(ref?.rates.map((x) => x.revision)).toEqual(['2025-06-18']);
    // --only lifecycle, and the run-wide schema check every server run adds.
    expect(Object.keys(ref?.cells ?? {}).every((id) => id.startsWith('lifecycle/') || id === 'schema/valid-messages')).toBe(true);
    expect(existsSync(join(out, 'reference', 'report.html'))).toBe(true);
    expect(existsSync(join(out, 'reference', 'wire'))).toBe(true);
    expect(nobody?.reason).toMatch(/127\.0\.0\.1/);
    expect(crash?.reason).toMatch(/process exited \(code 1\).*boom/);
    expect(r.stdout).toMatch(/crashes\s+CRASHED: /);
    const html = readFileSync(join(out, 'matrix.html'), 'utf8');
    expect(html).toContain('href="reference/report.html#area-lifecycle"');
    expect(readFileSync(join(out, 'matrix.md'), 'utf8')).toContain('**UNREACHABLE**');

    // Two shards (as `--shard 1/2` and `2/2` would have written them) merge back into one.
    const shard = (name: string, targets: Matrix['targets']) => {
      const d = join(dir, name);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'matrix.json'), JSON.stringify({ ...m, targets }));
      return d;
    };
    const a = shard('part-1', m.targets.slice(0, 1));
    // The target folders come along with their shard's matrix.
    writeFileSync(join(a, 'marker.txt'), '');
    const fs = await import('node:fs/promises');
    await fs.cp(join(out, 'reference'), join(a, 'reference'), { recursive: true });
    const b = shard('part-2', m.targets.slice(1));
    const merged = join(dir, 'merged');
    const mr = await cli(['report', 'merge', a, b, '--out', merged], 60_000);
    expect(mr.code, mr.stderr).toBe(0);
    const back = JSON.parse(readFileSync(join(merged, 'matrix.json'), 'utf8')) as Matrix;
    expect(back.targets.map((t) => t.status)).toEqual(['tested', 'unreachable', 'crashed', 'tested']);
    expect(existsSync(join(merged, 'reference', 'report.html'))).toBe(true);
    expect(existsSync(join(merged, 'matrix.html'))).toBe(true);
  }, 240_000);

  it('a target that outlives its budget is killed with its whole tree, and is a row saying so', async () => {
    const tag = `matrix-hang-${randomUUID()}`;
    // The child's own --budget (60 s) would end it gracefully: the kill comes first, once the
    // child has started the target (it waits up to 15 s for a first answer).
    const [t] = parseTargets(`targets:\n  - { name: hangs, budget: 60000, stdio: { command: ${JSON.stringify(process.execPath)}, args: [-e, "setInterval(() => {}, 1000) // ${tag}"] } }`, 'x.yaml', dir);
    const pending = runTarget(t!, { outDir: join(dir, 'budget'), killAfterMs: 5_000 });
    let seen = false; // the target ran (so the kill had a grandchild to end)
    for (const until = Date.now() + 4_500; !seen && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) seen = processesWith(tag).length > 0;
    const row = await pending;
    expect(seen).toBe(true);
    expect(existsSync(join(dir, 'budget', 'hangs', 'run.log'))).toBe(true);
    expect(row.status).toBe('timeout');
    expect(row.reason).toMatch(/out of budget/);
    expect(liveChildren()).toEqual([]);
    expect(processesWith(tag)).toEqual([]);
  }, 60_000);
});
