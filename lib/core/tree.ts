import type { KubeObject, Tree } from './k8s/types.js';

export interface TreeEntry {
  group: string;
  component: string;
  key: string;
  object: KubeObject;
}

/** Dotted tree path, e.g. `mimir.ingester.statefulSet`. */
export function treePath(e: Pick<TreeEntry, 'group' | 'component' | 'key'>): string {
  return `${e.group}.${e.component}.${e.key}`;
}

/** Deterministic order: by group, component, key. */
export function flatten(tree: Tree): TreeEntry[] {
  const out: TreeEntry[] = [];
  for (const group of Object.keys(tree).sort()) {
    const g = tree[group];
    for (const component of Object.keys(g).sort()) {
      const c = g[component];
      for (const key of Object.keys(c).sort()) out.push({ group, component, key, object: c[key] });
    }
  }
  return out;
}

/** The identity Kustomize matches objects by. */
export function resourceId(o: KubeObject): string {
  return `${o.apiVersion}|${o.kind}|${o.metadata?.namespace ?? ''}|${o.metadata?.name ?? ''}`;
}
