// server/resources: listing resources and templates, template syntax (RFC 6570), reading,
// contents, not-found errors, subscriptions and their notifications, list_changed gating.
import { ErrorCode, isObject, STATEFUL_REVISIONS } from '../../schema/index.ts';
import type { MockClient } from '../../mock-server/index.ts';
import { check } from '../harness/index.ts';
import { expectSameSetPerConnection, errorText, expandTemplate, listAll, received, resourceContentsProblems, schemaProblem, EVERY, from, unknownName, uriTemplateProblem, waitFor, walkList, type Json, type T, cite, section, listResultCheck, listChangedGatedCheck } from '../kit/index.ts';

const resources = (anchor: Parameters<typeof section>[1], revs = EVERY) => cite(revs, section('server/resources', anchor));

/** At most this many resources are read by one check. */
const MAX_READS = 12;

/** The fixture contract's resources (see the README section on the fixture contract). */
export const CONTRACT = {
  staticText: 'test://static-text',
  staticBinary: 'test://static-binary',
  watched: 'test://watched-resource',
  template: 'test://template/{id}/data',
} as const;

async function listResources(t: T, c: MockClient): Promise<Json[]> {
  return listAll(t, c, 'resources/list', 'resources');
}

/** A listed resource to subscribe to: the contract's watched resource if listed, else the first. */
async function subscribable(t: T, c: MockClient): Promise<string> {
  const list = await listResources(t, c);
  const uris = list.map((r) => r.uri).filter((u): u is string => typeof u === 'string');
  if (uris.length === 0) return t.notVerified('the server lists no resources to subscribe to');
  return uris.includes(CONTRACT.watched) ? CONTRACT.watched : (uris[0] as string);
}

listResultCheck(
  {
    id: 'resources/list-result',
    title: 'resources/list is answered with a valid ListResourcesResult on every page',
    level: 'MUST',
    requirement:
      'To discover available resources, clients send a resources/list request; the server answers with its resources (a ListResourcesResult as the schema defines it). This operation supports pagination.',
    spec: resources('listing-resources'),
    requires: 'server.resources',
  },
  { method: 'resources/list', key: 'resources', resultType: 'ListResourcesResult' },
);

listResultCheck(
  {
    id: 'resources/templates-list-result',
    title: 'resources/templates/list is answered with a valid ListResourceTemplatesResult',
    level: 'MUST',
    requirement:
      'Resource templates allow servers to expose parameterized resources using URI templates; clients list them with resources/templates/list (answered with a ListResourceTemplatesResult as the schema defines it).',
    spec: resources('resource-templates'),
    requires: 'server.resources',
  },
  { method: 'resources/templates/list', key: 'resourceTemplates', resultType: 'ListResourceTemplatesResult' },
);

check(
  {
    id: 'resources/template-syntax',
    shared: true,
    title: 'every uriTemplate is a valid RFC 6570 URI template',
    level: 'MUST',
    requirement: 'Resource templates allow servers to expose parameterized resources using URI templates (RFC 6570).',
    spec: resources('resource-templates'),
    requires: 'server.resources',
  },
  async (t) => {
    const c = await t.session();
    const l = await walkList(c, 'resources/templates/list', 'resourceTemplates');
    if (l.error) return t.notVerified(`resources/templates/list was answered with ${errorText(l.error)}`, l.error);
    if (l.items.length === 0) return t.notApplicable('the server lists no resource templates');
    for (const tpl of l.items) {
      if (typeof tpl.uriTemplate !== 'string') continue; // resources/templates-list-result reports it
      const why = uriTemplateProblem(tpl.uriTemplate);
      if (why) t.fail(`uriTemplate ${JSON.stringify(tpl.uriTemplate)} is not a valid RFC 6570 template: ${why}`);
    }
  },
);

check(
  {
    id: 'resources/read',
    shared: true,
    title: 'every listed resource can be read',
    level: 'MUST',
    requirement: 'To retrieve resource contents, clients send a resources/read request; the server answers with the contents of the resource.',
    spec: resources('reading-resources'),
    requires: 'server.resources',
  },
  async (t) => {
    const c = await t.session();
    const uris = (await listResources(t, c)).map((r) => r.uri).filter((u): u is string => typeof u === 'string');
    if (uris.length === 0) return t.notApplicable('the server lists no resources');
    for (const uri of uris.slice(0, MAX_READS)) {
      const reply = await c.request<Json>('resources/read', { uri });
      if (!reply.ok) t.fail(`reading the listed resource ${uri} was answered with ${errorText(reply)}`, reply);
      else if (!Array.isArray(reply.result.contents)) t.fail(`reading ${uri} returned no contents array`, reply);
    }
  },
);

check(
  {
    id: 'resources/contents-valid',
    shared: true,
    title: 'resource contents carry a uri and either text or a base64 blob',
    level: 'MUST',
    requirement: 'Resources can contain either text or binary data: each contents item has a uri and either text or a base64-encoded blob. Binary data MUST be properly encoded.',
    spec: resources('resource-contents'),
    requires: 'server.resources',
  },
  async (t) => {
    const c = await t.session();
    const uris = (await listResources(t, c)).map((r) => r.uri).filter((u): u is string => typeof u === 'string');
    if (uris.length === 0) return t.notApplicable('the server lists no resources');
    let items = 0;
    for (const uri of uris.slice(0, MAX_READS)) {
      const reply = await c.request<Json>('resources/read', { uri });
      if (!reply.ok) continue; // resources/read reports it
      const bad = schemaProblem(t.revision, 'ReadResourceResult', reply.result);
      if (bad) t.fail(`reading ${uri} returned an invalid ReadResourceResult: ${bad}`, reply);
      const contents = reply.result.contents as unknown[];
      for (const [i, rc] of contents.entries()) {
        items++;
        const problems = resourceContentsProblems(rc, `contents[${i}]`);
        if (problems.length) t.fail(`${uri}: ${problems.join('; ')}`, reply);
      }
    }
    if (items === 0) t.notVerified('no read returned contents');
  },
);

/** Reads a URI no server serves and judges the answer: a result (empty or not) is never right. */
async function readMissing(t: T, code: number): Promise<void> {
  const c = await t.session();
  // A scheme no server serves, so no template can match it.
  const uri = `mcp-conform-missing://nowhere/${unknownName('resource')}`;
  const reply = await c.request<Json>('resources/read', { uri });
  if (reply.ok)
    return t.fail(
      `reading the nonexistent ${uri} was answered with a result${Array.isArray(reply.result.contents) && reply.result.contents.length === 0 ? ' with empty contents' : ''}, not error ${code}`,
      reply,
    );
  t.expectError(reply, code, `resources/read of the nonexistent ${uri}`);
}

check(
  {
    id: 'resources/read-not-found',
    shared: true,
    title: 'reading a resource that does not exist is answered with error -32002',
    level: 'SHOULD',
    requirement: 'Servers SHOULD return standard JSON-RPC errors for common failure cases: Resource not found: -32002.',
    spec: resources('error-handling', STATEFUL_REVISIONS),
    requires: 'server.resources',
  },
  (t) => readMissing(t, ErrorCode.ResourceNotFound),
);

check(
  {
    id: 'resources/read-not-found-invalid-params',
    shared: true,
    title: 'reading a resource that does not exist is answered with error -32602, not empty contents',
    level: 'MUST',
    requirement:
      'If the requested resource does not exist, servers MUST return a JSON-RPC error with code -32602 (Invalid Params). Servers MUST NOT return an empty contents array for a non-existent resource.',
    spec: resources('error-handling', from('2026-07-28')),
    requires: 'server.resources',
  },
  (t) => readMissing(t, ErrorCode.InvalidParams),
);

check(
  {
    id: 'resources/template-read',
    shared: true,
    title: 'a resource of the fixture template test://template/{id}/data can be read',
    level: 'MUST',
    requirement:
      'Resource templates allow servers to expose parameterized resources using URI templates: a URI expanded from a listed template names a resource the server serves (fixture contract: any id).',
    spec: resources('resource-templates'),
    requires: 'server.resources',
  },
  async (t) => {
    const c = await t.session();
    const templates = await listAll(t, c, 'resources/templates/list', 'resourceTemplates');
    if (!templates.some((x) => x.uriTemplate === CONTRACT.template))
      return t.notVerified(`needs the fixture-contract template ${CONTRACT.template}; values for other templates' variables are unknown`);
    const uri = expandTemplate(CONTRACT.template, { id: 'mcp-conform-42' });
    const reply = await c.request<Json>('resources/read', { uri });
    if (!reply.ok) return t.fail(`reading ${uri} (from ${CONTRACT.template}) was answered with ${errorText(reply)}`, reply);
    const contents = reply.result.contents;
    t.expect(Array.isArray(contents) && contents.length > 0, `reading ${uri} returned no contents`, reply);
  },
);

check(
  {
    id: 'resources/subscribe',
    title: 'resources/subscribe and resources/unsubscribe are answered with results',
    level: 'MUST',
    requirement:
      'The protocol supports optional subscriptions to resource changes: with the subscribe capability, clients send resources/subscribe (and resources/unsubscribe) for a resource URI, and the server confirms.',
    spec: resources('subscriptions', STATEFUL_REVISIONS),
    requires: 'server.resources.subscribe',
  },
  async (t) => {
    const c = await t.session();
    const uri = await subscribable(t, c);
    const sub = await c.request('resources/subscribe', { uri });
    if (!sub.ok) return t.fail(`resources/subscribe for ${uri} was answered with ${errorText(sub)}`, sub);
    const unsub = await c.request('resources/unsubscribe', { uri });
    if (!unsub.ok) t.fail(`resources/unsubscribe for ${uri} was answered with ${errorText(unsub)}`, unsub);
  },
);

const isUpdate = (uri: string) => (m: Json) => m.method === 'notifications/resources/updated' && isObject(m.params) && m.params.uri === uri;

check(
  {
    id: 'resources/subscribe-updated',
    title: 'a subscribed resource that changes is announced with notifications/resources/updated',
    level: 'SHOULD',
    requirement:
      'Clients can subscribe to specific resources and receive notifications when they change (notifications/resources/updated with the resource uri). Fixture contract: test://watched-resource changes while subscribed.',
    spec: resources('subscriptions', STATEFUL_REVISIONS),
    requires: 'server.resources.subscribe',
  },
  async (t) => {
    const c = await t.session();
    const uris = (await listResources(t, c)).map((r) => r.uri);
    if (!uris.includes(CONTRACT.watched)) return t.notVerified(`needs the fixture-contract resource ${CONTRACT.watched}; other resources change only when something changes them`);
    const sub = await c.request('resources/subscribe', { uri: CONTRACT.watched });
    if (!sub.ok) return t.notVerified(`resources/subscribe was answered with ${errorText(sub)} (see resources/subscribe)`, sub);
    const got = await waitFor(c, isUpdate(CONTRACT.watched), t.requestTimeoutMs);
    if (!got) t.fail(`no notifications/resources/updated for ${CONTRACT.watched} within ${t.requestTimeoutMs} ms of subscribing`);
  },
);

check(
  {
    id: 'resources/updated-unsubscribed',
    title: 'no notifications/resources/updated for resources not (or no longer) subscribed',
    level: 'SHOULD',
    requirement: 'Clients can subscribe to specific resources and receive notifications when they change; after resources/unsubscribe the client is no longer subscribed to that resource.',
    spec: resources('subscriptions', STATEFUL_REVISIONS),
    requires: 'server.resources.subscribe',
  },
  async (t) => {
    const c = await t.session();
    const uris = (await listResources(t, c)).map((r) => r.uri);
    if (!uris.includes(CONTRACT.watched)) return t.notVerified(`needs the fixture-contract resource ${CONTRACT.watched}, which changes while subscribed`);
    const sub = await c.request('resources/subscribe', { uri: CONTRACT.watched });
    if (!sub.ok) return t.notVerified(`resources/subscribe was answered with ${errorText(sub)} (see resources/subscribe)`, sub);
    if (!(await waitFor(c, isUpdate(CONTRACT.watched), t.requestTimeoutMs))) return t.notVerified(`${CONTRACT.watched} sent no update while subscribed (see resources/subscribe-updated)`);
    const unsub = await c.request('resources/unsubscribe', { uri: CONTRACT.watched });
    if (!unsub.ok) return t.notVerified(`resources/unsubscribe was answered with ${errorText(unsub)} (see resources/subscribe)`, unsub);
    const after = c.peer.received.length;
    await t.sleep(Math.max(t.quietMs * 2, 500));
    const late = c.peer.received.slice(after).filter(isUpdate(CONTRACT.watched));
    if (late.length) t.fail(`${late.length} notifications/resources/updated for ${CONTRACT.watched} arrived after resources/unsubscribe was answered`, late);
    const stray = received(c, 'notifications/resources/updated').filter((m) => !(isObject(m.params) && m.params.uri === CONTRACT.watched));
    if (stray.length) t.fail('notifications/resources/updated arrived for resources that were never subscribed', stray);
  },
);

listChangedGatedCheck(
  {
    id: 'resources/list-changed-gated',
    title: 'notifications/resources/list_changed only from a server that declared resources.listChanged',
    level: 'MUST',
    requirement: 'listChanged: whether the server will emit notifications when the list of available resources changes; both parties MUST only use capabilities that were successfully negotiated.',
    spec: resources('list-changed-notification', STATEFUL_REVISIONS),
    requires: 'server.resources',
  },
  'resources',
);

check(
  {
    id: 'resources/list-same-per-connection',
    title: 'resources/list answers the same set of resources on every connection',
    level: 'MUST',
    requirement:
      'Servers that declare the resources capability MUST respond to resources/list requests with the set of resources currently available to the requesting client. This set MAY be empty and MAY change over time, but MUST NOT vary per-connection or as a side effect of other requests on the connection. (Checked: two connections, one after the other, list the same URIs.)',
    spec: resources('capabilities', ['2026-07-28']),
    requires: 'server.resources',
  },
  (t) => expectSameSetPerConnection(t, 'resources/list', 'resources', (x) => x.uri),
);

check(
  {
    id: 'resources/read-invalid-uri',
    shared: true,
    title: 'resources/read of a string that is no URI is answered with a JSON-RPC error',
    level: 'MUST',
    requirement: 'Servers MUST validate all resource URIs: a resources/read whose uri is not a valid URI is refused, not served.',
    spec: resources('security-considerations'),
    requires: 'server.resources',
  },
  async (t) => {
    const c = await t.session();
    // No scheme, a space and a broken percent-escape: no reading of RFC 3986 makes this a URI.
    const uri = 'mcp-conform not a uri %zz';
    const reply = await c.request<Json>('resources/read', { uri });
    if (reply.ok) t.fail(`resources/read of ${JSON.stringify(uri)}, which is no URI, was answered with a result, not a JSON-RPC error`, reply);
  },
);

/** A file:// URI's path, percent-decoded and with its dot segments resolved; undefined when it is no file:// URI. */
function filePath(uri: string): string | undefined {
  const m = /^file:\/\/[^/]*(\/[^?#]*)/i.exec(uri);
  if (!m) return undefined;
  let raw: string;
  try {
    // Decoded first: an encoded dot or slash (%2e, %2f) is what a careless server decodes before it opens the file.
    raw = decodeURIComponent(m[1] as string);
  } catch {
    return undefined;
  }
  const out: string[] = [];
  for (const seg of raw.split('/')) {
    if (seg === '..') out.pop();
    else if (seg !== '.' && seg !== '') out.push(seg);
  }
  return `/${out.join('/')}`;
}

const within = (path: string, dir: string) => dir === '/' || path === dir || path.startsWith(`${dir}/`);
const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';

/** The directory a file:// URI template's fixed part covers (file:///{+path}: the whole filesystem). */
function templateDir(template: string): string {
  const fixed = template.includes('{') ? template.slice(0, template.indexOf('{')) : template;
  const path = filePath(fixed) ?? '/';
  return fixed.endsWith('/') ? path : dirOf(path);
}

/** The file a traversal aims at: outside any directory a server would list, present on most Unix hosts. */
const TRAVERSAL_TARGET = '/etc/hostname';

check(
  {
    id: 'resources/file-traversal-refused',
    shared: true,
    title: 'a file:// URI that climbs out of the listed resources\' directory is not served',
    level: 'MUST',
    requirement:
      "Servers MUST sanitize file paths to prevent directory traversal attacks when serving file:// resources. (Checked: from a listed file:// resource, URIs with .., %2e%2e and ..%2f segments that resolve to /etc/hostname, outside every listed file:// resource's directory and file:// template, are read; contents for them fail, an error or not-found passes.)",
    spec: resources('security-considerations', ['2026-07-28']),
    requires: 'server.resources',
  },
  async (t) => {
    const c = await t.session();
    const files = (await listResources(t, c)).map((r) => r.uri).filter((u): u is string => typeof u === 'string' && filePath(u) !== undefined);
    if (files.length === 0) return t.notApplicable('the server lists no file:// resources');
    // What the server says it serves: the listed files' directories, and the fixed part of any file:// template.
    const templates = await walkList(c, 'resources/templates/list', 'resourceTemplates');
    const served = [
      ...files.map((u) => dirOf(filePath(u) as string)),
      ...templates.items.map((x) => x.uriTemplate).filter((u): u is string => typeof u === 'string' && /^file:\/\//i.test(u)).map(templateDir),
    ];
    const inside = served.find((d) => within(TRAVERSAL_TARGET, d));
    if (inside !== undefined) return t.notVerified(`${TRAVERSAL_TARGET} is within what the server lists (${inside === '/' ? 'the filesystem root' : inside}), so reading it is no traversal`);
    const base = files[0] as string;
    const dirUri = base.slice(0, base.lastIndexOf('/') + 1);
    // Enough steps up to pass the root from the listed file's directory (the root's parent is the root).
    const up = dirOf(filePath(base) as string).split('/').length + 1;
    const target = TRAVERSAL_TARGET.slice(1);
    const variants = [`${dirUri}${'../'.repeat(up)}${target}`, `${dirUri}${'%2e%2e/'.repeat(up)}${target}`, `${dirUri}${'..%2f'.repeat(up)}${target.replace('/', '%2f')}`];
    for (const uri of variants) {
      const reply = await c.request<Json>('resources/read', { uri });
      if (!reply.ok) continue; // refused (or not found): the traversal went nowhere
      const contents = Array.isArray(reply.result.contents) ? reply.result.contents.filter(isObject) : [];
      // Contents named by a URI inside a listed directory are the server's sanitised reading of the path: no leak.
      const leaked = contents.filter((x) => typeof x.text === 'string' || typeof x.blob === 'string').filter((x) => {
        const p = typeof x.uri === 'string' ? filePath(x.uri) : undefined;
        return p === undefined || !served.some((d) => within(p, d));
      });
      if (leaked.length)
        t.fail(`resources/read of ${uri} (which resolves to file://${TRAVERSAL_TARGET}, outside what the server lists: ${[...new Set(served)].join(', ')}) was answered with contents: the path was not sanitized`, reply);
    }
  },
);
