import type { ResourceSpec } from '../../core/k8s/container.js';

/**
 * The rollout-operator: restarts the pods of zone-aware StatefulSets (`updateStrategy: OnDelete`) one
 * zone at a time, never touching a second zone while any pod of the group is not ready.
 */
export interface RolloutOperatorConfig {
  /**
   * Run it whenever a component is zone-aware. Turn off only when another rollout-operator already
   * watches this namespace: without one, zone-aware pods never pick up a new spec.
   */
  enabled: boolean;
  resources: ResourceSpec;
}

/** Requests and limit as the Mimir jsonnet library sizes it. */
export function defaultRolloutOperatorConfig(): RolloutOperatorConfig {
  return { enabled: true, resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { memory: '200Mi' } } };
}
