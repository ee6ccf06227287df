// Summarises V8 CPU profiles (node --cpu-prof) by module: self time per source file of ours
// (grouped by room: schema/, suites/…), per npm package, Node's internals, GC and native code.
// For bench/speed.ts's "where the time goes". A frame in a bundle made by bin/dev-entry.js is
// mapped back to its source file through the bundle's source map.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ModuleTime {
  module: string;
  ms: number;
}

const maps = new Map<string, SourceMap | null>();
function sourceMapOf(file: string): SourceMap | null {
  if (!maps.has(file)) {
    let map: SourceMap | null = null;
    try {
      if (existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return maps.get(file)!;
}

/** The module a frame belongs to: a source path of ours, `pkg:<name>`, `node:<area>`, a native function or a V8 pseudo-frame. */
export function moduleOf(frame: CallFrame, root: string): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return '(GC)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program)';
    return `(native) ${functionName || '(anonymous)'}`;
  }
  // node:internal/modules/esm/loader → node:internal/modules; node:fs → node:fs
  if (url.startsWith('node:')) return url.split('/').slice(0, url.startsWith('node:internal/') ? 2 : 1).join('/');
  if (!url.startsWith('file:')) return url.startsWith('/') ? moduleOfPath(url, frame, root) : '(eval)';
  return moduleOfPath(fileURLToPath(url), frame, root);
}

function moduleOfPath(path: string, frame: CallFrame, root: string): string {
  let rel = relative(root, path);
  if (rel.startsWith('node_modules/.cache/')) {
    // A bundle of bin/dev-entry.js: its source map names the source.
    const entry = sourceMapOf(path)?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string } | undefined;
    if (!entry?.originalSource) return '(bundle)';
    const src = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : entry.originalSource;
    rel = relative(root, src.startsWith('/') ? src : `${root}/node_modules/.cache/mcp-conform/entries/${src}`);
  }
  const nm = rel.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = rel.slice(nm + 'node_modules/'.length).split('/');
    return `pkg:${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  return rel.startsWith('..') ? path : rel;
}

const isOurs = (mod: string) => /^(schema|suites|mock-server|reports|cli|bin|bench|test)\//.test(mod);

/**
 * Self time per module (ms), idle excluded, largest first. With `caller`, time in Node's internals,
 * native functions and GC is charged to the nearest frame up the stack that is a source file of
 * ours or a package (what made the call), where there is one.
 */
export function selfTimeByModule(profiles: CpuProfile[], root: string, opts: { caller?: boolean; functions?: boolean } = {}): ModuleTime[] {
  const total = new Map<string, number>();
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const memo = new Map<number, string>();
    // With `functions`, a frame of ours is named with its function too.
    const name = (frame: CallFrame, m: string) => (opts.functions && isOurs(m) ? `${m} ${frame.functionName || '(anonymous)'}` : m);
    const charged = (id: number): string => {
      const frame = byId.get(id)!;
      const own = moduleOf(frame, root);
      if (!opts.caller || own === '(idle)' || own === '(program)' || isOurs(own) || own.startsWith('pkg:')) return name(frame, own);
      for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
        const f = byId.get(up);
        if (!f) break;
        const m = moduleOf(f, root);
        if (isOurs(m) || m.startsWith('pkg:')) return name(f, m);
      }
      return own;
    };
    // timeDeltas[i] is the time from sample i-1 to sample i: the time spent where sample i-1 was.
    for (let i = 0; i < p.samples.length; i++) {
      const id = p.samples[i]!;
      const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
      let mod = memo.get(id);
      if (mod === undefined) {
        mod = byId.has(id) ? charged(id) : '(unknown)';
        memo.set(id, mod);
      }
      total.set(mod, (total.get(mod) ?? 0) + dt);
    }
  }
  total.delete('(idle)');
  return [...total].map(([module, ms]) => ({ module, ms })).sort((a, b) => b.ms - a.ms);
}

/** Our source files grouped by room (schema, suites/server, mock-server, …); packages and the rest as they are. */
export function byRoom(rows: ModuleTime[]): ModuleTime[] {
  const total = new Map<string, number>();
  for (const r of rows) {
    let key = r.module;
    const m = /^(schema|suites\/[^/]+|mock-server|reports|cli|bin|bench|test)\//.exec(r.module);
    if (m) key = `${m[1]}/`;
    else if (r.module.startsWith('(native) ')) key = '(native)';
    else if (r.module.startsWith('node:')) key = 'node:*';
    total.set(key, (total.get(key) ?? 0) + r.ms);
  }
  return [...total].map(([module, ms]) => ({ module, ms })).sort((a, b) => b.ms - a.ms);
}
