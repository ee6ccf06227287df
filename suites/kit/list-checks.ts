// Checks every listed feature has (tools, prompts, resources, resource templates), each defined
// once with the feature as a parameter. The check files keep each check's metadata (id, level,
// requirement, citation) where the spec's page puts it; only the body is shared.
import { check, type CheckDef, type CheckSpec } from '../harness/index.ts';
import { walkList } from '../harness/index.ts';
import { errorText, received, schemaProblem, type Json } from './common.ts';

export interface ListedFeature {
  /** The list request, e.g. `tools/list`. */
  method: string;
  /** The item array of its result, e.g. `tools`. */
  key: string;
  /** The schema type of one page's result, e.g. `ListToolsResult`. */
  resultType: string;
}

/** `<feature>/list-result` (read-only): every page of the list is answered with a valid result of its type. */
export function listResultCheck(spec: CheckSpec, list: ListedFeature): CheckDef {
  return check({ ...spec, shared: true }, async (t) => {
    const c = await t.session();
    const l = await walkList(c, list.method, list.key);
    if (l.error) return t.fail(`${list.method} was answered with ${errorText(l.error)}`, l.error);
    for (const [i, p] of l.pages.entries()) {
      const bad = schemaProblem(t.revision, list.resultType, p.reply.result);
      if (bad) t.fail(`page ${i + 1} of ${list.method} is not a valid ${list.resultType}: ${bad}`, p.reply);
    }
  });
}

/**
 * `<feature>/list-changed-gated`: a server that did not declare `<feature>.listChanged` sends no
 * notifications/<feature>/list_changed (watched for quietMs after a list request).
 */
export function listChangedGatedCheck(spec: CheckSpec, feature: 'tools' | 'prompts' | 'resources'): CheckDef {
  return check(spec, async (t) => {
    const c = await t.session();
    if ((c.serverCapabilities[feature] as Json | undefined)?.listChanged === true) return t.notApplicable(`the server declares ${feature}.listChanged`);
    await c.request(`${feature}/list`, {});
    await t.sleep(t.quietMs);
    const got = received(c, `notifications/${feature}/list_changed`);
    if (got.length) t.fail(`the server sent notifications/${feature}/list_changed without declaring ${feature}.listChanged`, got);
  });
}
