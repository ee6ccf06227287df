import { describe, expect, it } from 'vitest';
import { toOfficialChecks, renderOfficialChecks, type OfficialStatus } from '../../reports/index.ts';
import { check, sampleResults } from './sample.ts';

describe('toOfficialChecks', () => {
  const checks = toOfficialChecks(sampleResults());

  it('has the official check-record shape', () => {
    expect(checks).toHaveLength(7);
    for (const c of checks) {
      expect(Object.keys(c).sort()).toEqual(expect.arrayContaining(['description', 'id', 'name', 'specReferences', 'status', 'timestamp']));
      expect(Object.keys(c).every((k) => ['id', 'name', 'description', 'status', 'timestamp', 'specReferences', 'details', 'errorMessage'].includes(k))).toBe(true);
      expect(new Date(c.timestamp).toISOString()).toBe(c.timestamp);
    }
  });

  it('maps verdicts to statuses', () => {
    const status = Object.fromEntries(checks.map((c) => [`${c.id}@${String(c.details?.revision)}`, c.status])) as Record<string, OfficialStatus>;
    expect(status).toEqual({
      'lifecycle/initialize-result@2025-06-18': 'SUCCESS',
      'lifecycle/initialize-result@2025-11-25': 'SUCCESS',
      'lifecycle/version-negotiation@2025-11-25': 'FAILURE',
      'logging/set-level@null': 'INFO',
      'tools/call-unknown-tool@2025-11-25': 'WARNING',
      'tools/list-changed@2025-11-25': 'SKIPPED',
      'tools/list-pagination@2025-11-25': 'SKIPPED',
    });
  });

  it('carries the reason, spec reference and evidence', () => {
    const fail = checks.find((c) => c.status === 'FAILURE');
    expect(fail?.errorMessage).toMatch(/^server answered <script>/);
    expect(fail?.specReferences).toEqual([{ id: 'lifecycle#x', url: 'https://modelcontextprotocol.io/specification/2025-11-25/lifecycle#x' }]);
    expect(fail?.details?.evidence).toHaveLength(2);
    const skipped = checks.find((c) => c.id === 'tools/list-pagination');
    expect(skipped?.errorMessage).toBeUndefined();
    expect(skipped?.details?.message).toBe('server has no tools capability');
    expect(toOfficialChecks(sampleResults({ checks: [check('a/b', 'pass', { specUrl: null })] }))[0]?.specReferences).toEqual([]);
  });

  it('renders checks.json as a JSON array', () => {
    expect(JSON.parse(renderOfficialChecks(sampleResults()))).toEqual(checks);
  });
});
