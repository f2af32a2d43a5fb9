import type {
  ClusterRole,
  ClusterRoleBinding,
  ConfigMap,
  Deployment,
  Ingress,
  Namespace,
  NetworkPolicy,
  PodDisruptionBudget,
  PolicyRule,
  Role,
  RoleBinding,
  Secret,
  ServiceAccount,
  StatefulSet,
} from './types.js';
import { objectMeta, type Meta } from './meta.js';

export function namespace(
  name: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: objectMeta({ name, namespace: '', labels, annotations }) };
}

/**
 * Marks a ConfigMap whose name must not get Kustomize's content-hash suffix: Mimir re-reads its
 * runtime overrides file in place, so a rename would restart pods for a change that needs none.
 */
export const STABLE_NAME_ANNOTATION = 'mimir-kube.dev/stable-name';

/**
 * A ConfigMap holding config files. The Kustomize writer emits every ConfigMap through
 * configMapGenerator, so a content change renames it and rolls the pods that mount it; Argo CD is told
 * to ignore the old, no longer referenced copies.
 */
export function configMap(m: Meta & { data: Record<string, string>; stableName?: boolean }): ConfigMap {
  const annotations = m.stableName
    ? { ...m.annotations, [STABLE_NAME_ANNOTATION]: 'true' }
    : { ...m.annotations, 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous' };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: objectMeta({ ...m, annotations }),
    data: sortedRecord(m.data),
  };
}

/** Secrets carry `stringData` so the committed output stays reviewable; only development credentials belong here. */
export function secret(m: Meta & { stringData: Record<string, string> }): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: objectMeta(m),
    type: 'Opaque',
    stringData: sortedRecord(m.stringData),
  };
}

export function serviceAccount(m: Meta): ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: objectMeta(m), automountServiceAccountToken: false };
}

/** At most `maxUnavailable` pods of the workload down at once during voluntary disruptions. */
export function pdbFor(workload: Deployment | StatefulSet, maxUnavailable = 1): PodDisruptionBudget {
  const meta = workload.metadata ?? {};
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: objectMeta({ name: meta.name ?? '', namespace: meta.namespace ?? '', labels: meta.labels }),
    spec: { maxUnavailable, selector: { matchLabels: { ...(workload.spec?.selector?.matchLabels ?? {}) } } },
  };
}

export function role(m: Meta & { rules: PolicyRule[] }): Role {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: objectMeta(m), rules: m.rules };
}

export function clusterRole(m: Omit<Meta, 'namespace'> & { rules: PolicyRule[] }): ClusterRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: objectMeta({ ...m, namespace: '' }),
    rules: m.rules,
  };
}

export function roleBinding(m: Meta & { role: string; serviceAccount: string }): RoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: objectMeta(m),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: m.role },
    subjects: [{ kind: 'ServiceAccount', name: m.serviceAccount, namespace: m.namespace }],
  };
}

export function clusterRoleBinding(
  m: Omit<Meta, 'namespace'> & { clusterRole: string; serviceAccount: string; serviceAccountNamespace: string },
): ClusterRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: objectMeta({ ...m, namespace: '' }),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: m.clusterRole },
    subjects: [{ kind: 'ServiceAccount', name: m.serviceAccount, namespace: m.serviceAccountNamespace }],
  };
}

export function ingress(
  m: Meta & { host?: string; ingressClassName?: string; service: string; port: string },
): Ingress {
  const rule: NonNullable<NonNullable<Ingress['spec']>['rules']>[number] = {
    http: {
      paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: m.service, port: { name: m.port } } } }],
    },
  };
  if (m.host) rule.host = m.host;
  const spec: NonNullable<Ingress['spec']> = { rules: [rule] };
  if (m.ingressClassName) spec.ingressClassName = m.ingressClassName;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: objectMeta(m), spec };
}

/** Allow ingress to the selected pods only from pods of the same `part-of`, plus the given ports from anywhere. */
export function networkPolicy(
  m: Meta & { podSelector: Record<string, string>; fromPodsWithLabels: Record<string, string>; publicPorts?: number[] },
): NetworkPolicy {
  const ingressRules: NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']> = [
    { from: [{ podSelector: { matchLabels: m.fromPodsWithLabels } }] },
  ];
  if (m.publicPorts?.length) ingressRules.push({ ports: m.publicPorts.map((port) => ({ port, protocol: 'TCP' })) });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: objectMeta(m),
    spec: { podSelector: { matchLabels: m.podSelector }, policyTypes: ['Ingress'], ingress: ingressRules },
  };
}

export function sortedRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(r)
      .sort()
      .map((k) => [k, r[k]]),
  );
}
