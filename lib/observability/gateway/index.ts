import type { ObservabilityStackConfig } from '../config.js';
import { container, httpProbe } from '../../core/k8s/container.js';
import { labelKeys, selectorLabels } from '../../core/k8s/meta.js';
import { configMap, ingress, pdbFor } from '../../core/k8s/objects.js';
import { serviceFor } from '../../core/k8s/service.js';
import type {
  ConfigMap,
  Container,
  Deployment,
  Ingress,
  PodDisruptionBudget,
  Service,
  Volume,
  VolumeMount,
} from '../../core/k8s/types.js';
import { deployment, restrictedPodSecurityContext, volume } from '../../core/k8s/workload.js';
import { defineComponent, type StackView } from '../../core/registry.js';
import { gatewayRules } from './rules.js';
import { gatewayClientEnv, gatewayClientEnvVars, gatewayRequiresCredentials } from './client.js';
import { syncWaves } from '../../core/k8s/waves.js';
import {
  GATEWAY_PORT,
  GATEWAY_PORT_NAME,
  gatewayPaths,
  gatewayStatusUrl,
  grafanaRoute,
  HEALTH_PATH,
  NGINX_CONF_KEY,
  renderNginxConf,
} from './nginx.js';

export { gatewayRules } from './rules.js';
export { k3dConfig, kindConfig } from './clusters.js';
export {
  GATEWAY_PORT,
  gatewayStatus,
  gatewayStatusUrl,
  grafanaRoute,
  HEALTH_PATH,
  renderNginxConf,
  resolverAddress,
  selectRoute,
  TENANT_REJECTED_MESSAGE,
} from './nginx.js';
export { gatewayClientEnv, gatewayClientEnvVars, gatewayRequiresCredentials } from './client.js';
export type {
  GatewayBasicAuthConfig,
  GatewayClientCredentialsConfig,
  GatewayConfig,
  GatewayExporterConfig,
  GatewayExposure,
} from './config.js';

/** Name of the Deployment, Service, ConfigMap and Ingress. */
export const GATEWAY_NAME = 'gateway';

/** The unprivileged nginx image runs as this user and group. */
const NGINX_UID = 101;

/** The exporter sidecar's container, and the port it serves `/metrics` on (its own default, 9113). */
export const gatewayExporter = { container: 'nginx-exporter', portName: 'http-metrics', port: 9113 } as const;

export interface GatewayComponent {
  configMap: ConfigMap;
  deployment: Deployment;
  service: Service;
  pdb: PodDisruptionBudget;
  /** Only with `exposure: 'ingress'`. */
  ingress?: Ingress;
}

function mounts(c: ObservabilityStackConfig): { volumes: Volume[]; volumeMounts: VolumeMount[] } {
  const g = c.observability.gateway;
  const volumes = [volume.configMap('config', GATEWAY_NAME), volume.emptyDir('run', '256Mi')];
  const volumeMounts: VolumeMount[] = [
    { name: 'config', mountPath: gatewayPaths.configDir, readOnly: true },
    { name: 'run', mountPath: gatewayPaths.runDir },
  ];
  if (g.basicAuth.enabled) {
    volumes.push(volume.secret('auth', g.basicAuth.secretName));
    volumeMounts.push({ name: 'auth', mountPath: gatewayPaths.authDir, readOnly: true });
  }
  return { volumes, volumeMounts };
}

/**
 * The NGINX Prometheus exporter: reads `stub_status` over the pod's loopback address and serves `nginx_*`
 * (`nginx_up` 0 when nginx does not answer) on `http-metrics`. The image is a static binary on `scratch`,
 * so the pod's non-root user and a read-only root file system suit it as they are.
 */
function exporterContainer(c: ObservabilityStackConfig): Container {
  return container({
    name: gatewayExporter.container,
    image: c.images.nginxExporter,
    args: [`--nginx.scrape-uri=${gatewayStatusUrl()}`, `--web.listen-address=:${gatewayExporter.port}`],
    ports: { [gatewayExporter.portName]: gatewayExporter.port },
    resources: c.observability.gateway.exporter.resources,
    // No liveness probe: its /metrics answers while nginx is down (with nginx_up 0), and a restart of the
    // sidecar would fix nothing that nginx's own probes do not already catch.
    readinessProbe: httpProbe('/metrics', gatewayExporter.portName, { initialDelaySeconds: 2, periodSeconds: 10 }),
  });
}

/**
 * The Nginx gateway on port 8080: every component's routes (Mimir's API) to that component, the tenant
 * header defaulted and checked, everything else to Grafana.
 */
export function gateway(c: ObservabilityStackConfig, stack: StackView): GatewayComponent {
  const g = c.observability.gateway;
  const selector = selectorLabels(GATEWAY_NAME, GATEWAY_NAME, c.partOf);
  const { volumes, volumeMounts } = mounts(c);
  const cm = configMap({
    name: GATEWAY_NAME,
    namespace: c.namespace,
    labels: selector,
    data: { [NGINX_CONF_KEY]: renderNginxConf(c, stack.routes(), grafanaRoute(stack)) },
  });
  const nginx = container({
    name: 'nginx',
    image: c.images.nginx,
    // Bypasses the image's entrypoint scripts, which rewrite files under /etc/nginx (read-only here).
    command: ['nginx'],
    args: ['-c', `${gatewayPaths.configDir}/${NGINX_CONF_KEY}`, '-e', 'stderr'],
    ports: { [GATEWAY_PORT_NAME]: GATEWAY_PORT },
    resources: g.resources,
    readinessProbe: httpProbe(HEALTH_PATH, GATEWAY_PORT_NAME, { initialDelaySeconds: 2, periodSeconds: 5 }),
    livenessProbe: httpProbe(HEALTH_PATH, GATEWAY_PORT_NAME),
    volumeMounts,
  });
  const dep = deployment({
    name: GATEWAY_NAME,
    namespace: c.namespace,
    annotations: { 'argocd.argoproj.io/sync-wave': syncWaves.edge },
    selector,
    replicas: g.replicas,
    pod: {
      containers: g.exporter.enabled ? [nginx, exporterContainer(c)] : [nginx],
      volumes,
      securityContext: restrictedPodSecurityContext(NGINX_UID, NGINX_UID),
    },
  });
  // Only the gateway's own port: Alloy scrapes the exporter on the pods, and a NodePort Service would
  // otherwise publish the metrics on every node.
  const service = serviceFor(dep, {
    portNames: [GATEWAY_PORT_NAME],
    ...(g.exposure === 'nodePort' ? { type: 'NodePort', nodePorts: { [GATEWAY_PORT_NAME]: g.nodePort } } : {}),
  });
  const out: GatewayComponent = { configMap: cm, deployment: dep, service, pdb: pdbFor(dep) };
  if (g.exposure === 'ingress') {
    out.ingress = ingress({
      name: GATEWAY_NAME,
      namespace: c.namespace,
      labels: selector,
      host: g.ingress.host || undefined,
      ingressClassName: g.ingress.className || undefined,
      service: GATEWAY_NAME,
      port: GATEWAY_PORT_NAME,
    });
  }
  return out;
}

/** The gateway: the stack's one way in, on `endpoint('gateway')`. */
export const gatewayComponent = defineComponent({
  group: 'observability',
  key: 'gateway',
  description:
    "nginx on port 8080: Mimir's API by route, everything else to Grafana; tenant header and optional basic auth",
  config: 'observability.gateway',
  enabled: (c: ObservabilityStackConfig) => c.observability.gateway.enabled,
  render: gateway,
  checks: gatewayRules,
  // The exporter sidecar's metrics; the job label is `<namespace>/gateway`.
  metrics: (c: ObservabilityStackConfig) =>
    c.observability.gateway.exporter.enabled
      ? [
          {
            name: GATEWAY_NAME,
            app: GATEWAY_NAME,
            port: gatewayExporter.portName,
            path: '/metrics',
            jobLabel: labelKeys.name,
          },
        ]
      : [],
  endpoints: (c: ObservabilityStackConfig) => ({
    http: {
      service: GATEWAY_NAME,
      port: GATEWAY_PORT,
      portName: GATEWAY_PORT_NAME,
      ...(gatewayRequiresCredentials(c)
        ? {
            basicAuth: {
              usernameEnv: gatewayClientEnv.username,
              passwordEnv: gatewayClientEnv.password,
              env: gatewayClientEnvVars(c),
            },
          }
        : {}),
    },
  }),
});
