// The public module of the Claude host profiles: which hosts there are and what each requires
// (profiles.ts, with sources), the checks `hosts/<host>/<rule>`, the selection of checks for
// `--profile`, and the per-host verdict lines of a run.
//
//   const hosts = parseProfiles(['claude-code', 'messages-api']);      // --profile, repeatable
//   const sel = hostSelection(hosts, cfg);                              // only/skip for the run
//   … run the server suites plus HOST_SUITE_FILES with sel.only / sel.skip …
//   results = withHostVerdicts(results, hosts);                         // results.hosts
import { fileURLToPath } from 'node:url';
import type { RunConfig } from '../harness/index.ts';
import { MODULE_EXT } from '../../schema/index.ts';
import { HOST_IDS, type HostProfile } from './profiles.ts';

export { PROFILES, SOURCES, HOST_IDS, parseProfiles, isHostId, ruleId, type HostId, type HostProfile, type HostRule, type RuleSpec, type TransportKind, type Feature } from './profiles.ts';
export { defineHostChecks, unreachableHost, estimateTokens, resultChars } from './rules.ts';
export { hostVerdict, hostVerdicts, withHostVerdicts, withAuthBacking } from './verdict.ts';

/** The check files of the host profiles (one per host), for a run to load. */
export const HOST_SUITE_FILES: readonly string[] = HOST_IDS.map((h) => fileURLToPath(new URL(`./${h}${MODULE_EXT}`, import.meta.url)));

/**
 * The run's only/skip with the host checks of the selected profiles in and the others out: host
 * checks run only when their --profile is given.
 */
export function hostSelection(hosts: readonly HostProfile[], cfg: Pick<RunConfig, 'only' | 'skip'>): Pick<RunConfig, 'only' | 'skip'> {
  const chosen = new Set(hosts.map((h) => h.id));
  const skip = [...cfg.skip, ...(chosen.size === 0 ? ['hosts'] : HOST_IDS.filter((h) => !chosen.has(h)).map((h) => `hosts/${h}`))];
  const only = cfg.only.length ? [...cfg.only, ...[...chosen].map((h) => `hosts/${h}`)] : [];
  return { only, skip };
}
