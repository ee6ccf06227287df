// Claude.ai (custom connectors): the checks of its profile (rules and sources in profiles.ts), ids hosts/claude-ai/<rule>.
import { PROFILES } from './profiles.ts';
import { defineHostChecks } from './rules.ts';

export const checks = defineHostChecks(PROFILES['claude-ai']);
