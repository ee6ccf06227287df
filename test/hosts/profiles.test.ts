// Every host rule proven both ways: a fixture server that breaks exactly that rule (it fails,
// or warns at SHOULD level, and no other rule of that host does) and one that keeps it (pass).
// Public https servers are the same fixtures behind msw, so no test leaves 127.0.0.1.
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryPair, referenceServer, serveHttp, serveProtectedMock, type ProtectedMockOptions, type ServedHttp } from '../../mock-server/index.ts';
import { PROJECT_ROOT } from '../../schema/index.ts';
import { definedChecks, runChecks, runConfig, type TargetSpec } from '../../suites/harness/index.ts';
import { DISCOVERY_CHECKS } from '../../suites/harness/auth.ts';
import '../../suites/server/auth.ts';
import type { CheckResult, Verdict } from '../../reports/model.ts';
import { PROFILES, estimateTokens, hostVerdict, resultChars, unreachableHost, withAuthBacking, withHostVerdicts, type HostId } from '../../suites/hosts/index.ts';
import { checks as desktopChecks } from '../../suites/hosts/claude-desktop.ts';
import { checks as codeChecks } from '../../suites/hosts/claude-code.ts';
import { checks as aiChecks } from '../../suites/hosts/claude-ai.ts';
import { checks as apiChecks } from '../../suites/hosts/messages-api.ts';
import { hostServer, httpFrontEnd, type AuthMode, type HostVariant } from '../fixtures/servers/host-server.ts';

const CHECKS = { 'claude-desktop': desktopChecks, 'claude-code': codeChecks, 'claude-ai': aiChecks, 'messages-api': apiChecks } as const;

// ---- fixture targets ----

function stdio(variant: HostVariant): TargetSpec {
  return { kind: 'stdio', command: process.execPath, args: ['bin/run.js', 'test/fixtures/servers/host-server.ts', variant], cwd: PROJECT_ROOT };
}

function memory(variant: HostVariant): TargetSpec {
  return {
    kind: 'memory',
    label: `host fixture ${variant}`,
    connect: () => {
      const [client, server] = createMemoryPair();
      void hostServer(variant).connect(server);
      return client;
    },
  };
}

/** Public-looking origins served by msw: origin → (variant, auth). */
const PUBLIC: Record<string, [HostVariant, AuthMode]> = {
  'https://mcp.example.com': ['good', 'none'],
  'http://mcp.example.com': ['good', 'none'],
  'https://mcp-dev.local': ['good', 'none'],
  'https://auth-hidden.example.com': ['good', 'oauth-hidden'],
  'https://auth-prm.example.com': ['good', 'oauth-prm'],
  'https://auth-nodcr.example.com': ['good', 'oauth-prm-no-dcr'],
  'https://auth-legacy.example.com': ['good', 'oauth-legacy'],
};
const frontEnds = Object.entries(PUBLIC).map(([origin, [variant, auth]]) => ({ origin, handler: httpFrontEnd(variant, auth) }));
const msw = setupServer(...frontEnds.map(({ origin, handler }) => http.all(`${origin}/*`, ({ request }) => handler(request))));

function remote(origin: string, path = '/mcp'): TargetSpec {
  return path === '/sse' ? { kind: 'sse', url: `${origin}${path}` } : { kind: 'http', url: `${origin}${path}` };
}

let local: ServedHttp;
function localHttp(path = '/mcp'): TargetSpec {
  return path === '/sse' ? { kind: 'sse', url: `${local.url}/sse` } : { kind: 'http', url: `${local.url}${path}` };
}

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: 'bypass' });
  local = await serveHttp(httpFrontEnd('good', 'none'));
});
afterAll(async () => {
  msw.close();
  await local.close();
  await Promise.all(frontEnds.map((f) => f.handler.close()));
});

async function runHost(host: HostId, target: TargetSpec, revisions = ['2025-11-25' as const]): Promise<CheckResult[]> {
  // A stdio fixture starts under tsx: give its first answer time on a loaded machine.
  const slow = target.kind === 'stdio';
  const cfg = runConfig(target, [...revisions], { quietMs: 100, requestTimeoutMs: slow ? 20_000 : 4_000, checkTimeoutMs: slow ? 45_000 : 20_000 });
  return runChecks(CHECKS[host], cfg, { concurrency: 4 });
}

function verdicts(results: CheckResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.id, `${r.verdict}${r.verdict === 'pass' ? '' : `: ${r.message}`}`]));
}

// ---- the matrix ----

interface Case {
  host: HostId;
  rule: string;
  breaks: () => TargetSpec;
  keeps: () => TargetSpec;
  /** A phrase the failure message must contain. */
  says: RegExp;
}

const CASES: Case[] = [
  { host: 'claude-desktop', rule: 'local-stdio', breaks: () => localHttp(), keeps: () => stdio('good'), says: /Claude Desktop connects to servers over stdio; this is a Streamable HTTP server/ },
  { host: 'claude-desktop', rule: 'tool-result-size', breaks: () => memory('huge-result'), keeps: () => memory('good'), says: /"dump_all" returned 160,000 characters/ },
  { host: 'claude-code', rule: 'sse-deprecated', breaks: () => localHttp('/sse'), keeps: () => localHttp(), says: /HTTP\+SSE, which Claude Code documents as deprecated/ },
  { host: 'claude-code', rule: 'tool-output-size', breaks: () => memory('big-result'), keeps: () => memory('good'), says: /truncates tool results over 25,000 tokens \(MAX_MCP_OUTPUT_TOKENS\): "dump_page" returned about 27,500 tokens/ },
  { host: 'claude-ai', rule: 'remote-transport', breaks: () => stdio('good'), keeps: () => remote('https://mcp.example.com'), says: /Claude\.ai connects to servers over Streamable HTTP or HTTP\+SSE; this is a stdio server/ },
  { host: 'claude-ai', rule: 'sse-deprecated', breaks: () => remote('https://mcp.example.com', '/sse'), keeps: () => remote('https://mcp.example.com'), says: /deprecated: offer Streamable HTTP/ },
  { host: 'claude-ai', rule: 'https-url', breaks: () => remote('http://mcp.example.com'), keeps: () => remote('https://mcp.example.com'), says: /is not https/ },
  { host: 'claude-ai', rule: 'public-url', breaks: () => remote('https://mcp-dev.local'), keeps: () => remote('https://mcp.example.com'), says: /cannot reach mcp-dev\.local \(a local-network name\)/ },
  { host: 'claude-ai', rule: 'features', breaks: () => memory('nothing'), keeps: () => memory('no-tools'), says: /uses only tools, prompts or resources; the server declares only logging/ },
  { host: 'claude-ai', rule: 'oauth', breaks: () => remote('https://auth-hidden.example.com'), keeps: () => remote('https://auth-prm.example.com'), says: /wants authorization \(HTTP 401\) but Claude\.ai cannot find its OAuth authorization server/ },
  { host: 'claude-ai', rule: 'oauth-dcr', breaks: () => remote('https://auth-nodcr.example.com'), keeps: () => remote('https://auth-prm.example.com'), says: /has no registration_endpoint/ },
  { host: 'claude-ai', rule: 'tool-result-size', breaks: () => memory('huge-result'), keeps: () => memory('big-result'), says: /"dump_all" returned 160,000 characters/ },
  { host: 'claude-ai', rule: 'tool-result-content', breaks: () => memory('audio-result'), keeps: () => memory('good'), says: /"play_chime" returned audio content/ },
  { host: 'messages-api', rule: 'remote-transport', breaks: () => stdio('good'), keeps: () => remote('https://mcp.example.com'), says: /this is a stdio server/ },
  { host: 'messages-api', rule: 'https-url', breaks: () => remote('http://mcp.example.com'), keeps: () => remote('https://mcp.example.com'), says: /is not https/ },
  { host: 'messages-api', rule: 'public-url', breaks: () => remote('https://mcp-dev.local'), keeps: () => remote('https://mcp.example.com'), says: /connects from the Claude API, which cannot reach/ },
  { host: 'messages-api', rule: 'tools', breaks: () => memory('no-tools'), keeps: () => memory('good'), says: /uses only tools; the server declares only resources, prompts/ },
  { host: 'messages-api', rule: 'tool-name', breaks: () => memory('dotted-names'), keeps: () => memory('good'), says: /2 tool name\(s\) do not match .*"files\.read" \(has "\."\), "repo\/list" \(has "\/"\)/ },
  { host: 'messages-api', rule: 'input-schema', breaks: () => memory('bad-schema'), keeps: () => memory('good'), says: /"take_text": inputSchema has type "string", not "object"/ },
];

describe('every host rule is covered by the matrix', () => {
  it('has a case for each rule of each profile', () => {
    const covered = new Set(CASES.map((c) => `${c.host}/${c.rule}`));
    const rules = Object.values(PROFILES).flatMap((p) => p.rules.map((r) => `${p.id}/${r.name}`));
    expect(rules.filter((r) => !covered.has(r))).toEqual([]);
    expect(CASES.length).toBe(rules.length);
  });
  it('cites a Claude documentation page for every rule', () => {
    for (const p of Object.values(PROFILES)) {
      for (const r of p.rules) expect(r.source, `${p.id}/${r.name}`).toMatch(/^https:\/\/(docs\.claude\.com|platform\.claude\.com|support\.claude\.com|code\.claude\.com|claude\.com\/docs|docs\.anthropic\.com)\//);
    }
  });
});

describe.each(CASES)('hosts/$host/$rule', ({ host, rule, breaks, keeps, says }) => {
  const id = `hosts/${host}/${rule}`;
  const level = PROFILES[host].rules.find((r) => r.name === rule)!.level;
  const expected: Verdict = level === 'MUST' ? 'fail' : level === 'SHOULD' ? 'warn' : 'info';

  it(`breaks: ${expected}, and no other ${host} rule fails`, async () => {
    const results = await runHost(host, breaks());
    const mine = results.find((r) => r.id === id)!;
    expect(mine.verdict, JSON.stringify(verdicts(results), null, 1)).toBe(expected);
    expect(mine.message).toMatch(says);
    expect(mine.specUrl).toBe(PROFILES[host].rules.find((r) => r.name === rule)!.source);
    const others = results.filter((r) => r.id !== id && (r.verdict === 'fail' || r.verdict === 'warn'));
    expect(others.map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    const v = hostVerdict(PROFILES[host], results);
    if (expected === 'fail') {
      expect(v.works).toBe(false);
      expect(v.failingChecks).toEqual([id]);
      expect(v.summary).toMatch(new RegExp(`^does not work with ${PROFILES[host].name.replace(/[.+]/g, '\\$&')} because .*\\(${id}\\)$`));
    } else {
      expect(v.works).toBe(true);
      expect(v.summary).toContain(`warnings: ${id}`);
    }
  }, 120_000);

  it('keeps: pass', async () => {
    const results = await runHost(host, keeps());
    expect(results.find((r) => r.id === id)?.verdict, JSON.stringify(verdicts(results), null, 1)).toBe('pass');
  }, 120_000);
});

describe('more ways through the rules', () => {
  it('OAuth discovery also works from authorization server metadata on the origin (2025-03-26), and an authless server passes', async () => {
    const legacy = await runHost('claude-ai', remote('https://auth-legacy.example.com'));
    expect(legacy.find((r) => r.id === 'hosts/claude-ai/oauth')?.verdict).toBe('pass');
    expect(legacy.find((r) => r.id === 'hosts/claude-ai/oauth-dcr')?.verdict).toBe('pass');
    const open = await runHost('claude-ai', remote('https://mcp.example.com'));
    expect(open.find((r) => r.id === 'hosts/claude-ai/oauth')?.verdict).toBe('pass');
    expect(open.find((r) => r.id === 'hosts/claude-ai/oauth-dcr')?.verdict).toBe('not-applicable');
    expect(hostVerdict(PROFILES['claude-ai'], open)).toEqual({ host: 'claude-ai', works: true, summary: 'works with Claude.ai', failingChecks: [] });
  }, 120_000);

  it('host rules run once, at the newest revision of the run', async () => {
    const results = await runHost('messages-api', memory('dotted-names'), ['2025-06-18', '2025-11-25'] as never);
    const names = results.filter((r) => r.id === 'hosts/messages-api/tool-name');
    expect(names.map((r) => `${r.revision} ${r.verdict}`)).toEqual(['2025-06-18 not-applicable', '2025-11-25 fail']);
    expect(hostVerdict(PROFILES['messages-api'], results).failingChecks).toEqual(['hosts/messages-api/tool-name']);
  }, 120_000);

  it('results of unannotated tools are not verified under the default policy, and checked with --call-tools all', async () => {
    const safe = await runHost('claude-code', stdio('unannotated'));
    const size = safe.find((r) => r.id === 'hosts/claude-code/tool-output-size')!;
    expect(size.verdict).toBe('not-verified');
    expect(size.message).toMatch(/not annotated, so possibly destructive.*--call-tools/);
    expect(hostVerdict(PROFILES['claude-code'], safe).summary).toBe('works with Claude Code (not verified: hosts/claude-code/tool-output-size)');
    const cfg = runConfig(memory('unannotated'), ['2025-11-25'], { callTools: 'all', requestTimeoutMs: 4_000 });
    const all = await runChecks(codeChecks, cfg);
    expect(all.find((r) => r.id === 'hosts/claude-code/tool-output-size')?.verdict).toBe('pass');
  }, 120_000);

  it('MAX_MCP_OUTPUT_TOKENS moves the Claude Code limit, as it does in Claude Code', async () => {
    process.env.MAX_MCP_OUTPUT_TOKENS = '50000';
    try {
      const results = await runHost('claude-code', memory('big-result'));
      expect(results.find((r) => r.id === 'hosts/claude-code/tool-output-size')?.verdict).toBe('pass');
    } finally {
      delete process.env.MAX_MCP_OUTPUT_TOKENS;
    }
  }, 120_000);

  it('a server that cannot be reached cannot be judged', async () => {
    const results = await runHost('claude-ai', { kind: 'http', url: 'http://127.0.0.1:9/mcp' });
    const v = hostVerdict(PROFILES['claude-ai'], results);
    expect(v.works).toBe(false);
    expect(v.failingChecks).toContain('hosts/claude-ai/public-url');
  }, 120_000);
});

// The OAuth rules rest on the server auth checks (one discovery, suites/harness/auth.ts): on the
// protected mock, each rule proven both ways, and its verdict agrees with auth/* whether the run
// has those checks (withAuthBacking) or not (the rule's own run of the same discovery).
describe('the OAuth rules rest on the auth checks (the protected mock)', () => {
  const ids: readonly string[] = DISCOVERY_CHECKS;
  const discovery = definedChecks().filter((d) => ids.includes(d.meta.id));
  const hostOauth = aiChecks.filter((d) => d.meta.id === 'hosts/claude-ai/oauth' || d.meta.id === 'hosts/claude-ai/oauth-dcr');
  const ai = [PROFILES['claude-ai']];

  /** The auth discovery checks (unless `hostsOnly`) and the claude-ai OAuth rules, as `server --profile claude-ai` judges them. */
  async function onMock(o: ProtectedMockOptions, hostsOnly = false): Promise<Record<string, string>> {
    const s = await serveProtectedMock(referenceServer(), o);
    try {
      const cfg = runConfig({ kind: 'http', url: s.url }, ['2025-11-25'], { quietMs: 100, requestTimeoutMs: 3_000, checkTimeoutMs: 15_000 });
      const results = withAuthBacking(await runChecks([...(hostsOnly ? [] : discovery), ...hostOauth], cfg, { concurrency: 5 }), ai);
      return Object.fromEntries(results.map((r) => [r.id, `${r.verdict}${r.verdict === 'pass' ? '' : `: ${r.message}`}`]));
    } finally {
      await s.close();
    }
  }

  const CASES: { name: string; o: ProtectedMockOptions; auth: Record<string, RegExp>; oauth: RegExp; dcr: RegExp }[] = [
    { name: 'correct', o: {}, auth: { 'auth/challenge': /^pass$/, 'auth/prm-document': /^pass$/, 'auth/authorization-servers-resolve': /^pass$/ }, oauth: /^pass$/, dcr: /^pass$/ },
    {
      name: 'a PRM naming another resource',
      o: { resource: { prmOverrides: { resource: 'https://elsewhere.example.com/mcp' } } },
      auth: { 'auth/prm-document': /^fail: .*names resource "https:\/\/elsewhere\.example\.com\/mcp", not this server/ },
      oauth: /^fail: the server wants authorization \(HTTP 401\) but Claude\.ai cannot find its OAuth authorization server: .*names resource .*\(see auth\/prm-document\)$/,
      dcr: /^not-verified: no authorization server metadata to look at \(see hosts\/claude-ai\/oauth and auth\/prm-document\)/,
    },
    {
      name: 'authorization server metadata naming another issuer',
      o: { authorizationServer: { faults: [{ kind: 'metadata-issuer-mismatch' }] } },
      auth: { 'auth/prm-document': /^pass$/, 'auth/authorization-servers-resolve': /^fail: .*names issuer/ },
      oauth: /^fail: .*names issuer .*\(see auth\/authorization-servers-resolve\)$/,
      dcr: /^not-verified: /,
    },
    { name: 'no Dynamic Client Registration', o: { authorizationServer: { registration: false } }, auth: { 'auth/authorization-servers-resolve': /^pass$/ }, oauth: /^pass$/, dcr: /^warn: the authorization server http:\/\/127\.0\.0\.1:\d+ has no registration_endpoint/ },
    // No PRM: the auth checks fail (2025-11-25 wants one); Claude.ai still finds the AS by the 2025-03-26 fallback.
    { name: 'a 2025-03-26 server (no PRM, metadata on its origin)', o: { sameOrigin: true }, auth: { 'auth/challenge': /^fail: /, 'auth/prm-document': /^fail: / }, oauth: /^pass$/, dcr: /^pass$/ },
  ];

  it.each(CASES)('$name: the rules agree with auth/*, with those checks in the run and without', async ({ o, auth, oauth, dcr }) => {
    const [both, hostsOnly] = [await onMock(o), await onMock(o, true)];
    for (const [id, want] of Object.entries(auth)) expect(both[id], JSON.stringify(both, null, 1)).toMatch(want);
    for (const v of [both, hostsOnly]) {
      expect(v['hosts/claude-ai/oauth'], JSON.stringify(v, null, 1)).toMatch(oauth);
      expect(v['hosts/claude-ai/oauth-dcr'], JSON.stringify(v, null, 1)).toMatch(dcr);
    }
  }, 60_000);

  // Where the rule's own discovery and the auth checks part (another revision, a flaky network), the auth checks decide.
  const result = (id: string, verdict: Verdict, revision = '2025-11-25', message = ''): CheckResult =>
    ({ id, title: id, level: 'MUST', revision, verdict, message, requirement: '', specUrl: null, durationMs: 1, wireLog: null }) as CheckResult;
  const passing = (rev: string) => DISCOVERY_CHECKS.map((id) => result(id, 'pass', rev));

  it('a rule that passed where auth/prm-document fails at every revision fails, citing it; its DCR rule is then not verified', () => {
    const checks = [
      result('auth/challenge', 'pass', '2025-06-18'),
      result('auth/prm-document', 'fail', '2025-06-18', 'the metadata at X names resource "Y", not this server'),
      result('auth/authorization-servers-resolve', 'not-verified', '2025-06-18'),
      result('hosts/claude-ai/oauth', 'pass'),
      result('hosts/claude-ai/oauth-dcr', 'pass'),
    ];
    const r = withHostVerdicts({ checks, counts: {} } as never, ai);
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['hosts/claude-ai/oauth']?.verdict).toBe('fail');
    expect(by['hosts/claude-ai/oauth']?.message).toBe('the server wants authorization but Claude.ai cannot find its OAuth authorization server: auth/prm-document fails at 2025-06-18: the metadata at X names resource "Y", not this server');
    expect(by['hosts/claude-ai/oauth-dcr']?.verdict).toBe('not-verified');
    expect(r.counts.failed).toBe(2);
    expect(r.hosts?.[0]).toMatchObject({ works: false, failingChecks: ['hosts/claude-ai/oauth'] });
  });

  it('a rule left not verified passes where the auth checks pass; the others stand', () => {
    const nv = withAuthBacking([...passing('2025-11-25'), result('hosts/claude-ai/oauth', 'not-verified', '2025-11-25', 'timed out')], ai);
    expect(nv.find((c) => c.id === 'hosts/claude-ai/oauth')?.verdict).toBe('pass');
    // Passing at one revision is enough (2025-06-18 wants resource_metadata in the challenge, 2025-11-25 not).
    const mixed = [result('auth/challenge', 'fail', '2025-06-18'), result('auth/prm-document', 'pass', '2025-06-18'), ...passing('2025-11-25'), result('hosts/claude-ai/oauth', 'pass')];
    expect(withAuthBacking(mixed, ai)).toEqual(mixed);
    // The rule's own stricter failure (no token_endpoint) stands; and without the auth checks nothing changes.
    const own = [...passing('2025-11-25'), result('hosts/claude-ai/oauth', 'fail', '2025-11-25', 'lacks token_endpoint')];
    expect(withAuthBacking(own, ai)).toEqual(own);
    const alone = [result('hosts/claude-ai/oauth', 'pass')];
    expect(withAuthBacking(alone, ai)).toEqual(alone);
    // An authless server: the auth checks are not applicable and say nothing.
    const open = [...DISCOVERY_CHECKS.map((id) => result(id, 'not-applicable')), result('hosts/claude-ai/oauth', 'pass')];
    expect(withAuthBacking(open, ai)).toEqual(open);
  });
});

describe('helpers', () => {
  it('knows host names the internet cannot reach', () => {
    for (const h of ['localhost', 'api.localhost', '127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.10', '169.254.1.1', '100.64.0.1', '0.0.0.0', '[::1]', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', 'printer.local', 'db.internal', 'myserver']) {
      expect(unreachableHost(h), h).not.toBeNull();
    }
    for (const h of ['mcp.example.com', '8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', 'api.github.com.']) expect(unreachableHost(h), h).toBeNull();
  });
  it("estimates tokens as Claude Code does (characters / 4, 1,600 per image)", () => {
    const result = { content: [{ type: 'text', text: 'x'.repeat(10) }, { type: 'image', data: 'AA==', mimeType: 'image/png' }, { type: 'text', text: 'y'.repeat(6) }] } as never;
    expect(estimateTokens(result, 4, 1_600)).toBe(3 + 1_600 + 2);
    expect(resultChars(result)).toBe(16);
  });
});
