// Shared by the client-suite tests: launching fixture clients and drivers (transpiled once, started
// with plain node), running scenarios and judging the recordings in-process with the same runner
// the CLI uses (runCheck per check and revision).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Revision } from '../../schema/index.ts';
import type { CheckResult } from '../../reports/index.ts';
import { definedChecks, runChecks, runConfig, type ClientRunsFile } from '../../suites/harness/index.ts';
import { runScenarios, SCENARIOS, scenariosOf, type ClientCommand } from '../../suites/client/index.ts';
import { ROOT, transpiled } from '../helpers/transpile.ts';

export type Via = 'http' | 'stdio';

/** A command for a TypeScript client file, started with plain node (transpiled once). */
export function nodeClient(file: string, via: Via, extra: string[] = []): ClientCommand {
  const args = [transpiled(file), ...extra];
  if (via === 'stdio') args.push('--stdio', '{server}');
  return { command: process.execPath, args, cwd: ROOT };
}

export function fixture(via: Via, opts: { breaks?: string[]; caps?: string } = {}): ClientCommand {
  const extra: string[] = [];
  for (const b of opts.breaks ?? []) extra.push('--break', b);
  if (opts.caps !== undefined) extra.push('--caps', opts.caps);
  return nodeClient('test/fixtures/clients/fixture-client.ts', via, extra);
}

export function clientChecks() {
  return definedChecks().filter((d) => d.meta.side === 'client');
}

/** The scenarios a check judges ('all' → the given default). */
export function scenariosFor(id: string, fallback: string[] = ['tools_call']): string[] {
  const s = scenariosOf(id);
  return s === undefined || s === 'all' ? fallback : [...s];
}

export interface Judged {
  file: ClientRunsFile;
  results: CheckResult[];
  byId: (id: string, rev?: Revision) => CheckResult | undefined;
}

/** Runs scenarios with a client, then every client check (or the given ones) on the recordings. */
export async function runAndJudge(cmd: ClientCommand, revisions: Revision[], scenarios: string[], opts: { only?: string[]; timeoutMs?: number; concurrency?: number; earlyEnd?: boolean } = {}): Promise<Judged> {
  const pairs = revisions.flatMap((revision) => SCENARIOS.filter((s) => scenarios.includes(s.name)).map((scenario) => ({ scenario, revision })));
  const file = await runScenarios(pairs, cmd, { timeoutMs: opts.timeoutMs ?? 15_000, concurrency: opts.concurrency ?? 2, ...(opts.earlyEnd === undefined ? {} : { earlyEnd: opts.earlyEnd }) });
  return judgeRecordings(file, cmd, revisions, opts.only);
}

/** Every client check (or the given ones) on recordings (as runAndJudge made them, or edited). */
export async function judgeRecordings(file: ClientRunsFile, cmd: ClientCommand, revisions: Revision[], only?: string[]): Promise<Judged> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-conform-client-'));
  const recordings = join(dir, 'client-runs.json');
  writeFileSync(recordings, JSON.stringify(file));
  const cfg = {
    ...runConfig({ kind: 'stdio', command: cmd.command, args: cmd.args }, revisions, { only: only ?? [], checkTimeoutMs: 20_000 }),
    client: { kind: 'client' as const, command: cmd.command, args: cmd.args, recordings },
  };
  const results = await runChecks(clientChecks(), cfg, { concurrency: 4 });
  return { file, results, byId: (id, rev) => results.find((r) => r.id === id && (rev === undefined || r.revision === rev)) };
}

/** `id [rev]: verdict — message`, for readable assertion failures. */
export function line(r: CheckResult): string {
  return `${r.id} [${r.revision}]: ${r.verdict}${r.message ? ` — ${r.message}` : ''}`;
}

export { cli } from '../helpers/cli.ts';
