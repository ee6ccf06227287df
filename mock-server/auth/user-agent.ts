// The headless user agent of an auth scenario: what the browser would do with an authorization
// URL when consent needs no user — fetch it without following the redirect, read the
// authorization response (code or error, state, iss) from Location, and optionally deliver it
// to the client's redirect_uri (a client's local callback server).

export interface AuthorizationResponse {
  /** The HTTP status of the authorization endpoint (302 when it redirected). */
  status: number;
  /** The redirect target, when there was one. */
  location?: string;
  code?: string;
  state?: string;
  iss?: string;
  error?: string;
  errorDescription?: string;
  /** Status of the client's redirect_uri, when `deliver` was set. */
  delivered?: number;
}

export interface UserAgentOptions {
  /** Also GET the redirect target (the client's callback) — default false. */
  deliver?: boolean;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

/** Follows an authorization URL as a browser would with a consent that needs no user. */
export async function followAuthorization(url: string | URL, options: UserAgentOptions = {}): Promise<AuthorizationResponse> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const r = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  await r.body?.cancel().catch(() => {});
  const out: AuthorizationResponse = { status: r.status };
  const location = r.headers.get('location');
  if (!location) return out;
  out.location = location;
  const q = new URL(location, url).searchParams;
  const set = (k: keyof AuthorizationResponse, name: string) => {
    const v = q.get(name);
    if (v !== null) (out as unknown as Record<string, string>)[k] = v;
  };
  set('code', 'code');
  set('state', 'state');
  set('iss', 'iss');
  set('error', 'error');
  set('errorDescription', 'error_description');
  if (options.deliver) {
    const cb = await fetch(new URL(location, url), { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await cb.body?.cancel().catch(() => {});
    out.delivered = cb.status;
  }
  return out;
}
