// A server→client request that goes out only once the client is gone (killed at the scenario
// timeout, or exited) cannot be answered: the feature checks say "not verified", not "the client
// never answered". Seen with a real client (LangChain's MCP adapters) on a loaded machine: it
// started slowly, was killed at 10.2 s, and the mock sent roots/list at 10.5 s.
// Both ways, on one recording of the fixture client (it answers roots/list with -32601, having no
// roots capability), with its reply removed: the kill placed after the request → fail; the kill
// (or the exit) placed before it → not verified; the recording as made → pass.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientRun, ClientRunsFile } from '../../suites/harness/index.ts';
import { fixture, judgeRecordings, line, runAndJudge } from './client-helpers.ts';

const ID = 'client-roots/undeclared-refused';
const R = '2025-11-25';
const cmd = fixture('stdio', { caps: 'none' });
let file: ClientRunsFile;

beforeAll(async () => {
  file = (await runAndJudge(cmd, [R], ['roots'], { only: [ID], concurrency: 1 })).file;
}, 120_000);

type Msg = { id?: unknown; method?: string; result?: unknown; error?: unknown };

/** The recording with the client's reply to roots/list removed and the client's end moved to `at` (relative to the request). */
function edited(end: 'killed' | 'exited', at: number): ClientRunsFile {
  const copy = structuredClone(file);
  const run = copy.runs.find((r) => r.scenario === 'roots') as ClientRun;
  const req = run.entries.find((e) => (e.msg as Msg | undefined)?.method === 'roots/list');
  if (!req) throw new Error('the recording has no roots/list');
  const id = (req.msg as Msg).id;
  run.entries = run.entries.filter((e) => {
    const m = e.msg as Msg | undefined;
    return !(m && m.method === undefined && m.id === id && ('result' in m || 'error' in m) && e.t >= req.t);
  });
  run.events = run.events.filter((e) => e.what !== 'client-killed');
  if (end === 'killed') {
    run.process.timedOut = true;
    run.events.push({ t: req.t + at, what: 'client-killed', detail: 'no exit within 10000 ms' });
    run.process.exitedAt = req.t + at + 50;
  } else {
    run.process.exitedAt = req.t + at;
  }
  return copy;
}

async function verdict(f: ClientRunsFile): Promise<string> {
  const r = (await judgeRecordings(f, cmd, [R], [ID])).byId(ID, R);
  if (!r) throw new Error(`${ID} did not run`);
  return line(r);
}

describe(`${ID} when the client is gone before the request`, () => {
  it('passes on the recording as made (the fixture client refuses roots/list)', async () => {
    expect(await verdict(file)).toMatch(/: pass/);
  });
  it('fails when the client was alive and never answered (killed 5 s after the request)', async () => {
    expect(await verdict(edited('killed', 5_000))).toMatch(/: fail — the client never answered roots\/list/);
  });
  it('is not verified when the request went out after the client was killed', async () => {
    expect(await verdict(edited('killed', -300))).toMatch(/: not-verified — the server sent roots\/list only after the client was killed at the scenario timeout/);
  });
  it('is not verified when the request went out after the client had exited', async () => {
    expect(await verdict(edited('exited', -300))).toMatch(/: not-verified — the server sent roots\/list only after the client had exited/);
  });
});
