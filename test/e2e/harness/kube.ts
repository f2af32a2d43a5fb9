import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { KubeObject, PodTemplateSpec } from '../../../lib/core/k8s/types.js';
import { Cluster, ZONES, waitFor } from '../../cluster/harness/cluster.js';
import { bin, binaries, kubeBin } from '../../cluster/harness/peers.js';

/**
 * The real control plane of the cluster test (etcd, kube-apiserver, controller-manager, scheduler, kwok),
 * started by the same harness (test/cluster/harness/cluster.ts), so that Alloy's Kubernetes discovery asks a
 * real API server, with a real service-account token, under the rendered RBAC.
 *
 * The pods the e2e runs are registered in it as they are in a cluster: Pod objects in the rendered
 * namespace with the rendered labels and container ports, bound to one kwok node whose podCIDR lies in
 * the e2e bridge's /24. kwok gives each pod its address from that range (as a CNI plugin would), and the
 * harness gives each pod's network namespace the address the API server holds — so the address Alloy
 * discovers is the address the process listens on.
 */

/** The kwok node every e2e pod is bound to. */
export const NODE = 'e2e-node';

/** What the e2e needs of the cluster test's peers (test/peers/kube/build.sh). */
export function kubePeersMissing(): string[] {
  const missing: string[] = binaries.filter((b) => !existsSync(bin(b))).map((b) => bin(b));
  if (!existsSync(join(kubeBin, 'kwok-stages.yaml'))) missing.push(join(kubeBin, 'kwok-stages.yaml'));
  return missing;
}

/**
 * The upper half of the bridge's /24: kwok hands out addresses from the first one up, and the bridge
 * (the pods' gateway and DNS server) holds `.1`.
 */
export const podCidrOf = (subnet: string): string => `${subnet}.128/25`;

const rbacPath = (plural: string, ns?: string): string =>
  `/apis/rbac.authorization.k8s.io/v1/${ns ? `namespaces/${ns}/` : ''}${plural}`;
const registered: Record<string, (ns: string) => string> = {
  Namespace: () => '/api/v1/namespaces',
  ServiceAccount: (ns) => `/api/v1/namespaces/${ns}/serviceaccounts`,
  ClusterRole: () => rbacPath('clusterroles'),
  Role: (ns) => rbacPath('roles', ns),
  ClusterRoleBinding: () => rbacPath('clusterrolebindings'),
  RoleBinding: (ns) => rbacPath('rolebindings', ns),
};

export interface RegisteredPod {
  name: string;
  uid: string;
  ip: string;
}

export class ControlPlane {
  private forwarder?: Server;
  private readonly sockets = new Set<Socket>();
  /** `Kind namespace/name` of every rendered object created in the API server. */
  readonly created: string[] = [];

  private constructor(
    readonly cluster: Cluster,
    readonly podCidr: string,
  ) {}

  /** The API server's certificate also names `serverIp`, the address pods reach it at. */
  static async start(serverIp: string, subnet: string): Promise<ControlPlane> {
    const podCidr = podCidrOf(subnet);
    const cluster = await Cluster.start('e2e', [{ name: NODE, zone: ZONES[0], podCIDR: podCidr }], {
      serverIps: [serverIp],
    });
    return new ControlPlane(cluster, podCidr);
  }

  /**
   * The rendered Namespace, ServiceAccounts and RBAC objects, as they are (Argo CD annotations and all):
   * Alloy's token is a token of the rendered ServiceAccount, and its requests pass or fail by the rendered
   * Role and RoleBinding.
   */
  async register(objects: readonly KubeObject[], namespace: string): Promise<void> {
    if (!objects.some((o) => o.kind === 'Namespace' && o.metadata?.name === namespace))
      await this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, namespace);
    for (const kind of Object.keys(registered))
      for (const o of objects.filter((x) => x.kind === kind)) await this.create(o, namespace);
  }

  private async create(o: KubeObject, namespace: string): Promise<void> {
    const ns = o.metadata?.namespace ?? namespace;
    await this.cluster.client.create(registered[o.kind](ns), o);
    this.created.push(
      `${o.kind} ${o.kind.startsWith('Cluster') || o.kind === 'Namespace' ? '' : `${ns}/`}${o.metadata?.name}`,
    );
  }

  /**
   * One Pod per pod the harness runs: the rendered labels, service account, security context and containers
   * (name, image, ports, security context — admission holds them to the namespace's Pod Security level),
   * bound to the kwok node. Returns each pod's uid and the address kwok gave it.
   */
  async createPods(
    pods: readonly { name: string; labels: Record<string, string>; template: PodTemplateSpec }[],
    namespace: string,
  ): Promise<Map<string, RegisteredPod>> {
    for (const p of pods) {
      const spec = p.template.spec!;
      await this.cluster.client.create(`/api/v1/namespaces/${namespace}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: p.name, namespace, labels: p.labels },
        spec: {
          nodeName: NODE,
          serviceAccountName: spec.serviceAccountName,
          automountServiceAccountToken: spec.automountServiceAccountToken,
          securityContext: spec.securityContext,
          containers: spec.containers.map((c) => ({
            name: c.name,
            image: c.image,
            ports: c.ports,
            securityContext: c.securityContext,
          })),
        },
      });
      this.created.push(`Pod ${namespace}/${p.name}`);
    }
    const names = new Set(pods.map((p) => p.name));
    return waitFor(
      `kwok giving every e2e pod an address from ${this.podCidr}`,
      async () => {
        const listed = await this.cluster.pods(namespace);
        const out = new Map<string, RegisteredPod>();
        for (const o of listed) {
          const ip = (o.status as { podIP?: string } | undefined)?.podIP;
          if (names.has(o.metadata.name) && ip)
            out.set(o.metadata.name, { name: o.metadata.name, uid: o.metadata.uid!, ip });
        }
        return out.size === names.size ? out : undefined;
      },
      60_000,
      () => this.cluster.tail('kwok'),
    );
  }

  /** What the kubelet asks for a pod's projected token: a TokenRequest of its ServiceAccount, bound to the pod. */
  async token(namespace: string, serviceAccount: string, pod: RegisteredPod): Promise<string> {
    const r = await this.cluster.client.create<{ status: { token: string } }>(
      `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          expirationSeconds: 3607,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid },
        },
      },
    );
    return r.status.token;
  }

  /**
   * Makes the API server reachable from the pods at `host:port` (the `kubernetes` Service's job, done by
   * kube-proxy in a cluster): a TCP forwarder to the API server, which listens on loopback only.
   */
  serve(host: string, port: number): Promise<void> {
    const target = new URL(this.cluster.serverUrl);
    this.forwarder = createServer((client) => {
      const upstream = connect({ host: target.hostname, port: Number(target.port) });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    return new Promise((resolve, reject) => {
      this.forwarder!.once('error', reject);
      this.forwarder!.listen(port, host, () => resolve());
    });
  }

  async stop(keep: boolean): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.forwarder ? this.forwarder.close(() => r()) : r()));
    await this.cluster.stop(keep);
  }

  /** Process exit: end every component now. */
  killNow(): void {
    for (const s of this.sockets) s.destroy();
    this.forwarder?.close();
    this.cluster.killNow();
  }
}
