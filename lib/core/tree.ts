import type { KubeObject, TreeLike } from './k8s/types.js';

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
export function flatten(tree: TreeLike): TreeEntry[] {
  const out: TreeEntry[] = [];
  for (const group of Object.keys(tree).sort()) {
    const g = (tree[group] ?? {}) as Readonly<Record<string, object | undefined>>;
    for (const component of Object.keys(g).sort()) {
      const c = (g[component] ?? {}) as Readonly<Record<string, KubeObject | undefined>>;
      for (const key of Object.keys(c).sort()) {
        const object = c[key];
        if (object !== undefined) out.push({ group, component, key, object });
      }
    }
  }
  return out;
}

/** The identity Kustomize matches objects by. */
export function resourceId(o: KubeObject): string {
  return `${o.apiVersion}|${o.kind}|${o.metadata?.namespace ?? ''}|${o.metadata?.name ?? ''}`;
}
