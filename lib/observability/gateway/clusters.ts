import type { ObservabilityStackConfig } from '../config.js';
import { toYaml } from '../../core/yaml.js';

/** Port of the developer's machine the gateway (and Grafana behind it) answers on. */
export const HOST_PORT = 8080;

/**
 * A kind cluster whose control-plane node publishes the gateway's NodePort on the host, bound to
 * 127.0.0.1 only. Use with `exposure: 'nodePort'`: `kind create cluster --config kind-config.yaml`.
 */
export function kindConfig(c: ObservabilityStackConfig, hostPort = HOST_PORT): string {
  const port = c.observability.gateway.nodePort;
  const head = `# kind create cluster --config kind-config.yaml\n# Host 127.0.0.1:${hostPort} → NodePort ${port} of Service gateway (config.observability.gateway.exposure: nodePort).\n`;
  return (
    head +
    toYaml({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      name: c.namespace,
      nodes: [
        {
          role: 'control-plane',
          extraPortMappings: [{ containerPort: port, hostPort, listenAddress: '127.0.0.1', protocol: 'TCP' }],
        },
      ],
    })
  );
}

/**
 * A k3d cluster whose load balancer forwards host port 8080 to the gateway's NodePort on the server
 * nodes. k3s' Traefik keeps ports 80/443 and is not involved, so the same `exposure: 'nodePort'`
 * environment works on kind and k3d: `k3d cluster create --config k3d-config.yaml`.
 */
export function k3dConfig(c: ObservabilityStackConfig, hostPort = HOST_PORT): string {
  const port = c.observability.gateway.nodePort;
  const head = `# k3d cluster create --config k3d-config.yaml\n# Host 127.0.0.1:${hostPort} → k3d's load balancer → NodePort ${port} of Service gateway (config.observability.gateway.exposure: nodePort).\n`;
  return (
    head +
    toYaml({
      apiVersion: 'k3d.io/v1alpha5',
      kind: 'Simple',
      metadata: { name: c.namespace },
      servers: 1,
      ports: [{ port: `127.0.0.1:${hostPort}:${port}`, nodeFilters: ['loadbalancer'] }],
    })
  );
}
