import type { Container, KubeObject, TreeLike } from '../core/k8s/types.js';
import { flatten } from '../core/tree.js';
import { compareText } from '../core/collate.js';
import { quantityValue } from '../core/quantity.js';

/**
 * A Kubernetes quantity in cores (cpu) or bytes (memory). Validation has refused every value that is not
 * a quantity before the summary runs, so this parses the same grammar the checks accept.
 */
export function parseQuantity(q: string | number): number {
  return quantityValue(q);
}

export interface Requests {
  cpu: number;
  memoryBytes: number;
}

function podRequests(containers: Container[]): Requests {
  return containers.reduce(
    (sum, c) => ({
      cpu: sum.cpu + parseQuantity(c.resources?.requests?.cpu ?? 0),
      memoryBytes: sum.memoryBytes + parseQuantity(c.resources?.requests?.memory ?? 0),
    }),
    { cpu: 0, memoryBytes: 0 },
  );
}

/**
 * Requests of all long-running pods (Deployments and StatefulSets × replicas; an autoscaled Deployment,
 * which sets no replicas, at its autoscaler's minimum); Jobs finish and are left out.
 */
export function totalRequests(tree: TreeLike): Requests {
  let total = { cpu: 0, memoryBytes: 0 };
  const entries = flatten(tree);
  const minimum = new Map<string, number>();
  for (const { object } of entries) {
    const spec = object.spec as
      { scaleTargetRef?: { name?: string }; minReplicaCount?: number; minReplicas?: number } | undefined;
    const min = object.kind === 'ScaledObject' ? spec?.minReplicaCount : spec?.minReplicas;
    if (spec?.scaleTargetRef?.name && typeof min === 'number') minimum.set(spec.scaleTargetRef.name, min);
  }
  for (const { object } of entries) {
    if (object.kind !== 'Deployment' && object.kind !== 'StatefulSet') continue;
    const spec = object.spec as { replicas?: number; template?: { spec?: { containers?: Container[] } } };
    const pod = podRequests(spec.template?.spec?.containers ?? []);
    const replicas =
      spec.replicas ?? (object.kind === 'Deployment' ? minimum.get(object.metadata?.name ?? '') : 1) ?? 1;
    total = { cpu: total.cpu + pod.cpu * replicas, memoryBytes: total.memoryBytes + pod.memoryBytes * replicas };
  }
  return total;
}

export function kindCounts(tree: TreeLike): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { object } of flatten(tree)) counts[(object as KubeObject).kind] = (counts[object.kind] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => compareText(a, b)));
}

export function formatRequests(r: Requests): string {
  return `${r.cpu.toFixed(2)} CPU, ${(r.memoryBytes / 2 ** 30).toFixed(2)} GiB memory requested`;
}
