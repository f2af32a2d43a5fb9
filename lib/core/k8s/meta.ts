/** Labels and metadata shared by every object. */

export interface Meta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export const labelKeys = {
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  version: 'app.kubernetes.io/version',
} as const;

/**
 * The zone of a zone-aware component's pod, as a pod label: Alloy copies it into the `zone` label of
 * every series it scrapes there (discovery sees pod labels, not the pod's ring flags).
 */
export const zoneLabel = 'mimir-kube.dev/zone';

/**
 * Selector labels: stable for the life of a workload. No version and no `app.kubernetes.io/instance`
 * (Argo CD < 3 tracks by that label), because selectors are immutable.
 */
export function selectorLabels(app: string, component: string, partOf: string): Record<string, string> {
  return { [labelKeys.name]: app, [labelKeys.component]: component, [labelKeys.partOf]: partOf };
}

export function objectMeta(m: Meta): {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
} {
  const out: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  } = { name: m.name };
  if (m.namespace) out.namespace = m.namespace;
  if (m.labels && Object.keys(m.labels).length > 0) out.labels = { ...m.labels };
  if (m.annotations && Object.keys(m.annotations).length > 0) out.annotations = { ...m.annotations };
  return out;
}
