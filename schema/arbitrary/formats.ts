// String formats: a generator per format ajv-formats knows, each shaped to pass its check (and
// filtered through that very check, so a shape this file gets wrong fails loudly, never silently).
import fc from 'fast-check';
import { createAjv } from '../validate.ts';
import { boundedFilter } from './oracle.ts';

// Built on first use: fc.domain(), fc.webUrl() and an ajv instance cost about a second to set up,
// and every process that imports the schema room (servers, the CLI, test workers) would pay it.
let generators: Record<string, fc.Arbitrary<string>> | undefined;

/** An arbitrary built on first use that draws exactly what the built one draws (same values, seed for seed). */
class LazyArbitrary<T> extends fc.Arbitrary<T> {
  private built: fc.Arbitrary<T> | undefined;
  constructor(private readonly build: () => fc.Arbitrary<T>) {
    super();
  }
  private get arb(): fc.Arbitrary<T> {
    return (this.built ??= this.build());
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    return this.arb.generate(mrng, biasFactor);
  }
  canShrinkWithoutContext(value: unknown): value is T {
    return this.arb.canShrinkWithoutContext(value);
  }
  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    return this.arb.shrink(value, context);
  }
}

function buildGenerators(): Record<string, fc.Arbitrary<string>> {
  const seg = fc.stringMatching(/^[a-z0-9][a-z0-9._~-]{0,7}$/);
  const host = fc.oneof(fc.domain(), fc.constantFrom('localhost', 'example.com', '127.0.0.1'));
  const path = fc.array(seg, { maxLength: 3 }).map((s) => (s.length ? `/${s.join('/')}` : ''));

  // Schemes MCP peers meet: web, files, and the custom ones servers use for resources.
  const uri = fc.oneof(
    fc.tuple(fc.constantFrom('https', 'http', 'file', 'test', 'mcp+demo'), host, path).map(([s, h, p]) => `${s}://${h}${p}`),
    fc.tuple(fc.constantFrom('file'), path).map(([s, p]) => `${s}://${p || '/'}`),
    fc.tuple(fc.constantFrom('urn', 'mailto', 'data'), seg).map(([s, v]) => `${s}:${v}`),
    // fc.webUrl costs ~1.6 s of CPU to construct: built only when a uri first draws from it.
    new LazyArbitrary(() => fc.webUrl({ size: 'xsmall' })),
  );

  const uriReference = fc.oneof(uri, path.map((p) => p || '/'), seg.map((s) => `../${s}`), seg.map((s) => `#${s}`), fc.constant(''));

  const varName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}$/);
  const uriTemplate = fc
    .tuple(uri, fc.array(fc.tuple(fc.constantFrom('', '+', '#', '/', '?', '&'), varName), { maxLength: 2 }))
    .map(([u, vars]) => u + vars.map(([op, v]) => (op === '/' ? `{/${v}}` : op === '?' || op === '&' ? `{${op}${v}}` : `/{${op}${v}}`)).join(''));

  const date = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });
  const dateTime = fc.tuple(date, fc.constantFrom('Z', '+00:00', '-05:30')).map(([d, z]) => d.toISOString().replace('Z', z));

  const email = fc
    .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,7}$/), fc.domain())
    .map(([local, domain]) => `${local.replace(/\.+$/, '').replace(/\.{2,}/g, '.')}@${domain}`);

  const base64 = fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b).toString('base64'));

  const jsonPointer = fc.array(fc.stringMatching(/^[a-z0-9~]{0,5}$/), { maxLength: 3 }).map((s) => s.map((x) => `/${x.replace(/~/g, '~0')}`).join(''));

  return {
    uri,
    url: uri.filter((u) => /^https?:/.test(u)),
    iri: uri,
    'uri-reference': uriReference,
    'iri-reference': uriReference,
    'uri-template': uriTemplate,
    byte: base64,
    'date-time': dateTime,
    'iso-date-time': dateTime,
    date: date.map((d) => d.toISOString().slice(0, 10)),
    time: dateTime.map((s) => s.slice(11)),
    'iso-time': dateTime.map((s) => s.slice(11)),
    duration: fc.constantFrom('P1D', 'PT1H', 'PT1H30M', 'P1Y2M3DT4H5M6S', 'P2W', 'PT0.5S'),
    email,
    'idn-email': email,
    hostname: fc.domain(),
    'idn-hostname': fc.domain(),
    ipv4: fc.ipV4(),
    ipv6: fc.ipV6(),
    uuid: fc.uuid(),
    regex: fc.constantFrom('^[a-z]+$', '\\d{2,4}', '.*', '^(a|b)?c$'),
    'json-pointer': jsonPointer,
    'json-pointer-uri-fragment': jsonPointer.map((p) => `#${p}`),
    'relative-json-pointer': fc.tuple(fc.nat(5), jsonPointer).map(([n, p]) => `${n}${p}`),
  };
}


let ajv: ReturnType<typeof createAjv> | undefined;
const checks = new Map<string, (v: unknown) => boolean>();

function checkFor(format: string): (v: unknown) => boolean {
  let fn = checks.get(format);
  if (!fn) {
    const v = (ajv ??= createAjv('2020-12')).compile({ type: 'string', format });
    fn = (x) => v(x) as boolean;
    checks.set(format, fn);
  }
  return fn;
}

/** Generator of strings in a format ajv checks; undefined when ajv ignores the format (any string passes). */
export function formatArbitrary(format: string, pointer: string): fc.Arbitrary<string> | undefined {
  const gen = (generators ??= buildGenerators())[format];
  if (!gen) return undefined;
  return boundedFilter(gen, checkFor(format), { pointer, construct: `format: ${format}` }, 50);
}

/** Formats ajv-formats defines for numbers. */
export function numericFormatBounds(format: unknown): { min: number; max: number } | undefined {
  if (format === 'int32') return { min: -(2 ** 31), max: 2 ** 31 - 1 };
  if (format === 'int64') return { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };
  return undefined;
}
