import type { TreeEntry } from '../core/tree.js';
import { parseYamlDocuments } from '../core/yaml.js';

/**
 * Every ConfigMap of the tree that carries `file`, with the file's first YAML document. A file that does
 * not parse is left out: the config file rule reports it once, with the parser's message.
 */
export function configFileDocuments(entries: readonly TreeEntry[], file: string): { entry: TreeEntry; doc: unknown }[] {
  const out: { entry: TreeEntry; doc: unknown }[] = [];
  for (const entry of entries) {
    if (entry.object.kind !== 'ConfigMap') continue;
    const text = (entry.object.data as Record<string, string> | undefined)?.[file];
    if (text === undefined) continue;
    try {
      out.push({ entry, doc: parseYamlDocuments(text)[0] });
    } catch {
      continue;
    }
  }
  return out;
}
