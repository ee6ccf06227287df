// A check's metadata from its declaration: a leaf module, so modules the runner itself imports
// (crosstalk.ts) can declare their meta-checks without importing check.ts, which imports the runner.
import type { Revision } from '../../schema/index.ts';
import type { CheckMeta, CheckTransport, Level } from '../../reports/index.ts';

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
  /**
   * The check only reads: it sends requests that change nothing in the session or the server
   * (listings, gets, reads, completions, pings, bad input answered with errors) and looks at no
   * notification. It then runs on a session shared with other such checks (session-pool.ts)
   * instead of opening its own, which for a stdio target means starting a process.
   */
  shared?: boolean;
  /**
   * The transports the requirement is about (like test262's `flags`): on a target reached over
   * another one the check is not applicable, said by the runner before the check opens anything.
   */
  transports?: CheckTransport[];
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
  if (spec.shared) meta.shared = true;
  if (spec.transports) meta.transports = spec.transports;
  return meta;
}

/** Why a check about `transports` does not apply to a target of this kind; undefined when it does. */
export function transportMismatch(transports: readonly CheckTransport[] | undefined, kind: string): string | undefined {
  if (!transports || (transports as readonly string[]).includes(kind)) return undefined;
  if (transports.length === 1 && transports[0] === 'stdio') return 'the target does not use the stdio transport';
  const names = { stdio: 'stdio', http: 'Streamable HTTP', sse: 'the legacy HTTP+SSE transport' };
  return `the target is not reached over ${transports.map((x) => names[x]).join(' or ')} (it is a ${kind} target)`;
}
