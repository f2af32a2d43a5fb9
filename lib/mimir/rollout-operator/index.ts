/**
 * Grafana's rollout-operator, as the pinned version (`config.images.rolloutOperator`) needs it to roll
 * zone-aware StatefulSets: a Deployment of one, its ServiceAccount, and a Role in the namespace to
 * watch StatefulSets and their pods and delete outdated pods.
 *
 * Its admission webhooks (no-downscale, prepare-downscale) are not rendered: they guard scaling
 * ingesters down, need cluster-scoped webhook configurations, a ClusterRole and a self-signed
 * certificate, and nothing here scales down automatically. The pinned version has no
 * ZoneAwarePodDisruptionBudget; the zone-aware components carry an ordinary budget over their whole
 * rollout group instead (see `zonedStatefulComponent`).
 */
import type { MimirStackConfig } from '../config.js';
import { defineComponent } from '../../core/registry.js';
import { container, httpProbe, mapToFlags } from '../../core/k8s/container.js';
import { labelKeys, selectorLabels } from '../../core/k8s/meta.js';
import { pdbFor, role, roleBinding, serviceAccount } from '../../core/k8s/objects.js';
import type { Deployment, PodDisruptionBudget, Role, RoleBinding, ServiceAccount } from '../../core/k8s/types.js';
import { syncWave, syncWaves } from '../../core/k8s/waves.js';
import { deployment, restrictedPodSecurityContext } from '../../core/k8s/workload.js';
import { anyZoneAware } from '../zones.js';

export type { RolloutOperatorConfig } from './config.js';
export { defaultRolloutOperatorConfig } from './config.js';

const name = 'rollout-operator';
const metricsPort = { name: 'http-metrics', port: 8001 } as const;

export interface RolloutOperatorParts {
  deployment: Deployment;
  serviceAccount: ServiceAccount;
  role: Role;
  roleBinding: RoleBinding;
  pdb: PodDisruptionBudget;
}

export function rolloutOperator(c: MimirStackConfig): RolloutOperatorParts {
  const selector = selectorLabels(name, name, c.partOf);
  const meta = { name, namespace: c.namespace, labels: selector };
  const operator = container({
    name,
    image: c.images.rolloutOperator,
    args: mapToFlags({ 'kubernetes.namespace': c.namespace }),
    ports: { [metricsPort.name]: metricsPort.port },
    resources: c.mimir.rolloutOperator.resources,
    readinessProbe: httpProbe('/ready', metricsPort.name, { initialDelaySeconds: 5 }),
  });
  const dep = deployment({
    ...meta,
    annotations: syncWave(syncWaves.mimir),
    selector,
    replicas: 1,
    // Two operators at once would each restart a zone: never surge, replace.
    maxSurge: 0,
    maxUnavailable: 1,
    pod: {
      containers: [operator],
      serviceAccountName: name,
      // It watches and deletes pods through the API server with the pod's token.
      automountServiceAccountToken: true,
      securityContext: restrictedPodSecurityContext(),
    },
  });
  return {
    deployment: dep,
    serviceAccount: serviceAccount(meta),
    role: role({
      ...meta,
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['list', 'get', 'watch', 'delete'] },
        { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['list', 'get', 'watch', 'patch'] },
        { apiGroups: ['apps'], resources: ['statefulsets/status'], verbs: ['update'] },
      ],
    }),
    roleBinding: roleBinding({ ...meta, role: name, serviceAccount: name }),
    pdb: pdbFor(dep, 1),
  };
}

/** Rolls zone-aware StatefulSets one zone at a time. */
export const rolloutOperatorComponent = defineComponent({
  group: 'mimir',
  key: 'rolloutOperator',
  description: 'Restarts zone-aware StatefulSets (`OnDelete`) one zone at a time',
  config: 'mimir.rolloutOperator',
  enabled: (c: MimirStackConfig) => c.mimir.rolloutOperator.enabled && anyZoneAware(c),
  render: rolloutOperator,
  metrics: () => [
    { name: 'rollout_operator', app: name, port: metricsPort.name, path: '/metrics', jobLabel: labelKeys.component },
  ],
});
