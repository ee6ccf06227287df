// Integrity-protected opaque tokens (cursors, requestState): payload.signature, base64url.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function sign(secret: Buffer, payload: unknown): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const mac = createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);
  return `${body}.${mac}`;
}

/** The payload of a token this secret signed; undefined for anything else. */
export function unsign(secret: Buffer, token: unknown): unknown {
  if (typeof token !== 'string') return undefined;
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const body = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1));
  const want = Buffer.from(createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22));
  if (mac.length !== want.length || !timingSafeEqual(mac, want)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
