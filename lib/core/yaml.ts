import { createRequire } from 'node:module';
import type { Document } from 'yaml';
import { emitYaml } from './yaml-emit.js';

/**
 * The `yaml` package, loaded on first use: a build writes its files with `emitYaml` and reads its own
 * texts back from memory (below), so it parses YAML only when an override edited a generated text or
 * an environment is written in YAML — loading `yaml` costs a fresh process about a tenth of a build.
 */
let yamlModule: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

/**
 * YAML 1.1 output so that values such as `on`, `yes`, `y`, `NO` or `2024-01-01` are quoted for the
 * YAML 1.1 readers in the Kubernetes toolchain; keys sorted like Tanka and Kustomize emit them.
 */
export function toYaml(value: unknown): string {
  const emitted = emitYaml(value);
  if (emitted === undefined)
    return yaml().stringify(value, {
      version: '1.1',
      lineWidth: 0,
      sortMapEntries: true,
      indentSeq: true,
      aliasDuplicateObjects: false,
    });
  remember(emitted, value);
  return emitted;
}

/**
 * Build-time checks read generated texts back (an override may have edited them). Parsing what the
 * library itself just wrote costs more than writing it — for runtime overrides of thousands of tenants
 * more than the whole rest of a build — so the texts `emitYaml` wrote are remembered with the data they
 * came from. A remembered text is used only while the data still emits to exactly that text (so a
 * later change to the data cannot leak in), and it is handed out as `yaml`'s parser would return it:
 * a fresh copy, keys in the written (sorted) order, undefined entries left out.
 * test/yaml-emit.test.ts checks that copy against the parser on every text a build writes.
 */
const rememberedLimit = 1024;
const remembered = new Map<string, unknown>();
function remember(text: string, value: unknown): void {
  remembered.delete(text);
  remembered.set(text, value);
  if (remembered.size > rememberedLimit) remembered.delete(remembered.keys().next().value as string);
}

/** Thrown (never escapes) when a value cannot be copied as the parser would build it. */
const notCopyable = new Error('not copyable as parsed YAML');

/**
 * The parser reads YAML 1.2 while the texts are written as YAML 1.1, which quotes every string YAML
 * 1.2 would read as something else but one: 1.2's octal `0o17`. Text with such a key or value is parsed.
 */
const octal12 = /^0o[0-7]+$/;

function asParsed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asParsed);
  if (typeof value === 'string' && octal12.test(value)) throw notCopyable;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const k of Object.keys(record).sort()) {
    // The parser defines `__proto__` as an own key; plain assignment would not.
    if (k === '__proto__' || octal12.test(k)) throw notCopyable;
    const v = record[k];
    if (v !== undefined) out[k] = asParsed(v);
  }
  return out;
}

function rememberedDocuments(text: string): unknown[] | undefined {
  if (!remembered.has(text)) return undefined;
  const value = remembered.get(text);
  if (emitYaml(value) !== text) return undefined;
  try {
    return [asParsed(value)];
  } catch (e) {
    if (e === notCopyable) return undefined;
    throw e;
  }
}

/**
 * Duplicate keys are an error, as in Go's YAML decoder. The parser's own check compares each key with
 * every earlier one (quadratic in a 10,000-tenant runtime file), so it is off and this one uses a set.
 */
function duplicateKeys(doc: Document.Parsed): string[] {
  const { isMap, isScalar, visit } = yaml();
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
  const known = rememberedDocuments(text);
  if (known) return known;
  const docs = yaml().parseAllDocuments(text, { uniqueKeys: false });
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
