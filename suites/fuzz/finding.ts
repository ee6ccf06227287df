// What a fuzz run finds, and the model commands a finding replays: the types engine.ts, model.ts
// and replay.ts share, in a leaf module so those need not import each other in a circle.
import type { WireEntry } from '../../reports/index.ts';
import type { OracleId } from './oracles.ts';
import type { FuzzStep } from './steps.ts';

/** A command as data: what the replay file stores and `commandFromJson` rebuilds. */
export type ModelCommandJson =
  | { cmd: 'initialize' }
  | { cmd: 'initialized' }
  | { cmd: 'ping'; idKind: IdKind }
  | { cmd: 'list'; method: ListMethod; idKind: IdKind }
  | { cmd: 'call'; tool: string; arguments: unknown; idKind: IdKind }
  | { cmd: 'call-cancel'; tool: string; arguments: unknown; delayMs: number }
  | { cmd: 'burst'; methods: ListMethod[]; lookalikeIds: boolean }
  | { cmd: 'notify'; method: string; params?: Record<string, unknown> }
  | { cmd: 'unknown-method'; idKind: IdKind };

export type IdKind = 'int' | 'string';
export type ListMethod = 'tools/list' | 'prompts/list' | 'resources/list' | 'resources/templates/list' | 'ping';

export interface Finding {
  oracle: OracleId;
  /** The category of the step it concerns ('run': the run as a whole); findings of one oracle differ in it. */
  category: string;
  /** The violation, in words. */
  message: string;
  kind: 'sequence' | 'model';
  seed: number;
  /** fast-check's counterexample path: with the seed, replays the generation. */
  path: string;
  /** The shrunk sequence, as sent in the reproduction. */
  steps: FuzzStep[];
  /** Model findings: the shrunk command list. */
  commands?: ModelCommandJson[];
  /** What was sent and what came back in the reproduction on a fresh session. */
  evidence: WireEntry[];
  /** The reproduction on a fresh session showed the same violation. */
  reproduced: boolean;
  numRuns: number;
  numShrinks: number;
}
