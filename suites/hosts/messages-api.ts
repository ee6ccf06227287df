// the Messages API MCP connector: the checks of its profile (rules and sources in profiles.ts), ids hosts/messages-api/<rule>.
import { PROFILES } from './profiles.ts';
import { defineHostChecks } from './rules.ts';

export const checks = defineHostChecks(PROFILES['messages-api']);
