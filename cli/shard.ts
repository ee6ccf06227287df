// --shard i/n: the i-th of n parts of a run's selected checks, so n CI jobs test one target side
// by side and `mcp-conform report merge` puts their results together. A part is a contiguous
// slice of the selected check ids in a fixed order (suite file, then id): every shard computes
// the same split without talking to the others, and a suite file mostly lands in one shard (each
// file a shard loads costs its module graph and connections).
import { UsageError } from './common.ts';

export interface Shard {
  /** 1-based, as written. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n (e.g. 1/3), not "${text}"`);
  return { index, count };
}

/**
 * The ids of shard `s`: `ids` (in the order to split, duplicates ignored) cut into `count`
 * contiguous slices whose sizes differ by at most one.
 */
export function shardIds(ids: readonly string[], s: Shard): string[] {
  const list = [...new Set(ids)];
  const from = Math.floor(((s.index - 1) * list.length) / s.count);
  const to = Math.floor((s.index * list.length) / s.count);
  return list.slice(from, to);
}

/** `shard 2/3`, as the run's lines name it. */
export function shardLabel(s: Shard): string {
  return `shard ${s.index}/${s.count}`;
}
