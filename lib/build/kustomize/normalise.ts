import type { KubeObject } from '../../core/k8s/types.js';
import { resourceId } from '../../core/tree.js';

/**
 * Kustomize appends a content hash to generated ConfigMap names and rewrites every reference to them.
 * For comparing its output with the rendered tree, strip the suffix from the names and references.
 */
export function stripGeneratorHashes(objects: KubeObject[], generatedNames: ReadonlySet<string>): KubeObject[] {
  const renames = new Map<string, string>();
  for (const o of objects) {
    if (o.kind !== 'ConfigMap') continue;
    const name = o.metadata?.name ?? '';
    const m = /^(.*)-[a-z0-9]{10}$/.exec(name);
    if (m && generatedNames.has(m[1])) renames.set(name, m[1]);
  }
  const rewrite = (v: unknown): unknown => {
    if (typeof v === 'string') return renames.get(v) ?? v;
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x)]));
    return v;
  };
  return objects.map((o) => rewrite(o) as KubeObject);
}

/** Objects keyed by their Kustomize identity, for set comparison. */
export function byResourceId(objects: KubeObject[]): Map<string, KubeObject> {
  return new Map(objects.map((o) => [resourceId(o), o]));
}
