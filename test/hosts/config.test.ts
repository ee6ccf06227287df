// Config import: the files of Claude Desktop and Claude Code (and the shared mcpServers shape)
// become targets; bad entries are usage errors naming the file, the entry and the field.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, allEntries, expandVars, readConfigFile, resolveConfigOptions, selectEntry } from '../../cli/config.ts';

const root = mkdtempSync(join(tmpdir(), 'mcp-conform-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, doc: unknown): string {
  const file = join(root, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return file;
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('expandVars (Claude Code syntax)', () => {
  const env = { A: 'alpha', EMPTY: '' };
  it('expands ${VAR} and ${VAR:-default}, leaves $VAR alone', () => {
    expect(expandVars('x-${A}-y', env, 'w')).toBe('x-alpha-y');
    expect(expandVars('${B:-fallback}/${A:-no}', env, 'w')).toBe('fallback/alpha');
    expect(expandVars('${EMPTY:-used}', env, 'w')).toBe('used');
    expect(expandVars('$A and ${A}', env, 'w')).toBe('$A and alpha');
    expect(expandVars('${B:-}', env, 'w')).toBe('');
  });
  it('refuses an unset variable without a default, saying where', () => {
    expect(configError(() => expandVars('${NOPE}', env, 'f.json: server "s", field "url"'))).toMatch(/f\.json: server "s", field "url": environment variable NOPE is not set/);
    expect(configError(() => expandVars('${1BAD}', env, 'here'))).toMatch(/not a variable reference/);
  });
});

describe("Claude Desktop's claude_desktop_config.json", () => {
  const file = write('desktop/claude_desktop_config.json', {
    globalShortcut: 'Ctrl+Space',
    mcpServers: {
      files: { command: 'node', args: ['server.js', '${HOME}'], env: { TOKEN: 'abc' } },
      remote: { url: 'https://example.com/mcp' },
    },
  });
  it('reads stdio entries as they are (no ${VAR} expansion in Claude Desktop)', () => {
    const cfg = readConfigFile(file, { env: { HOME: '/home/x' } });
    expect(cfg.kind).toBe('claude-desktop');
    const files = cfg.entries.find((e) => e.name === 'files')!;
    expect(files.type).toBe('stdio');
    expect(files.target).toEqual({ kind: 'stdio', command: 'node', args: ['server.js', '${HOME}'], env: { TOKEN: 'abc' }, cwd: join(root, 'desktop') });
    expect(files.location).toBe('mcpServers.files');
  });
  it('reads an entry with a url and no type as Streamable HTTP', () => {
    const { entry } = selectEntry(readConfigFile(file), 'remote');
    expect(entry.target).toEqual({ kind: 'http', url: 'https://example.com/mcp' });
  });
  it('refuses --scope, which only Claude Code files have', () => {
    expect(configError(() => resolveConfigOptions({ config: file, name: 'files', scope: 'user' }))).toMatch(/--scope applies to Claude Code's files/);
  });
});

describe("Claude Code's project .mcp.json", () => {
  const file = write('proj/.mcp.json', {
    mcpServers: {
      local: { type: 'stdio', command: '${NODE_BIN:-node}', args: ['--flag=${MODE}', '$LITERAL'], env: { KEY: '${API_KEY}', DEF: '${UNSET_ONE:-dflt}' } },
      api: { type: 'http', url: 'https://${API_HOST}/mcp', headers: { Authorization: 'Bearer ${API_KEY}', 'X-Team': '${TEAM:-core}' } },
      events: { type: 'sse', url: 'http://127.0.0.1:${PORT:-9999}/sse' },
    },
  });
  const env = { MODE: 'fast', API_KEY: 'secret-1', API_HOST: 'api.example.com' };
  it('expands ${VAR} in command, args, env, url and headers', () => {
    const cfg = readConfigFile(file, { env });
    expect(cfg.kind).toBe('claude-code-project');
    const byName = Object.fromEntries(cfg.entries.map((e) => [e.name, e]));
    expect(byName.local!.target).toEqual({ kind: 'stdio', command: 'node', args: ['--flag=fast', '$LITERAL'], env: { KEY: 'secret-1', DEF: 'dflt' }, cwd: join(root, 'proj') });
    expect(byName.api!.target).toEqual({ kind: 'http', url: 'https://api.example.com/mcp', headers: { Authorization: 'Bearer secret-1', 'X-Team': 'core' } });
    expect(byName.events!.target).toEqual({ kind: 'sse', url: 'http://127.0.0.1:9999/sse' });
    expect(byName.api!.scope).toBe('project');
  });
  it('names file, entry and field of an unset variable, and the other entries stay usable', () => {
    const cfg = readConfigFile(file, { env: { MODE: 'x', API_HOST: 'h' } });
    expect(cfg.entries.map((e) => e.name)).toEqual(['events']);
    expect(cfg.broken.map((e) => e.name)).toEqual(['local', 'api']);
    expect(selectEntry(cfg, 'events').entry.type).toBe('sse');
    const msg = configError(() => selectEntry(cfg, 'local'));
    expect(msg).toContain(file);
    expect(msg).toContain('server "local"');
    expect(msg).toContain('field "env.KEY"');
    expect(msg).toContain('API_KEY is not set');
  });
});

describe("Claude Code's ~/.claude.json scopes", () => {
  const projectDir = join(root, 'work', 'app');
  const otherDir = join(root, 'work', 'other');
  mkdirSync(projectDir, { recursive: true });
  mkdirSync(otherDir, { recursive: true });
  write('work/app/.mcp.json', { mcpServers: { shared: { command: 'project-cmd' }, teamonly: { command: 'team-cmd' } } });
  const file = write('home/.claude.json', {
    numStartups: 3,
    mcpServers: { shared: { type: 'stdio', command: 'user-cmd' }, mine: { type: 'http', url: 'https://user.example/mcp' } },
    projects: {
      [projectDir]: { allowedTools: [], mcpServers: { shared: { type: 'stdio', command: 'local-cmd', args: ['${WHO:-me}'] } } },
      [otherDir]: { mcpServers: { elsewhere: { command: 'other-cmd' } } },
      '/no/servers/here': { allowedTools: [] },
    },
  });
  const opts = { projectDir, env: {} };

  it('reads the user scope and every project\'s local scope', () => {
    const cfg = readConfigFile(file, opts);
    expect(cfg.kind).toBe('claude-code-user');
    expect(cfg.entries.map((e) => `${e.scope}:${e.name}`).sort()).toEqual(['local:elsewhere', 'local:shared', 'user:mine', 'user:shared']);
    const local = cfg.entries.find((e) => e.scope === 'local' && e.name === 'shared')!;
    expect(local.project).toBe(projectDir);
    expect(local.location).toBe(`projects[${JSON.stringify(projectDir)}].mcpServers.shared`);
    expect(local.target).toMatchObject({ command: 'local-cmd', args: ['me'], cwd: projectDir });
  });

  it('picks local over project over user, as Claude Code does, and says so', () => {
    const { entry, note } = selectEntry(readConfigFile(file, opts), 'shared', undefined, opts);
    expect(entry.scope).toBe('local');
    expect(note).toMatch(/several scopes.*testing the local one.*--scope/);
  });

  it('--scope picks one scope; project reads the project .mcp.json', () => {
    const cfg = readConfigFile(file, opts);
    expect(selectEntry(cfg, 'shared', 'user', opts).entry.target).toMatchObject({ command: 'user-cmd', cwd: projectDir });
    const project = selectEntry(cfg, 'shared', 'project', opts).entry;
    expect(project.target).toMatchObject({ command: 'project-cmd', cwd: projectDir });
    expect(project.file).toBe(join(projectDir, '.mcp.json'));
    expect(selectEntry(cfg, 'teamonly', undefined, opts).entry.scope).toBe('project');
    expect(selectEntry(cfg, 'mine', undefined, opts).entry.target).toEqual({ kind: 'http', url: 'https://user.example/mcp' });
  });

  it('a name in another project\'s local scope is not found here, and the error says where it is', () => {
    const msg = configError(() => selectEntry(readConfigFile(file, opts), 'elsewhere', undefined, opts));
    expect(msg).toContain(otherDir);
    expect(msg).toMatch(/servers: shared, mine, teamonly|servers: .*mine/);
    expect(configError(() => selectEntry(readConfigFile(file, opts), 'mine', 'local', opts))).toMatch(/no server named "mine" in the local scope/);
  });

  it('--all tests every entry, each in its own folder', () => {
    const list = allEntries(readConfigFile(file, opts), undefined, opts);
    expect(list.map((x) => x.slug).sort()).toEqual(['elsewhere', 'mine', 'shared', 'shared@local-app']);
    expect(allEntries(readConfigFile(file, opts), 'project', opts).map((x) => x.entry.name)).toEqual(['shared', 'teamonly']);
  });
});

describe('other hosts, the same mcpServers shape', () => {
  it('reads a plain mcpServers file without expansion', () => {
    const file = write('cursor/mcp.json', { mcpServers: { a: { command: 'x', args: ['${Y}'] }, b: { url: 'http://127.0.0.1:1/mcp', type: 'streamable-http' } } });
    const cfg = readConfigFile(file, { env: {} });
    expect(cfg.kind).toBe('mcp-servers');
    expect(cfg.entries.map((e) => e.target)).toEqual([
      { kind: 'stdio', command: 'x', args: ['${Y}'], cwd: join(root, 'cursor') },
      { kind: 'http', url: 'http://127.0.0.1:1/mcp' },
    ]);
  });
  it('takes `transport` for `type` and a `cwd` relative to the file', () => {
    const file = write('other/servers.json', { mcpServers: { a: { command: 'x', cwd: 'sub' }, b: { transport: 'sse', url: 'http://127.0.0.1:1/sse' } } });
    const [a, b] = readConfigFile(file).entries;
    expect(a!.target).toMatchObject({ cwd: join(root, 'other', 'sub') });
    expect(b!.target).toEqual({ kind: 'sse', url: 'http://127.0.0.1:1/sse' });
  });
  it('notes fields it does not use, without failing', () => {
    const file = write('cline/settings.json', { mcpServers: { a: { command: 'x', disabled: false, autoApprove: [], surprise: 1 } } });
    const r = resolveConfigOptions({ config: file, name: 'a' })!;
    expect(r.notes.join('\n')).toMatch(/field "disabled": not used by mcp-conform/);
    expect(r.notes.join('\n')).toMatch(/field "surprise": unknown field, ignored/);
  });
});

describe('malformed files and entries are usage errors naming file, entry and field', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not-json.json', '{ "mcpServers": ', /not-json\.json is not JSON/],
    ['array.json', [], /array\.json: must hold a JSON object, not an array/],
    ['no-servers.json', { servers: {} }, /no-servers\.json: has no "mcpServers" object/],
    ['servers-array.json', { mcpServers: [] }, /"mcpServers" must be an object of servers by name/],
    ['entry-string.json', { mcpServers: { s: 'node x' } }, /server "s" \(mcpServers\.s\): must be an object/],
    ['no-command.json', { mcpServers: { s: { args: [] } } }, /server "s" \(mcpServers\.s\): has neither "command"/],
    ['bad-type.json', { mcpServers: { s: { type: 'ws', url: 'ws://x' } } }, /server "s" \(mcpServers\.s\), field "type": "ws" is not http, streamable-http or sse/],
    ['args-string.json', { mcpServers: { s: { command: 'x', args: '--a' } } }, /field "args": must be an array of strings/],
    ['arg-number.json', { mcpServers: { s: { command: 'x', args: ['a', 2] } } }, /field "args\[1\]": must be a string, not 2/],
    ['header-number.json', { mcpServers: { s: { type: 'http', url: 'https://x', headers: { A: 1 } } } }, /field "headers\.A": must be a string/],
    ['bad-url.json', { mcpServers: { s: { type: 'http', url: 'not a url' } } }, /field "url": "not a url" is not a URL/],
    ['ftp-url.json', { mcpServers: { s: { type: 'sse', url: 'ftp://x/y' } } }, /is not an http\(s\) URL/],
    ['stdio-url.json', { mcpServers: { s: { type: 'stdio', command: 'x', url: 'https://x' } } }, /field "url": a stdio server is started with "command"/],
    ['http-command.json', { mcpServers: { s: { type: 'http', url: 'https://x', command: 'y' } } }, /field "command": a http server is reached by "url"/],
    ['empty-command.json', { mcpServers: { s: { command: '  ' } } }, /field "command": is empty/],
  ];
  for (const [name, doc, re] of cases) {
    it(name, () => {
      const file = write(`bad/${name}`, doc);
      const msg = configError(() => resolveConfigOptions({ config: file, name: 's' }));
      expect(msg).toMatch(re);
      if (name !== 'not-json.json') expect(msg).toContain(file);
    });
  }
  it('--all lists broken entries with their error, in file order', () => {
    const file = write('bad/mixed.json', { mcpServers: { a: { command: 'x' }, b: { type: 'ws' }, c: { url: 'https://x' } } });
    const r = resolveConfigOptions({ config: file, all: true })!;
    expect(r.entries.map((e) => `${e.slug}${'error' in e.entry ? ' (broken)' : ''}`)).toEqual(['a', 'b (broken)', 'c']);
    expect((r.entries[1]!.entry as { error: string }).error).toMatch(/server "b" \(mcpServers\.b\), field "type": "ws"/);
  });
  it('a missing file', () => {
    expect(configError(() => readConfigFile(join(root, 'nope.json')))).toMatch(/cannot read .*nope\.json: no such file/);
  });
  it('option mistakes', () => {
    const file = write('opts/.mcp.json', { mcpServers: { a: { command: 'x' }, b: { command: 'y' } } });
    expect(configError(() => resolveConfigOptions({ name: 'a' }))).toMatch(/need --config FILE/);
    expect(configError(() => resolveConfigOptions({ config: file }))).toMatch(/has 2 servers; choose one with --name \(a, b\) or test them all with --all/);
    const one = write('opts/one.json', { mcpServers: { only: { command: 'x' } } });
    expect(resolveConfigOptions({ config: one })!.entries[0]!.entry.name).toBe('only');
    expect(configError(() => resolveConfigOptions({ config: file, name: 'a', all: true }))).toMatch(/either --name NAME or --all/);
    expect(configError(() => resolveConfigOptions({ config: file, name: 'a', scope: 'global' }))).toMatch(/--scope must be one of local, project, user/);
    expect(configError(() => resolveConfigOptions({ config: file, name: 'zzz' }))).toMatch(/no server named "zzz" \(servers: a, b\)/);
    expect(resolveConfigOptions({})).toBeNull();
    expect(resolveConfigOptions({ config: file, all: true })!.entries.map((e) => e.slug)).toEqual(['a', 'b']);
  });
});
