// Content blocks and resource contents (what the schema alone does not catch), and RFC 6570 URI templates.
import { StdUriTemplate } from '@std-uritemplate/std-uritemplate';
import { isObject } from '../../schema/index.ts';
import { short } from './common.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(s: unknown): boolean {
  return typeof s === 'string' && BASE64.test(s);
}

/** A MIME type's shape: type/subtype (RFC 6838), parameters allowed. */
export function isMimeType(s: unknown): boolean {
  return typeof s === 'string' && /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$/.test(s);
}

/** An absolute URI (RFC 3986: scheme ":" …). */
export function isAbsoluteUri(s: unknown): boolean {
  return typeof s === 'string' && /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/.test(s);
}

/** Problems of one resource-contents object (resources/read, embedded resources). */
export function resourceContentsProblems(rc: unknown, where: string): string[] {
  if (!isObject(rc)) return [`${where} is not an object`];
  const out: string[] = [];
  if (typeof rc.uri !== 'string' || rc.uri === '') out.push(`${where} has no uri`);
  const hasText = typeof rc.text === 'string';
  const hasBlob = Object.hasOwn(rc, 'blob');
  if (hasText && hasBlob) out.push(`${where} has both text and blob`);
  else if (!hasText && !hasBlob) out.push(`${where} has neither text nor blob`);
  if (hasBlob && !isBase64(rc.blob)) out.push(`${where}.blob is not valid base64: ${short(rc.blob, 60)}`);
  return out;
}

/**
 * Problems of one content block the schema alone does not catch: base64 payloads, MIME types,
 * embedded resources with text xor blob, resource-link URIs.
 */
export function contentProblems(block: unknown, where: string): string[] {
  if (!isObject(block)) return [`${where} is not an object`];
  switch (block.type) {
    case 'image':
    case 'audio': {
      const out: string[] = [];
      if (!isBase64(block.data)) out.push(`${where} (${block.type}) data is not valid base64: ${short(block.data, 60)}`);
      if (!isMimeType(block.mimeType)) out.push(`${where} (${block.type}) has no valid mimeType: ${short(block.mimeType, 60)}`);
      return out;
    }
    case 'resource':
      return resourceContentsProblems(block.resource, `${where}.resource`);
    case 'resource_link':
      return isAbsoluteUri(block.uri) ? [] : [`${where} (resource_link) uri is not an absolute URI: ${short(block.uri, 60)}`];
    case 'text':
      return typeof block.text === 'string' ? [] : [`${where} (text) has no text string`];
    default:
      return [`${where} has unknown content type ${short(block.type)}`];
  }
}

// ---- RFC 6570 URI templates ----

/** Why a URI template is not valid RFC 6570, or undefined. */
export function uriTemplateProblem(template: string): string | undefined {
  if (/[\s"'<>\\^`|]/.test(template.replace(/\{[^}]*\}/g, ''))) return 'it has characters RFC 6570 does not allow in literals';
  try {
    StdUriTemplate.expand(template, {});
    return undefined;
  } catch (err) {
    return (err as Error).message || 'it does not parse as an RFC 6570 template';
  }
}

/** Variable names of a valid template, in order. */
export function templateVariables(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(/\{([^}]*)\}/g)) {
    const body = (m[1] ?? '').replace(/^[+#./;?&=,!@|]/, '');
    for (const spec of body.split(',')) {
      const name = spec.replace(/\*$/, '').replace(/:\d+$/, '');
      if (name && !out.includes(name)) out.push(name);
    }
  }
  return out;
}

export function expandTemplate(template: string, vars: Record<string, string>): string {
  return StdUriTemplate.expand(template, vars);
}
