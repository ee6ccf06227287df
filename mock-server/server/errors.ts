// What a handler throws to ask for input or to say the client lacks a capability, and which client
// capability each server→client request needs (client/sampling, client/roots, client/elicitation).
import { isObject } from '../../schema/index.ts';
import { branded } from '../brand.ts';
import type { InputRequestSpec, JsonObject } from '../behaviours.ts';

/** Thrown (internally) when a 2026-07-28 request needs input: becomes an InputRequiredResult. */
const INPUT_REQUIRED = Symbol.for('mcp-conform.InputRequired');

export class InputRequired extends Error {
  readonly [INPUT_REQUIRED] = true;
  static override [Symbol.hasInstance](x: unknown): boolean {
    return branded(x, INPUT_REQUIRED);
  }
  constructor(readonly requests: Record<string, InputRequestSpec>) {
    super('input required');
    this.name = 'InputRequired';
  }
}

/** The client did not declare a capability the request needs. */
export class MissingClientCapability extends Error {
  constructor(readonly capability: string, readonly method: string) {
    super(`the client did not declare the ${capability} capability needed for ${method}`);
    this.name = 'MissingClientCapability';
  }
}

/** Which client capability a server→client request needs, and whether the client has it. */
export function clientCapabilityFor(method: string, params: JsonObject | undefined): { name: string; present: (caps: JsonObject) => boolean } | undefined {
  switch (method) {
    case 'sampling/createMessage':
      return { name: 'sampling', present: (c) => isObject(c.sampling) };
    case 'roots/list':
      return { name: 'roots', present: (c) => isObject(c.roots) };
    case 'elicitation/create': {
      const url = params?.mode === 'url';
      return {
        name: url ? 'elicitation.url' : 'elicitation',
        present: (c) => {
          const e = c.elicitation;
          if (!isObject(e)) return false;
          // An empty elicitation object means form mode only (client/elicitation#capabilities).
          return url ? isObject(e.url) : Object.keys(e).length === 0 || isObject(e.form);
        },
      };
    }
    default:
      return undefined;
  }
}

/** The requiredCapabilities object of a MissingRequiredClientCapability error ('elicitation.url' → { elicitation: { url: {} } }). */
export function capabilityObject(path: string): JsonObject {
  const [head, sub] = path.split('.');
  return { [head ?? path]: sub ? { [sub]: {} } : {} };
}
