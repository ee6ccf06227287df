// `check(meta, body)`: declares one requirement check. Under the CLI's vitest run (which
// `provide`s a RunConfig) it also registers one vitest test per applicable revision; anywhere
// else it only records the definition, so tests can run check bodies in-process (runChecks).
import { inject, test } from 'vitest';
import type {} from '../../reports/index.ts';
import { selected, type RunConfig } from './config.ts';
import { revisionsFor, runCheck, type CheckBody, type CheckDef } from './run.ts';
import { checkMeta, type CheckSpec } from './meta.ts';

export { checkMeta, type CheckSpec };

// task.meta.mcpConform / mcpConformCheck are declared by the reports room (reports/vitest-meta.ts).
declare module 'vitest' {
  export interface ProvidedContext {
    /** The run the CLI configured; absent when suites are imported by the tool's own tests. */
    mcpConform: RunConfig;
  }
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

/**
 * `check` with defaults for every check of a file (its transports, the capability it needs…):
 * what the file's checks share is said once, as metadata, not repeated as guards in bodies.
 */
export function checksWith(defaults: Pick<CheckSpec, 'transports' | 'requires' | 'shared' | 'timely'>): typeof check {
  return (spec, body) => check({ ...defaults, ...spec }, body);
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
        // The verdict travels on the meta alone: the test itself passes whatever the verdict.
        ctx.task.meta.mcpConform = result;
      });
    }
  }
  return def;
}
