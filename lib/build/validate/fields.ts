import { readFileSync } from 'node:fs';
import type { Problem } from '../../core/problems.js';
import { didYouMean } from '../../core/suggest.js';
import { escapePointer } from '../kustomize/diff.js';
import { problemAt, type Rule } from '../../core/checks/context.js';

/**
 * Field names per level for every kind the library renders (`npm run k8s-fields` derives them from the
 * kubernetes-models declarations). A node maps a field name to the node of its value; `*` is the value
 * of a map's free keys, `[]` the item of an array, `{}` marks a free-form object, `any` a scalar.
 */
interface Fields {
  kinds: Record<string, string>;
  nodes: Record<string, Record<string, string>>;
}

let fields: Fields | undefined;
function load(): Fields {
  fields ??= JSON.parse(readFileSync(new URL('./k8s-fields.json', import.meta.url), 'utf8')) as Fields;
  return fields;
}

function walk(value: unknown, nodeId: string, pointer: string, out: { pointer: string; field: string; known: string[] }[]): void {
  if (nodeId === 'any' || value === null || typeof value !== 'object') return;
  const node = load().nodes[nodeId];
  if (!node || '{}' in node) return;
  if (Array.isArray(value)) {
    const item = node['[]'];
    if (item) value.forEach((v, i) => walk(v, item, `${pointer}/${i}`, out));
    return;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const at = `${pointer}/${escapePointer(key)}`;
    const next = node[key] ?? node['*'];
    if (next === undefined) {
      out.push({ pointer: at, field: key, known: Object.keys(node).filter((k) => k !== '[]') });
      continue;
    }
    walk(child, next, at, out);
  }
}

/**
 * Unknown fields: kubernetes-models' validators let them through, the API server (strict field
 * validation, kubectl's default) rejects the whole object — typically a typo in an override or a field
 * added with `add(...)`.
 */
export const fieldsRule: Rule = (ctx) => {
  const out: Problem[] = [];
  const { kinds } = load();
  for (const e of ctx.entries) {
    const root = kinds[`${e.object.apiVersion}/${e.object.kind}`];
    if (!root) continue;
    const unknown: { pointer: string; field: string; known: string[] }[] = [];
    walk(e.object, root, '', unknown);
    for (const u of unknown) {
      out.push(problemAt(ctx, e, { pointer: u.pointer, message: `unknown field \`${u.field}\``, expected: `one of ${u.known.join(', ')}`, hint: didYouMean(u.field, u.known) }));
    }
  }
  return out;
};
