// `check(meta, body)`: declares one requirement check. Under the CLI's vitest run (which
// `provide`s a RunConfig) it also registers one vitest test per applicable revision; anywhere
// else it only records the definition, so tests can run check bodies in-process (runChecks).
import { inject, test } from 'vitest';
import type { Revision } from '../../schema/index.ts';
import type { CheckMeta, Level } from '../../reports/model.ts';
import type {} from '../../reports/index.ts';
import { selected, type RunConfig } from './config.ts';
import { revisionsFor, runCheck, type CheckBody, type CheckDef } from './run.ts';

// task.meta.mcpConform / mcpConformCheck are declared by the reports room (reports/vitest-meta.ts).
declare module 'vitest' {
  export interface ProvidedContext {
    /** The run the CLI configured; absent when suites are imported by the tool's own tests. */
    mcpConform: RunConfig;
  }
}

export interface CheckSpec {
  /** `area/name`, stable: users paste it into --only and bug reports. */
  id: string;
  title: string;
  level: Level;
  /** The requirement sentence, in the spec's words. */
  requirement: string;
  /** Spec page and anchor per revision (`basic/lifecycle#version-negotiation`). */
  spec: Partial<Record<Revision, string>>;
  /** Revisions it applies to; default: the keys of `spec`. */
  revisions?: Revision[];
  /** A capability the target must declare, e.g. `server.tools`; otherwise not-applicable. */
  requires?: string;
  side?: 'server' | 'client';
  /** The requirement is about answering (at all, in time): a timeout fails it instead of leaving it not verified. */
  timely?: boolean;
}

const registry = new Map<string, CheckDef>();

/** Every check defined so far in this process (in definition order). */
export function definedChecks(): CheckDef[] {
  return [...registry.values()];
}

function injected(): RunConfig | undefined {
  try {
    return inject('mcpConform');
  } catch {
    return undefined; // not inside a vitest worker
  }
}

export function checkMeta(spec: CheckSpec): CheckMeta {
  const meta: CheckMeta = {
    id: spec.id,
    title: spec.title,
    level: spec.level,
    requirement: spec.requirement,
    spec: spec.spec,
    revisions: spec.revisions ?? (Object.keys(spec.spec) as Revision[]),
    side: spec.side ?? 'server',
  };
  if (spec.requires) meta.requires = spec.requires;
  if (spec.timely) meta.timely = true;
  return meta;
}

/** Declares a check; returns its definition. */
export function check(spec: CheckSpec, body: CheckBody): CheckDef {
  if (!/^[a-z0-9-]+(\/[a-z0-9-]+)+$/.test(spec.id)) throw new Error(`check id "${spec.id}" must look like area/name (lowercase, digits, dashes)`);
  if (registry.has(spec.id)) throw new Error(`duplicate check id "${spec.id}"`);
  const def: CheckDef = { meta: checkMeta(spec), body };
  registry.set(spec.id, def);
  const cfg = injected();
  if (cfg && selected(spec.id, cfg)) {
    for (const rev of revisionsFor(def, cfg)) {
      // vitest's own timeout is a backstop only: runCheck enforces the check timeout itself.
      test(`${spec.id} [${rev}]`, { timeout: cfg.checkTimeoutMs + 15_000 }, async (ctx) => {
        ctx.task.meta.mcpConformCheck = { check: def.meta, revision: rev };
        const result = await runCheck(def, rev, cfg);
        ctx.task.meta.mcpConform = result;
        if (result.verdict === 'fail') throw new Error(`${spec.id} [${rev}]: ${result.message}`);
      });
    }
  }
  return def;
}
