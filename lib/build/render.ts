import type { StackConfig } from '../core/config.js';
import type { Group, Namespace, Tree } from '../core/k8s/types.js';
import { namespace } from '../core/k8s/objects.js';
import { labelKeys } from '../core/k8s/meta.js';
import { mimir } from '../mimir/index.js';
import { observability } from '../observability/index.js';

export interface ClusterGroup extends Group {
  namespace: { namespace: Namespace & Group[string][string] };
}

import { syncWaves } from '../core/k8s/waves.js';

export { syncWaves } from '../core/k8s/waves.js';

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
