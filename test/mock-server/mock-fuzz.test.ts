// Fuzz: ≥100k random and malformed frames (seeded fast-check) into the mock over the in-memory
// pair. The mock must not crash, must stay bounded, must never send a schema-invalid message,
// and must answer every frame the way JSON-RPC and MCP say (or stay silent where they say so).
import { describe, expect, it } from 'vitest';
import { runFuzz } from './mock-fuzz-harness.ts';

const SEED = 20251125;
const SESSIONS = 10;
const PER_SESSION = 10_000;

describe('fuzzing the mock server', () => {
  it(`survives ${SESSIONS * PER_SESSION} random and malformed frames, bounded, answering per spec`, async () => {
    const r = await runFuzz(SEED, SESSIONS, PER_SESSION);
    console.log(`fuzz: ${r.sent} frames in ${r.ms} ms (cpu ${r.cpuMs} ms), heap +${r.heapGrowthMiB.toFixed(1)} MiB, ${r.problems.length} script problems`);
    expect(r.failures.slice(0, 20)).toEqual([]);
    expect(r.sent).toBeGreaterThanOrEqual(100_000);
    expect(r.observed).toBeLessThanOrEqual(4_000);
    // Retained after a full collection, once every session is closed: a leak shows, garbage does not.
    expect(r.heapGrowthMiB).toBeLessThan(64);
  }, 180_000);
});
