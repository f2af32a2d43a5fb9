import type { Deployment, Service, ServicePort, StatefulSet } from './types.js';
import { objectMeta } from './meta.js';

export interface ServiceOptions {
  /** Defaults to the workload's name. */
  name?: string;
  /** Expose only these container port names (default: all ports of all containers). */
  portNames?: string[];
  headless?: boolean;
  /** Publish addresses of pods that are not ready yet (gossip rings need to find their peers early). */
  publishNotReadyAddresses?: boolean;
  type?: 'ClusterIP' | 'NodePort';
  nodePorts?: Record<string, number>;
  annotations?: Record<string, string>;
}

/** A Service derived from a workload: selector = the pod selector, ports = the named container ports. */
export function serviceFor(workload: Deployment | StatefulSet, opts: ServiceOptions = {}): Service {
  const meta = workload.metadata ?? {};
  const selector = workload.spec?.selector?.matchLabels ?? {};
  const containerPorts = (workload.spec?.template.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  const wanted = opts.portNames ? containerPorts.filter((p) => opts.portNames!.includes(p.name ?? '')) : containerPorts;
  if (opts.portNames) {
    const missing = opts.portNames.filter((n) => !containerPorts.some((p) => p.name === n));
    if (missing.length) throw new Error(`serviceFor(${meta.name}): no container port named ${missing.join(', ')}`);
  }
  const ports: ServicePort[] = wanted.map((p) => {
    const port: ServicePort = {
      name: p.name,
      port: p.containerPort,
      targetPort: p.name ?? p.containerPort,
      protocol: p.protocol ?? 'TCP',
    };
    const nodePort = p.name ? opts.nodePorts?.[p.name] : undefined;
    if (nodePort !== undefined) port.nodePort = nodePort;
    return port;
  });
  const spec: NonNullable<Service['spec']> = { selector: { ...selector }, ports };
  if (opts.headless) spec.clusterIP = 'None';
  if (opts.type && opts.type !== 'ClusterIP') spec.type = opts.type;
  if (opts.publishNotReadyAddresses) spec.publishNotReadyAddresses = true;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta({
      name: opts.name ?? meta.name ?? '',
      namespace: meta.namespace ?? '',
      labels: meta.labels,
      annotations: opts.annotations,
    }),
    spec,
  };
}

export function headlessServiceFor(
  workload: Deployment | StatefulSet,
  opts: Omit<ServiceOptions, 'headless'> = {},
): Service {
  return serviceFor(workload, { ...opts, headless: true, name: opts.name ?? `${workload.metadata?.name}-headless` });
}
