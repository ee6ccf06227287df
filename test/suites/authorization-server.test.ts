// The auth-server checks (suites/auth-server: `mcp-conform auth-server`), proven both ways on the
// mock authorization server: all pass on the correct one, and each fault or leniency that breaks a
// requirement fails exactly its check. Then bad input (malformed metadata, an unreachable issuer,
// a redirect to a foreign host, a server that never answers: verdicts naming the URL within the
// timeout), a login page (not verified), the browser step, a client ID metadata document, and a
// real authorization server nobody here wrote (oauth2-mock-server), its verdicts judged in the README.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OAuth2Server } from 'oauth2-mock-server';
import { PROJECT_ROOT, type Revision } from '../../schema/index.ts';
import type { CheckResult } from '../../reports/model.ts';
import { createAuthorizationServer, followAuthorization, serveHttp, type AuthServerOptions } from '../../mock-server/index.ts';
import { AS_REVISIONS, authServerChecks, runAuthServerChecks } from '../../suites/auth-server/index.ts';
import type { AuthServerTarget } from '../../suites/harness/index.ts';

const RESOURCE = 'https://mcp.example.com/mcp';
const timeouts = { requestTimeoutMs: 3_000, checkTimeoutMs: 20_000 };
const show = (rs: CheckResult[]) => rs.map((r) => `${r.id} [${r.revision}] ${r.verdict}: ${r.message}`).join('\n');
const ids = authServerChecks().map((d) => d.meta.id);

type Wrap = (h: (r: Request) => Promise<Response>) => (r: Request) => Promise<Response>;

/** The mock AS on 127.0.0.1, its handler optionally wrapped (to doctor what it serves). */
async function serveAs(o: AuthServerOptions = {}, wrap?: Wrap) {
  const as = await createAuthorizationServer(o);
  const served = await serveHttp(wrap ? wrap(as.handler) : as.handler, { host: '127.0.0.1' });
  as.bind(served.url);
  return { as, issuer: as.issuer, close: () => served.close() };
}

async function runAgainst(o: AuthServerOptions, only?: string[], extra: Partial<AuthServerTarget> = {}, wrap?: Wrap, revisions?: Revision[]): Promise<CheckResult[]> {
  const s = await serveAs(o, wrap);
  try {
    return await runAuthServerChecks({ issuer: s.issuer, resource: RESOURCE, ...extra }, { ...timeouts, ...(only ? { only } : {}), ...(revisions ? { revisions } : {}) });
  } finally {
    await s.close();
  }
}

/** Edits the metadata documents the wrapped handler serves. */
const editMetadata =
  (edit: (doc: Record<string, unknown>) => void): Wrap =>
  (h) =>
  async (r) => {
    const res = await h(r);
    if (!new URL(r.url).pathname.startsWith('/.well-known/') || res.status !== 200) return res;
    const doc = (await res.json()) as Record<string, unknown>;
    edit(doc);
    return new Response(JSON.stringify(doc), { status: 200, headers: { 'content-type': 'application/json' } });
  };

describe('auth-server checks on the correct mock authorization server', () => {
  it('every check passes at every revision it claims', async () => {
    // (http loopback client_id URLs allowed: the cimd-* checks serve their documents there.)
    const results = await runAgainst({ allowInsecureClientIdUrls: true });
    // (default-endpoints judges a server without metadata: below.)
    expect(show(results.filter((r) => r.verdict !== 'pass' && !(r.id === 'auth-server/default-endpoints' && r.verdict === 'not-applicable')))).toBe('');
    expect(new Set(results.map((r) => r.id))).toEqual(new Set(ids));
  });

  it('2025-03-26, no metadata: reached at the default /authorize, /token and /register, and judged there', async () => {
    const results = await runAgainst({ metadata: [] }, undefined, {}, undefined, ['2025-03-26']);
    const v = Object.fromEntries(results.map((r) => [r.id, r.verdict]));
    expect(v, show(results)).toEqual({ 'auth-server/default-endpoints': 'pass', 'auth-server/registration-supported': 'pass', 'auth-server/redirect-uri-exact': 'pass', 'auth-server/metadata-endpoints': 'not-applicable' });
  });

  it('a failure shows the exchanges, tokens shortened', async () => {
    const rs = await runAgainst({ lenient: ['reuse-code'] }, ['auth-server/code-single-use'], {});
    const ev = JSON.stringify(rs[0]?.evidence);
    expect(ev).toContain('token request reusing the code');
    expect(ev).toMatch(/"access_token":"[^"]{6}…\(\d+ chars\)"/);
  });
});

/** Answers 404 at these paths (a default endpoint that is not there). */
const missing =
  (...paths: string[]): Wrap =>
  (h) =>
  async (r) =>
    paths.includes(new URL(r.url).pathname) ? new Response('not found', { status: 404 }) : h(r);

/** Each requirement broken alone: [check id, mock options, handler wrapper, revisions (default all)]. */
const BREAKS: [string, AuthServerOptions, Wrap?, Revision[]?][] = [
  ['auth-server/metadata-discovery', { metadata: [] }],
  ['auth-server/metadata-issuer', { faults: [{ kind: 'metadata-issuer-mismatch' }] }],
  ['auth-server/metadata-endpoints', {}, editMetadata((d) => delete d.response_types_supported)],
  ['auth-server/pkce-advertised', { codeChallengeMethods: null }],
  ['auth-server/cimd-advertised', { clientIdMetadataDocuments: false }],
  ['auth-server/registration', { faults: [{ kind: 'error', endpoint: 'register', status: 500 }] }],
  // Without registration the flow's client is a client ID metadata document on loopback (accepted here).
  ['auth-server/registration-supported', { registration: false, allowInsecureClientIdUrls: true }],
  ['auth-server/authorization-response', { faults: [{ kind: 'drop-state' }] }],
  ['auth-server/token-response', { lenient: ['cacheable-token-response'] }],
  ['auth-server/resource-audience', { lenient: ['ignore-resource'] }],
  ['auth-server/iss-parameter', { issParameter: false }],
  ['auth-server/iss-parameter', { lenient: ['no-iss-on-error'] }],
  ['auth-server/iss-advertised', { advertiseIss: false }],
  ['auth-server/iss-value', { faults: [{ kind: 'wrong-iss' }] }],
  ['auth-server/pkce-required', { enforcePkce: false }],
  ['auth-server/pkce-verifier-checked', { lenient: ['ignore-code-verifier'] }],
  ['auth-server/redirect-uri-exact', { lenient: ['any-redirect-uri'] }],
  ['auth-server/cimd-fetched', { allowInsecureClientIdUrls: true, lenient: ['cimd-no-fetch'] }],
  ['auth-server/cimd-client-id-match', { allowInsecureClientIdUrls: true, lenient: ['cimd-client-id-mismatch'] }],
  ['auth-server/cimd-redirect-uri', { allowInsecureClientIdUrls: true, lenient: ['cimd-any-redirect-uri'] }],
  ['auth-server/cimd-invalid-document', { allowInsecureClientIdUrls: true, lenient: ['cimd-not-json'] }],
  ['auth-server/cimd-invalid-document', { allowInsecureClientIdUrls: true, lenient: ['cimd-missing-fields'] }],
  ['auth-server/code-single-use', { lenient: ['reuse-code'] }],
  ['auth-server/refresh-rotation', { rotateRefreshTokens: false }],
  // No metadata (which fails metadata-discovery from 2025-06-18): judged at 2025-03-26 alone.
  ['auth-server/default-endpoints', { metadata: [] }, missing('/authorize'), ['2025-03-26']],
  ['auth-server/default-endpoints', { metadata: [] }, missing('/token'), ['2025-03-26']],
  ['auth-server/registration-supported', { metadata: [] }, missing('/register'), ['2025-03-26']],
];

describe('each break fails exactly its check', () => {
  it('covers every auth-server check', () => {
    expect([...new Set(BREAKS.map(([id]) => id))].sort()).toEqual([...ids].sort());
  });

  it.each(BREAKS)('%s %o', async (id, o, wrap, revisions) => {
    const results = await runAgainst(o, undefined, {}, wrap, revisions);
    const mine = results.filter((r) => r.id === id);
    expect(mine.length).toBeGreaterThan(0);
    // fail at MUST, warn at SHOULD: the check's own level.
    for (const r of mine) expect(`${r.verdict}: ${r.message}`, show([r])).toMatch(r.level === 'MUST' ? /^fail: / : /^warn: /);
    // No other check fails for it (the ones it cuts off end not verified or not applicable).
    expect(show(results.filter((r) => r.id !== id && (r.verdict === 'fail' || r.verdict === 'warn')))).toBe('');
  });
});

describe('bad input: a verdict naming the URL, never a hang', () => {
  const quick = { requestTimeoutMs: 800, checkTimeoutMs: 5_000 };
  const discovery = async (issuer: string) => {
    const t0 = Date.now();
    const rs = await runAuthServerChecks({ issuer, resource: RESOURCE }, { ...quick, revisions: ['2025-11-25'] });
    return { rs, ms: Date.now() - t0, d: rs.find((r) => r.id === 'auth-server/metadata-discovery') as CheckResult };
  };

  it('a malformed metadata document fails metadata-discovery, naming the URL', async () => {
    const s = await serveHttp(async () => new Response('{"issuer": oops', { status: 200, headers: { 'content-type': 'application/json' } }), { host: '127.0.0.1' });
    try {
      const { d, rs } = await discovery(s.url);
      expect(d.verdict).toBe('fail');
      expect(d.message).toContain(`${s.url}/.well-known/oauth-authorization-server: HTTP 200, not JSON`);
      // The rest cannot be exercised: not verified, never a pass.
      expect(rs.filter((r) => r.id !== d.id).every((r) => r.verdict === 'not-verified' || r.verdict === 'not-applicable')).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('an unreachable issuer is not verified, naming the URL', async () => {
    const s = await serveHttp(async () => new Response(''), { host: '127.0.0.1' });
    await s.close();
    const { d } = await discovery(s.url);
    expect(d.verdict).toBe('not-verified');
    expect(d.message).toContain(`cannot fetch ${s.url}/.well-known/oauth-authorization-server`);
  });

  it('a redirect to a foreign host is not followed, naming both URLs', async () => {
    const s = await serveHttp(async () => new Response(null, { status: 302, headers: { location: 'http://127.0.0.2:9/.well-known/oauth-authorization-server' } }), { host: '127.0.0.1' });
    try {
      const { d } = await discovery(s.url);
      expect(d.verdict).toBe('not-verified');
      expect(d.message).toContain(`${s.url}/.well-known/oauth-authorization-server redirects (HTTP 302) to another host, http://127.0.0.2:9/`);
    } finally {
      await s.close();
    }
  });

  it('a server that never answers is not verified within the timeout', async () => {
    const server: Server = createServer(() => {
      // never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address() as { port: number };
    try {
      const { d, ms } = await discovery(`http://127.0.0.1:${addr.port}`);
      expect(d.verdict).toBe('not-verified');
      expect(d.message).toContain('no answer within 800 ms');
      expect(ms).toBeLessThan(8_000);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('how the client gets in and through', () => {
  const GRANT = ['auth-server/authorization-response', 'auth-server/token-response'];

  it('a login page at the authorization endpoint leaves the grant checks not verified, saying so', async () => {
    const wrap: Wrap = (h) => async (r) => (new URL(r.url).pathname === '/authorize' ? new Response('<form>Sign in</form>', { status: 200, headers: { 'content-type': 'text/html' } }) : h(r));
    const rs = await runAgainst({}, [...GRANT, 'auth-server/pkce-required'], {}, wrap);
    for (const r of rs) {
      expect(r.verdict, show([r])).toBe('not-verified');
      expect(r.message).toMatch(/asked for user interaction .*--browser/);
    }
  });

  it('--browser: the URL goes to the user, whose browser reaches the loopback redirect URI', async () => {
    const seen: string[] = [];
    // The "browser": follows the authorization URL and delivers the response to the listener.
    const onAuthorizationUrl = (url: string) => {
      seen.push(url);
      void followAuthorization(url, { deliver: true });
    };
    const rs = await runAgainst({}, GRANT, { browser: true, browserTimeoutMs: 5_000, onAuthorizationUrl });
    expect(show(rs.filter((r) => r.verdict !== 'pass'))).toBe('');
    expect(seen).toHaveLength(1);
    expect(new URL(seen[0] as string).searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('without dynamic registration, a client ID metadata document on the loopback listener', async () => {
    const rs = await runAgainst({ registration: false, allowInsecureClientIdUrls: true }, [...GRANT, 'auth-server/registration']);
    expect(show(rs.filter((r) => r.verdict !== 'pass' && r.id !== 'auth-server/registration'))).toBe('');
    expect(rs.filter((r) => r.id === 'auth-server/registration').every((r) => r.verdict === 'not-applicable')).toBe(true);
  });

  it('a client ID metadata document at an http URL refused (as it should be): not verified, naming --client-id (the cimd-* probes: the URL and --cimd-base-url)', async () => {
    const CIMD = ['auth-server/cimd-fetched', 'auth-server/cimd-client-id-match', 'auth-server/cimd-redirect-uri', 'auth-server/cimd-invalid-document'];
    const all = await runAgainst({ registration: false }, [...GRANT, 'auth-server/pkce-required', 'auth-server/pkce-verifier-checked', 'auth-server/redirect-uri-exact', ...CIMD]);
    const probes = all.filter((r) => CIMD.includes(r.id));
    expect(probes.length).toBe(CIMD.length * 2);
    for (const r of probes) expect(`${r.verdict}: ${r.message}`).toMatch(/^not-verified: the authorization server did not fetch the suite's correct client ID metadata document at http:\/\/127\.0\.0\.1:\d+\/cimd\/valid-\S+\.json .*must use https.* may refuse this http loopback URL \(allowed\): give --cimd-base-url/);
    const rs = all.filter((r) => !CIMD.includes(r.id));
    for (const r of rs) {
      expect(r.verdict, show([r])).toBe('not-verified');
      expect(r.message).toMatch(/did not accept the suite's client ID metadata document at http:\/\/127\.0\.0\.1:\d+\/client-metadata\.json .*give --client-id/);
    }
  });

  it('--browser: the negative probes need more authorizations and say so', async () => {
    const onAuthorizationUrl = (url: string) => void followAuthorization(url, { deliver: true });
    const rs = await runAgainst({}, ['auth-server/pkce-required', 'auth-server/pkce-verifier-checked', 'auth-server/redirect-uri-exact'], { browser: true, browserTimeoutMs: 5_000, onAuthorizationUrl });
    for (const r of rs) expect(`${r.verdict}: ${r.message}`).toMatch(/^not-verified: .*only a headless run makes: run without --browser/);
  });

  it('--cimd-base-url: the documents of the probes are named under it and fetched through it', async () => {
    // localhost:<port> stands for a forwarder to the listener (a fixed --redirect-port).
    const free: Server = createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', () => r()));
    const port = (free.address() as { port: number }).port;
    await new Promise<void>((r) => free.close(() => r()));
    const s = await serveAs({ allowInsecureClientIdUrls: true, registration: false });
    try {
      const only = ['auth-server/cimd-fetched', 'auth-server/cimd-client-id-match'];
      const rs = await runAuthServerChecks({ issuer: s.issuer, resource: RESOURCE, redirectPort: port, cimdBaseUrl: `http://localhost:${port}` }, { ...timeouts, only, revisions: ['2026-07-28'] });
      expect(show(rs.filter((r) => r.verdict !== 'pass'))).toBe('');
      const fetched = s.as.log.records.filter((r) => r.endpoint === 'cimd-fetch').map((r) => r.url);
      expect(fetched.some((u) => u.startsWith(`http://localhost:${port}/cimd/valid-`)), fetched.join(' ')).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('a redirect port in use: not verified, naming it (never a crash verdict)', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const rs = await runAgainst({}, GRANT, { redirectPort: port });
      for (const r of rs) expect(`${r.verdict}: ${r.message}`).toMatch(new RegExp(`^not-verified: .*cannot listen on 127\\.0\\.0\\.1:${port}`));
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });

  it('a registration refused: a client ID metadata document instead (only the registration check fails)', async () => {
    const rs = await runAgainst({ allowInsecureClientIdUrls: true, faults: [{ kind: 'error', endpoint: 'register', status: 500 }] }, [...GRANT, 'auth-server/registration']);
    expect(show(rs.filter((r) => r.verdict !== 'pass'))).toMatch(/^(auth-server\/registration \[[^\]]+\] fail: registering a valid client .* HTTP 500.*\n?)+$/);
    expect(rs.filter((r) => r.id !== 'auth-server/registration').every((r) => r.verdict === 'pass')).toBe(true);
  });

  it('with no way to get a client, the grant checks are not verified, naming --client-id', async () => {
    const rs = await runAgainst({ registration: false, clientIdMetadataDocuments: false }, GRANT);
    for (const r of rs) {
      expect(r.verdict).toBe('not-verified');
      expect(r.message).toContain('give --client-id');
    }
  });
});

// ---- a real authorization server nobody here wrote ----

describe('oauth2-mock-server (npm, pinned)', () => {
  it('the suite completes a grant against it; its verdicts are the ones the README judges', async () => {
    const server = new OAuth2Server();
    await server.issuer.keys.generate('RS256');
    await server.start(0, '127.0.0.1');
    try {
      const issuer = server.issuer.url as string;
      // It has no registration: a given client id (it accepts any, with any redirect URI).
      const rs = await runAuthServerChecks({ issuer, resource: RESOURCE, clientId: 'mcp-conform-test' }, timeouts);
      const verdicts = Object.fromEntries(rs.map((r) => [`${r.id} [${r.revision}]`, r.verdict]));
      const at = (id: string, revs: Revision[] = AS_REVISIONS) => revs.map((r) => `${id} [${r}]`);
      const expected: Record<string, string> = {};
      const set = (id: string, v: string, revs?: Revision[]) => {
        for (const k of at(id, revs)) if (k in verdicts) expected[k] = v;
      };
      for (const id of ids) set(id, 'pass');
      set('auth-server/registration', 'not-applicable'); // no registration_endpoint
      set('auth-server/registration-supported', 'warn'); // no dynamic client registration (a SHOULD at 2025-03-26 and 2025-06-18)
      set('auth-server/cimd-advertised', 'warn'); // no client ID metadata documents
      set('auth-server/resource-audience', 'warn'); // aud is not the resource: RFC 8707 not implemented
      set('auth-server/iss-parameter', 'warn'); // no iss in the authorization response
      set('auth-server/iss-advertised', 'not-applicable');
      set('auth-server/iss-value', 'not-applicable');
      set('auth-server/default-endpoints', 'not-applicable'); // it has metadata
      for (const id of ['auth-server/cimd-fetched', 'auth-server/cimd-client-id-match', 'auth-server/cimd-redirect-uri', 'auth-server/cimd-invalid-document']) set(id, 'not-applicable'); // no client ID metadata documents
      set('auth-server/pkce-required', 'fail'); // a request without code_challenge gets a code
      set('auth-server/redirect-uri-exact', 'fail'); // redirects to whatever redirect_uri it is given
      set('auth-server/refresh-rotation', 'fail'); // any refresh token is accepted, a used one too
      expect(verdicts, show(rs)).toEqual(expected);
    } finally {
      await server.stop();
    }
  });
});

// ---- metadata ----

const SPEC = process.env.MCP_SPEC_DIR ?? join(PROJECT_ROOT, '..', 'shared', 'mcp-spec');
const slug = (h: string) =>
  h
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');

// Skipped only without the spec pages (no ../shared and no MCP_SPEC_DIR): nothing to check against.
describe.skipIf(!existsSync(SPEC))('spec citations', () => {
  it.each(authServerChecks().map((d) => [d.meta.id, d] as const))('%s cites existing pages and anchors, at a level its requirement quotes', (_id, d) => {
    for (const [rev, ref] of Object.entries(d.meta.spec) as [Revision, string][]) {
      const [page, anchor] = ref.split('#') as [string, string];
      // 2026-07-28's basic/authorization is a folder: its index page.
      const file = [join(SPEC, rev, 'docs', `${page}.mdx`), join(SPEC, rev, 'docs', page, 'index.mdx')].find((f) => existsSync(f));
      expect(file, `${rev}: ${page}`).toBeDefined();
      const anchors = readFileSync(file as string, 'utf8')
        .split('\n')
        .filter((l) => /^#{2,6} /.test(l))
        .map((l) => slug(l.replace(/^#+ /, '').trim()));
      expect(anchors, `${rev}: ${ref}`).toContain(anchor);
    }
    expect(d.meta.requirement).toMatch(new RegExp(`\\b${d.meta.level}\\b`));
  });
});
