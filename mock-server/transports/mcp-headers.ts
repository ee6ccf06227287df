// The request-metadata headers of Streamable HTTP from 2026-07-28 on
// (basic/transports/streamable-http#request-metadata): Mcp-Method, Mcp-Name, Mcp-Param-{Name},
// their Base64 sentinel encoding, the x-mcp-header schema extension, and the server-side check.
import { isObject, META } from '../../schema/index.ts';


/** Methods whose Mcp-Name header mirrors a body field. */
export const NAME_SOURCE: Readonly<Record<string, 'name' | 'uri'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
};

const SENTINEL = /^=\?base64\?(.*)\?=$/s;

/** True for a revision string of the stateless era (no initialize, no sessions). */
export function isModernVersion(version: string | undefined): boolean {
  return typeof version === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= '2026-07-28';
}

/** The protocol version a request carries in `_meta` (2026-07-28 on), if any. */
export function metaProtocolVersion(message: unknown): string | undefined {
  if (!isObject(message) || !isObject(message.params) || !isObject(message.params._meta)) return undefined;
  const v = message.params._meta[META.protocolVersion];
  return typeof v === 'string' ? v : undefined;
}

/** Plain when the value is safe header text, otherwise `=?base64?…?=` of its UTF-8 bytes. */
export function encodeHeaderValue(value: string): string {
  const plain = /^[\x20-\x7e\t]*$/.test(value) && value === value.trim() && !SENTINEL.test(value);
  return plain ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

export function decodeHeaderValue(value: string): { ok: true; value: string } | { ok: false; reason: string } {
  if (!/^[\x20-\x7e\t]*$/.test(value)) return { ok: false, reason: 'contains characters outside visible ASCII, space and tab' };
  const m = SENTINEL.exec(value);
  if (!m) return { ok: true, value };
  const b64 = m[1] ?? '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return { ok: false, reason: 'invalid Base64 in sentinel encoding' };
  return { ok: true, value: Buffer.from(b64, 'base64').toString('utf8') };
}

/** Mcp-Method and, for tools/call, prompts/get and resources/read, Mcp-Name. */
export function standardRequestHeaders(message: unknown): Record<string, string> {
  if (!isObject(message) || typeof message.method !== 'string' || !Object.hasOwn(message, 'id')) return {};
  const out: Record<string, string> = { 'mcp-method': message.method };
  const field = NAME_SOURCE[message.method];
  const src = field && isObject(message.params) ? message.params[field] : undefined;
  if (typeof src === 'string') out['mcp-name'] = encodeHeaderValue(src);
  return out;
}

export interface ParamHeaderSpec {
  /** The name after `Mcp-Param-`. */
  name: string;
  /** Chain of `properties` keys from the schema root. */
  path: string[];
  type: 'string' | 'integer' | 'boolean';
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function countMarkers(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + countMarkers(x), 0);
  if (!isObject(node)) return 0;
  let n = Object.hasOwn(node, 'x-mcp-header') ? 1 : 0;
  for (const v of Object.values(node)) n += countMarkers(v);
  return n;
}

/**
 * A value the schema of an integer header parameter states (bounds, const, default, enum, examples)
 * beyond Number.MAX_SAFE_INTEGER, as `keyword value`: such values have no exact header form.
 */
function unsafeIntegerIn(prop: Record<string, unknown>): string | undefined {
  for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'const', 'default', 'enum', 'examples']) {
    const vs = Array.isArray(prop[k]) ? (prop[k] as unknown[]) : [prop[k]];
    const bad = vs.find((v) => typeof v === 'number' && Math.abs(v) > Number.MAX_SAFE_INTEGER);
    if (bad !== undefined) return `${k} ${String(bad)}`;
  }
  return undefined;
}

/**
 * The x-mcp-header annotations of a tool's inputSchema (server/tools#x-mcp-header), with every
 * reason the definition is invalid; a client MUST drop a tool whose list of errors is not empty.
 */
export function paramHeaderSpecs(inputSchema: unknown): { specs: ParamHeaderSpec[]; errors: string[] } {
  const specs: ParamHeaderSpec[] = [];
  const errors: string[] = [];
  const walk = (node: Record<string, unknown>, path: string[]) => {
    if (!isObject(node.properties)) return;
    for (const [key, prop] of Object.entries(node.properties)) {
      if (!isObject(prop)) continue;
      const p = [...path, key];
      if (Object.hasOwn(prop, 'x-mcp-header')) {
        const name = prop['x-mcp-header'];
        const where = `/${p.join('/')}`;
        if (typeof name !== 'string' || name === '') errors.push(`${where}: x-mcp-header must be a non-empty string`);
        else if (!TOKEN.test(name)) errors.push(`${where}: x-mcp-header "${name}" is not an HTTP token`);
        else if (prop.type !== 'string' && prop.type !== 'integer' && prop.type !== 'boolean') {
          errors.push(`${where}: x-mcp-header on a ${JSON.stringify(prop.type)} property (only string, integer, boolean)`);
        } else if (specs.some((s) => s.name.toLowerCase() === name.toLowerCase())) {
          errors.push(`${where}: x-mcp-header "${name}" is not unique (case-insensitively)`);
        } else if (prop.type === 'integer' && unsafeIntegerIn(prop) !== undefined) {
          errors.push(`${where}: x-mcp-header on an integer property whose schema states ${unsafeIntegerIn(prop)}, outside the safe integer range (-(2^53-1) … 2^53-1)`);
        } else specs.push({ name, path: p, type: prop.type });
      }
      walk(prop, p);
    }
  };
  if (isObject(inputSchema)) walk(inputSchema, []);
  const reachable = specs.length + errors.length;
  const total = countMarkers(inputSchema);
  if (total > reachable) errors.push(`${total - reachable} x-mcp-header annotation(s) outside a chain of "properties" keys`);
  return { specs, errors };
}

function valueAt(args: unknown, path: string[]): unknown {
  let cur = args;
  for (const k of path) {
    if (!isObject(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Mcp-Param-{Name} headers for a tools/call's arguments; absent values give no header. */
export function paramHeaders(specs: ParamHeaderSpec[], args: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of specs) {
    const v = valueAt(args, s.path);
    let text: string | undefined;
    if (typeof v === 'string') text = v;
    else if (typeof v === 'boolean') text = String(v);
    else if (typeof v === 'number' && Number.isSafeInteger(v)) text = String(v);
    if (text !== undefined) out[`mcp-param-${s.name.toLowerCase()}`] = encodeHeaderValue(text);
  }
  return out;
}

/**
 * The server-side check of mirrored headers against a request body; returns why the request must
 * be rejected with 400 and HeaderMismatch, or undefined when it passes.
 */
export function checkRequestHeaders(headers: Headers, message: unknown, inputSchemaOf?: (tool: string) => unknown): string | undefined {
  if (!isObject(message) || typeof message.method !== 'string' || !Object.hasOwn(message, 'id')) return undefined;
  const version = headers.get('mcp-protocol-version');
  const metaVersion = metaProtocolVersion(message);
  if (version === null) return 'required header MCP-Protocol-Version is missing';
  if (metaVersion !== undefined && version !== metaVersion) {
    return `MCP-Protocol-Version header value '${version}' does not match body value '${metaVersion}'`;
  }
  const method = headers.get('mcp-method');
  if (method === null) return 'required header Mcp-Method is missing';
  if (method !== message.method) return `Mcp-Method header value '${method}' does not match body value '${message.method}'`;
  const field = NAME_SOURCE[message.method];
  if (field) {
    const raw = headers.get('mcp-name');
    if (raw === null) return 'required header Mcp-Name is missing';
    const decoded = decodeHeaderValue(raw);
    if (!decoded.ok) return `Mcp-Name header is malformed: ${decoded.reason}`;
    const body = isObject(message.params) ? message.params[field] : undefined;
    if (decoded.value !== body) return `Mcp-Name header value '${decoded.value}' does not match body value '${String(body)}'`;
  }
  if (message.method === 'tools/call' && inputSchemaOf && isObject(message.params) && typeof message.params.name === 'string') {
    const { specs } = paramHeaderSpecs(inputSchemaOf(message.params.name));
    for (const s of specs) {
      const raw = headers.get(`mcp-param-${s.name}`);
      const bodyValue = valueAt(message.params.arguments, s.path);
      if (raw === null) {
        // A null value is omitted like an absent one: servers MUST NOT expect the header (streamable-http).
        if (bodyValue !== undefined && bodyValue !== null) return `required header Mcp-Param-${s.name} is missing`;
        continue;
      }
      const decoded = decodeHeaderValue(raw);
      if (!decoded.ok) return `Mcp-Param-${s.name} header is malformed: ${decoded.reason}`;
      const same =
        s.type === 'integer' ? typeof bodyValue === 'number' && Number(decoded.value) === bodyValue : decoded.value === String(bodyValue);
      if (!same) return `Mcp-Param-${s.name} header value '${decoded.value}' does not match body value '${String(bodyValue)}'`;
    }
  }
  return undefined;
}
