// An in-memory OAuthClientProvider for the official SDK v1 client, as an application writes one.
// Its "browser" is left to the caller: redirectToAuthorization only records the URL, which the
// caller follows headless (the mock authorization server consents at once) to read the code.
import { randomUUID } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

export class HeadlessProvider implements OAuthClientProvider {
  saved: OAuthTokens | undefined;
  verifier = '';
  /** The last authorization URL the SDK asked the user to open. */
  authorizationUrl: URL | undefined;
  clientMetadataUrl?: string;
  constructor(
    private readonly redirect: string,
    private readonly meta: Partial<OAuthClientMetadata> & { client_name: string },
    public info?: OAuthClientInformationMixed,
  ) {}
  get redirectUrl() {
    return this.redirect;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { redirect_uris: [this.redirect], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none', ...this.meta };
  }
  state() {
    return randomUUID();
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(i: OAuthClientInformationMixed) {
    this.info = i;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(t: OAuthTokens) {
    this.saved = t;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}
