// Newline framing and frame delivery shared by the stdio, in-memory and SSE transports.
import { describe, expect, it } from 'vitest';
import { deliverFrame, LineFramer } from '../../mock-server/transport.ts';

describe('LineFramer', () => {
  it('reassembles lines across chunks, drops \\r and blank lines', () => {
    const lines: string[] = [];
    const f = new LineFramer((l) => lines.push(l), () => {});
    for (const part of ['{"a":', '1}\r\n\n  \n{"b"', ':2}\n{"c":3']) f.push(Buffer.from(part));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    f.push(Buffer.from('}\n'));
    expect(lines.at(-1)).toBe('{"c":3}');
  });
  it('keeps multi-byte characters split between chunks whole', () => {
    const lines: string[] = [];
    const f = new LineFramer((l) => lines.push(l), () => {});
    const bytes = Buffer.from('"héllo"\n');
    f.push(bytes.subarray(0, 3));
    f.push(bytes.subarray(3));
    expect(lines).toEqual(['"héllo"']);
  });
  it('reports and drops a line longer than the limit, then frames the next one', () => {
    const lines: string[] = [];
    const over: number[] = [];
    const f = new LineFramer((l) => lines.push(l), (bytes) => over.push(bytes), 8);
    f.push(Buffer.from('0123456789'));
    expect(over).toEqual([10]);
    f.push(Buffer.from('\n{}\n'));
    expect(lines).toEqual(['{}']);
  });
});

describe('deliverFrame', () => {
  it('hands JSON to onmessage with the raw text and note, anything else to onmalformed', () => {
    const got: unknown[] = [];
    const bad: string[] = [];
    const t = { onmessage: (m: unknown, info: { raw: string; note?: string }) => got.push([m, info]), onmalformed: (raw: string) => bad.push(raw) };
    expect(deliverFrame(t, '{"x":1}', 'HTTP 200')).toEqual({ x: 1 });
    expect(deliverFrame(t, 'not json')).toBeUndefined();
    expect(got).toEqual([[{ x: 1 }, { raw: '{"x":1}', note: 'HTTP 200' }]]);
    expect(bad).toEqual(['not json']);
  });
});
