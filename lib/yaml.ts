import { parseAllDocuments, stringify } from 'yaml';

/**
 * YAML 1.1 output so that values such as `on`, `yes`, `y`, `NO` or `2024-01-01` are quoted for the
 * YAML 1.1 readers in the Kubernetes toolchain; keys sorted like Tanka and Kustomize emit them.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, sortMapEntries: true, indentSeq: true, aliasDuplicateObjects: false });
}

export function parseYamlDocuments(text: string): unknown[] {
  const docs = parseAllDocuments(text);
  const out: unknown[] = [];
  for (const doc of docs) {
    if ('errors' in doc && doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}
