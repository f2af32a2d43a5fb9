import type { StackConfig } from './config.js';
import type { Group, Namespace } from '../core/k8s/types.js';
import { namespace } from '../core/k8s/objects.js';
import { BuildError, type Problem } from '../core/problems.js';
import { labelKeys } from '../core/k8s/meta.js';
import { mimir } from '../mimir/index.js';
import { components, stackView } from './registry.js';
import { observability } from '../observability/index.js';

export interface ClusterGroup extends Group {
  namespace: { namespace: Namespace & Group[string][string] };
}

import { syncWaves } from '../core/k8s/waves.js';
import { treeWithSyncOptions } from './sync-options.js';

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

/** Every group, each component from its descriptor; all failures of all groups are reported together. */
export function renderGroups(c: StackConfig) {
  const stack = stackView(c);
  const problems: Problem[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      if (!(err instanceof BuildError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const groups = {
    cluster: cluster(c),
    mimir: attempt(() => mimir(c, stack)),
    observability: attempt(() => observability(c, stack)),
  };
  if (problems.length || !groups.mimir || !groups.observability) throw new BuildError(problems);
  return { cluster: groups.cluster, mimir: groups.mimir, observability: groups.observability };
}

/** The tree an environment's overrides address: group → component → key → object. */
export type RenderedTree = ReturnType<typeof renderGroups>;

/** Pure: config in, plain objects out, typed all the way to the writer. */
export function render(c: StackConfig): RenderedTree {
  return renderGroups(c);
}

/**
 * After the overrides: each rendered component's descriptor computes what depends on the merged
 * content (the bucket Job's hashed name). Components without `finalise`, and groups it does not touch,
 * are passed through as they are.
 */
export function finalise(merged: RenderedTree, rendered: RenderedTree, c: StackConfig): RenderedTree {
  const groups: Record<string, Record<string, object | undefined>> = {
    mimir: merged.mimir,
    observability: merged.observability,
  };
  const before: Record<string, Record<string, object | undefined>> = {
    mimir: rendered.mimir,
    observability: rendered.observability,
  };
  const out = { ...merged, mimir: { ...merged.mimir }, observability: { ...merged.observability } };
  const target: Record<string, Record<string, object | undefined>> = {
    mimir: out.mimir,
    observability: out.observability,
  };
  for (const d of components) {
    const m = groups[d.group]?.[d.key];
    const r = before[d.group]?.[d.key];
    if (!d.finalise || !d.enabled(c) || m === undefined || r === undefined) continue;
    target[d.group][d.key] = d.finalise(m, r, c);
  }
  // Last, so an override that names other sync options still gets the data holder's Prune=false.
  return treeWithSyncOptions(out);
}
