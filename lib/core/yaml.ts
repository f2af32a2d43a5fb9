import { isMap, isScalar, parseAllDocuments, stringify, visit, type Document } from 'yaml';
import { emitYaml } from './yaml-emit.js';

/**
 * YAML 1.1 output so that values such as `on`, `yes`, `y`, `NO` or `2024-01-01` are quoted for the
 * YAML 1.1 readers in the Kubernetes toolchain; keys sorted like Tanka and Kustomize emit them.
 */
export function toYaml(value: unknown): string {
  const text =
    emitYaml(value) ?? stringify(value, { version: '1.1', lineWidth: 0, sortMapEntries: true, indentSeq: true, aliasDuplicateObjects: false });
  if (text.length >= rememberAbove) remember(text, value);
  return text;
}

/**
 * Build-time checks read generated files back (an override may have edited the text). Parsing a
 * large file the library itself just wrote — runtime overrides for thousands of tenants — costs more
 * than the whole rest of a build, so the last few large outputs are remembered with the data they came
 * from: the same text parses to the same data.
 */
const rememberAbove = 16 * 1024;
const remembered = new Map<string, unknown>();
function remember(text: string, value: unknown): void {
  remembered.delete(text);
  remembered.set(text, value);
  if (remembered.size > 16) remembered.delete(remembered.keys().next().value as string);
}

/**
 * Duplicate keys are an error, as in Go's YAML decoder. The parser's own check compares each key with
 * every earlier one (quadratic in a 10,000-tenant runtime file), so it is off and this one uses a set.
 */
function duplicateKeys(doc: Document.Parsed): string[] {
  const found: string[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : String(pair.key);
        if (seen.has(key)) found.push(`duplicate key ${JSON.stringify(key)}`);
        seen.add(key);
      }
    },
  });
  return found;
}

export function parseYamlDocuments(text: string): unknown[] {
  if (remembered.has(text)) return [structuredClone(remembered.get(text))];
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  const out: unknown[] = [];
  for (const doc of docs) {
    if ('errors' in doc && doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
    const duplicates = duplicateKeys(doc);
    if (duplicates.length > 0) throw new Error(duplicates.join('; '));
    const value = doc.toJS({ maxAliasCount: -1 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}
