// Claude Code: the checks of its profile (rules and sources in profiles.ts), ids hosts/claude-code/<rule>.
import { PROFILES } from './profiles.ts';
import { defineHostChecks } from './rules.ts';

export const checks = defineHostChecks(PROFILES['claude-code']);
