// Wall time of a full `mcp-conform client` run (every scenario × every revision the client speaks)
// of the official SDK client (test/drivers/sdk-client.ts), with the runner's old behaviour forced
// (--no-early-end: fixed waits, the version probe before everything else; --concurrency 2, the old
// default) and with the new defaults, one after the other in one run; prints both, their ratio and
// whether the verdicts agree. With --official DIR (a folder where @modelcontextprotocol/conformance
// and node@22 are installed, as bench/vs-official.sh installs them) the official suite's client
// suite (`conformance client --suite all`) is timed on the same client as well.
//   node bin/run.js bench/client-speed.ts [--transport http|stdio] [--official DIR] [--rounds 1] [--keep DIR] [--wide N]
// (--wide N: also the new behaviour with --concurrency N.)
// (--keep DIR: keeps each run's results in DIR/old-N and DIR/new-N.)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const transport = arg('transport') ?? 'http';
const official = arg('official');
const rounds = Number(arg('rounds') ?? 1) || 1;
const keep = arg('keep');
const wide = arg('wide');
const driver = [process.execPath, join(ROOT, 'bin/run.js'), join(ROOT, 'test/drivers/sdk-client.ts'), ...(transport === 'stdio' ? ['--stdio', '{server}'] : [])];

/** Runs a command to its end (10 min at most); resolves with its wall time in ms and exit code. */
function timed(argv: string[], cwd = ROOT): Promise<{ ms: number; code: number | null; out: string }> {
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ ms: performance.now() - t0, code, out });
    });
  });
}

async function ours(extra: string[], name: string): Promise<{ ms: number; rows: number; runs: number; verdicts: Record<string, string> }> {
  const out = keep ? resolve(keep, name) : mkdtempSync(join(tmpdir(), 'mcp-conform-client-speed-'));
  try {
    const r = await timed([process.execPath, join(ROOT, 'bin/mcp-conform.js'), 'client', '--out', out, ...extra, '--', ...driver]);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { checks: { id: string; revision: string; verdict: string }[] };
    const runs = (JSON.parse(readFileSync(join(out, 'client-runs.json'), 'utf8')) as { runs: unknown[] }).runs.length;
    return { ms: r.ms, rows: results.checks.length, runs, verdicts: Object.fromEntries(results.checks.map((c) => [`${c.id} [${c.revision}]`, c.verdict])) };
  } finally {
    if (!keep) rmSync(out, { recursive: true, force: true });
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
for (let round = 1; round <= rounds; round++) {
  const old = await ours(['--no-early-end', '--concurrency', '2'], `old-${round}`);
  const now = await ours([], `new-${round}`);
  const differ = Object.keys({ ...old.verdicts, ...now.verdicts }).filter((k) => old.verdicts[k] !== now.verdicts[k]);
  console.log(`round ${round}, SDK client over ${transport}, ${now.runs} scenario runs, ${now.rows} check × revision rows`);
  console.log(`  old behaviour (--no-early-end --concurrency 2): ${s(old.ms)}`);
  console.log(`  new defaults:                                    ${s(now.ms)}`);
  console.log(`  ratio new / old: ${(now.ms / old.ms).toFixed(2)}×; verdicts ${differ.length ? `differ: ${differ.slice(0, 5).join(', ')}` : 'identical'}`);
  if (wide) {
    const w = await ours(['--concurrency', wide], `wide-${round}`);
    const d = Object.keys({ ...old.verdicts, ...w.verdicts }).filter((k) => old.verdicts[k] !== w.verdicts[k]);
    console.log(`  new, --concurrency ${wide}: ${s(w.ms)}, ratio to old ${(w.ms / old.ms).toFixed(2)}×; verdicts ${d.length ? `differ: ${d.slice(0, 5).join(', ')}` : 'identical'}`);
  }
  if (official) {
    const bin = join(official, 'node_modules/.bin');
    if (!existsSync(join(bin, 'conformance'))) throw new Error(`no conformance in ${bin} (install @modelcontextprotocol/conformance and node@22 there)`);
    if (transport !== 'http') console.log('  (the official suite runs clients over HTTP only)');
    const cmd = [process.execPath, join(ROOT, 'bin/run.js'), join(ROOT, 'test/drivers/sdk-client.ts')].join(' ');
    const o = await timed([join(bin, 'node'), join(bin, 'conformance'), 'client', '--command', cmd, '--suite', 'all'], official);
    const total = /Total: (\d+) passed, (\d+) failed/.exec(o.out);
    console.log(`  official conformance client --suite all: ${s(o.ms)} (${total ? `${total[1]} passed, ${total[2]} failed` : `exit ${o.code}`}); ratio ours (new) / official: ${(now.ms / o.ms).toFixed(2)}×`);
  }
}
