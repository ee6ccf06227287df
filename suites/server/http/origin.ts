// basic/transports, the security warning: a request from a foreign Origin (DNS rebinding) is refused.
import { isObject } from '../../../schema/index.ts';
import type { RawResponse } from '../../../mock-server/index.ts';
import { checksWith } from '../../harness/index.ts';
import { describe, FOREIGN_ORIGIN, modern, MODERN, type T, cite, transportPage } from '../../kit/index.ts';

/** Every check of this file is about Streamable HTTP: not applicable on any other target. */
const check = checksWith({ transports: ['http'] });

/** POSTs the opening request with a foreign Origin; returns the answer (and ends any session it opened). */
async function foreignOrigin(t: T): Promise<RawResponse> {
  if (t.revision === MODERN) {
    const { h } = await modern(t);
    return h.request('server/discover', {}, { headers: { origin: FOREIGN_ORIGIN } });
  }
  const h = await t.httpProbe();
  const r = await h.post({ jsonrpc: '2.0', id: h.id(), method: 'initialize', params: { protocolVersion: t.revision, capabilities: {}, clientInfo: { name: 'mcp-conform', version: '0.1.0' } } }, { headers: { origin: FOREIGN_ORIGIN } });
  const sid = r.headers['mcp-session-id'];
  if (sid !== undefined) h.transport.sessionId = sid; // closed with DELETE when the check ends
  return r;
}

check(
  {
    id: 'http/origin-validated',
    title: 'a request from a foreign Origin is refused',
    level: 'MUST',
    requirement: 'Servers MUST validate the Origin header on all incoming connections to prevent DNS rebinding attacks.',
    spec: cite(['2025-03-26', '2025-06-18'], transportPage('security-warning')),
  },
  async (t) => {
    const r = await foreignOrigin(t);
    t.expect(r.status >= 400 && r.status <= 499, `initialize with Origin: ${FOREIGN_ORIGIN} was answered with ${describe(r)}; a server that validates Origin refuses it`);
  },
);

check(
  {
    id: 'http/origin-403',
    title: 'a request from a foreign Origin is refused with 403 Forbidden',
    level: 'MUST',
    requirement: 'Servers MUST validate the Origin header on all incoming connections to prevent DNS rebinding attacks. If the Origin header is present and invalid, servers MUST respond with HTTP 403 Forbidden.',
    spec: cite(['2025-11-25', MODERN], transportPage('security-warning', 'streamable-http', 'security--endpoint')),
  },
  async (t) => {
    const r = await foreignOrigin(t);
    t.expect(r.status === 403, `a request with Origin: ${FOREIGN_ORIGIN} was answered with ${describe(r)}${r.status >= 200 && r.status <= 299 ? ' (served: the Origin is not validated)' : ''}, not 403`);
    if (r.json !== undefined && isObject(r.json) && Object.hasOwn(r.json, 'id') && r.json.id !== null) t.fail('the 403 body is a JSON-RPC error with an id; it may only be one without an id');
  },
);
