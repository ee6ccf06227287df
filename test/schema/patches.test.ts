// Each load-time schema patch: the defect is real in the official file, and the patch fixes
// exactly it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSchema, PATCHES, resolveSchemaFileSync, REVISIONS, validate, type Revision } from '../../schema/index.ts';
import { createAjv } from '../../schema/index.ts';

function officialValidator(rev: Revision, type: string) {
  const doc = JSON.parse(readFileSync(resolveSchemaFileSync(rev), 'utf8')) as Record<string, unknown>;
  const key = '$defs' in doc ? '$defs' : 'definitions';
  const ajv = createAjv(key === '$defs' ? '2020-12' : 'draft-07');
  const { $schema: _s, ...rest } = doc;
  ajv.addSchema({ ...rest, $id: 'urn:mcp-official:schema' });
  return ajv.getSchema(`urn:mcp-official:schema#/${key}/${type}`)!;
}

describe('schema patches', () => {
  it('every patch has an id, a reason and revisions, and is applied at load', () => {
    for (const p of PATCHES) {
      expect(p.reason.length).toBeGreaterThan(40);
      for (const rev of p.revisions) expect(loadSchema(rev).patches).toContain(p.id);
    }
  });

  describe.each(REVISIONS)('error-response-null-id (%s)', (rev) => {
    const type = rev >= '2025-11-25' ? 'JSONRPCErrorResponse' : 'JSONRPCError';
    const parseError = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } };

    it('the official schema rejects the JSON-RPC answer to a parse error', () => {
      expect(officialValidator(rev, type)(parseError)).toBe(false);
    });

    it('the patched schema accepts it, and still rejects null ids elsewhere', () => {
      expect(validate(rev, type, parseError).valid).toBe(true);
      expect(validate(rev, 'JSONRPCRequest', { jsonrpc: '2.0', id: null, method: 'ping' }).valid).toBe(false);
      const resultType = rev >= '2025-11-25' ? 'JSONRPCResultResponse' : 'JSONRPCResponse';
      expect(validate(rev, resultType, { jsonrpc: '2.0', id: null, result: {} }).valid).toBe(false);
    });
  });

  describe.each(['2025-06-18', '2025-11-25', '2026-07-28'] as const)('elicit-result-number (%s)', (rev) => {
    const fractional = { action: 'accept', content: { score: 95.5 } };

    it('the official schema rejects a fractional number in accepted form content', () => {
      expect(officialValidator(rev, 'ElicitResult')(fractional)).toBe(false);
    });

    it('the patched schema accepts it, and still rejects objects', () => {
      expect(validate(rev, 'ElicitResult', fractional).valid).toBe(true);
      expect(validate(rev, 'ElicitResult', { action: 'accept', content: { score: { x: 1 } } }).valid).toBe(false);
    });
  });
});
