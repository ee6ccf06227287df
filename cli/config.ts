// Reads the MCP server lists hosts keep — Claude Desktop's claude_desktop_config.json, Claude
// Code's project .mcp.json and its ~/.claude.json (user and local scopes), and the same
// `mcpServers` shape other hosts use — and turns an entry into the target to test. A bad entry is
// a usage error (exit 2) that names the file, the entry and the field.
import { isObject } from '../schema/index.ts';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { TargetSpec } from '../mock-server/index.ts';

/** Which host wrote the file; decides the scopes and whether `${VAR}` is expanded. */
export type ConfigKind = 'claude-desktop' | 'claude-code-project' | 'claude-code-user' | 'mcp-servers';

/**
 * Claude Code's scopes: `local` (~/.claude.json under projects["<abs path>"]), `project`
 * (<project>/.mcp.json) and `user` (~/.claude.json top level). When one name is in several,
 * Claude Code uses local, then project, then user.
 */
export type Scope = 'local' | 'project' | 'user';
export const SCOPES: readonly Scope[] = ['local', 'project', 'user'];

/** Where an entry of a config file is. */
export interface EntryPlace {
  name: string;
  /** Absolute path of the file it came from. */
  file: string;
  kind: ConfigKind;
  scope?: Scope;
  /** For local-scope entries: the project path they belong to. */
  project?: string;
  /** Where in the file: `mcpServers.foo`, `projects["/abs"].mcpServers.foo`. */
  location: string;
}

export interface ConfigEntry extends EntryPlace {
  /** The entry's `type` after defaults: what the host would connect with. */
  type: 'stdio' | 'http' | 'sse';
  target: TargetSpec;
  /** Fields mcp-conform does not use (they are reported, not fatal). */
  warnings: string[];
}

/** An entry that cannot be used (its error says why); the file's other entries still can. */
export interface BrokenEntry extends EntryPlace {
  error: string;
}

/** An entry as listed: usable, or broken. */
export type ListedEntry = ConfigEntry | BrokenEntry;

export function isBroken(e: ListedEntry): e is BrokenEntry {
  return 'error' in e;
}

/** A config file that cannot be used as asked: the CLI prints it and exits 2. */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ReadConfigOptions {
  /** Variables for `${VAR}` expansion (default process.env). */
  env?: Record<string, string | undefined>;
  /** The project folder Claude Code would run in (default process.cwd()): picks local and project scopes. */
  projectDir?: string;
  /** Overrides the kind detected from the file's name and content. */
  kind?: ConfigKind;
  /** Where relative stdio commands and `cwd` fields start (default: the file's folder). */
  baseDir?: string;
}

export interface ConfigFile {
  file: string;
  kind: ConfigKind;
  entries: ConfigEntry[];
  /** Entries with an error (a bad field, an unset variable): fatal only when chosen. */
  broken: BrokenEntry[];
  /** Both, in file order. */
  all: ListedEntry[];
}

type Json = Record<string, unknown>;

/** `mcpServers.foo` or `mcpServers["a b"]`, as a reader would look it up. */
function keyPath(base: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

const EXPANSION = /\$\{([^}]*)\}/g;

/**
 * Claude Code's expansion in .mcp.json and ~/.claude.json: `${VAR}` is VAR's value,
 * `${VAR:-default}` is VAR's value when set (and not empty), else the default. A bare `$VAR`
 * stays as it is. An unset variable without a default is an error naming where it was used.
 */
export function expandVars(value: string, env: Record<string, string | undefined>, where: string): string {
  return value.replace(EXPANSION, (_all, inner: string) => {
    const sep = inner.indexOf(':-');
    const name = sep === -1 ? inner : inner.slice(0, sep);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ConfigError(`${where}: "\${${inner}}" is not a variable reference (use \${NAME} or \${NAME:-default})`);
    const v = env[name];
    if (v !== undefined && (sep === -1 || v !== '')) return v;
    if (sep !== -1) return inner.slice(sep + 2);
    // Claude Code itself warns ("Missing environment variables") and passes the text on as it is;
    // a test of a server started with a literal ${NAME} would only mislead, so this stops.
    throw new ConfigError(`${where}: environment variable ${name} is not set and \${${name}} has no default (set it, or write \${${name}:-default}; Claude Code would warn and pass the text on unexpanded)`);
  });
}

/** Which host's file this is, from its name and shape. */
export function detectKind(file: string, doc: Json): ConfigKind {
  const name = basename(file);
  if (name === 'claude_desktop_config.json') return 'claude-desktop';
  if (name === '.claude.json' || isObject(doc.projects)) return 'claude-code-user';
  if (name === '.mcp.json') return 'claude-code-project';
  return 'mcp-servers';
}

// `transport` is the name some hosts use for `type`; `cwd` (a folder for a stdio server) too.
const KNOWN_FIELDS = {
  stdio: new Set(['type', 'transport', 'command', 'args', 'env', 'cwd']),
  http: new Set(['type', 'transport', 'url', 'headers']),
  sse: new Set(['type', 'transport', 'url', 'headers']),
};
// Fields other hosts or Claude Code features put in entries: noted, not fatal.
const IGNORED_FIELDS = new Set(['disabled', 'autoApprove', 'alwaysAllow', 'timeout', 'description', 'headersHelper', 'oauth', 'name']);

interface EntryContext {
  file: string;
  kind: ConfigKind;
  name: string;
  location: string;
  expand: boolean;
  env: Record<string, string | undefined>;
  cwd?: string;
}

function parseEntry(raw: unknown, ctx: EntryContext): { type: ConfigEntry['type']; target: TargetSpec; warnings: string[] } {
  const at = `${ctx.file}: server "${ctx.name}" (${ctx.location})`;
  if (!isObject(raw)) throw new ConfigError(`${at}: must be an object with "command" (stdio) or "url" (http, sse), not ${JSON.stringify(raw)}`);
  const field = (f: string) => `${at}, field "${f}"`;
  const str = (f: string, v: unknown): string => {
    if (typeof v !== 'string') throw new ConfigError(`${field(f)}: must be a string, not ${JSON.stringify(v)}`);
    return ctx.expand ? expandVars(v, ctx.env, field(f)) : v;
  };
  const strMap = (f: string, v: unknown): Record<string, string> => {
    if (!isObject(v)) throw new ConfigError(`${field(f)}: must be an object of strings, not ${JSON.stringify(v)}`);
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) out[k] = str(`${f}.${k}`, x);
    return out;
  };

  let type: ConfigEntry['type'];
  const declared = raw.type ?? raw.transport;
  const typeField = raw.type === undefined && raw.transport !== undefined ? 'transport' : 'type';
  if (declared === undefined) {
    // Claude Desktop entries carry no type; an entry with a url and no type is Streamable HTTP.
    if ('command' in raw) type = 'stdio';
    else if ('url' in raw) type = 'http';
    else throw new ConfigError(`${at}: has neither "command" nor "url" (a stdio server is started with "command", an http or sse server reached by "url")`);
  } else if (declared === 'stdio' || declared === 'http' || declared === 'sse') {
    type = declared;
  } else if (typeof declared === 'string' && ['streamable-http', 'streamablehttp'].includes(declared.toLowerCase())) {
    type = 'http';
  } else {
    throw new ConfigError(`${field(typeField)}: ${JSON.stringify(declared)} is not http, streamable-http or sse (nor stdio): not a transport mcp-conform can test`);
  }

  const warnings: string[] = [];
  for (const k of Object.keys(raw)) {
    if (KNOWN_FIELDS[type].has(k)) continue;
    if (k === 'url' && type === 'stdio') throw new ConfigError(`${field('url')}: a stdio server is started with "command", it has no url`);
    if (k === 'command' && type !== 'stdio') throw new ConfigError(`${field('command')}: a ${type} server is reached by "url", it has no command`);
    warnings.push(`${field(k)}: ${IGNORED_FIELDS.has(k) ? 'not used by mcp-conform' : 'unknown field, ignored'}`);
  }

  if (type === 'stdio') {
    const command = str('command', raw.command);
    if (command.trim() === '') throw new ConfigError(`${field('command')}: is empty`);
    let args: string[] = [];
    if (raw.args !== undefined) {
      if (!Array.isArray(raw.args)) throw new ConfigError(`${field('args')}: must be an array of strings, not ${JSON.stringify(raw.args)}`);
      args = raw.args.map((a, i) => str(`args[${i}]`, a));
    }
    const target: TargetSpec = { kind: 'stdio', command, args };
    if (raw.env !== undefined) target.env = strMap('env', raw.env);
    const cwd = raw.cwd === undefined ? ctx.cwd : resolve(ctx.cwd ?? dirname(ctx.file), str('cwd', raw.cwd));
    if (cwd) target.cwd = cwd;
    return { type, target, warnings };
  }
  const url = str('url', raw.url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${field('url')}: ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`${field('url')}: ${JSON.stringify(url)} is not an http(s) URL`);
  const target: TargetSpec = raw.headers === undefined ? { kind: type, url } : { kind: type, url, headers: strMap('headers', raw.headers) };
  return { type, target, warnings };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

function parseJson(text: string, file: string): Json {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new ConfigError(`${file}: must hold a JSON object, not ${Array.isArray(doc) ? 'an array' : JSON.stringify(doc)}`);
  return doc;
}

function serversOf(doc: Json, file: string, base: string, required: boolean): Json {
  const servers = base === 'mcpServers' ? doc.mcpServers : undefined;
  if (servers === undefined) {
    if (required) throw new ConfigError(`${file}: has no "mcpServers" object`);
    return {};
  }
  if (!isObject(servers)) throw new ConfigError(`${file}: "${base}" must be an object of servers by name, not ${JSON.stringify(servers)}`);
  return servers;
}

/** Every entry of one file (for ~/.claude.json: the user scope and every project's local scope). */
export function readConfigFile(path: string, opts: ReadConfigOptions = {}): ConfigFile {
  const file = resolve(path);
  return parseConfigText(readText(file), file, opts);
}

/** The same, from the file's text (`file` names it in messages and decides its kind). */
export function parseConfigText(text: string, file: string, opts: ReadConfigOptions = {}): ConfigFile {
  const doc = parseJson(text, file);
  const kind = opts.kind ?? detectKind(file, doc);
  const env = opts.env ?? process.env;
  const expand = kind === 'claude-code-project' || kind === 'claude-code-user';
  const all: ListedEntry[] = [];
  const add = (servers: Json, base: string, extra: Pick<ConfigEntry, 'scope' | 'project'>, cwd?: string) => {
    for (const [name, raw] of Object.entries(servers)) {
      const location = keyPath(base, name);
      const ctx: EntryContext = { file, kind, name, location, expand, env };
      if (cwd) ctx.cwd = cwd;
      try {
        all.push({ name, file, kind, location, ...extra, ...parseEntry(raw, ctx) });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        all.push({ name, file, kind, location, ...extra, error: err.message });
      }
    }
  };

  if (kind === 'claude-code-user') {
    // User-scope servers start in the folder Claude Code runs in; local ones in their project.
    add(serversOf(doc, file, 'mcpServers', false), 'mcpServers', { scope: 'user' }, resolve(opts.projectDir ?? process.cwd()));
    if (doc.projects !== undefined) {
      if (!isObject(doc.projects)) throw new ConfigError(`${file}: "projects" must be an object keyed by project path`);
      for (const [project, p] of Object.entries(doc.projects)) {
        if (!isObject(p) || p.mcpServers === undefined) continue;
        const base = `projects[${JSON.stringify(project)}].mcpServers`;
        if (!isObject(p.mcpServers)) throw new ConfigError(`${file}: "${base}" must be an object of servers by name`);
        add(p.mcpServers, base, { scope: 'local', project }, existsSync(project) ? project : undefined);
      }
    }
  } else {
    const servers = serversOf(doc, file, 'mcpServers', true);
    // Relative commands and paths of a stdio server start from the file's folder (for a
    // project's .mcp.json, the project folder Claude Code runs in).
    add(servers, 'mcpServers', kind === 'claude-code-project' ? { scope: 'project' } : {}, opts.baseDir ?? dirname(file));
  }
  return { file, kind, entries: all.filter((e): e is ConfigEntry => !isBroken(e)), broken: all.filter(isBroken), all };
}

/** Every entry of the file, usable or broken, in file order. */
function listed(cfg: ConfigFile): ListedEntry[] {
  return cfg.all;
}

/**
 * The entries Claude Code would see from a ~/.claude.json when run in `projectDir`: user scope,
 * the local scope of that project, and the project's own .mcp.json. Other files: their entries.
 */
export function candidates(cfg: ConfigFile, opts: ReadConfigOptions = {}): ListedEntry[] {
  if (cfg.kind !== 'claude-code-user') return listed(cfg);
  const projectDir = resolve(opts.projectDir ?? process.cwd());
  const out = listed(cfg).filter((e) => e.scope === 'user' || (e.scope === 'local' && e.project !== undefined && resolve(e.project) === projectDir));
  const mcpJson = join(projectDir, '.mcp.json');
  if (existsSync(mcpJson)) out.push(...listed(readConfigFile(mcpJson, { ...opts, kind: 'claude-code-project' })));
  return out;
}

function describe(e: ListedEntry): string {
  return e.scope ? `${e.scope} scope (${e.scope === 'project' ? e.file : e.location})` : e.location;
}

/** The entry named `name` (with `scope`, the one of that scope); Claude Code's precedence otherwise. */
export function selectEntry(cfg: ConfigFile, name: string, scope?: Scope, opts: ReadConfigOptions = {}): { entry: ConfigEntry; note?: string } {
  const all = candidates(cfg, opts);
  let found = all.filter((e) => e.name === name);
  if (scope) {
    if (cfg.kind !== 'claude-code-user' && cfg.kind !== 'claude-code-project') throw new ConfigError(`--scope applies to Claude Code's files (~/.claude.json, .mcp.json), not to ${cfg.file}`);
    found = found.filter((e) => e.scope === scope);
  }
  if (found.length === 0) {
    const elsewhere = listed(cfg).filter((e) => e.name === name && !all.includes(e));
    const names = [...new Set(all.map((e) => (scope && e.scope !== scope ? null : e.name)).filter((n): n is string => n !== null))];
    let msg = `${cfg.file}: no server named "${name}"${scope ? ` in the ${scope} scope` : ''}`;
    if (elsewhere.length) msg += ` for ${resolve(opts.projectDir ?? process.cwd())} (it is in the local scope of ${elsewhere.map((e) => e.project).join(', ')}; run from that folder)`;
    msg += names.length ? ` (servers: ${names.join(', ')})` : ' (it lists no servers)';
    throw new ConfigError(msg);
  }
  found.sort((a, b) => SCOPES.indexOf(a.scope ?? 'local') - SCOPES.indexOf(b.scope ?? 'local'));
  const entry = found[0]!;
  if (isBroken(entry)) throw new ConfigError(entry.error);
  if (found.length === 1) return { entry };
  return { entry, note: `"${name}" is in several scopes (${found.map(describe).join('; ')}); testing the ${entry.scope} one, as Claude Code would — pick another with --scope` };
}

/** The entry named (or the only one, when no name is given); as selectEntry otherwise. */
export function pickEntry(cfg: ConfigFile, name: string | undefined, scope?: Scope, opts: ReadConfigOptions = {}): { entry: ConfigEntry; note?: string } {
  if (name === undefined) {
    const names = [...new Set(candidates(cfg, opts).filter((e) => !scope || e.scope === scope).map((e) => e.name))];
    if (names.length !== 1) throw new ConfigError(`${cfg.file} has ${names.length} servers; choose one with --name (${names.join(', ') || 'none'}) or test them all with --all`);
    name = names[0] as string;
  }
  return selectEntry(cfg, name, scope, opts);
}

/**
 * Every entry to test with --all, with a folder name for each: all of the file's entries (for
 * ~/.claude.json every project's local scope too), or those of one scope (`project` reads the
 * project's .mcp.json).
 */
export function allEntries(cfg: ConfigFile, scope?: Scope, opts: ReadConfigOptions = {}): { entry: ListedEntry; slug: string }[] {
  let list = listed(cfg);
  if (scope === 'project' && cfg.kind === 'claude-code-user') list = candidates(cfg, opts).filter((e) => e.scope === 'project');
  else if (scope) list = list.filter((e) => e.scope === scope);
  const used = new Set<string>();
  return list.map((entry) => {
    const base = entry.name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'server';
    let slug = base;
    if (used.has(slug)) slug = `${base}@${entry.scope === 'local' && entry.project ? `local-${basename(entry.project)}` : (entry.scope ?? 'entry')}`.replace(/[^A-Za-z0-9@._-]+/g, '_');
    for (let i = 2; used.has(slug); i++) slug = `${base}-${i}`;
    used.add(slug);
    return { entry, slug };
  });
}

// ---- the command-line side ----

export interface ConfigOptions {
  config?: string;
  name?: string;
  all?: boolean;
  scope?: string;
}

/** Adds --config, --name, --all and --scope to a command. */
export function addConfigOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', "a host's server list: claude_desktop_config.json, .mcp.json, ~/.claude.json, or any file with mcpServers")
    .option('--name <name>', 'the server entry of --config to test')
    .option('--all', 'test every entry of --config (one results folder each, and a combined summary)')
    .option('--scope <scope>', 'with ~/.claude.json or .mcp.json: the Claude Code scope to take the entry from (local, project, user)');
}

export interface ResolvedTargets {
  /** One entry (--name), or every entry (--all, broken ones too) with a results sub-folder each. */
  entries: { entry: ListedEntry; slug: string | null }[];
  /** Lines for stderr: ignored fields, scope choices. */
  notes: string[];
}

/** The entries the options ask for; ConfigError on usage errors. Null when --config is not given. */
export function resolveConfigOptions(o: ConfigOptions, opts: ReadConfigOptions = {}): ResolvedTargets | null {
  if (o.config === undefined) {
    if (o.name !== undefined || o.all || o.scope !== undefined) throw new ConfigError('--name, --all and --scope need --config FILE');
    return null;
  }
  let scope: Scope | undefined;
  if (o.scope !== undefined) {
    if (!(SCOPES as readonly string[]).includes(o.scope)) throw new ConfigError(`--scope must be one of ${SCOPES.join(', ')}, not ${JSON.stringify(o.scope)}`);
    scope = o.scope as Scope;
  }
  if (o.all && o.name !== undefined) throw new ConfigError('give either --name NAME or --all, not both');
  const cfg = readConfigFile(o.config, opts);
  const notes: string[] = [];
  if (o.all) {
    const list = allEntries(cfg, scope, opts);
    if (list.length === 0) throw new ConfigError(`${cfg.file}: lists no servers${scope ? ` in the ${scope} scope` : ''}`);
    for (const { entry } of list) if (!isBroken(entry)) notes.push(...entry.warnings);
    return { entries: list, notes };
  }
  const { entry, note } = pickEntry(cfg, o.name, scope, opts);
  notes.push(...entry.warnings);
  if (note) notes.push(note);
  return { entries: [{ entry, slug: null }], notes };
}
