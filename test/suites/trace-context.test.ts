// The W3C grammars messages/trace-context-format judges a server's traceparent, tracestate and baggage by.
import { describe, expect, it } from 'vitest';
import { traceValueProblem } from '../../suites/server/base-protocol.ts';

describe('traceValueProblem', () => {
  it('accepts the W3C examples', () => {
    expect(traceValueProblem('traceparent', '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01')).toBeUndefined();
    // A later version may append fields.
    expect(traceValueProblem('traceparent', '01-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01-extra')).toBeUndefined();
    expect(traceValueProblem('tracestate', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toBeUndefined();
    expect(traceValueProblem('tracestate', 'fw529a3039@dt=t61rcWkgMzE, ,a=b')).toBeUndefined();
    expect(traceValueProblem('baggage', 'key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue')).toBeUndefined();
  });
  it('rejects what breaks them', () => {
    expect(traceValueProblem('traceparent', '00-0AF7651916CD43DD8448EB211C80319C-00f067aa0ba902b7-01')).toMatch(/lowercase hex/);
    expect(traceValueProblem('traceparent', '00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toMatch(/all-zero trace-id/);
    expect(traceValueProblem('traceparent', 'ff-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01')).toMatch(/version ff/);
    expect(traceValueProblem('traceparent', '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01-x')).toMatch(/more than four fields/);
    expect(traceValueProblem('traceparent', 42)).toMatch(/not a string/);
    expect(traceValueProblem('tracestate', 'Rojo=1')).toMatch(/tracestate grammar/);
    expect(traceValueProblem('tracestate', 'rojo')).toMatch(/tracestate grammar/);
    expect(traceValueProblem('baggage', 'key with space=1')).toMatch(/baggage grammar/);
    expect(traceValueProblem('baggage', 'k="quoted"')).toMatch(/baggage grammar/);
  });
});
