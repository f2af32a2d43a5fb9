import type { StackConfig } from './config.js';
import type { Group, Namespace, Tree } from './k8s/types.js';
import { namespace } from './k8s/objects.js';
import { labelKeys } from './k8s/meta.js';
import { mimir } from './mimir/index.js';
import { observability } from './observability/index.js';

export interface ClusterGroup extends Group {
  namespace: { namespace: Namespace & Group[string][string] };
}

/** Argo CD applies lower waves first; `kubectl apply -k` ignores them, so every step also retries on its own. */
export const syncWaves = { namespace: '-5', storage: '-1', buckets: '0', mimir: '1', edge: '2' } as const;

export function cluster(c: StackConfig): ClusterGroup {
  return {
    namespace: {
      namespace: namespace(
        c.namespace,
        {
          [labelKeys.partOf]: c.partOf,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
        },
        { 'argocd.argoproj.io/sync-wave': syncWaves.namespace },
      ) as ClusterGroup['namespace']['namespace'],
    },
  };
}

export function renderGroups(c: StackConfig) {
  return { cluster: cluster(c), mimir: mimir(c), observability: observability(c) };
}

/** The tree an environment's overrides address: group → component → key → object. */
export type RenderedTree = ReturnType<typeof renderGroups>;

/** Pure: config in, plain objects out. */
export function render(c: StackConfig): Tree {
  return renderGroups(c) as unknown as Tree;
}
