import type { StackConfig } from '../../lib/build/config.js';
import { defaultConfig } from '../../lib/build/config.js';
import { stackView } from '../../lib/build/registry.js';
import { container, httpProbe } from '../../lib/core/k8s/container.js';
import { selectorLabels } from '../../lib/core/k8s/meta.js';
import { serviceFor } from '../../lib/core/k8s/service.js';
import type { Deployment, Service } from '../../lib/core/k8s/types.js';
import { deployment } from '../../lib/core/k8s/workload.js';
import type { StackView } from '../../lib/core/registry.js';

/** The library's defaults with the edits applied in order: the config most component tests start from. */
export function config(...edits: ((c: StackConfig) => void)[]): StackConfig {
  const c = defaultConfig();
  for (const edit of edits) edit(c);
  return c;
}

/** A component's render or checks take the config and the stack view the registry builds from it. */
export function withStack(c: StackConfig): [StackConfig, StackView] {
  return [c, stackView(c)];
}

/**
 * Stand-in for the gateway: the Service and port its clients (Grafana, Alloy) go through, and the exporter
 * sidecar's metrics port Alloy scrapes.
 */
export function fakeGateway(c: StackConfig): { deployment: Deployment; service: Service } {
  const d = deployment({
    name: 'gateway',
    namespace: c.namespace,
    selector: selectorLabels('gateway', 'nginx', c.partOf),
    replicas: 1,
    pod: {
      containers: [
        container({
          name: 'nginx',
          image: 'nginx:1.27',
          ports: { http: 8080 },
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
          readinessProbe: httpProbe('/', 'http'),
        }),
        container({
          name: 'nginx-exporter',
          image: 'nginx/nginx-prometheus-exporter:1.5.1',
          ports: { 'http-metrics': 9113 },
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
          readinessProbe: httpProbe('/metrics', 'http-metrics'),
        }),
      ],
    },
  });
  return { deployment: d, service: serviceFor(d, { portNames: ['http'] }) };
}
