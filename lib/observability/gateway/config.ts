import type { ResourceSpec } from '../../core/k8s/container.js';

/**
 * How the gateway is reached from outside the cluster.
 * - `clusterIP`: only inside the cluster (and through `kubectl port-forward svc/gateway 8080:8080`).
 * - `nodePort`: a fixed NodePort on every node; kind's `extraPortMappings` and k3d's port mapping bind it to host port 8080.
 * - `ingress`: an Ingress in front of the ClusterIP Service (e.g. k3s' default Traefik).
 */
export type GatewayExposure = 'clusterIP' | 'nodePort' | 'ingress';

/**
 * Plain user name and password the stack's own clients (Grafana's data sources, Alloy's remote write)
 * send through the gateway. Only Grafana's and Alloy's pods read it, as env vars; nginx never does.
 */
export interface GatewayClientCredentialsConfig {
  /**
   * Secret created outside this library (list it in `existingSecrets`), whose user must also be in the
   * htpasswd file. Its default keys match a `kubernetes.io/basic-auth` Secret:
   * `kubectl -n mimir create secret generic gateway-client-credentials --type=kubernetes.io/basic-auth --from-literal=username=stack --from-literal=password=...`.
   */
  secretName: string;
  /** Key of the user name inside the Secret. */
  usernameKey: string;
  /** Key of the password inside the Secret. */
  passwordKey: string;
}

export interface GatewayBasicAuthConfig {
  /** Require HTTP basic auth on every route except the health endpoint. */
  enabled: boolean;
  /**
   * Secret holding an htpasswd file, created outside this library: list it in `existingSecrets`.
   * Create it with e.g. `htpasswd -c auth alice && kubectl -n mimir create secret generic gateway-basic-auth --from-file=htpasswd=auth`.
   */
  secretName: string;
  /** Key of the htpasswd file inside the Secret. */
  key: string;
  /** Realm shown by browsers in the login prompt. */
  realm: string;
  /** Credentials of the stack's own clients; their user must be one of the htpasswd file's. */
  client: GatewayClientCredentialsConfig;
}

export interface GatewayIngressConfig {
  /** IngressClass; empty means the cluster's default class (Traefik on k3d/k3s). */
  className: string;
  /** Host name the Ingress answers for; empty means any host. */
  host: string;
}

/**
 * The NGINX Prometheus exporter as a sidecar of every gateway pod: it reads nginx's `stub_status` over the
 * pod's loopback address and serves `nginx_*` metrics on the container port `http-metrics`, which Alloy
 * scrapes like every other workload's (job `<namespace>/gateway`).
 */
export interface GatewayExporterConfig {
  /** Run the sidecar and the `stub_status` server it reads; off, the gateway serves no metrics. */
  enabled: boolean;
  resources: ResourceSpec;
}

export interface GatewayConfig {
  enabled: boolean;
  /**
   * Number of nginx pods.
   * @TJS-type integer
   * @minimum 0
   */
  replicas: number;
  resources: ResourceSpec;
  exposure: GatewayExposure;
  /**
   * NodePort of the Service when `exposure` is `nodePort`; the kind and k3d cluster configs map host port 8080 to it.
   * @TJS-type integer
   * @minimum 30000
   * @maximum 32767
   */
  nodePort: number;
  ingress: GatewayIngressConfig;
  /**
   * DNS server nginx re-resolves Service names with, `host[:port]`. Empty means the cluster's DNS,
   * `kube-dns.kube-system.svc.<clusterDomain>`.
   */
  resolver: string;
  /** How long nginx caches a resolved Service address, so restarted pods and new ClusterIPs are picked up. */
  resolverValid: string;
  /**
   * Let `|`-joined tenant IDs (`X-Scope-OrgID: team-a|team-b`) through to Mimir, which answers reads
   * for several tenants at once when its tenant federation is enabled. When false, such a header is
   * rejected with 400 like any other request that names more than one tenant.
   */
  tenantFederation: boolean;
  basicAuth: GatewayBasicAuthConfig;
  /** Largest request body, e.g. a remote-write batch or a block upload (nginx `client_max_body_size`). */
  clientMaxBodySize: string;
  /** How long nginx waits for an upstream answer; long range queries need more than nginx's 60s default. */
  proxyTimeout: string;
  exporter: GatewayExporterConfig;
}

export function defaultGatewayConfig(): GatewayConfig {
  return {
    enabled: true,
    replicas: 1,
    resources: { requests: { cpu: '50m', memory: '64Mi' } },
    exposure: 'clusterIP',
    nodePort: 30080,
    ingress: { className: '', host: '' },
    resolver: '',
    resolverValid: '10s',
    tenantFederation: false,
    basicAuth: {
      enabled: false,
      secretName: 'gateway-basic-auth',
      key: 'htpasswd',
      realm: 'Mimir',
      client: { secretName: 'gateway-client-credentials', usernameKey: 'username', passwordKey: 'password' },
    },
    clientMaxBodySize: '100m',
    proxyTimeout: '300s',
    exporter: { enabled: true, resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } } },
  };
}
