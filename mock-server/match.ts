// Small value helpers shared by the mock server, scripts, expectations and replay: subset
// matching, `{{path}}` templates over a context, and RFC 6570 level-1/2 URI template matching.
import { isObject } from '../schema/index.ts';
import { isDeepStrictEqual } from 'node:util';

/**
 * True when `actual` contains `expected`: objects match key by key (extra keys in actual are fine),
 * arrays match element by element with the same length unless `expected` is shorter and every
 * element finds a match in order, scalars match by equality.
 */
export function matchesSubset(actual: unknown, expected: unknown): boolean {
  if (isObject(expected)) {
    if (!isObject(actual)) return false;
    return Object.entries(expected).every(([k, v]) => matchesSubset(actual[k], v));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return false;
    if (expected.length === actual.length) return expected.every((e, i) => matchesSubset(actual[i], e));
    // A shorter expected array: each of its elements must match some later element, in order.
    let j = 0;
    for (const e of expected) {
      while (j < actual.length && !matchesSubset(actual[j], e)) j++;
      if (j >= actual.length) return false;
      j++;
    }
    return true;
  }
  return isDeepStrictEqual(actual, expected);
}

/** Where a subset match fails, as a JSON pointer and a reason (for step and expectation reports). */
export function subsetMismatch(actual: unknown, expected: unknown, pointer = ''): string | undefined {
  if (isObject(expected)) {
    if (!isObject(actual)) return `${pointer || '/'}: expected an object, got ${brief(actual)}`;
    for (const [k, v] of Object.entries(expected)) {
      const m = subsetMismatch(actual[k], v, `${pointer}/${k}`);
      if (m) return m;
    }
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${pointer || '/'}: expected an array, got ${brief(actual)}`;
    if (matchesSubset(actual, expected)) return undefined;
    if (expected.length === actual.length) {
      for (let i = 0; i < expected.length; i++) {
        const m = subsetMismatch(actual[i], expected[i], `${pointer}/${i}`);
        if (m) return m;
      }
    }
    return `${pointer || '/'}: expected ${brief(expected)}, got ${brief(actual)}`;
  }
  return isDeepStrictEqual(actual, expected) ? undefined : `${pointer || '/'}: expected ${brief(expected)}, got ${brief(actual)}`;
}

export function brief(v: unknown, max = 120): string {
  let s: string;
  try {
    s = v === undefined ? 'nothing' : JSON.stringify(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function lookup(context: unknown, path: string): unknown {
  let node = context;
  for (const part of path.split('.')) {
    if (part === '') continue;
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else if (isObject(node)) node = node[part];
    else return undefined;
  }
  return node;
}

const WHOLE = /^\{\{\s*([\w.$-]+)\s*\}\}$/;
const PART = /\{\{\s*([\w.$-]+)\s*\}\}/g;

/**
 * Fills `{{a.b.c}}` placeholders from a context, recursively through objects and arrays. A string
 * that is exactly one placeholder becomes the value itself (object, number…); placeholders inside
 * longer strings are replaced by their text (JSON for non-strings, empty for missing values).
 */
export function fillTemplate<T>(value: T, context: Record<string, unknown>): T {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole?.[1]) return lookup(context, whole[1]) as T;
    if (!value.includes('{{')) return value;
    return value.replace(PART, (_m, path: string) => {
      const v = lookup(context, path);
      if (v === undefined || v === null) return '';
      return typeof v === 'string' ? v : JSON.stringify(v);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => fillTemplate(v, context)) as T;
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fillTemplate(v, context);
    return out as T;
  }
  return value;
}

export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (isObject(value)) return Object.values(value).some(hasTemplate);
  return false;
}

export interface UriTemplate {
  template: string;
  variables: string[];
  match(uri: string): Record<string, string> | undefined;
  expand(vars: Record<string, string>): string;
}

/**
 * RFC 6570 matching for the expressions resource templates use: `{var}` (one path segment,
 * percent-decoded), `{+var}` and `{#var}` (reserved expansion, may span `/`), and `{var1,var2}`.
 */
export function uriTemplate(template: string): UriTemplate {
  const variables: string[] = [];
  let pattern = '^';
  let last = 0;
  const expr = /\{([+#./;?&]?)([^}]+)\}/g;
  const parts: { literal: string; op: string; names: string[] }[] = [];
  for (let m = expr.exec(template); m; m = expr.exec(template)) {
    const literal = template.slice(last, m.index);
    const op = m[1] ?? '';
    const names = (m[2] ?? '').split(',').map((n) => n.replace(/[*]$|:\d+$/, '').trim());
    parts.push({ literal, op, names });
    last = expr.lastIndex;
    pattern += escapeRe(literal);
    const prefix = op === '#' ? '#' : op === '.' ? '\\.' : op === '/' ? '/' : op === '?' ? '\\?' : op === '&' ? '&' : op === ';' ? ';' : '';
    const seg = op === '+' || op === '#' ? '(.*?)' : '([^/?#&,]*)';
    if (op === '?' || op === '&' || op === ';') {
      // Form-style: name=value pairs; optional as a whole.
      const pairs = names.map((n) => `${escapeRe(n)}=${seg}`).join(op === ';' ? ';' : '&');
      pattern += `(?:${prefix}${pairs})?`;
    } else {
      pattern += prefix + names.map(() => seg).join(',');
    }
    variables.push(...names);
  }
  const tail = template.slice(last);
  pattern += `${escapeRe(tail)}$`;
  const re = new RegExp(pattern);
  return {
    template,
    variables,
    match(uri) {
      const m = re.exec(uri);
      if (!m) return undefined;
      const out: Record<string, string> = {};
      variables.forEach((name, i) => {
        const raw = m[i + 1];
        if (raw === undefined) return;
        try {
          out[name] = decodeURIComponent(raw);
        } catch {
          out[name] = raw;
        }
      });
      return out;
    },
    expand(vars) {
      let s = '';
      for (const p of parts) {
        s += p.literal;
        const enc = (v: string) => (p.op === '+' || p.op === '#' ? encodeURI(v) : encodeURIComponent(v));
        const vals = p.names.map((n) => enc(vars[n] ?? ''));
        if (p.op === '?' || p.op === '&') s += (p.op === '?' ? '?' : '&') + p.names.map((n, i) => `${n}=${vals[i]}`).join('&');
        else s += (p.op === '#' ? '#' : p.op === '/' ? '/' : p.op === '.' ? '.' : '') + vals.join(',');
      }
      return s + tail;
    },
  };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
