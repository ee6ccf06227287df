// The measuring parts of bench/speed.ts: the /proc process-tree meter (bench/proc.ts) on a known
// tree, and the CPU-profile summary (bench/cpuprofile.ts) on a profile whose answer is known.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { byRoom, selfTimeByModule, type CpuProfile } from '../../bench/cpuprofile.ts';
import { measureRun, readStat } from '../../bench/proc.ts';

const ROOT = '/repo';
const fileUrl = (p: string) => `file://${ROOT}/${p}`;

describe('bench/cpuprofile.ts', () => {
  // root → check (ours) → readFileSync (node:fs) → read (native); GC; idle; ajv's validate.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 5, 6, 7] },
      { id: 2, callFrame: { functionName: 'check', url: fileUrl('suites/harness/run.ts'), lineNumber: 1, columnNumber: 1 }, children: [3] },
      { id: 3, callFrame: { functionName: 'readFileSync', url: 'node:fs', lineNumber: 1, columnNumber: 1 }, children: [4] },
      { id: 4, callFrame: { functionName: 'read', url: '', lineNumber: -1, columnNumber: -1 } },
      { id: 5, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1, columnNumber: -1 } },
      { id: 6, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 } },
      { id: 7, callFrame: { functionName: 'validate', url: fileUrl('node_modules/ajv/dist/core.js'), lineNumber: 1, columnNumber: 1 } },
    ],
    // Sample i lasts until sample i+1: timeDeltas[i+1] µs.
    samples: [4, 4, 2, 5, 6, 7, 7],
    timeDeltas: [0, 1000, 2000, 1000, 3000, 5000, 4000],
    startTime: 0,
    endTime: 16000,
  };
  const asMap = (rows: Array<{ module: string; ms: number }>) => Object.fromEntries(rows.map((r) => [r.module, r.ms]));

  it('sums self time per module, idle left out', () => {
    expect(asMap(selfTimeByModule([profile], ROOT))).toEqual({ '(native) read': 3, 'suites/harness/run.ts': 1, '(GC)': 3, 'pkg:ajv': 4 });
  });

  it('charges Node internals and natives to the calling module of ours, and names our functions', () => {
    const charged = asMap(selfTimeByModule([profile], ROOT, { caller: true }));
    expect(charged['suites/harness/run.ts']).toBe(4);
    expect(charged['(native) read']).toBeUndefined();
    expect(charged['(GC)']).toBe(3); // no caller up the stack: stays as it is
    expect(asMap(selfTimeByModule([profile], ROOT, { caller: true, functions: true }))['suites/harness/run.ts check']).toBe(4);
  });

  it('groups our files by room and natives together', () => {
    const rooms = asMap(byRoom(selfTimeByModule([profile], ROOT)));
    expect(rooms['suites/harness/']).toBe(1);
    expect(rooms['(native)']).toBe(3);
    expect(rooms['pkg:ajv']).toBe(4);
  });
});

// Skipped only where there is no /proc (not Linux): the meter reads it and has nothing to measure there.
describe.skipIf(!readStat('self'))('bench/proc.ts (Linux /proc)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-proc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('splits a tree’s CPU between ours and the target, and sees the idle time as waiting', async () => {
    // The parent burns ~400 ms, starts a "target" child that burns ~400 ms then sleeps 600 ms, and
    // waits 500 ms after it: CPU ~800 ms, over a second of neither running.
    const burn = 'const t=process.cpuUsage();while((process.cpuUsage(t).user+process.cpuUsage(t).system)<400e3){}';
    // (The marker is put together in the parent, so only the child's command line holds it.)
    const target = `/*BENCH-'+'TARGET*/${burn};setTimeout(()=>{},600)`;
    const parent = `${burn};const c=require('child_process').spawn(process.execPath,['-e','${target}'],{stdio:'ignore'});c.on('exit',()=>setTimeout(()=>{},500))`;
    const m = await measureRun(process.execPath, ['-e', parent], { timeoutMs: 60_000, isTarget: (cmd) => cmd.includes('BENCH-TARGET'), logPrefix: join(dir, 'run') });
    expect(m.exitCode).toBe(0);
    expect(m.timedOut).toBe(false);
    expect(m.seen).toEqual({ ours: 1, target: 1 });
    expect(m.treeCpuMs).toBeGreaterThanOrEqual(780);
    expect(m.oursCpuMs).toBeGreaterThanOrEqual(380);
    expect(m.targetCpuMs).toBeGreaterThanOrEqual(380);
    expect(m.oursCpuMs + m.targetCpuMs + m.unattributedCpuMs).toBeCloseTo(m.treeCpuMs, -1);
    expect(m.waitingMs).toBeGreaterThanOrEqual(600);
    expect(m.peakRssOurs).toBeGreaterThan(10e6);
    expect(m.peakRssTree).toBeGreaterThan(m.peakRssOurs);
  });

  it('ends a run that outlives its timeout, tree and all', async () => {
    const m = await measureRun(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 500, logPrefix: join(dir, 'hang') });
    expect(m.timedOut).toBe(true);
    expect(m.exitCode).toBeNull();
    expect(m.signal).toBe('SIGTERM');
  });
});
