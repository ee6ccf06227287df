// Claude Desktop: the checks of its profile (rules and sources in profiles.ts), ids hosts/claude-desktop/<rule>.
import { PROFILES } from './profiles.ts';
import { defineHostChecks } from './rules.ts';

export const checks = defineHostChecks(PROFILES['claude-desktop']);
