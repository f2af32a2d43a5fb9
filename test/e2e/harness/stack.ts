import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCli } from '../../../lib/build/cli.js';
import type { KubeObject } from '../../../lib/core/k8s/types.js';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { applyBreak } from './breaks.js';
import { renderDiff } from './diff.js';
import { clusterDns, dnsmasqConf, hostsFile, resolvConf, type ClusterDns } from './dns.js';
import { probeHttp, probeTcp } from './http.js';
import { readBucketJob, type BucketJobIntent } from './jobs.js';
import { isMimirtoolJob, runMimirtoolJob, type MimirtoolCall } from './mimirtool.js';
import { parseObjects, services, workloads } from './manifest.js';
import {
  addPodNamespace,
  bridgeExists,
  bridgeIp,
  createBridge,
  deleteBridge,
  deletePodNamespace,
  subnetConflict,
  type NetworkNames,
  type PodNet,
} from './netns.js';
import { planPods, type Change, type Peers, type Plan, type PodPlan } from './plan.js';
import { serviceAccountPath, Supervised } from './procs.js';
import { makeBucket, type S3Target } from './s3.js';
import { alloyTenant, readAlloyConfig, type AlloyIntent } from './alloy.js';
import { ControlPlane, kubePeersMissing, type RegisteredPod } from './kube.js';
import { rawHttp } from './http.js';
import { remoteWriteBody, remoteWriteHeaders } from './push.js';
import { ALLOY_BIN, alloyUnavailable } from '../../support/alloy.js';
import { kafkaMissing, pinnedKafka } from './kafka.js';

export const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), '../../..');
/** Written by test/e2e/peers/build.sh: which binaries this clone runs (they live in the user's cache, keyed by version). */
export const peersFile = join(repoRoot, '.cache/e2e/peers.json');
export const peerCacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mimir-kube');
/**
 * Host-wide (not per clone): one file per slot a run holds. A slot is a bridge, a /24 and a set of namespace
 * names of its own, so two runs on one host (two clones, two users) never share a name or an address.
 */
export const slotDir = '/run/mimir-kube-e2e';
const maxSlots = 32;
/** The `kubernetes` Service's port, as in a cluster. */
const kubernetesServicePort = 443;
const runFolderPrefix = 'mimir-e2e-';
/** Earlier runs' folders kept (failed runs keep theirs for inspection); older ones are removed at start. */
const keptRunFolders = 2;

/** Under CI or E2E_REQUIRED=1 a suite that cannot run fails instead of skipping. */
export const e2eRequired = process.env.E2E_REQUIRED === '1' || Boolean(process.env.CI);

const commandExists = (cmd: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

export interface PeersFile {
  mimir: { path: string; version: string; pinned: string; source: string };
  minio: { path: string; version: string };
}

export function readPeersFile(): PeersFile | undefined {
  try {
    return JSON.parse(readFileSync(peersFile, 'utf8')) as PeersFile;
  } catch {
    return undefined;
  }
}

/** Why the suite cannot run here, or undefined. */
export function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'the e2e harness needs Linux network namespaces';
  if (process.getuid?.() !== 0)
    return 'the e2e harness must run as root (network namespaces, a bridge, dnsmasq on port 53)';
  const missing = [
    'ip',
    'unshare',
    'setpriv',
    'hostname',
    'mount',
    'kubectl',
    'nginx',
    'dnsmasq',
    'openssl',
    'memcached',
  ].filter((c) => !commandExists(c));
  const peers = readPeersFile();
  if (!peers) missing.push(`${peersFile} (written by a successful build.sh)`);
  else for (const b of [peers.mimir.path, peers.minio.path]) if (!existsSync(b)) missing.push(b);
  // The real Alloy and the cluster test's control plane (build.sh builds both when missing).
  const alloy = alloyUnavailable();
  if (alloy) missing.push(alloy);
  // The gateway's exporter sidecar (test/peers/nginx-exporter/build.sh).
  if (!existsSync(`${nginxExporterBin()}.stamp`)) missing.push(nginxExporterBin());
  missing.push(...kubePeersMissing());
  if (missing.length) return `missing: ${missing.join(', ')} — run \`bash test/e2e/peers/build.sh\``;
  return undefined;
}

/**
 * The line at the top of the report when the Mimir run is not the version the library pins (the fallback
 * build from the Go module proxy, used only when ../shared is not beside the clone).
 */
export function versionGap(p: PeersFile): string | undefined {
  const ran = /version (\S+)/.exec(p.mimir.version)?.[1];
  return ran === p.mimir.pinned
    ? undefined
    : `VERSION GAP: this run used Mimir ${ran ?? p.mimir.version} (${p.mimir.source}), not ${p.mimir.pinned}, the version lib/core/versions.json pins`;
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return (
    `${r.stdout}${r.stderr}`
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? '(no version output)'
  );
}

/** The NGINX Prometheus exporter of the pinned version, as test/peers/nginx-exporter/build.sh caches it. */
export function nginxExporterBin(): string {
  const versions = JSON.parse(readFileSync(join(repoRoot, 'lib/core/versions.json'), 'utf8')) as Record<string, string>;
  const version = (versions.nginxExporter ?? '').replace(/^.*:/, '');
  return join(peerCacheRoot, `nginx-exporter-${version}`, 'bin', 'nginx-prometheus-exporter');
}

/** The assembled Kafka broker of the pinned version (test/peers/kafka/build.sh), or why there is none. */
export function kafkaPeer(): { home: string; version: string } | { missing: string } {
  const pin = pinnedKafka(repoRoot);
  if (!pin) return { missing: 'a "kafka" image pinned in lib/core/versions.json' };
  const k = { home: join(peerCacheRoot, `kafka-${pin.version}`), version: pin.version };
  const missing = kafkaMissing(k);
  if (missing) return { missing };
  if (!commandExists('java')) return { missing: 'java (Java 17 runs the Kafka broker)' };
  return k;
}

/** Why a scenario that runs the bundled Kafka cannot run here (on top of `skipReason()`), or undefined. */
export function kafkaUnavailable(): string | undefined {
  const k = kafkaPeer();
  return 'missing' in k ? `missing: ${k.missing} — run \`bash test/e2e/peers/build.sh\`` : undefined;
}

export function peerPrograms(): Peers {
  const nginx = execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim();
  const memcached = execFileSync('sh', ['-c', 'command -v memcached'], { encoding: 'utf8' }).trim();
  const p = readPeersFile();
  if (!p) throw new Error(`${peersFile} is missing: run \`bash test/e2e/peers/build.sh\``);
  const k = kafkaPeer();
  const kafka =
    'missing' in k
      ? undefined
      : {
          path: execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim(),
          version: `Apache Kafka ${k.version} (Maven Central's jars, test/peers/kafka/build.sh) on ${firstLine('java', ['-version'])}`,
          home: k.home,
        };
  return {
    ...(kafka ? { kafka } : {}),
    mimir: { path: p.mimir.path, version: firstLine(p.mimir.path, ['-version']) },
    minio: { path: p.minio.path, version: firstLine(p.minio.path, ['--version']) },
    alloy: { path: ALLOY_BIN, version: firstLine(ALLOY_BIN, ['--version']) },
    nginx: {
      path: nginx,
      version: `${firstLine(nginx, ['-v'])} (Debian ${firstLine('dpkg-query', ['-W', '-f=${Version}', 'nginx'])})`,
    },
    'nginx-exporter': {
      path: nginxExporterBin(),
      version: `${firstLine(nginxExporterBin(), ['--version'])} (Go module proxy, test/peers/nginx-exporter/build.sh)`,
    },
    memcached: {
      path: memcached,
      version: `${firstLine(memcached, ['-V'])} (Debian ${firstLine('dpkg-query', ['-W', '-f=${Version}', 'memcached'])})`,
    },
  };
}

export interface StackOptions {
  /** A Kustomize folder to run as it is; by default the test environment is built into the run folder. */
  rendered?: string;
  /** The test environment's folder (default test/e2e/environment); built into the run folder. */
  environment?: string;
  /** Compared with the run's input in the report (default: out/local). */
  compareWith?: string;
  clusterDomain: string;
  /** First three octets of the pods' /24; by default 10.244.<slot>. */
  subnet?: string;
  /** Upper bound on a process's stop grace period. */
  stopTimeoutSeconds: number;
  /** How long one sync wave may take to become ready. */
  readyTimeoutMs: number;
  /** How long `up()` may take in all: less than the hook timeout, so a slow machine gets the harness's own diagnostic. */
  upBudgetMs: number;
  log: (line: string) => void;
}

/** What the harness saw when it asked DNS for a Service right after starting its pods, before any was ready. */
export interface DnsObservation {
  service: string;
  wave: number;
  publishNotReady: boolean;
  /** The selected pods' addresses, none of them ready yet. */
  notReady: string[];
  answered: string[];
}

export interface PodStatus {
  pod: string;
  ready: boolean;
  readyAtMs?: number;
  containers: { name: string; restarts: number; exits: string[]; log: string }[];
}

export interface Timings {
  renderMs: number;
  /** Waiting for the control plane, registering the rendered RBAC objects and the pods, kwok's addresses. */
  controlPlaneMs?: number;
  networkMs: number;
  /** When the first process started (performance.now()). */
  appliedAt: number;
  allReadyAt?: number;
  firstQueryAt?: number;
}

interface SlotState {
  pid: number;
  root: string;
  bridge: string;
  subnet: string;
  netns: string[];
  dnsmasq?: { pid?: number; conf?: string };
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes exactly what a dead run's slot file records: its dnsmasq (checked by command line), namespaces, bridge. */
function cleanSlot(s: SlotState): void {
  if (s.dnsmasq?.pid && s.dnsmasq.conf) {
    try {
      if (readFileSync(`/proc/${s.dnsmasq.pid}/cmdline`, 'utf8').includes(s.dnsmasq.conf))
        process.kill(s.dnsmasq.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  for (const n of s.netns) deletePodNamespace(n);
  if (s.bridge) deleteBridge({ bridge: s.bridge, subnet: s.subnet });
}

const kubectl = (...args: string[]): string => execFileSync('kubectl', args, { encoding: 'utf8', maxBuffer: 64 << 20 });

/**
 * The tenant users' clients read as: the `X-Scope-OrgID` of Grafana's default Prometheus data source
 * (the gateway's default tenant). Not Alloy's: with self-monitoring on, Alloy writes into the meta tenant.
 */
export function clientTenantOf(objects: KubeObject[]): string | undefined {
  for (const o of objects) {
    if (o.kind !== 'ConfigMap') continue;
    for (const text of Object.values((o as { data?: Record<string, string> }).data ?? {})) {
      if (!/^datasources:/m.test(text)) continue;
      const doc = parseYaml(text) as {
        datasources?: {
          type?: string;
          isDefault?: boolean;
          jsonData?: Record<string, unknown>;
          secureJsonData?: Record<string, string>;
        }[];
      };
      const ds = doc.datasources?.find((d) => d.type === 'prometheus' && d.isDefault);
      if (!ds) continue;
      for (const [k, v] of Object.entries(ds.jsonData ?? {})) {
        const n = /^httpHeaderName(\d+)$/.exec(k)?.[1];
        if (n && typeof v === 'string' && v.toLowerCase() === 'x-scope-orgid')
          return ds.secureJsonData?.[`httpHeaderValue${n}`];
      }
    }
  }
  return undefined;
}

/** A scenario's stack: this host's cluster domain and pod subnet (`E2E_CLUSTER_DOMAIN`, `E2E_SUBNET`), its budgets. */
export function scenarioStack(
  opts: Pick<StackOptions, 'environment' | 'compareWith' | 'rendered' | 'log'> & {
    budget: { wave: number; up: number };
  },
): Stack {
  return new Stack({
    environment: opts.environment,
    compareWith: opts.compareWith,
    rendered: opts.rendered,
    clusterDomain: process.env.E2E_CLUSTER_DOMAIN ?? 'cluster.local',
    subnet: process.env.E2E_SUBNET,
    stopTimeoutSeconds: 10,
    readyTimeoutMs: opts.budget.wave,
    upBudgetMs: opts.budget.up,
    log: opts.log,
  });
}

export class Stack {
  /** The tenant the harness's own writes and the scenario's client requests use (see clientTenantOf). */
  clientTenant = '';
  root = '';
  objects: KubeObject[] = [];
  renderSource = '';
  renderDiff: string[] = [];
  plan?: Plan;
  dns?: ClusterDns;
  net: NetworkNames;
  procs: Supervised[] = [];
  podNets: PodNet[] = [];
  changes: Change[] = [];
  notes: string[] = [];
  buckets: { bucket: string; result: string }[] = [];
  bucketJobs: BucketJobIntent[] = [];
  /** What each emulated mimirtool Job container uploaded (the self-monitoring rules and routing). */
  mimirtoolCalls: MimirtoolCall[] = [];
  /** The objects as rendered, before any E2E_BREAK: what the assertions read their expectations from. */
  rendered: KubeObject[] = [];
  /** What the rendered Alloy configuration says (read from `rendered`); the Alloy pod runs the run's copy. */
  alloy?: AlloyIntent;
  /** The control plane Alloy's discovery asks, and each pod as registered there. */
  kube?: ControlPlane;
  private kubeStarting?: Promise<ControlPlane>;
  registered = new Map<string, RegisteredPod>();
  readonly runId = Math.random().toString(36).slice(2, 10);
  /** The harness's own series, written every few seconds through the gateway as Alloy's tenant. */
  private probeTimer?: NodeJS.Timeout;
  probeWrites = 0;
  probeWriteErrors: string[] = [];
  readonly startedAt = performance.now();
  timings: Timings = { renderMs: 0, networkMs: 0, appliedAt: 0 };
  readyAt = new Map<string, number>();
  /** Pods whose readiness probes pass now (the kubelet's view); DNS follows it. */
  readonly ready = new Set<string>();
  dnsObservations: DnsObservation[] = [];
  /** How often DNS was rewritten because a pod's readiness changed. */
  dnsUpdates = 0;
  slot = -1;
  private namePrefix = 'mke2e';
  private failures = new Map<string, number>();
  private monitor?: NodeJS.Timeout;
  private probing?: Promise<void>;
  private dnsmasqPid?: number;
  private dnsmasqConfPath = '';
  private dnsDir = '';
  private exitHandler = (): void => this.cleanupSync();
  private signalHandler = (signal: NodeJS.Signals): void => {
    this.opts.log(`${signal}: stopping every process and removing the network before exiting`);
    this.cleanupSync();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  constructor(readonly opts: StackOptions) {
    this.net = { bridge: '', subnet: opts.subnet ?? '' };
  }

  get slotFile(): string {
    return join(slotDir, `slot-${this.slot}.json`);
  }

  get dnsIp(): string {
    return bridgeIp(this.net);
  }

  /** Render, plan, network, DNS, then the workloads wave by wave (Argo CD sync waves), then the writer. */
  async up(): Promise<void> {
    const deadline = performance.now() + this.opts.upBudgetMs;
    process.once('exit', this.exitHandler);
    process.once('SIGINT', this.signalHandler);
    process.once('SIGTERM', this.signalHandler);
    this.removeOldRunFolders();
    this.root = mkdtempSync(join(tmpdir(), runFolderPrefix));
    chmodSync(this.root, 0o755);
    writeFileSync(join(this.root, 'run.json'), JSON.stringify({ pid: process.pid, started: new Date().toISOString() }));
    this.acquireSlot();
    this.opts.log(
      `run folder ${this.root}; slot ${this.slot}: bridge ${this.net.bridge}, pods in ${this.net.subnet}.0/24`,
    );

    // The control plane starts while the objects render (its API server's certificate names the bridge
    // address, where the pods reach it).
    const starting = (this.kubeStarting = ControlPlane.start(this.dnsIp, this.net.subnet));
    starting.catch(() => undefined); // awaited below; a failure is reported there
    let t = performance.now();
    await this.render();
    this.timings.renderMs = performance.now() - t;

    const peers = peerPrograms();
    // The pods' names and labels first; their addresses are the ones kwok gives them in the API server.
    const draft = planPods(this.objects, { root: this.root, peers, allocateIp: () => '' });
    t = performance.now();
    this.kube = await starting;
    await this.kube.register(this.objects, draft.namespace);
    this.registered = await this.kube.createPods(
      draft.pods.map((p) => ({ name: p.name, labels: p.labels, template: p.workload.template })),
      draft.namespace,
    );
    this.timings.controlPlaneMs = performance.now() - t;
    this.plan = planPods(this.objects, {
      root: this.root,
      peers,
      allocateIp: (_, name) => this.registered.get(name)!.ip,
    });
    this.changes.push(...this.plan.changes);
    const namespace = this.plan.namespace;
    const alloyCm = this.rendered.find(
      (o) =>
        o.kind === 'ConfigMap' &&
        Object.values((o as { data?: Record<string, string> }).data ?? {}).some((v) =>
          v.includes('prometheus.remote_write'),
        ),
    ) as { data?: Record<string, string> } | undefined;
    const alloyText = Object.values(alloyCm?.data ?? {}).find((v) => v.includes('prometheus.remote_write'));
    if (!alloyText)
      throw new Error(
        'no rendered Alloy configuration with a prometheus.remote_write block: nothing says where samples go',
      );
    this.alloy = readAlloyConfig(alloyText);
    this.clientTenant = clientTenantOf(this.rendered) ?? alloyTenant(this.alloy);
    this.dns = clusterDns(
      services(this.objects),
      this.plan.pods,
      namespace,
      this.opts.clusterDomain,
      this.dnsIp,
      this.dnsReady,
    );
    for (const e of this.dns.endpoints) {
      if (e.portMismatches.length)
        this.notes.push(
          `Service ${e.service}: port differs from the pods' port (no kube-proxy here, clients would fail): ${e.portMismatches.join('; ')}`,
        );
    }

    t = performance.now();
    const conflict = subnetConflict(this.net);
    if (conflict) throw new Error(conflict);
    this.saveState();
    createBridge(this.net);
    this.saveState();
    // The `kubernetes` Service of every pod's environment (KUBERNETES_SERVICE_HOST/PORT).
    await this.kube.serve(this.dnsIp, kubernetesServicePort);
    this.plan.pods.forEach((p, i) => this.addNetns(this.netnsOf(p.name), this.vethOf(i), p.ip, p.name, namespace));
    this.layoutFiles();
    await this.startDns(namespace);
    this.timings.networkMs = performance.now() - t;

    this.timings.appliedAt = performance.now();
    const waves = [
      ...new Set([
        ...this.plan.pods.map((p) => p.workload.wave),
        ...workloads(this.objects)
          .filter((w) => w.kind === 'Job')
          .map((w) => w.wave),
      ]),
    ].sort((a, b) => a - b);
    for (const wave of waves) {
      // Jobs without a peer image are emulated (the bucket Job); one with a peer image runs as a pod.
      const peerless = new Set(this.plan.notRun.map((n) => n.workload));
      for (const w of workloads(this.objects).filter(
        (x) => x.kind === 'Job' && x.wave === wave && peerless.has(x.name),
      ))
        await this.emulateJob(w.name);
      const pods = this.plan.pods.filter((p) => p.workload.wave === wave);
      this.opts.log(`wave ${wave}: starting ${pods.map((p) => p.name).join(', ') || '(no pods)'}`);
      // Pods start together; one with init containers starts its containers when they have completed.
      const inits = await Promise.all(pods.map(async (p) => this.startPod(p, await this.serviceAccountVolume(p))));
      const failedInit = inits.filter(Boolean);
      if (failedInit.length) throw new Error(failedInit.join('\n'));
      this.saveState();
      await this.observeDns(wave, pods);
      this.startMonitor();
      await this.waitReady(pods, Math.min(this.opts.readyTimeoutMs, deadline - performance.now()));
    }
    await this.startProbeWriter();
    const all = await this.waitReady(this.plan.pods, Math.min(this.opts.readyTimeoutMs, deadline - performance.now()));
    if (all) this.timings.allReadyAt = performance.now();
    else {
      const waiting = this.plan.pods.filter((p) => !this.ready.has(p.name)).map((p) => p.name);
      throw new Error(
        `not ready within the harness's budget (${Math.round(this.opts.upBudgetMs / 1000)}s for the whole start, ${Math.round(this.opts.readyTimeoutMs / 1000)}s per wave): ${waiting.join(', ')}`,
      );
    }
  }

  /** The pods DNS treats as ready (E2E_BREAK=dns-lists-not-ready: all of them, as the harness once did). */
  private get dnsReady(): ReadonlySet<string> {
    return process.env.E2E_BREAK === 'dns-lists-not-ready' ? new Set(this.plan!.pods.map((p) => p.name)) : this.ready;
  }

  netnsOf(pod: string): string {
    return `${this.namePrefix}-${pod}`;
  }

  private vethOf(i: number): string {
    return `${this.namePrefix}v${i}`;
  }

  /**
   * Right after a wave's processes start, before any readiness probe ran, the names of Services that select
   * only this wave's pods must not answer with them, unless the Service publishes not-ready addresses.
   */
  private async observeDns(wave: number, pods: PodPlan[]): Promise<void> {
    const names = new Set(pods.map((p) => p.name));
    const ipOf = new Map(pods.map((p) => [p.name, p.ip]));
    for (const e of this.dns!.endpoints) {
      if (!e.selected.length || !e.selected.every((p) => names.has(p)) || e.selected.some((p) => this.ready.has(p)))
        continue;
      let answered: string[];
      try {
        answered = await this.resolver().resolve4(
          `${e.service}.${this.plan!.namespace}.svc.${this.opts.clusterDomain}`,
        );
      } catch {
        answered = [];
      }
      // A probe that passed while DNS was answering makes the answer inconclusive either way: skip it.
      if (e.selected.some((p) => this.ready.has(p))) continue;
      this.dnsObservations.push({
        service: e.service,
        wave,
        publishNotReady: e.publishNotReady,
        notReady: e.selected.map((p) => ipOf.get(p)!),
        answered: answered.sort(),
      });
    }
  }

  /** The kubelet's readiness probing, for the whole run: DNS follows every change. */
  private startMonitor(): void {
    if (this.monitor) return;
    this.monitor = setInterval(() => {
      this.probing ??= this.refreshReadiness().finally(() => (this.probing = undefined));
    }, 1000);
  }

  /** Probes every started pod once; a pod turns unready after 3 failed probes in a row (the default failureThreshold). */
  async refreshReadiness(): Promise<void> {
    const started = this.plan!.pods.filter((p) =>
      p.containers.every((c) => this.procs.some((x) => x.spec.id === `${p.name}/${c.name}`)),
    );
    const states = await Promise.all(started.map(async (p) => [p, await this.podReady(p)] as const));
    let changed = false;
    for (const [p, ok] of states) {
      if (ok) {
        this.failures.delete(p.name);
        if (!this.readyAt.has(p.name)) {
          this.readyAt.set(p.name, performance.now());
          this.opts.log(`ready: ${p.name} after ${((performance.now() - this.timings.appliedAt) / 1000).toFixed(1)}s`);
        }
        if (!this.ready.has(p.name)) {
          this.ready.add(p.name);
          changed = true;
        }
      } else {
        const n = (this.failures.get(p.name) ?? 0) + 1;
        this.failures.set(p.name, n);
        if (this.ready.has(p.name) && n >= 3) {
          this.ready.delete(p.name);
          this.opts.log(`not ready any more: ${p.name}`);
          changed = true;
        }
      }
    }
    if (changed) this.syncDns();
  }

  /** Rewrites the records after a readiness change: A records by file (dnsmasq re-reads it), SRV records by restarting dnsmasq. */
  private syncDns(): void {
    const before = this.dns!;
    this.dns = clusterDns(
      services(this.objects),
      this.plan!.pods,
      this.plan!.namespace,
      this.opts.clusterDomain,
      this.dnsIp,
      this.dnsReady,
    );
    this.dnsUpdates++;
    const srvKey = (d: ClusterDns): string => JSON.stringify(d.srv);
    if (srvKey(before) !== srvKey(this.dns)) this.restartDnsmasq();
    // dnsmasq re-reads a changed file of its hostsdir; a rename from outside that folder makes the change one
    // event with the whole content (a half-written file, or a temporary one inside, would be read too).
    writeFileSync(join(this.dnsDir, 'cluster.next'), hostsFile(this.dns.a));
    renameSync(join(this.dnsDir, 'cluster.next'), join(this.dnsDir, 'hosts', 'cluster'));
  }

  private async render(): Promise<void> {
    const compare = this.opts.compareWith ?? join(repoRoot, 'out/local');
    if (this.opts.rendered) {
      this.renderSource = `kubectl kustomize ${this.opts.rendered}`;
      this.objects = parseObjects(kubectl('kustomize', this.opts.rendered));
    } else {
      const out = join(this.root, 'render');
      const lines: string[] = [];
      const environment = this.opts.environment ?? 'test/e2e/environment';
      const code = await runCli([join(repoRoot, environment), '--out', out], {
        log: (l) => lines.push(l),
        error: (l) => lines.push(l),
      });
      if (code !== 0) throw new Error(`building ${environment} failed:\n${lines.join('\n')}`);
      // The build writes out/base, out/argocd and one overlay named after the environment.
      const name = readdirSync(out).find((d) => d !== 'base' && d !== 'argocd');
      if (!name) throw new Error(`building ${environment} wrote no overlay into ${out}`);
      const envDir = join(out, name);
      this.renderSource = `tsx build.ts ${environment} --out ${out}; kubectl kustomize ${envDir}`;
      this.objects = parseObjects(kubectl('kustomize', envDir));
    }
    this.rendered = structuredClone(this.objects);
    const brk = process.env.E2E_BREAK;
    if (brk) {
      const what = applyBreak(brk, this.objects);
      writeFileSync(join(this.root, 'broken.yaml'), this.objects.map((o) => stringifyYaml(o)).join('---\n'));
      this.notes.push(`E2E_BREAK=${brk}: ${what} (objects as run: $RUN/broken.yaml)`);
      this.opts.log(`E2E_BREAK=${brk}: ${what}`);
    }
    if (existsSync(compare)) this.renderDiff = renderDiff(parseObjects(kubectl('kustomize', compare)), this.objects);
  }

  private addNetns(netns: string, veth: string, ipAddr: string, hostname: string, namespace: string): PodNet {
    const p: PodNet = { netns, veth, ip: ipAddr };
    this.podNets.push(p);
    this.saveState();
    addPodNamespace(this.net, p, {
      resolvConf: resolvConf(namespace, this.opts.clusterDomain, this.dnsIp),
      hosts: `127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n${ipAddr} ${hostname}\n`,
    });
    return p;
  }

  /** Volumes as folders: emptyDir/PVC owned by the pod's fsGroup (setgid, group-writable) as the kubelet does. */
  private layoutFiles(): void {
    // Peers' folders (the Kafka jars) from the user's cache, which the pods' users may not traverse: hard links
    // where the run folder is on the same file system, else a copy; readable by everyone either way.
    for (const s of this.plan!.staged) {
      mkdirSync(dirname(s.to), { recursive: true, mode: 0o755 });
      chmodSync(dirname(s.to), 0o755);
      if (spawnSync('cp', ['-rl', s.from, s.to], { stdio: 'ignore' }).status !== 0) {
        rmSync(s.to, { recursive: true, force: true });
        execFileSync('cp', ['-r', s.from, s.to]);
      }
      execFileSync('chmod', ['-R', 'a+rX', s.to]);
    }
    for (const p of this.plan!.pods) {
      mkdirSync(p.dir, { recursive: true, mode: 0o755 });
      chmodSync(p.dir, 0o755);
      for (const d of p.writableDirs) {
        mkdirSync(d, { recursive: true });
        if (p.fsGroup !== undefined) {
          chownSync(d, 0, p.fsGroup);
          chmodSync(d, 0o2775);
        } else chmodSync(d, 0o777);
      }
      for (const c of [...p.initContainers, ...p.containers]) {
        for (const f of c.files) {
          mkdirSync(dirname(f.path), { recursive: true, mode: 0o755 });
          writeFileSync(f.path, f.content, { mode: 0o644 });
        }
        if (!existsSync(c.cwd)) {
          mkdirSync(c.cwd, { recursive: true });
          chmodSync(c.cwd, c.readOnlyRootFilesystem ? 0o555 : 0o777);
        }
        writeFileSync(c.log, '', { mode: 0o640 });
        chownSync(c.log, c.uid, c.gid);
      }
    }
    for (const d of [join(this.root, 'pvc'), join(this.root, 'pods')]) if (existsSync(d)) chmodSync(d, 0o755);
  }

  private async startDns(namespace: string): Promise<void> {
    const dir = (this.dnsDir = join(this.root, 'dns'));
    const hostsDir = join(dir, 'hosts');
    mkdirSync(hostsDir, { recursive: true });
    writeFileSync(join(hostsDir, 'cluster'), hostsFile(this.dns!.a));
    this.dnsmasqConfPath = join(dir, 'dnsmasq.conf');
    this.launchDnsmasq(namespace);
    const first = this.dns!.a[0].name;
    const answer = await this.resolve(first);
    if (answer !== this.dnsIp) throw new Error(`dnsmasq answered ${answer} for ${first}, expected ${this.dnsIp}`);
  }

  private launchDnsmasq(namespace: string): void {
    const dir = this.dnsDir;
    const pid = join(dir, 'dnsmasq.pid');
    rmSync(pid, { force: true });
    writeFileSync(
      this.dnsmasqConfPath,
      dnsmasqConf(this.dns!, this.dnsIp, namespace, this.opts.clusterDomain, {
        hostsDir: join(dir, 'hosts'),
        log: join(dir, 'dnsmasq.log'),
        pid,
      }),
    );
    execFileSync('dnsmasq', [`--conf-file=${this.dnsmasqConfPath}`], { stdio: 'pipe' });
    this.dnsmasqPid = Number(readFileSync(pid, 'utf8').trim());
    this.saveState();
  }

  /** SRV records are configuration to dnsmasq: a changed set needs a new dnsmasq (a few milliseconds without DNS). */
  private restartDnsmasq(): void {
    const old = this.dnsmasqPid;
    this.stopDnsmasq();
    // The old process must have released port 53 before the new one binds it.
    for (let i = 0; i < 200 && old && existsSync(`/proc/${old}`); i++) execFileSync('sleep', ['0.01']);
    this.launchDnsmasq(this.plan!.namespace);
  }

  /** A cluster name, resolved the way a pod would: through the cluster DNS. */
  async resolve(name: string): Promise<string> {
    const addrs = await this.resolver().resolve4(name);
    return addrs[0];
  }

  /** The blocks bucket named in mimir.yaml and an S3 client for it, with the bucket Job's credentials. */
  async blocksBucket(cfg: { blocks_storage?: { s3?: { bucket_name?: string } } }): Promise<{
    bucket: string;
    s3: S3Target;
  }> {
    const bucket = cfg.blocks_storage?.s3?.bucket_name;
    if (!bucket) throw new Error('mimir.yaml sets no blocks_storage.s3.bucket_name');
    const job = this.bucketJobs[0];
    const url = new URL(job.endpoint);
    return {
      bucket,
      s3: {
        endpoint: `${url.protocol}//${await this.resolve(url.hostname)}:${url.port || 80}`,
        accessKeyId: job.accessKeyId,
        secretAccessKey: job.secretAccessKey,
        region: 'us-east-1',
      },
    };
  }

  /** The gateway as Alloy reaches it: the host and port of its remote-write URL, through the cluster DNS. */
  async gatewayUrl(): Promise<string> {
    const rw = new URL(this.alloy!.remoteWrite.url);
    return `http://${await this.resolve(rw.hostname)}:${rw.port || 80}`;
  }

  /** A resolver that asks the cluster DNS only. */
  resolver(): Resolver {
    const r = new Resolver({ timeout: 1000, tries: 2 });
    r.setServers([this.dnsIp]);
    return r;
  }

  async serviceUrl(service: string, port: number): Promise<string> {
    const ns = this.plan!.namespace;
    return `http://${await this.resolve(`${service}.${ns}.svc.${this.opts.clusterDomain}`)}:${port}`;
  }

  /**
   * The kubelet's projected service-account volume: a token of the pod's ServiceAccount from the API server's
   * TokenRequest, bound to the pod, with the cluster's CA and the namespace.
   */
  private async serviceAccountVolume(p: PodPlan): Promise<string | undefined> {
    if (!p.automountToken) return undefined;
    const dir = join(p.dir, 'volumes', 'kube-api-access');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    const ns = this.plan!.namespace;
    const token = await this.kube!.token(ns, p.serviceAccountName, this.registered.get(p.name)!);
    writeFileSync(join(dir, 'token'), token, { mode: 0o644 });
    writeFileSync(join(dir, 'ca.crt'), readFileSync(this.kube!.cluster.caFile), { mode: 0o644 });
    writeFileSync(join(dir, 'namespace'), ns, { mode: 0o644 });
    for (const c of p.containers)
      this.changes.push({
        pod: p.name,
        container: c.name,
        what: 'volume',
        where: serviceAccountPath,
        from: `the projected token of ServiceAccount ${ns}/${p.serviceAccountName} (automountServiceAccountToken), the cluster CA, the namespace`,
        to: `${dir}: a TokenRequest of that ServiceAccount in the e2e control plane, bound to Pod ${ns}/${p.name}, its CA and namespace; bind-mounted read-only at ${serviceAccountPath} in a private mount namespace`,
      });
    return dir;
  }

  /**
   * Runs the pod's init containers one after the other, each to completion (a failed one again, with the
   * kubelet's back-off, up to 3 times), then starts its containers. Returns why the pod could not start.
   */
  private async startPod(p: PodPlan, serviceAccountDir?: string): Promise<string | undefined> {
    for (const c of p.initContainers) {
      const proc = this.supervise(p, c, serviceAccountDir, false);
      this.procs.push(proc);
      for (let attempt = 1; ; attempt++) {
        proc.start();
        const exit = await proc.nextExit();
        if (exit.code === 0) {
          this.opts.log(`${p.name}: init container ${c.name} completed`);
          break;
        }
        if (attempt >= 3)
          return `pod ${p.name}: init container ${c.name} failed ${attempt} times (last: code ${exit.code}, signal ${exit.signal}); its log ${c.log}:\n${proc.tail(20)}`;
        await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
      }
    }
    for (const c of p.containers) {
      const proc = this.supervise(p, c, serviceAccountDir, p.workload.kind !== 'Job');
      proc.start();
      this.procs.push(proc);
    }
    return undefined;
  }

  private supervise(
    p: PodPlan,
    c: PodPlan['containers'][number],
    serviceAccountDir: string | undefined,
    restart: boolean,
  ): Supervised {
    return new Supervised(
      {
        id: `${p.name}/${c.name}`,
        netns: this.netnsOf(p.name),
        hostname: p.name,
        argv: c.argv,
        // What the kubelet gives every container: the `kubernetes` Service's address (here the forwarder).
        env: {
          KUBERNETES_SERVICE_HOST: this.dnsIp,
          KUBERNETES_SERVICE_PORT: String(kubernetesServicePort),
          KUBERNETES_SERVICE_PORT_HTTPS: String(kubernetesServicePort),
          ...c.env,
        },
        cwd: c.cwd,
        uid: c.uid,
        gid: c.gid,
        groups: c.groups,
        log: c.log,
        stopTimeoutSeconds: Math.min(c.terminationGraceSeconds, this.opts.stopTimeoutSeconds),
        restart,
        serviceAccountDir,
      },
      (line) => this.opts.log(line),
    );
  }

  async podReady(p: PodPlan): Promise<boolean> {
    for (const c of p.containers) {
      const proc = this.procs.find((x) => x.spec.id === `${p.name}/${c.name}`);
      if (!proc?.running) return false;
      if (!c.ready) continue;
      const ok =
        c.ready.kind === 'http'
          ? await probeHttp(`http://${p.ip}:${c.ready.port}${c.ready.path}`)
          : await probeTcp(p.ip, c.ready.port);
      if (!ok) return false;
    }
    return true;
  }

  /** Waits until every pod is ready by the readiness monitor (true) or the time is up (false). */
  async waitReady(pods: PodPlan[], timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const waiting = pods.filter((p) => !this.ready.has(p.name));
      if (!waiting.length) return true;
      if (performance.now() > deadline) return false;
      // Every pod still not ready is crash-looping: waiting longer only repeats the same failure.
      const crashLooping = waiting.every((p) =>
        p.containers.some((c) => (this.procs.find((x) => x.spec.id === `${p.name}/${c.name}`)?.exits.length ?? 0) >= 3),
      );
      if (crashLooping) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async status(): Promise<PodStatus[]> {
    return Promise.all(
      this.plan!.pods.map(async (p) => ({
        pod: p.name,
        ready: await this.podReady(p),
        readyAtMs: this.readyAt.has(p.name) ? this.readyAt.get(p.name)! - this.timings.appliedAt : undefined,
        containers: p.containers.map((c) => {
          const proc = this.procs.find((x) => x.spec.id === `${p.name}/${c.name}`);
          return {
            name: c.name,
            restarts: proc?.exits.length ?? 0,
            exits: (proc?.exits ?? []).map(
              (e) =>
                `code ${e.code} signal ${e.signal} at +${((e.atMs - (performance.timeOrigin + this.timings.appliedAt)) / 1000).toFixed(1)}s`,
            ),
            log: c.log,
          };
        }),
      })),
    );
  }

  private async emulateJob(name: string): Promise<void> {
    const w = workloads(this.objects).find((x) => x.kind === 'Job' && x.name === name)!;
    if (isMimirtoolJob(w)) {
      const r = await runMimirtoolJob(w, this.plan!.sources, (host) => this.resolve(host), this.opts.readyTimeoutMs);
      this.mimirtoolCalls.push(...r.calls);
      this.changes.push(...r.changes);
      return;
    }
    const intent = readBucketJob(w, this.plan!.sources, this.plan!.namespace);
    this.bucketJobs.push(intent);
    const url = new URL(intent.endpoint);
    const target = {
      endpoint: `${url.protocol}//${await this.resolve(url.hostname)}:${url.port || 80}`,
      accessKeyId: intent.accessKeyId,
      secretAccessKey: intent.secretAccessKey,
      region: 'us-east-1',
    };
    for (const bucket of intent.buckets) {
      this.buckets.push({ bucket, result: await makeBucket(target, bucket) });
    }
    this.changes.push({
      pod: `Job ${w.name}`,
      container: intent.container,
      what: 'job',
      where: 'whole Job',
      from: `${intent.image}: mc mb --ignore-existing for ${intent.buckets.join(', ')} at ${intent.endpoint}`,
      to: `the harness: S3 PUT /<bucket> (SigV4, region us-east-1) to ${intent.endpoint} with the Job's credentials; 409 BucketAlreadyOwnedByYou counts as success`,
    });
  }

  /**
   * A series with a known value, `e2e_probe_value{run} 42`, written through the gateway every 5 s as the
   * client tenant (the harness's own remote write, push.ts): the write/read, Grafana, ruler and alert steps
   * query it. What Alloy itself scrapes and writes (into the meta tenant with self-monitoring on) is
   * asserted on its own.
   */
  private async startProbeWriter(): Promise<void> {
    const rw = new URL(this.alloy!.remoteWrite.url);
    const url = `${rw.protocol}//${await this.resolve(rw.hostname)}:${rw.port || 80}${rw.pathname}`;
    const tenant = this.clientTenant;
    const write = async (): Promise<void> => {
      try {
        const r = await rawHttp(url, {
          method: 'POST',
          headers: { ...remoteWriteHeaders, 'X-Scope-OrgID': tenant },
          body: remoteWriteBody([
            {
              labels: { __name__: 'e2e_probe_value', run: this.runId },
              samples: [{ value: 42, timestampMs: Date.now() }],
            },
          ]),
        });
        if (r.status >= 300) throw new Error(`${r.status}: ${r.body.slice(0, 200)}`);
        this.probeWrites++;
      } catch (e) {
        if (this.probeWriteErrors.length < 5) this.probeWriteErrors.push((e as Error).message);
      }
    };
    await write();
    this.probeTimer = setInterval(() => void write(), 5000);
  }

  /**
   * Sends `signal` to every container process of a pod (as a node failure or the OOM killer would) and
   * returns their pids. The supervisor restarts them as the kubelet does (`restartPolicy: Always`), with
   * the pod's volumes as they are.
   */
  signalPod(pod: string, signal: NodeJS.Signals): number[] {
    const procs = this.procs.filter((p) => p.spec.id.startsWith(`${pod}/`) && p.pid !== undefined);
    if (!procs.length) throw new Error(`no running process of pod ${pod}`);
    for (const p of procs) process.kill(p.pid!, signal);
    return procs.map((p) => p.pid!);
  }

  /** The Alloy pod (the workload running the grafana/alloy image). */
  get alloyPod(): PodPlan | undefined {
    return this.plan?.pods.find((p) => p.containers.some((c) => c.peer === 'alloy'));
  }

  /** Alloy's own metrics (its remote write's sample counters among them). */
  async alloyMetrics(): Promise<string> {
    const p = this.alloyPod;
    if (!p) throw new Error('no Alloy pod runs');
    const r = await fetch(`http://${p.ip}:${p.ports['http-metrics']}/metrics`, { signal: AbortSignal.timeout(3000) });
    return r.text();
  }

  /**
   * A scenario's `afterAll`: when the stack did not come up, every container that exited or never got ready
   * is logged; after a clean stop the run folder goes, unless `E2E_KEEP=1`.
   */
  async finish(upFailed: boolean): Promise<void> {
    if (upFailed || !this.plan) {
      for (const s of await this.status().catch(() => []))
        for (const c of s.containers) if (c.restarts || !s.ready) this.opts.log(`${s.pod}/${c.name}: ${c.log}`);
    }
    const errors = await this.down();
    if (errors.length) this.opts.log(`stopping: ${errors.join('; ')}`);
    else if (process.env.E2E_KEEP !== '1') this.removeRunFolder();
  }

  async down(keepControlPlane = false): Promise<string[]> {
    const errors: string[] = [];
    if (this.monitor) clearInterval(this.monitor);
    if (this.probeTimer) clearInterval(this.probeTimer);
    await this.probing;
    await Promise.all(this.procs.map((p) => p.stop().catch((e: Error) => errors.push(`${p.spec.id}: ${e.message}`))));
    const kube = this.kube ?? (await this.kubeStarting?.catch(() => undefined));
    await kube?.stop(keepControlPlane).catch((e: Error) => errors.push(`control plane: ${e.message}`));
    errors.push(...this.teardownNetwork());
    process.removeListener('exit', this.exitHandler);
    process.removeListener('SIGINT', this.signalHandler);
    process.removeListener('SIGTERM', this.signalHandler);
    return errors;
  }

  private teardownNetwork(): string[] {
    const errors: string[] = [];
    this.stopDnsmasq();
    for (const p of this.podNets) errors.push(...deletePodNamespace(p.netns));
    if (this.net.bridge) errors.push(...deleteBridge(this.net));
    // The slot is free once its resources are gone.
    if (this.slot >= 0) rmSync(this.slotFile, { force: true });
    return errors;
  }

  private stopDnsmasq(): void {
    const pid = this.dnsmasqPid;
    if (!pid) return;
    try {
      // Only the dnsmasq this run started: its command line names this run's config file.
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.dnsmasqConfPath)) process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    this.dnsmasqPid = undefined;
  }

  /** Process exit while still up (a crashed or interrupted run): kill, delete, synchronously. */
  cleanupSync(): void {
    if (this.monitor) clearInterval(this.monitor);
    if (this.probeTimer) clearInterval(this.probeTimer);
    for (const p of this.procs) p.kill();
    this.kube?.killNow();
    this.teardownNetwork();
  }

  private saveState(): void {
    if (this.slot < 0) return;
    const state: SlotState = {
      pid: process.pid,
      root: this.root,
      bridge: this.net.bridge,
      subnet: this.net.subnet,
      netns: this.podNets.map((p) => p.netns),
      dnsmasq: { pid: this.dnsmasqPid, conf: this.dnsmasqConfPath },
    };
    writeFileSync(this.slotFile, JSON.stringify(state, null, 2));
  }

  /**
   * Takes the first free slot (created exclusively, so two runs starting together never take the same one).
   * A slot whose run's process is gone (killed) is cleaned up exactly as its state file records, then reused.
   */
  private acquireSlot(): void {
    mkdirSync(slotDir, { recursive: true });
    for (let n = 0; n < maxSlots; n++) {
      const file = join(slotDir, `slot-${n}.json`);
      const claim = JSON.stringify({
        pid: process.pid,
        root: this.root,
        bridge: '',
        subnet: '',
        netns: [],
      } satisfies SlotState);
      try {
        writeFileSync(file, claim, { flag: 'wx' });
      } catch {
        let s: SlotState | undefined;
        try {
          s = JSON.parse(readFileSync(file, 'utf8')) as SlotState;
        } catch {
          s = undefined; // being written by its owner right now, or unreadable: not ours to take
        }
        if (!s || pidAlive(s.pid)) continue;
        this.opts.log(
          `cleaning up slot ${n} of an earlier run (pid ${s.pid}, gone): ${s.netns.length} namespaces, bridge ${s.bridge || '(none)'}`,
        );
        cleanSlot(s);
        rmSync(file, { force: true });
        try {
          writeFileSync(file, claim, { flag: 'wx' });
        } catch {
          continue; // another run took it in between
        }
      }
      this.slot = n;
      this.namePrefix = `mke2e${n}`;
      this.net = { bridge: `mke2e${n}`, subnet: this.opts.subnet ?? `10.244.${n}` };
      if (bridgeExists(this.net)) {
        rmSync(file, { force: true });
        this.slot = -1;
        throw new Error(
          `bridge ${this.net.bridge} exists but no live run holds slot ${n}; remove it by hand (ip link del ${this.net.bridge})`,
        );
      }
      this.saveState();
      return;
    }
    throw new Error(`all ${maxSlots} e2e slots in ${slotDir} are held by live runs`);
  }

  /** Run folders of earlier runs whose process is gone, except the newest few (failed runs are kept for their logs). */
  private removeOldRunFolders(): void {
    const dir = tmpdir();
    const old = readdirSync(dir)
      .filter((n) => n.startsWith(runFolderPrefix))
      .map((n) => join(dir, n))
      .filter((p) => {
        try {
          const run = JSON.parse(readFileSync(join(p, 'run.json'), 'utf8')) as { pid: number };
          return !pidAlive(run.pid);
        } catch {
          return true; // a folder of an earlier harness version, or one whose run died while starting
        }
      })
      .map((p) => ({ p, t: statSync(p).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { p } of old.slice(keptRunFolders)) rmSync(p, { recursive: true, force: true });
    if (old.length > keptRunFolders)
      this.opts.log(`removed ${old.length - keptRunFolders} old run folder(s) in ${dir}`);
  }

  removeRunFolder(): void {
    if (this.root) rmSync(this.root, { recursive: true, force: true });
  }

  elapsed(at: number | undefined): string {
    return at === undefined ? 'never' : `${((at - this.timings.appliedAt) / 1000).toFixed(1)}s`;
  }
}
