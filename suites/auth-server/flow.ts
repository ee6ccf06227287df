// The suite's own OAuth client (basic/authorization): finds an authorization server's metadata,
// registers (a given client id, else dynamic client registration, else a client ID metadata
// document), and runs the authorization code grant with PKCE S256, `state` and `resource` through
// a loopback redirect listener on 127.0.0.1. The authorization step is headless (redirects
// followed the way a browser with nothing to ask the user would) or, with `browser`, left to the
// user's browser. Every HTTP exchange is kept, bounded by the timeout, for the checks to judge.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { isObject } from '../../schema/index.ts';
import { asMetadataUrls, fetchBounded, type AuthServerTarget, type FetchedJson } from '../harness/index.ts';

/** One HTTP request the client made and what came back. */
export interface Exchange {
  what: string;
  method: 'GET' | 'POST';
  url: string;
  /** The request body (form or JSON), secrets shortened. */
  body?: string;
  /** 0: no answer (see error). */
  status: number;
  headers: Record<string, string>;
  text: string;
  json?: unknown;
  error?: string;
}

export interface MetadataFound {
  url: string;
  doc: Record<string, unknown>;
  contentType?: string;
  /** 'default': no metadata; the 2025-03-26 default endpoints stand in for it (see defaultEndpoints). */
  variant: 'oauth' | 'oidc' | 'default';
}

export interface Metadata {
  attempts: FetchedJson[];
  found?: MetadataFound;
}

export interface Client {
  how: 'given' | 'dcr' | 'cimd';
  clientId: string;
  clientSecret?: string;
  /** The registration request, for DCR. */
  exchange?: Exchange;
}

export interface Registration {
  client?: Client;
  exchanges: Exchange[];
  /** Why there is no client. */
  error?: string;
}

/** What the authorization endpoint did with one authorization request. */
export type AuthorizationOutcome =
  /** It sent the user agent to the redirect URI (code or error in the query). */
  | { kind: 'redirected'; location: string; params: Record<string, string[]>; exchanges: Exchange[] }
  /** It sent the user agent somewhere else than the redirect URI, an unregistered one included. */
  | { kind: 'elsewhere'; location: string; exchanges: Exchange[] }
  /** It showed a page (a login or consent form, an error page): headless, nothing more to do. */
  | { kind: 'page'; status: number; url: string; exchanges: Exchange[] }
  /** No answer / the browser step timed out. */
  | { kind: 'unreachable'; error: string; exchanges: Exchange[] };

export interface AuthorizationAttempt {
  /** The client the request was made for. */
  client: Client;
  url: string;
  redirectUri: string;
  state: string;
  verifier: string;
  outcome: AuthorizationOutcome;
}

export type CimdProbeKind = 'valid' | 'bad-redirect' | 'client-id-mismatch' | 'no-redirect-uris' | 'not-json';

/** An authorization request made for a client ID metadata document the suite served, and whether it was fetched. */
export interface CimdProbe {
  kind: CimdProbeKind;
  /** The document's URL, the request's client_id. */
  clientId: string;
  /** The document as served. */
  body: string;
  attempt: AuthorizationAttempt;
  /** How many times the authorization server fetched it (by the time its answer came). */
  fetches: number;
}

export interface Grant {
  client: Client;
  authorization: AuthorizationAttempt;
  /** The token request, when a code came back. */
  token?: Exchange;
  /** Why the grant stopped before a token response. */
  stopped?: string;
}

const b64url = (n: number) => randomBytes(n).toString('base64url');
export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const CALLBACK_PATH = '/callback';
const CIMD_PATH = '/client-metadata.json';

function shorten(v: string): string {
  return v.length > 12 ? `${v.slice(0, 4)}…(${v.length})` : '…';
}

/** A form body as it is logged: secrets and verifiers shortened. */
function logForm(form: URLSearchParams): string {
  const copy = new URLSearchParams(form);
  for (const k of ['client_secret', 'code_verifier', 'refresh_token', 'code']) {
    const v = copy.get(k);
    if (v !== null) copy.set(k, shorten(v));
  }
  return copy.toString();
}

async function send(what: string, url: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; logBody?: string }, timeoutMs: number): Promise<Exchange> {
  const ex: Exchange = { what, method: init.method, url, status: 0, headers: {}, text: '' };
  if (init.logBody !== undefined) ex.body = init.logBody;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const r = await fetch(url, { method: init.method, headers: { accept: 'application/json', ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}), redirect: 'manual', signal });
    ex.status = r.status;
    r.headers.forEach((v, k) => {
      ex.headers[k] = v;
    });
    ex.text = await r.text();
    try {
      ex.json = JSON.parse(ex.text) as unknown;
    } catch {
      // not JSON: the check says so
    }
  } catch (err) {
    ex.error = `cannot ${init.method} ${url}: ${signal.aborted ? `no answer within ${timeoutMs} ms` : ((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message)}`;
  }
  return ex;
}

/** The query parameters of a URL, every value of each (RFC 6749 §3.1: none may repeat). */
function queryOf(u: URL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of u.searchParams) (out[k] ??= []).push(v);
  return out;
}

/** Finds the metadata at the well-known URLs of the issuer, in the order basic/authorization lists them. */
export async function discoverMetadata(issuer: string, timeoutMs: number): Promise<Metadata> {
  const attempts: FetchedJson[] = [];
  let urls: string[];
  try {
    urls = asMetadataUrls(issuer);
  } catch {
    return { attempts: [{ url: issuer, finalUrl: issuer, status: 0, text: '', error: `the issuer ${JSON.stringify(issuer)} is not a URL` }] };
  }
  for (const url of urls) {
    const got = await fetchBounded(url, timeoutMs);
    attempts.push(got);
    if (got.status === 200 && isObject(got.json)) {
      const found: MetadataFound = { url, doc: got.json, variant: url.includes('openid-configuration') ? 'oidc' : 'oauth' };
      if (got.contentType !== undefined) found.contentType = got.contentType;
      return { attempts, found };
    }
  }
  return { attempts };
}

/**
 * 2025-03-26 "Fallbacks for Servers without Metadata Discovery": the authorization base URL (the
 * issuer without its path) + /authorize, /token and /register.
 */
export function defaultEndpoints(issuer: string): Record<string, string> {
  const origin = new URL(issuer).origin;
  return { authorization_endpoint: `${origin}/authorize`, token_endpoint: `${origin}/token`, registration_endpoint: `${origin}/register` };
}

/** The loopback listener: the redirect URI's callback (browser mode) and the client ID metadata document. */
class Loopback {
  private server?: Server;
  private waiting: ((url: string) => void)[] = [];
  private cimd?: Record<string, unknown>;
  /** The probes' client ID metadata documents by path (the body as sent) and how often each was fetched. */
  private readonly docs = new Map<string, { body: string; fetches: number }>();
  origin = '';

  async start(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', this.origin);
      const doc = this.docs.get(url.pathname);
      if (doc) {
        doc.fetches++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(doc.body);
        return;
      }
      if (url.pathname === CIMD_PATH && this.cimd) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.cimd));
        return;
      }
      if (url.pathname.startsWith(CALLBACK_PATH)) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('mcp-conform received the authorization response. You can close this page.');
        for (const w of this.waiting.splice(0)) w(url.href);
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = this.server.address();
    this.origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}`;
  }

  serveCimd(doc: Record<string, unknown>): void {
    this.cimd = doc;
  }

  serveDoc(path: string, body: string): void {
    this.docs.set(path, { body, fetches: 0 });
  }

  fetchesOf(path: string): number {
    return this.docs.get(path)?.fetches ?? 0;
  }

  /** The next callback URL, or undefined after timeoutMs. */
  next(timeoutMs: number): Promise<string | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== got);
        resolve(undefined);
      }, timeoutMs);
      const got = (url: string) => {
        clearTimeout(timer);
        resolve(url);
      };
      this.waiting.push(got);
    });
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** The URL of a redirect without its query: where an authorization response lands. */
const landing = (u: string) => {
  const x = new URL(u);
  return `${x.origin}${x.pathname}`;
};

/**
 * One authorization server seen through the suite's client. Each step runs once and is kept
 * (the checks of a run share it); close() ends the loopback listener.
 */
export class OAuthFlow {
  private readonly once = new Map<string, Promise<unknown>>();
  private readonly loopback: Loopback;
  private started?: Promise<void>;

  /**
   * With `parent` (an issuer without metadata, judged at 2025-03-26): the same client steps
   * against the default endpoints, on the parent's loopback listener (one --redirect-port).
   */
  constructor(
    readonly target: AuthServerTarget,
    readonly timeoutMs: number,
    private readonly parent?: OAuthFlow,
  ) {
    this.loopback = parent?.loopback ?? new Loopback();
  }

  private memo<V>(name: string, make: () => Promise<V>): Promise<V> {
    let p = this.once.get(name) as Promise<V> | undefined;
    if (!p) {
      p = make();
      this.once.set(name, p);
    }
    return p;
  }

  /** Starts the loopback listener once; the reason when it cannot listen. */
  private async listener(): Promise<string | undefined> {
    if (this.parent) return this.parent.listener();
    this.started ??= this.loopback.start(this.target.redirectPort ?? 0);
    try {
      await this.started;
      return undefined;
    } catch (err) {
      return `cannot listen on 127.0.0.1:${this.target.redirectPort ?? 0} for the redirect URI: ${(err as Error).message}`;
    }
  }

  get redirectUri(): string {
    return `${this.loopback.origin}${CALLBACK_PATH}`;
  }

  /** Another path on the same loopback origin: never registered, never listed in a document. */
  get unregisteredRedirectUri(): string {
    return `${this.loopback.origin}/unregistered${CALLBACK_PATH}`;
  }

  metadata(): Promise<Metadata> {
    const parent = this.parent;
    if (!parent) return this.memo('metadata', () => discoverMetadata(this.target.issuer, this.timeoutMs));
    return this.memo('metadata', async () => {
      const m = await parent.metadata();
      return m.found ? m : { attempts: m.attempts, found: { url: `${new URL(this.target.issuer).origin} (no metadata: the default endpoints)`, doc: defaultEndpoints(this.target.issuer), variant: 'default' } };
    });
  }

  /** A client: the given one, else dynamic client registration, else a client ID metadata document. */
  registration(): Promise<Registration> {
    return this.memo('registration', async () => {
      const cannot = await this.listener();
      if (cannot) return { exchanges: [], error: cannot };
      const t = this.target;
      if (t.clientId) return { client: { how: 'given', clientId: t.clientId, ...(t.clientSecret ? { clientSecret: t.clientSecret } : {}) }, exchanges: [] };
      const m = (await this.metadata()).found?.doc;
      if (!m) return { exchanges: [], error: 'no authorization server metadata (see auth-server/metadata-discovery)' };
      let failed: Registration | undefined;
      if (typeof m.registration_endpoint === 'string') {
        const ex = await this.dcr();
        if ('stopped' in ex) return { exchanges: [], error: ex.stopped };
        const id = isObject(ex.json) ? ex.json.client_id : undefined;
        if ((ex.status === 201 || ex.status === 200) && typeof id === 'string' && id) {
          const secret = isObject(ex.json) && typeof ex.json.client_secret === 'string' ? ex.json.client_secret : undefined;
          return { client: { how: 'dcr', clientId: id, ...(secret ? { clientSecret: secret } : {}), exchange: ex }, exchanges: [ex] };
        }
        failed = { exchanges: [ex], error: `dynamic client registration at ${m.registration_endpoint} failed: ${ex.error ?? `HTTP ${ex.status} ${ex.text.slice(0, 200)}`}` };
      }
      // A failed registration (an initial access token wanted, a policy) still leaves a client ID metadata document.
      if (m.client_id_metadata_document_supported === true) {
        // Served by the loopback listener: an AS that insists on https (as it should) refuses it.
        const clientId = `${this.loopback.origin}${CIMD_PATH}`;
        this.loopback.serveCimd({ client_id: clientId, client_name: 'mcp-conform', redirect_uris: [this.redirectUri], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' });
        return { client: { how: 'cimd', clientId }, exchanges: [] };
      }
      if (failed) return failed;
      return { exchanges: [], error: 'no way to get a client: the metadata offers no registration_endpoint and no client_id_metadata_document_supported; give --client-id (and --client-secret) of a client registered with redirect URI http://127.0.0.1:<--redirect-port>/callback' };
    });
  }

  /** A dynamic client registration (RFC 7591) of a public client with the loopback redirect URI. */
  dcr(): Promise<Exchange | { stopped: string }> {
    return this.memo('dcr', async () => {
      const cannot = await this.listener();
      if (cannot) return { stopped: cannot };
      const ep = (await this.metadata()).found?.doc.registration_endpoint;
      if (typeof ep !== 'string' || !URL.canParse(ep)) return { stopped: `no usable registration_endpoint: ${JSON.stringify(ep)}` };
      const body = {
        client_name: 'mcp-conform',
        redirect_uris: [this.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        ...(this.target.scope ? { scope: this.target.scope } : {}),
      };
      const text = JSON.stringify(body);
      return send('dynamic client registration', ep, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text, logBody: text }, this.timeoutMs);
    });
  }

  /**
   * One authorization request. `vary` breaks it on purpose: no code_challenge, or an unregistered
   * redirect URI (another path on the same loopback origin).
   */
  async authorize(vary?: 'no-challenge' | 'bad-redirect', as?: Client): Promise<AuthorizationAttempt | { stopped: string }> {
    const reg = as ? { client: as } : await this.registration();
    if (!reg.client) return { stopped: ('error' in reg ? reg.error : undefined) ?? 'no client' };
    const m = (await this.metadata()).found?.doc;
    const endpoint = m?.authorization_endpoint;
    if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) return { stopped: `the metadata has no usable authorization_endpoint: ${JSON.stringify(endpoint)}` };
    const state = b64url(16);
    const verifier = b64url(32);
    const redirectUri = vary === 'bad-redirect' ? this.unregisteredRedirectUri : this.redirectUri;
    const u = new URL(endpoint);
    const q = u.searchParams;
    q.set('response_type', 'code');
    q.set('client_id', reg.client.clientId);
    q.set('redirect_uri', redirectUri);
    q.set('state', state);
    if (vary !== 'no-challenge') {
      q.set('code_challenge', s256(verifier));
      q.set('code_challenge_method', 'S256');
    }
    q.set('resource', this.target.resource);
    if (this.target.scope) q.set('scope', this.target.scope);
    const outcome = this.target.browser ? await this.inBrowser(u.href, redirectUri) : await this.headless(u.href, redirectUri);
    return { client: reg.client, url: u.href, redirectUri, state, verifier, outcome };
  }

  /** Follows redirects (at most 5) the way a browser would, stopping at the redirect URI or at a page. */
  private async headless(url: string, redirectUri: string): Promise<AuthorizationOutcome> {
    const exchanges: Exchange[] = [];
    let current = url;
    for (let hop = 0; hop < 5; hop++) {
      const ex = await send(hop === 0 ? 'authorization request' : 'authorization redirect', current, { method: 'GET', headers: { accept: 'text/html' } }, this.timeoutMs);
      exchanges.push(ex);
      if (ex.error) return { kind: 'unreachable', error: ex.error, exchanges };
      const loc = ex.headers.location;
      if (ex.status >= 300 && ex.status < 400 && loc) {
        let next: URL;
        try {
          next = new URL(loc, current);
        } catch {
          return { kind: 'elsewhere', location: loc, exchanges };
        }
        if (landing(next.href) === landing(redirectUri)) return { kind: 'redirected', location: next.href, params: queryOf(next), exchanges };
        if (next.origin === this.loopback.origin || !/^https?:$/.test(next.protocol)) return { kind: 'elsewhere', location: next.href, exchanges };
        current = next.href;
        continue;
      }
      return { kind: 'page', status: ex.status, url: current, exchanges };
    }
    return { kind: 'page', status: 0, url: current, exchanges };
  }

  private async inBrowser(url: string, redirectUri: string): Promise<AuthorizationOutcome> {
    const wait = this.target.browserTimeoutMs ?? 300_000;
    const arrived = this.loopback.next(wait);
    (this.target.onAuthorizationUrl ?? ((u: string) => process.stderr.write(`Open this URL in your browser and complete the authorization (waiting up to ${Math.round(wait / 1000)} s):\n${u}\n`)))(url);
    const got = await arrived;
    if (!got) return { kind: 'unreachable', error: `no authorization response reached ${redirectUri} within ${wait} ms`, exchanges: [] };
    return { kind: 'redirected', location: got, params: queryOf(new URL(got)), exchanges: [] };
  }

  /** A token request with the client's authentication (Basic with a secret, else client_id in the body). */
  async tokenRequest(what: string, params: Record<string, string>): Promise<Exchange | { stopped: string }> {
    const reg = await this.registration();
    if (!reg.client) return { stopped: reg.error ?? 'no client' };
    const m = (await this.metadata()).found?.doc;
    const endpoint = m?.token_endpoint;
    if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) return { stopped: `the metadata has no usable token_endpoint: ${JSON.stringify(endpoint)}` };
    const form = new URLSearchParams(params);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const { clientId, clientSecret } = reg.client;
    const methods = Array.isArray(m?.token_endpoint_auth_methods_supported) ? m.token_endpoint_auth_methods_supported : ['client_secret_basic'];
    if (clientSecret && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else if (clientSecret) {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding.
      const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
      headers.authorization = `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
    } else form.set('client_id', clientId);
    return send(what, endpoint, { method: 'POST', headers, body: form.toString(), logBody: logForm(form) }, this.timeoutMs);
  }

  /** Redeems the code of an attempt (with its verifier unless another is given). */
  redeem(a: AuthorizationAttempt, code: string, what: string, verifier = a.verifier): Promise<Exchange | { stopped: string }> {
    return this.tokenRequest(what, { grant_type: 'authorization_code', code, redirect_uri: a.redirectUri, code_verifier: verifier, resource: this.target.resource });
  }

  /** The grant as a well-behaved client runs it: authorize, then redeem the code. */
  grant(): Promise<Grant | { stopped: string; client?: Client }> {
    return this.memo('grant', async () => {
      const a = await this.authorize();
      if ('stopped' in a) return a;
      const client = (await this.registration()).client as Client;
      const code = codeOf(a);
      if (code === undefined) return { client, authorization: a, stopped: describeOutcome(a.outcome, 'a code') };
      const token = await this.redeem(a, code, 'token request (authorization code)');
      if ('stopped' in token) return { client, authorization: a, stopped: token.stopped };
      return { client, authorization: a, token };
    });
  }

  /** A second authorization, its code redeemed with another (well-formed) code_verifier. */
  wrongVerifier(): Promise<{ attempt: AuthorizationAttempt; token?: Exchange; stopped?: string } | { stopped: string }> {
    return this.memo('wrong-verifier', async () => {
      if (this.target.browser) return { stopped: 'needs another authorization, which only a headless run makes: run without --browser' };
      const a = await this.authorize();
      if ('stopped' in a) return a;
      const code = codeOf(a);
      if (code === undefined) return { attempt: a, stopped: describeOutcome(a.outcome, 'a code') };
      const token = await this.redeem(a, code, 'token request with a wrong code_verifier', b64url(32));
      return 'stopped' in token ? { attempt: a, stopped: token.stopped } : { attempt: a, token };
    });
  }

  /** An authorization request without code_challenge. */
  noChallenge(): Promise<AuthorizationAttempt | { stopped: string }> {
    return this.memo('no-challenge', async () => (this.target.browser ? { stopped: 'needs another authorization, which only a headless run makes: run without --browser' } : this.authorize('no-challenge')));
  }

  /** An authorization request with a redirect URI that was never registered. */
  badRedirect(): Promise<AuthorizationAttempt | { stopped: string }> {
    return this.memo('bad-redirect', async () => (this.target.browser ? { stopped: 'needs another authorization, which only a headless run makes: run without --browser' } : this.authorize('bad-redirect')));
  }

  /**
   * An authorization request whose client_id is the URL of a client ID metadata document the
   * suite serves (basic/authorization "Client ID Metadata Documents"), a fresh URL per probe so
   * no cached document answers for it. The document is correct for 'valid' and 'bad-redirect'
   * (whose request asks for a redirect_uri the document does not list); 'client-id-mismatch'
   * names another URL as client_id; 'no-redirect-uris' lacks a required field; 'not-json' is cut
   * short. Served on the loopback listener, or at `cimdBaseUrl` when the user forwards it there.
   */
  cimdProbe(kind: CimdProbeKind): Promise<CimdProbe | { stopped: string }> {
    return this.memo(`cimd-${kind}`, async () => {
      if (this.target.browser) return { stopped: 'needs authorizations of its own, which only a headless run makes: run without --browser' };
      const cannot = await this.listener();
      if (cannot) return { stopped: cannot };
      const base = (this.target.cimdBaseUrl ?? this.loopback.origin).replace(/\/+$/, '');
      const path = `/cimd/${kind}-${b64url(6)}.json`;
      const clientId = `${base}${path}`;
      const doc: Record<string, unknown> = { client_id: kind === 'client-id-mismatch' ? `${base}/cimd/another-${b64url(6)}.json` : clientId, client_name: 'mcp-conform', redirect_uris: [this.redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' };
      if (kind === 'no-redirect-uris') delete doc.redirect_uris;
      const json = JSON.stringify(doc);
      const body = kind === 'not-json' ? json.slice(0, Math.floor(json.length / 2)) : json;
      // Keyed by the URL's path: a forwarder in front of the listener keeps the path it was asked for.
      const served = new URL(clientId).pathname;
      this.loopback.serveDoc(served, body);
      const attempt = await this.authorize(kind === 'bad-redirect' ? 'bad-redirect' : undefined, { how: 'cimd', clientId });
      if ('stopped' in attempt) return attempt;
      return { kind, clientId, body, attempt, fetches: this.loopback.fetchesOf(served) };
    });
  }

  /** The grant's code redeemed a second time. */
  reuse(): Promise<Exchange | { stopped: string }> {
    return this.memo('reuse', async () => {
      const g = await this.grant();
      if (!('token' in g) || !g.token) return { stopped: `no first token response to compare with: ${g.stopped ?? 'none'}` };
      if (g.token.status !== 200) return { stopped: `the first redemption of the code was refused (HTTP ${g.token.status}), see auth-server/token-response` };
      return this.redeem(g.authorization, codeOf(g.authorization) as string, 'token request reusing the code');
    });
  }

  /** The grant's refresh token used, then used again (rotation: the second use is refused). */
  refresh(): Promise<{ first: Exchange; again?: Exchange } | { stopped: string; notApplicable?: boolean }> {
    return this.memo('refresh', async () => {
      const g = await this.grant();
      if (!('token' in g) || !g.token || g.token.status !== 200) return { stopped: `no token response: ${'stopped' in g && g.stopped ? g.stopped : 'see auth-server/token-response'}` };
      const rt = isObject(g.token.json) ? g.token.json.refresh_token : undefined;
      if (typeof rt !== 'string') return { stopped: 'the token response has no refresh_token (issuing one is up to the authorization server)', notApplicable: true };
      const extra = { resource: this.target.resource };
      const first = await this.tokenRequest('refresh', { grant_type: 'refresh_token', refresh_token: rt, ...extra });
      if ('stopped' in first) return first;
      if (first.status !== 200) return { first };
      const again = await this.tokenRequest('refresh with the same (used) refresh token', { grant_type: 'refresh_token', refresh_token: rt, ...extra });
      return 'stopped' in again ? { first } : { first, again };
    });
  }

  /**
   * The client credentials grant (OAuth 2.1 §4.2): the given confidential client, else one
   * registered for it by dynamic client registration.
   */
  clientCredentials(): Promise<Exchange | { stopped: string }> {
    return this.memo('client-credentials', async () => {
      const m = (await this.metadata()).found?.doc;
      const endpoint = m?.token_endpoint;
      if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) return { stopped: `the metadata has no usable token_endpoint: ${JSON.stringify(endpoint)}` };
      let id = this.target.clientId;
      let secret = this.target.clientSecret;
      if (!id || !secret) {
        const ep = m?.registration_endpoint;
        if (typeof ep !== 'string' || !URL.canParse(ep)) return { stopped: 'client credentials need a confidential client: no --client-id/--client-secret and no registration_endpoint' };
        const body = JSON.stringify({ client_name: 'mcp-conform', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', ...(this.target.scope ? { scope: this.target.scope } : {}) });
        const ex = await send('dynamic client registration (confidential)', ep, { method: 'POST', headers: { 'content-type': 'application/json' }, body, logBody: body }, this.timeoutMs);
        const j = isObject(ex.json) ? ex.json : {};
        if (ex.status !== 201 && ex.status !== 200) return { stopped: `registering a confidential client at ${ep} failed: ${ex.error ?? `HTTP ${ex.status} ${ex.text.slice(0, 200)}`}` };
        if (typeof j.client_id !== 'string' || typeof j.client_secret !== 'string') return { stopped: `the registration at ${ep} gave no client_id and client_secret` };
        id = j.client_id;
        secret = j.client_secret;
      }
      const enc = (x: string) => encodeURIComponent(x).replace(/%20/g, '+');
      const form = new URLSearchParams({ grant_type: 'client_credentials', resource: this.target.resource, ...(this.target.scope ? { scope: this.target.scope } : {}) });
      const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}` };
      return send('token request (client credentials)', endpoint, { method: 'POST', headers, body: form.toString(), logBody: logForm(form) }, this.timeoutMs);
    });
  }

  async close(): Promise<void> {
    if (this.parent) return; // the listener is the parent's
    if (this.started && (await this.started.then(() => true, () => false))) await this.loopback.close();
  }
}

/** The single code of a redirected authorization response. */
export function codeOf(a: AuthorizationAttempt): string | undefined {
  if (a.outcome.kind !== 'redirected') return undefined;
  const c = a.outcome.params.code;
  return c?.length === 1 && c[0] ? c[0] : undefined;
}

/** Why an authorization attempt brought no `want`, in words naming the URL. */
export function describeOutcome(o: AuthorizationOutcome, want: string): string {
  switch (o.kind) {
    case 'redirected': {
      const err = o.params.error?.[0];
      return err ? `the authorization endpoint answered error=${err}${o.params.error_description ? ` (${o.params.error_description[0]})` : ''} instead of ${want}` : `the authorization response (${o.location}) carries no single ${want}`;
    }
    case 'elsewhere':
      return `the authorization endpoint redirected to ${o.location}, not to the redirect URI`;
    case 'page':
      if (o.status >= 200 && o.status < 300) return `the authorization endpoint asked for user interaction (HTTP ${o.status} page at ${o.url}): run with --browser to complete it in your browser`;
      return `the authorization endpoint refused it with an HTTP ${o.status || 'no'} page at ${o.url}${o.exchanges.at(-1)?.text ? `: ${o.exchanges.at(-1)?.text.slice(0, 200)}` : ''}`;
    case 'unreachable':
      return o.error;
  }
}

/** An access token for the target's resource: client credentials when the server offers them, else the authorization code grant. */
export async function obtainToken(flow: OAuthFlow): Promise<{ token: string; how: string } | { error: string }> {
  const m = await flow.metadata();
  if (!m.found) return { error: `no authorization server metadata for ${flow.target.issuer}: ${m.attempts.map((a) => a.error ?? `${a.url}: HTTP ${a.status}`).join('; ')}` };
  const token = (x: Exchange): string | undefined => (x.status === 200 && isObject(x.json) && typeof x.json.access_token === 'string' ? x.json.access_token : undefined);
  const why = (x: Exchange) => x.error ?? `${x.url} answered HTTP ${x.status} ${x.text.slice(0, 200)}`;
  const grants = m.found.doc.grant_types_supported;
  const tried: string[] = [];
  if (Array.isArray(grants) && grants.includes('client_credentials') && !flow.target.browser) {
    const cc = await flow.clientCredentials();
    if (!('stopped' in cc) && token(cc)) return { token: token(cc) as string, how: 'client credentials' };
    tried.push(`client credentials: ${'stopped' in cc ? cc.stopped : why(cc)}`);
  }
  const g = await flow.grant();
  if ('token' in g && g.token && token(g.token)) return { token: token(g.token) as string, how: `authorization code (${g.client.how === 'given' ? 'the given client' : g.client.how === 'dcr' ? 'dynamic client registration' : 'a client ID metadata document'}, PKCE S256)` };
  tried.push(`authorization code: ${'token' in g && g.token ? why(g.token) : (g.stopped ?? 'stopped')}`);
  return { error: tried.join('; ') };
}
