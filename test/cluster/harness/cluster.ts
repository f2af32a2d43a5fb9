import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { KubeClient, type Obj } from './client.js';
import { bin, kubeBin, type Binary } from './peers.js';
import { kubeconfig, makePki, type Pki } from './pki.js';
import { PROVISIONER, Provisioner } from './provisioner.js';

/** The zone labels of the nodes: the zones environments/production pins its ingesters and store-gateways to. */
export const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] as const;
const SERVICE_CIDR = '10.96.0.0/16';
const SERVICE_IP = '10.96.0.1';
const POD_CIDR = '10.244.0.0/16';
/** kwok manages only nodes carrying this annotation, so a stray real node would be left alone. */
const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';

export interface NodeSpec {
  name: string;
  zone: (typeof ZONES)[number];
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  cpu?: string;
  memory?: string;
  /** The node's pod address range: kwok gives the node's pods addresses from it (default: kwok's --cidr). */
  podCIDR?: string;
}

export interface ClusterOptions {
  /** More addresses the API server's certificate names (where a forwarder makes it reachable). */
  serverIps?: string[];
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Three general-purpose nodes, one per zone: what the harness starts with. */
export const defaultNodes: NodeSpec[] = ZONES.map((zone) => ({ name: `general-${zone.slice(-1)}`, zone }));

/** A free TCP port on 127.0.0.1, chosen by the kernel, so that two runs on one host do not collide. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a value other than undefined; the error carries the last state seen. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  describe?: () => Promise<string> | string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await sleep(500);
  }
  const state = describe ? await describe() : lastError instanceof Error ? lastError.message : '';
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${state ? `\n${state}` : ''}`);
}

interface Proc {
  name: Binary;
  child: ChildProcess;
  log: string;
  exited?: number | null;
}

const live = new Set<Cluster>();
let handlersInstalled = false;
function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.killNow();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of live) c.killNow();
      process.kill(process.pid, sig);
    });
  }
}

/**
 * A real control plane for one test: etcd, kube-apiserver (PodSecurity admission on, restricted by
 * default), kube-scheduler, kube-controller-manager (every default controller: Deployments and
 * ReplicaSets, StatefulSets, Jobs, EndpointSlices and Endpoints, the PV binder, disruption budgets,
 * namespaces, garbage collection) and kwok faking the nodes and the pods' lifecycle, plus the fake
 * volume provisioner (provisioner.ts). Each component runs under a small bash guard that ends it when
 * this process dies, even by SIGKILL; every log is kept in `dir` for failures.
 */
export class Cluster {
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly context: string;
  client!: KubeClient;
  provisioner!: Provisioner;
  private pki!: Pki;
  private procs: Proc[] = [];
  private server = '';
  private stopped = false;

  private constructor(label: string) {
    const root = join(tmpdir(), 'mimir-kube-cluster');
    mkdirSync(root, { recursive: true });
    this.dir = mkdtempSync(join(root, `${label}-`));
    this.kubeconfigPath = join(this.dir, 'kubeconfig');
    this.context = `mimir-kube-test-${label}`;
  }

  static async start(label: string, nodes: NodeSpec[] = defaultNodes, opts: ClusterOptions = {}): Promise<Cluster> {
    installSignalHandlers();
    const c = new Cluster(label);
    live.add(c);
    try {
      await c.boot(nodes, opts);
    } catch (err) {
      await c.stop(true);
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n(logs kept in ${c.dir})`);
    }
    return c;
  }

  private spawn(name: Binary, args: string[]): Proc {
    const log = join(this.dir, `${name}.log`);
    const fd = openSync(log, 'a');
    // The guard: ends the component when this test process is gone, forwards TERM, and exits
    // with the component's status.
    // kube-apiserver's graceful shutdown can hang once etcd is gone: TERM, then KILL after 10 s.
    const guard = [
      '"$@" & c=$!',
      'stop() { kill $c 2>/dev/null; for i in $(seq 20); do kill -0 $c 2>/dev/null || break; sleep 0.5; done; kill -9 $c 2>/dev/null; }',
      "trap 'stop; wait $c; exit' TERM INT",
      `while kill -0 ${process.pid} 2>/dev/null && kill -0 $c 2>/dev/null; do sleep 1; done`,
      'kill -0 $c 2>/dev/null && stop',
      'wait $c',
    ].join('\n');
    // Its own process group, so that a last-resort KILL reaches the component too.
    const child = spawn('bash', ['-c', guard, name, bin(name), ...args], {
      stdio: ['ignore', fd, fd],
      cwd: this.dir,
      detached: true,
    });
    closeSync(fd);
    const p: Proc = { name, child, log };
    child.on('exit', (code) => (p.exited = code));
    this.procs.push(p);
    return p;
  }

  private async expectRunning(p: Proc, ms: number): Promise<void> {
    await sleep(ms);
    if (p.exited !== undefined) throw new Error(`${p.name} exited with ${p.exited}:\n${this.tail(p.name)}`);
  }

  tail(name: Binary, lines = 30): string {
    const f = join(this.dir, `${name}.log`);
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)';
  }

  /** The API server's URL (loopback). */
  get serverUrl(): string {
    return this.server;
  }

  /** The CA that signed the API server's certificate (what a pod finds at …/serviceaccount/ca.crt). */
  get caFile(): string {
    return this.pki.caCert;
  }

  private async boot(nodes: NodeSpec[], opts: ClusterOptions): Promise<void> {
    this.pki = makePki(this.dir, SERVICE_IP, opts.serverIps);
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];

    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcd = this.spawn('etcd', [
      '--name=test',
      `--data-dir=${join(this.dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=test=${peerUrl}`,
      // Test data: no fsync, so the shared disk does not slow every write.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitFor(
      'etcd /health',
      async () => {
        if (etcd.exited !== undefined) throw new Error(`etcd exited with ${etcd.exited}:\n${this.tail('etcd')}`);
        const res = await fetch(`${etcdUrl}/health`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      60_000,
      () => this.tail('etcd'),
    );

    const admission = join(this.dir, 'admission.yaml');
    writeFileSync(
      admission,
      [
        'apiVersion: apiserver.config.k8s.io/v1',
        'kind: AdmissionConfiguration',
        'plugins:',
        '- name: PodSecurity',
        '  configuration:',
        '    apiVersion: pod-security.admission.config.k8s.io/v1',
        '    kind: PodSecurityConfiguration',
        // Restricted everywhere unless a namespace says otherwise: a workload that the output's own
        // Namespace label would not hold to "restricted" is still held to it here.
        '    defaults: { enforce: restricted, enforce-version: latest, warn: restricted, warn-version: latest, audit: restricted, audit-version: latest }',
        '    exemptions: { usernames: [], runtimeClasses: [], namespaces: [kube-system] }',
        '',
      ].join('\n'),
    );
    this.server = `https://127.0.0.1:${apiPort}`;
    const apiserver = this.spawn('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      '--advertise-address=127.0.0.1',
      // No Endpoints for the `kubernetes` Service: its reconciler refuses a loopback address, and
      // nothing here talks to the API through that Service.
      '--endpoint-reconciler-type=none',
      `--tls-cert-file=${this.pki.serverCert}`,
      `--tls-private-key-file=${this.pki.serverKey}`,
      `--client-ca-file=${this.pki.caCert}`,
      `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
      `--service-account-key-file=${this.pki.saPub}`,
      `--service-account-signing-key-file=${this.pki.saKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--authorization-mode=RBAC',
      // Explicit, although all are on by default: what the suite relies on.
      '--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,PodSecurity,DefaultStorageClass,StorageObjectInUseProtection,DefaultTolerationSeconds,LimitRanger,ResourceQuota,Priority',
      `--admission-control-config-file=${admission}`,
      '--allow-privileged=false',
      '--profiling=false',
      `--cert-dir=${join(this.dir, 'apiserver-certs')}`,
    ]);
    writeFileSync(this.kubeconfigPath, kubeconfig(this.server, this.pki, this.context));
    // kubectl caches API discovery per host:port for hours; a later cluster on a reused port must not
    // see this one's kinds. Every kubectl of this process (the tests', preflight's) uses this cluster's.
    process.env.KUBECACHEDIR = join(this.dir, 'kubectl-cache');
    this.client = new KubeClient(this.server, {
      ca: this.pki.caCert,
      cert: this.pki.adminCert,
      key: this.pki.adminKey,
    });
    await waitFor(
      'kube-apiserver /readyz',
      async () => {
        if (apiserver.exited !== undefined)
          throw new Error(`kube-apiserver exited with ${apiserver.exited}:\n${this.tail('kube-apiserver')}`);
        await this.client.request('GET', '/readyz');
        return true;
      },
      180_000,
      () => this.tail('kube-apiserver'),
    );

    const scheduler = this.spawn('kube-scheduler', [
      `--kubeconfig=${this.kubeconfigPath}`,
      '--leader-elect=false',
      '--secure-port=0',
    ]);
    const kcm = this.spawn('kube-controller-manager', [
      `--kubeconfig=${this.kubeconfigPath}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--controllers=*',
      `--service-account-private-key-file=${this.pki.saKey}`,
      `--root-ca-file=${this.pki.caCert}`,
      `--cluster-signing-cert-file=${this.pki.caCert}`,
      `--cluster-signing-key-file=${this.pki.caKey}`,
      '--use-service-account-credentials=false',
      // The node controller marks every pod of a node it has not heard from NotReady, and kwok never
      // makes a Running pod Ready again. kwok renews the nodes' leases (below); on a loaded machine a
      // renewal can stall past the default 50 s, and no test here fails a node: five minutes.
      '--node-monitor-grace-period=5m',
    ]);
    const kwok = this.spawn('kwok', [
      `--kubeconfig=${this.kubeconfigPath}`,
      `--config=${join(kubeBin, 'kwok-stages.yaml')}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${KWOK_ANNOTATION}=fake`,
      `--cidr=${POD_CIDR}`,
      '--node-ip=10.240.0.1',
      // Without leases a fake node's only heartbeat is its status stage, every 10 to 20 minutes: a suite
      // longer than the grace period saw every node go NotReady (and every pod with it).
      '--node-lease-duration-seconds=40',
    ]);
    await Promise.all([
      this.expectRunning(scheduler, 1500),
      this.expectRunning(kcm, 1500),
      this.expectRunning(kwok, 1500),
    ]);

    // A default StorageClass served by the fake provisioner, like kind's "standard".
    await this.createStorageClass('standard', true);
    this.provisioner = new Provisioner(this.client);
    this.provisioner.start();
    await this.addNodes(nodes);
  }

  /** A StorageClass served by the harness' provisioner (WaitForFirstConsumer, as cloud CSI classes are). */
  async createStorageClass(name: string, isDefault = false): Promise<void> {
    await this.client.create('/apis/storage.k8s.io/v1/storageclasses', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name,
        ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
      },
      provisioner: PROVISIONER,
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
  }

  /** Fake nodes kwok manages (Ready, with pod IPs from POD_CIDR), waiting until each is Ready. */
  async addNodes(nodes: NodeSpec[]): Promise<void> {
    for (const n of nodes) {
      await this.client.create('/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: n.name,
          annotations: { [KWOK_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: {
            'kubernetes.io/hostname': n.name,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'topology.kubernetes.io/zone': n.zone,
            'topology.kubernetes.io/region': 'test',
            type: 'kwok',
            ...n.labels,
          },
        },
        spec: { taints: n.taints ?? [], ...(n.podCIDR ? { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] } : {}) },
        status: {
          allocatable: { cpu: n.cpu ?? '32', memory: n.memory ?? '128Gi', pods: '110', 'ephemeral-storage': '500Gi' },
          capacity: { cpu: n.cpu ?? '32', memory: n.memory ?? '128Gi', pods: '110', 'ephemeral-storage': '500Gi' },
          nodeInfo: {
            architecture: 'amd64',
            operatingSystem: 'linux',
            kubeletVersion: 'fake',
            kubeProxyVersion: 'fake',
          },
        },
      });
    }
    const names = new Set(nodes.map((n) => n.name));
    await waitFor(
      `nodes ${[...names].join(', ')} Ready`,
      async () => {
        const all = await this.client.list('/api/v1/nodes');
        const ready = all.filter(
          (n) =>
            names.has(n.metadata.name) &&
            ((n.status?.conditions as { type: string; status: string }[] | undefined) ?? []).some(
              (c) => c.type === 'Ready' && c.status === 'True',
            ),
        );
        return ready.length === names.size ? true : undefined;
      },
      120_000,
      () => this.tail('kwok'),
    );
  }

  /** kubectl against this cluster (the machine's kubectl), never throwing: the caller checks the result. */
  async kubectl(args: string[], input?: string): Promise<KubectlResult> {
    const r = await execa('kubectl', [`--kubeconfig=${this.kubeconfigPath}`, ...args], {
      reject: false,
      input,
      timeout: 300_000,
    });
    return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? 1 };
  }

  /** Pods in a namespace, for assertions and failure messages. */
  pods(namespace: string): Promise<Obj[]> {
    return this.client.list(`/api/v1/namespaces/${namespace}/pods`);
  }

  killNow(): void {
    for (const p of this.procs) if (p.exited === undefined) p.child.kill('SIGTERM');
  }

  /** Stops every component; removes the run folder unless `keep` (a failure) or MIMIR_KUBE_KEEP_CLUSTER=1. */
  async stop(keep = false): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.provisioner?.stop();
    // Reverse order: the controllers and kwok before the API server, the API server before etcd.
    for (const p of [...this.procs].reverse()) {
      if (p.exited !== undefined) continue;
      p.child.kill('SIGTERM');
      await waitFor(`${p.name} to stop`, async () => (p.exited !== undefined ? true : undefined), 15_000).catch(() => {
        if (p.child.pid) process.kill(-p.child.pid, 'SIGKILL');
      });
    }
    live.delete(this);
    if (keep || process.env.MIMIR_KUBE_KEEP_CLUSTER === '1') {
      rmSync(join(this.dir, 'etcd'), { recursive: true, force: true });
      console.error(`cluster logs kept in ${this.dir}`);
    } else {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
