// The GitHub Action (action.yml): its steps' scripts run here as a runner would run them, with
// GITHUB_STEP_SUMMARY / GITHUB_OUTPUT pointed at temp files. The artifact upload (a `uses:` step)
// cannot run outside GitHub: only its pin is checked. One real CLI run (one check, one revision,
// against the reference server); the other cases use a stand-in for the CLI that records its
// arguments, or stop before the CLI starts.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { entryArgs, PROJECT_ROOT } from '../../schema/index.ts';

interface Step {
  id?: string;
  if?: string;
  run?: string;
  shell?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parseYaml(readFileSync(join(PROJECT_ROOT, 'action.yml'), 'utf8')) as Action;
const [runStep, uploadStep, exitStep] = action.runs.steps as [Step, Step, Step];

/** Runs a step's `run:` text with bash, as the runner does; the whole group is killed at the timeout. */
function runStepScript(script: string, env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-c', script], { cwd: work, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'mcp-conform-action-'));
let n = 0;

/** The run step with the given inputs (INPUT_* as action.yml maps them); its summary and outputs. */
async function runAction(inputs: Record<string, string>, extraEnv: Record<string, string> = {}, timeoutMs = 20_000) {
  const dir = join(work, `run-${++n}`);
  const summary = `${dir}-summary.md`;
  const output = `${dir}-output.txt`;
  writeFileSync(summary, '');
  writeFileSync(output, '');
  const env: Record<string, string> = { GITHUB_ACTION_PATH: PROJECT_ROOT, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output, ...extraEnv };
  for (const [name, value] of Object.entries(runStep.env ?? {})) {
    const input = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(value)?.[1];
    if (!input) throw new Error(`${name}: ${value} is not an input`);
    env[name] = inputs[input] ?? action.inputs[input]?.default ?? '';
  }
  env.INPUT_OUT = inputs.out ?? join(dir, 'out');
  const r = await runStepScript(runStep.run as string, env, timeoutMs);
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { ...r, summary: readFileSync(summary, 'utf8'), outputs, out: env.INPUT_OUT };
}

/** A stand-in for the CLI: writes its arguments and a report.md into --out, exits with $FAKE_EXIT. */
function fakeCli(): string {
  const file = join(work, 'fake-cli.sh');
  writeFileSync(
    file,
    [
      '#!/usr/bin/env bash',
      'out=; prev=',
      'for a in "$@"; do [ "$prev" = --out ] && out="$a"; prev="$a"; done',
      'printf "%s\\n" "$@" > "$out/argv.txt"',
      'printf "# fake report\\n" > "$out/report.md"',
      'printf "{}" > "$out/results.json"',
      'exit "${FAKE_EXIT:-0}"',
      '',
    ].join('\n'),
  );
  chmodSync(file, 0o755);
  return file;
}

describe('action.yml', () => {
  it('is a composite action: the script, then the artifact upload and the exit code, whatever happened', () => {
    expect(action.runs.using).toBe('composite');
    expect(runStep.run).toContain('$GITHUB_ACTION_PATH/action/run.sh');
    // Every input but the artifact's name reaches the script.
    const mapped = Object.values(runStep.env ?? {}).map((v) => /inputs\.([\w-]+)/.exec(v)?.[1]);
    expect(Object.keys(action.inputs).filter((i) => !mapped.includes(i))).toEqual(['artifact-name']);
    expect(uploadStep.uses).toMatch(/^actions\/upload-artifact@v\d+\.\d+\.\d+$/);
    expect(uploadStep.if).toBe('always()');
    expect(uploadStep.with?.path).toBe('${{ inputs.out }}');
    expect(exitStep.if).toBe('always()');
    expect(exitStep.env?.CODE).toBe('${{ steps.run.outputs.exit-code }}');
    expect(action.outputs['exit-code']?.value).toBe('${{ steps.run.outputs.exit-code }}');
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toEqual(expect.arrayContaining(['action.yml', 'action/run.sh']));
  });

  it('the last step fails the job with the exit code of the run (and fails when there is none)', async () => {
    for (const [code, want] of [['0', 0], ['1', 1], ['3', 3], ['', 1]] as const) {
      expect((await runStepScript(exitStep.run as string, { CODE: code }, 10_000)).code).toBe(want);
    }
  });

  it('runs mcp-conform against a server: report.md in the step summary, exit code and paths in the outputs', async () => {
    const server = [process.execPath, ...entryArgs('mock-server/reference/stdio')].map((a) => `'${a}'`).join(' ');
    const r = await runAction({ command: server, revisions: '2025-06-18', args: '--only ping/response', 'fail-on': 'should' }, { MCP_CONFORM_CMD: `${process.execPath} ${join(PROJECT_ROOT, 'bin/mcp-conform.js')}` }, 120_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs['exit-code']).toBe('0');
    expect(r.summary).toBe(readFileSync(join(r.out, 'report.md'), 'utf8'));
    expect(r.summary).toContain('| ping | 1 | 0 |');
    expect(r.outputs.results).toBe(join(r.out, 'results.json'));
    expect(existsSync(r.outputs['report-html'] as string)).toBe(true);
    const results = JSON.parse(readFileSync(join(r.out, 'results.json'), 'utf8')) as { checks: { id: string; verdict: string }[] };
    expect(results.checks.find((c) => c.id === 'ping/response')?.verdict).toBe('pass');
  }, 150_000);

  it('builds the command line from the inputs and passes a failing exit code on, still exiting 0 itself', async () => {
    const r = await runAction(
      { command: 'node my server.js', revisions: '2025-11-25', baseline: 'b.yml', 'fail-on': 'must', profile: 'claude-code', formats: 'junit', shard: '2/3', args: '--only tools  --timeout 9000' },
      { MCP_CONFORM_CMD: fakeCli(), FAKE_EXIT: '1' },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs['exit-code']).toBe('1');
    expect(r.summary).toBe('# fake report\n');
    const argv = readFileSync(join(r.out, 'argv.txt'), 'utf8').trimEnd().split('\n');
    expect(argv).toEqual([
      'server',
      '--revision', '2025-11-25',
      '--profile', 'claude-code',
      '--baseline', 'b.yml',
      '--fail-on', 'must',
      '--shard', '2/3',
      '--format', 'junit,markdown,html',
      '--out', r.out,
      '--only', 'tools', '--timeout', '9000',
      '--stdio', '--', 'bash', '-c', 'node my server.js',
    ]);
  });

  it('a client command gets the {url} placeholder when it has none', async () => {
    const r = await runAction({ mode: 'client', command: 'node client.js --flag' }, { MCP_CONFORM_CMD: fakeCli() });
    expect(r.outputs['exit-code']).toBe('0');
    expect(readFileSync(join(r.out, 'argv.txt'), 'utf8').trimEnd().split('\n').slice(-4)).toEqual(['--', 'bash', '-c', 'node client.js --flag {url}']);
  });

  it('no report (a usage error of the CLI): the summary says why, the exit code is 2', async () => {
    const r = await runAction({ command: 'true', 'fail-on': 'sometimes' }, { MCP_CONFORM_CMD: `${process.execPath} ${join(PROJECT_ROOT, 'bin/mcp-conform.js')}` }, 60_000);
    expect(r.code).toBe(0);
    expect(r.outputs['exit-code']).toBe('2');
    expect(r.summary).toContain('No report was written (exit code 2: usage or config error)');
  }, 90_000);

  it('two targets, or none, stop before anything runs (exit code 2)', async () => {
    for (const inputs of [{ command: 'x', url: 'http://127.0.0.1:1/mcp' }, {}] as Record<string, string>[]) {
      const r = await runAction(inputs, { MCP_CONFORM_CMD: fakeCli() });
      expect(r.code).toBe(0);
      expect(r.outputs['exit-code']).toBe('2');
      expect(r.stdout).toContain('::error::mcp-conform action: give exactly one target');
    }
  });
});
