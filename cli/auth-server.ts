// `mcp-conform auth-server --issuer URL`: checks an OAuth authorization server against what MCP
// requires of it (basic/authorization), through the suite's own OAuth client (suites/auth-server).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { REVISIONS, type Revision } from '../schema/index.ts';
import type { Results } from '../reports/index.ts';
import { VERSION } from './version.ts';
import { EXIT, UsageError, interruptible, type ServerRunIo } from './common.ts';
import { collect, parseRevisions, positiveInt, reportPlan } from './server.ts';
import { addReportOptions, finishReports, type ReportFlags } from './report-options.ts';

export interface AuthServerCommandOptions extends Partial<ReportFlags> {
  issuer?: string;
  revision: string;
  clientId?: string;
  clientSecret?: string;
  redirectPort?: string;
  cimdBaseUrl?: string;
  resource?: string;
  scope?: string;
  browser?: boolean;
  timeout: string;
  only: string[];
  skip: string[];
  out: string;
  list?: boolean;
}

/** The whole command after option parsing; resolves with the exit code. */
export async function runAuthServerCommand(o: AuthServerCommandOptions, io: ServerRunIo): Promise<number> {
  const startedAt = new Date().toISOString();
  if (!o.issuer) throw new UsageError('no authorization server: give --issuer URL (its issuer identifier)');
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(o.issuer);
  } catch {
    throw new UsageError(`--issuer "${o.issuer}" is not a URL`);
  }
  if (issuerUrl.protocol !== 'http:' && issuerUrl.protocol !== 'https:') throw new UsageError(`--issuer "${o.issuer}" is not an http(s) URL`);
  if (o.clientSecret !== undefined && o.clientId === undefined) throw new UsageError('--client-secret needs --client-id');
  const timeoutMs = positiveInt(o.timeout, '--timeout');
  const redirectPort = o.redirectPort === undefined ? undefined : positiveInt(o.redirectPort, '--redirect-port', 'port number');
  if (o.cimdBaseUrl !== undefined && !/^https?:$/.test(URL.canParse(o.cimdBaseUrl) ? new URL(o.cimdBaseUrl).protocol : '')) throw new UsageError(`--cimd-base-url "${o.cimdBaseUrl}" is not an http(s) URL`);
  const resource = o.resource ?? `${issuerUrl.origin}/mcp`;
  if (!URL.canParse(resource) || resource.includes('#')) throw new UsageError(`--resource "${resource}" must be an absolute URI without a fragment (RFC 8707)`);
  const requested = parseRevisions(o.revision);
  const plan = await reportPlan(o);
  const [suite, reports, harness] = await Promise.all([import('../suites/auth-server/index.ts'), import('../reports/index.ts'), import('../suites/harness/index.ts')]);
  const revisions: Revision[] = requested === 'all' ? suite.AS_REVISIONS : requested.filter((r) => suite.AS_REVISIONS.includes(r));
  if (!revisions.length) throw new UsageError(`the auth-server checks apply at ${suite.AS_REVISIONS.join(', ')}, not ${o.revision}`);
  const ids = suite.authServerChecks().map((d) => d.meta.id);
  if (!ids.some((id) => harness.selected(id, o))) throw new UsageError(`no check matches --only ${o.only.join(',') || '(all)'}${o.skip.length ? ` --skip ${o.skip.join(',')}` : ''}`);
  const say = (line: string) => io.err.write(`${line}\n`);
  // The issuer as given is the identifier: its metadata must name it character for character.
  const target = {
    issuer: o.issuer,
    resource,
    ...(o.clientId !== undefined ? { clientId: o.clientId } : {}),
    ...(o.clientSecret !== undefined ? { clientSecret: o.clientSecret } : {}),
    ...(redirectPort !== undefined ? { redirectPort } : {}),
    ...(o.cimdBaseUrl !== undefined ? { cimdBaseUrl: o.cimdBaseUrl } : {}),
    ...(o.scope !== undefined ? { scope: o.scope } : {}),
    ...(o.browser ? { browser: true, onAuthorizationUrl: (url: string) => say(`mcp-conform: open this URL in your browser and complete the authorization (waiting up to 300 s):\n${url}`) } : {}),
  };
  say(`mcp-conform ${VERSION}: testing authorization server ${o.issuer} (resource ${resource}) at ${revisions.join(', ')}`);
  const outDir = resolve(o.out);
  const checks = await suite.runAuthServerChecks(target, {
    revisions,
    outDir,
    requestTimeoutMs: timeoutMs,
    // A flow has a few requests in a row; the browser step waits for the user.
    checkTimeoutMs: (o.browser ? 300_000 : 0) + timeoutMs * 12,
    only: o.only,
    skip: o.skip,
    onResult: (r) => say(`  ${r.verdict.padEnd(14)} ${r.id} [${r.revision}]${r.message ? `: ${r.message.split('\n')[0]?.slice(0, 200)}` : ''}`),
  });
  const discovery = checks.find((c) => c.id === 'auth-server/metadata-discovery');
  const unreachable = discovery?.verdict === 'not-verified' && discovery.message.startsWith('cannot fetch');
  const errors = unreachable ? [`cannot reach the authorization server: ${discovery.message}`] : [];
  const results: Results = {
    format: reports.RESULTS_FORMAT,
    formatVersion: reports.RESULTS_FORMAT_VERSION,
    tool: { name: 'mcp-conform', version: VERSION },
    mode: 'auth-server',
    target: { description: `authorization server ${o.issuer}`, transport: 'http' },
    revisions,
    startedAt,
    endedAt: new Date().toISOString(),
    counts: reports.countVerdicts(checks),
    checks,
    errors,
  };
  const done = await finishReports(results, outDir, plan);
  reports.printSummary(done.results, io.out);
  say(`results: ${done.paths.join(', ')} (wire logs in ${resolve(outDir, 'wire')})`);
  if (io.signal?.aborted) return EXIT.interrupted;
  if (unreachable) return EXIT.unreachable;
  return done.exit;
}

export function registerAuthServer(program: Command): void {
  const cmd = program
    .command('auth-server')
    .description('test an OAuth authorization server against what MCP requires of it (metadata, registration, the authorization code grant with PKCE)')
    .usage('--issuer URL [--client-id ID [--client-secret S]] [--redirect-port P] [--resource URI] [--browser] [options]')
    .option('--issuer <url>', 'the issuer identifier of the authorization server (its metadata is found at the well-known URLs built from it)')
    .option('-r, --revision <rev>', `revision(s) to judge at, comma-separated (${REVISIONS.join(', ')}; the checks apply from 2025-03-26, most from 2025-06-18), or all`, 'all')
    .option('--client-id <id>', 'a client registered with the server beforehand (used instead of dynamic registration or a client ID metadata document); its redirect URI: http://127.0.0.1:<redirect-port>/callback')
    .option('--client-secret <secret>', 'the secret of --client-id (a confidential client)')
    .option('--redirect-port <port>', 'port of the loopback redirect listener on 127.0.0.1 (default: a free one; fix it for a pre-registered client)')
    .option('--cimd-base-url <url>', 'a public (https) URL you forward to the loopback listener (fix --redirect-port): the client ID metadata documents of the cimd-* probes are served under it (default: the listener\'s http://127.0.0.1 origin, which a real server may refuse)')
    .option('--resource <uri>', 'the resource (RFC 8707) tokens are asked for: the canonical URI of an MCP server (default: <issuer origin>/mcp)')
    .option('--scope <scope>', 'the scope to ask for (default: none)')
    .option('--browser', 'the authorization step needs a user (a login page): print the URL, wait up to 300 s for your browser to reach the loopback redirect URI')
    .option('--timeout <ms>', 'longest wait for one answer from the server', '5000')
    .option('--only <glob>', 'run only checks whose id matches (repeatable)', collect, [])
    .option('--skip <glob>', 'leave out checks whose id matches (repeatable)', collect, [])
    .option('-o, --out <dir>', 'folder for results.json and wire/*.jsonl', './mcp-conform-results')
    .option('--list', 'print every auth-server check (id, level, revisions, spec link), then exit');
  addReportOptions(cmd);
  cmd
    .addHelpText(
      'after',
      '\nHow the client gets in: --client-id if given, else dynamic client registration when the metadata offers a\n' +
        'registration_endpoint, else a client ID metadata document served on the loopback listener (http: an\n' +
        'authorization server that insists on https refuses it). The authorization step follows redirects headless;\n' +
        'a login page leaves the grant checks not verified unless --browser. Negative probes (no code_challenge, a\n' +
        'wrong code_verifier, an unregistered redirect URI, a code or refresh token used twice) need more authorizations\n' +
        'and run headless only. The cimd-* checks serve client ID metadata documents of their own (a correct one, one\n' +
        'whose client_id is another URL, one not JSON, one without redirect_uris) and ask for authorizations with them;\n' +
        'a server that cannot fetch the loopback URL leaves them not verified: forward a public URL (--cimd-base-url).\n' +
        'Exit codes: 0 no MUST failed, 1 a MUST failed, 2 usage error, 3 the metadata could not be fetched at all, 130 interrupted.\n' +
        'Examples:\n  mcp-conform auth-server --issuer http://127.0.0.1:9419\n' +
        '  mcp-conform auth-server --issuer https://auth.example.com/tenant1 --client-id mcp-test --redirect-port 8765 --browser',
    )
    .action(async (o: AuthServerCommandOptions, c: Command) => {
      if (o.list) {
        const { checkList } = await import('./coverage.ts');
        const { authServerChecks } = await import('../suites/auth-server/index.ts');
        process.stdout.write(checkList(authServerChecks().map((d) => d.meta)));
        return;
      }
      await interruptible(c, (io) => runAuthServerCommand(o, io));
    });
}
