// Logging (server/utilities/logging): the level filter and the notifications/message params.
import { logSeverity } from '../../schema/index.ts';
import type { JsonObject, LoggingLevel } from '../behaviours.ts';
import { stripUndefined } from './types.ts';

export function levelAtLeast(level: LoggingLevel, min: LoggingLevel): boolean {
  return logSeverity(level) >= logSeverity(min);
}

export function logParams(level: LoggingLevel, data: unknown, logger: string | undefined): JsonObject {
  return stripUndefined({ level, data, logger });
}
