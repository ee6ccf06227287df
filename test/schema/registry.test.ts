// The method registry of each revision is exactly what its schema's unions declare.
import { describe, expect, it } from 'vitest';
import { hasCapability, loadSchema, registry, REVISIONS, unionMembers, type Revision } from '../../schema/index.ts';

function declaredMethods(rev: Revision): Set<string> {
  const { defs } = loadSchema(rev);
  const out = new Set<string>();
  for (const u of ['ClientRequest', 'ServerRequest', 'ClientNotification', 'ServerNotification', 'InputRequest']) {
    for (const name of unionMembers(defs, u)) {
      const m = (defs[name]?.properties as Record<string, { const?: string }>).method?.const;
      if (m) out.add(m);
    }
  }
  return out;
}

describe.each(REVISIONS)('registry %s', (rev) => {
  const reg = registry(rev);

  it('holds every method the schema declares, and no other', () => {
    expect(new Set(reg.methods.keys())).toEqual(declaredMethods(rev));
  });

  it('every entry names message, params and result types that exist', () => {
    const { defs } = loadSchema(rev);
    for (const info of reg.methods.values()) {
      expect(defs[info.messageType], info.method).toBeDefined();
      if (info.paramsType) expect(defs[info.paramsType], info.method).toBeDefined();
      if (info.resultType) expect(defs[info.resultType], info.method).toBeDefined();
      expect(info.kind === 'notification').toBe(info.resultType === undefined);
    }
  });

  it('every result type in the result unions answers some request', () => {
    const { defs } = loadSchema(rev);
    const results = new Set([...unionMembers(defs, 'ServerResult'), ...unionMembers(defs, 'ClientResult')]);
    const answered = new Set([...reg.methods.values()].map((i) => i.resultType));
    for (const r of results) if (r !== 'Result' && r !== 'InputRequiredResult') expect(answered, r).toContain(r);
  });

  it('every capability gate names a capability of the schema', () => {
    const { defs } = loadSchema(rev);
    for (const info of reg.methods.values()) {
      for (const gate of Object.values(info.gates)) {
        const caps = defs[gate.side === 'server' ? 'ServerCapabilities' : 'ClientCapabilities'];
        let node = caps as Record<string, unknown> | undefined;
        for (const key of gate.path) {
          const props = node?.properties as Record<string, Record<string, unknown>> | undefined;
          // Nested flags are declared in the schema, except where a capability is an open object.
          if (props) {
            expect(props[key], `${info.method}: ${gate.side}.${gate.path.join('.')}`).toBeDefined();
            node = props[key];
          }
        }
      }
    }
  });
});

describe('revision differences', () => {
  it('server/discover exists only in 2026-07-28', () => {
    for (const rev of REVISIONS) expect(registry(rev).get('server/discover') !== undefined).toBe(rev === '2026-07-28');
  });

  it('the cacheable results are the six 2026-07-28 names (server/utilities/caching), none before', () => {
    const cacheable = (rev: Revision) => [...registry(rev).methods.values()].filter((m) => m.cacheable).map((m) => m.method).sort();
    expect(cacheable('2026-07-28')).toEqual(['prompts/list', 'resources/list', 'resources/read', 'resources/templates/list', 'server/discover', 'tools/list']);
    for (const rev of REVISIONS.filter((r) => r !== '2026-07-28')) expect(cacheable(rev), rev).toEqual([]);
  });

  it('ping and initialize exist in every revision but 2026-07-28', () => {
    for (const rev of REVISIONS) {
      expect(registry(rev).get('ping') !== undefined, rev).toBe(rev !== '2026-07-28');
      expect(registry(rev).get('initialize') !== undefined, rev).toBe(rev !== '2026-07-28');
    }
  });

  it('tasks/* are in 2025-11-25, both ways, gated by the receiver', () => {
    const reg = registry('2025-11-25');
    for (const m of ['tasks/get', 'tasks/result', 'tasks/cancel', 'tasks/list']) {
      const info = reg.get(m)!;
      expect(info.directions.sort()).toEqual(['client-to-server', 'server-to-client']);
      expect(info.gates['client-to-server']?.side).toBe('server');
      expect(info.gates['server-to-client']?.side).toBe('client');
    }
    expect(registry('2025-06-18').get('tasks/get')).toBeUndefined();
  });

  it('elicitation arrives in 2025-06-18; 2026-07-28 carries server requests as input requests', () => {
    expect(registry('2025-03-26').get('elicitation/create')).toBeUndefined();
    expect(registry('2025-06-18').get('elicitation/create')?.kind).toBe('request');
    expect(registry('2026-07-28').get('sampling/createMessage')?.kind).toBe('input-request');
  });

  it('directions and gates', () => {
    const reg = registry('2025-11-25');
    expect(reg.get('ping')!.directions.sort()).toEqual(['client-to-server', 'server-to-client']);
    expect(reg.get('sampling/createMessage')!.directions).toEqual(['server-to-client']);
    expect(reg.get('tools/call')!.gates['client-to-server']).toEqual({ side: 'server', path: ['tools'] });
    expect(reg.get('notifications/resources/updated')!.gates['server-to-client']).toEqual({ side: 'server', path: ['resources', 'subscribe'] });
    // completions was not a capability in 2024-11-05, so completion/complete was ungated then.
    expect(registry('2024-11-05').get('completion/complete')!.gates).toEqual({});
  });

  it('hasCapability reads declared capabilities', () => {
    expect(hasCapability({ tools: {} }, { side: 'server', path: ['tools'] })).toBe(true);
    expect(hasCapability({}, { side: 'server', path: ['tools'] })).toBe(false);
    expect(hasCapability({ resources: { subscribe: false } }, { side: 'server', path: ['resources', 'subscribe'] })).toBe(false);
    expect(hasCapability({ resources: { subscribe: true } }, { side: 'server', path: ['resources', 'subscribe'] })).toBe(true);
  });
});
