// `mcp-conform validate`: one JSON message, or a JSONL wire log, checked against a revision.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { classify, formatViolations, responseRules, hasType, isRevision, LATEST_STATEFUL, REVISIONS, validate, type Direction, type JsonRpcId, type Revision, type Violation } from '../schema/index.ts';

interface Entry {
  line: number;
  message: unknown;
  direction?: Direction;
  raw?: string;
  parseError?: string;
}

/** A file holds one JSON value, or JSON Lines; wire-log lines may be {"dir":"send|recv","msg":…}. */
export function readEntries(text: string): Entry[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    return [{ line: 1, message: JSON.parse(trimmed) }];
  } catch {
    // not a single JSON value: read it as JSON Lines
  }
  const out: Entry[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      out.push({ line: i + 1, message: undefined, raw, parseError: (err as Error).message });
      return;
    }
    const v = value as Record<string, unknown> | null;
    if (v && typeof v === 'object' && !Array.isArray(v) && 'msg' in v && ('dir' in v || 'direction' in v)) {
      const dir = (v.dir ?? v.direction) as string;
      const entry: Entry = { line: i + 1, message: v.msg };
      // In a server-test log "send" is the client talking; --sender decides otherwise.
      if (dir === 'send' || dir === 'recv') entry.direction = dir === 'send' ? 'client-to-server' : 'server-to-client';
      out.push(entry);
    } else {
      out.push({ line: i + 1, message: value });
    }
  });
  return out;
}

/** The JSON-RPC response envelopes (their names across revisions): --as one of them keeps the JSON-RPC response rules. */
const RESPONSE_TYPES = new Set(['JSONRPCResponse', 'JSONRPCResultResponse', 'JSONRPCErrorResponse', 'JSONRPCError']);

export interface ValidateReport {
  checked: number;
  invalid: { line: number; summary: string; violations: Violation[] }[];
  /** SHOULD-level findings (e.g. an error response without id where the schema allows it): reported, not invalid. */
  warnings: { line: number; summary: string; violations: Violation[] }[];
}

export function validateEntries(rev: Revision, entries: Entry[], asType?: string, sender?: 'client' | 'server'): ValidateReport {
  const pending = new Map<string, string>();
  const invalid: ValidateReport['invalid'] = [];
  const warnings: ValidateReport['warnings'] = [];
  const report = (line: number, summary: string, violations: Violation[]) => {
    const musts = violations.filter((v) => v.level !== 'SHOULD');
    const shoulds = violations.filter((v) => v.level === 'SHOULD');
    if (musts.length) invalid.push({ line, summary, violations: musts });
    if (shoulds.length) warnings.push({ line, summary, violations: shoulds });
  };
  for (const e of entries) {
    if (e.parseError) {
      invalid.push({ line: e.line, summary: 'not JSON', violations: [{ pointer: '', keyword: 'json', message: e.parseError }] });
      continue;
    }
    if (asType) {
      const r = validate(rev, asType, e.message);
      const violations = [...r.errors];
      // A JSON-RPC response type still obeys JSON-RPC: the schema alone lets a response that sets
      // both result and error pass as a result response (its envelope allows extra members).
      if (RESPONSE_TYPES.has(asType) && typeof e.message === 'object' && e.message !== null && !Array.isArray(e.message)) {
        for (const v of responseRules(rev, e.message as Record<string, unknown>)) {
          if (!violations.some((x) => x.pointer === v.pointer && x.message === v.message)) violations.push(v);
        }
      }
      report(e.line, asType, violations);
      continue;
    }
    let direction = e.direction;
    if (direction && sender === 'server') direction = direction === 'client-to-server' ? 'server-to-client' : 'client-to-server';
    const key = (id: JsonRpcId) => `${direction === 'client-to-server' ? 's' : 'c'}:${JSON.stringify(id)}`;
    const c = classify(rev, e.message, {
      ...(direction ? { direction } : {}),
      requestMethod: (id) => pending.get(key(id)) ?? pending.get(`?:${JSON.stringify(id)}`),
    });
    if (c.kind === 'request' && c.method && c.id != null) {
      // Remember which method each id asked for, so its response is checked against the right result type.
      pending.set(direction ? `${direction === 'client-to-server' ? 'c' : 's'}:${JSON.stringify(c.id)}` : `?:${JSON.stringify(c.id)}`, c.method);
    }
    report(e.line, `${c.kind}${c.method ? ` ${c.method}` : ''}${c.schemaType ? ` (${c.schemaType})` : ''}`, c.violations);
  }
  return { checked: entries.length, invalid, warnings };
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('validate one JSON-RPC message or a JSONL wire log against the official schema (and JSON-RPC rules) of a revision')
    .argument('<file>', 'a file, or - for standard input')
    .option('-r, --revision <rev>', `protocol revision (${REVISIONS.join(', ')})`, LATEST_STATEFUL)
    .option('--as <type>', 'validate each value as this schema type instead of classifying it as a message (a JSON-RPC response type keeps the JSON-RPC response rules)')
    .option('--sender <side>', 'in wire logs, who "send" is: client (default) or server', 'client')
    .action((file: string, opts: { revision: string; as?: string; sender: string }, cmd: Command) => {
      if (!isRevision(opts.revision)) cmd.error(`error: unknown revision "${opts.revision}" (known: ${REVISIONS.join(', ')})`, { exitCode: 2 });
      const rev = opts.revision as Revision;
      if (opts.as && !hasType(rev, opts.as)) cmd.error(`error: revision ${rev} has no type "${opts.as}"`, { exitCode: 2 });
      if (opts.sender !== 'client' && opts.sender !== 'server') cmd.error('error: --sender must be client or server', { exitCode: 2 });
      let text: string;
      try {
        text = readFileSync(file === '-' ? 0 : file, 'utf8');
      } catch (err) {
        cmd.error(`error: cannot read ${file}: ${(err as Error).message}`, { exitCode: 2 });
        return;
      }
      const report = validateEntries(rev, readEntries(text), opts.as, opts.sender as 'client' | 'server');
      const lines = [...report.invalid.map((b) => ({ ...b, tag: '' })), ...report.warnings.map((b) => ({ ...b, tag: 'warning (SHOULD): ' }))].sort((a, b) => a.line - b.line);
      for (const bad of lines) {
        for (const v of bad.violations) console.log(`${file}:${bad.line}: ${bad.tag}${bad.summary}: ${v.pointer || '/'}: ${v.message}`);
      }
      const n = report.invalid.length;
      const w = report.warnings.length ? `, ${report.warnings.length} with SHOULD-level findings` : '';
      console.error(`${report.checked} message(s) checked against ${rev}: ${n === 0 ? 'all valid' : `${n} invalid`}${w}`);
      process.exitCode = n === 0 ? 0 : 1;
    });
}

export { formatViolations };
