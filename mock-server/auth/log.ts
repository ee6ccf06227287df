// What the mock authorization server and the protected resource saw: one record per HTTP request
// (and per client metadata document the AS fetched), so an auth scenario can judge a client from
// the requests it made, as the wire log lets the other checks judge its messages.
import type { DpopSeen } from './dpop.ts';

/** What a request was for. */
export type AuthEndpoint =
  | 'as-metadata' // RFC 8414 authorization server metadata
  | 'oidc-metadata' // OpenID Connect discovery
  | 'jwks'
  | 'register' // RFC 7591 dynamic client registration
  | 'authorize'
  | 'token'
  | 'cimd-fetch' // the AS fetching a client ID metadata document (outbound)
  | 'jwks-fetch' // the AS fetching a private_key_jwt client's jwks_uri (outbound)
  | 'prm' // RFC 9728 protected resource metadata
  | 'mcp' // a request to the protected MCP endpoint
  | 'unknown';

export interface AuthRecord {
  seq: number;
  at: number;
  /** 'as': the authorization server; 'rs': the protected MCP server (resource server). */
  side: 'as' | 'rs';
  endpoint: AuthEndpoint;
  /** For well-known documents: which variant of the URL was hit (e.g. 'oauth', 'oidc-append', 'path', 'root'). */
  variant?: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Query (GET) or form/JSON body parameters; the first value of a repeated one (all are in paramList). */
  params: Record<string, string>;
  paramList: [string, string][];
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
  /** The OAuth error code answered, when the request was refused. */
  error?: string;
  /** Why, in words. */
  reason?: string;
  /** Token endpoint: the client authentication method the request used. */
  clientAuth?: string;
  /** The client the request was made as, when known. */
  clientId?: string;
  /** The resource server: the claims of the presented token (decoded, verified or not). */
  tokenClaims?: Record<string, unknown>;
  /** The DPoP proof of the request (RFC 9449), as the server judged it. */
  dpop?: DpopSeen;
}

/** An append-only log shared by an authorization server and its protected resources. */
export class AuthLog {
  readonly records: AuthRecord[] = [];
  private seq = 0;
  onrecord?: (r: AuthRecord) => void;

  constructor(private readonly max = 5000) {}

  add(r: Omit<AuthRecord, 'seq'>): AuthRecord {
    const rec = { seq: ++this.seq, ...r } as AuthRecord;
    this.records.push(rec);
    if (this.records.length > this.max) this.records.shift();
    this.onrecord?.(rec);
    return rec;
  }

  /** Records of one endpoint (or several), in order. */
  of(...endpoints: AuthEndpoint[]): AuthRecord[] {
    return this.records.filter((r) => endpoints.includes(r.endpoint));
  }

  clear(): void {
    this.records.length = 0;
  }
}

/** One line for a record, e.g. "as POST /token → 400 invalid_grant (code_verifier does not match …)": for logs and check messages. */
export function describeAuthRecord(r: AuthRecord): string {
  let path = r.url;
  try {
    path = new URL(r.url).pathname;
  } catch {
    // keep the raw URL
  }
  return `${r.side} ${r.method} ${r.side === 'as' && r.endpoint.endsWith('-fetch') ? r.url : path} → ${r.status}${r.error ? ` ${r.error}` : ''}${r.reason ? ` (${r.reason})` : ''}`;
}

export function headersOf(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

export function clip(text: string, max = 16_384): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
