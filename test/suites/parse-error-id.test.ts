// An error answer to invalid JSON without "id", proven both ways at every revision: JSON-RPC 2.0
// (section 5) requires "id": null there. messages/parse-error (a SHOULD check) warns at every
// revision; schema/valid-messages fails where the revision's schema requires id on an error
// response (up to 2025-06-18) and warns where the schema made it optional (2025-11-25 on).
import { describe, expect, it } from 'vitest';
import { REVISIONS } from '../../schema/index.ts';
import { definedChecks, runChecks, runConfig, validMessagesResults } from '../../suites/harness/index.ts';
import { fixtureTransport } from '../fixtures/servers/fixture-server.ts';
import { FIXTURE_COMMAND, label, warmUp } from './fixture.ts';

const REQUIRED_ID = ['2024-11-05', '2025-03-26', '2025-06-18'];

async function run(parseErrorWithoutId: boolean) {
  warmUp(REVISIONS);
  const defs = definedChecks().filter((d) => d.meta.id === 'messages/parse-error');
  const cfg = runConfig({ kind: 'stdio', command: 'node', args: [...FIXTURE_COMMAND.slice(1)] }, [...REVISIONS], {
    requestTimeoutMs: 1_500,
    startupMs: 3_000,
    checkTimeoutMs: 6_000,
    quietMs: 120,
    open: () => fixtureTransport({ parseErrorWithoutId }),
  });
  const results = await runChecks(defs, cfg, { concurrency: 5 });
  return [...results, ...validMessagesResults(results, REVISIONS)];
}

describe('an error answer to invalid JSON without id', () => {
  it('the correct fixture ("id": null) passes messages/parse-error and schema/valid-messages at every revision', async () => {
    const results = await run(false);
    expect(results).toHaveLength(REVISIONS.length * 2);
    expect(results.filter((r) => r.verdict !== 'pass').map(label)).toEqual([]);
  }, 60_000);

  it('without id: parse-error warns everywhere; valid-messages fails where the schema requires id, warns where it is optional', async () => {
    const results = await run(true);
    for (const rev of REVISIONS) {
      const pe = results.find((r) => r.id === 'messages/parse-error' && r.revision === rev)!;
      expect(pe.verdict, label(pe)).toBe('warn');
      expect(pe.message).toContain('the Parse error answer has no "id" (JSON-RPC 2.0 requires "id": null');
      const vm = results.find((r) => r.id === 'schema/valid-messages' && r.revision === rev)!;
      if (REQUIRED_ID.includes(rev)) {
        expect(vm.verdict, label(vm)).toBe('fail');
        expect(vm.message).toContain('missing required property "id"');
      } else {
        expect(vm.verdict, label(vm)).toBe('warn');
        expect(vm.message).toContain('SHOULD-level JSON-RPC finding');
        expect(vm.violations?.[0]).toMatchObject({ level: 'SHOULD', pointer: '' });
      }
    }
  }, 60_000);
});
