import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { Container, KubeObject, Probe, Volume } from '../../../lib/core/k8s/types.js';
import { dataSources, expandArgs, resolveEnv, workloads, type DataSources, type Workload } from './manifest.js';
import { changedLines, remapPath, remapText, type Mount } from './remap.js';
import { kafkaJavaArgs, kafkaScriptNames } from './kafka.js';

/** The programs that stand in for container images on this machine. */
export type PeerName = 'mimir' | 'minio' | 'nginx' | 'nginx-exporter' | 'memcached' | 'alloy' | 'kafka';

export interface PeerProgram {
  path: string;
  /** What the report says the program is (version line). */
  version: string;
  /**
   * A folder the program reads besides itself (kafka: the jars in libs/ and log4j2.properties, for `java`).
   * It lives in the user's cache, which a pod's user may not traverse: the run folder gets a copy.
   */
  home?: string;
}

/** Kafka is needed only where the rendered objects run the apache/kafka image (ingest storage). */
export type Peers = Record<Exclude<PeerName, 'kafka'>, PeerProgram> & { kafka?: PeerProgram };

/** Image repository → peer. The image tag is ignored: the report lists the substitution with both versions. */
export function peerForImage(image: string): PeerName | undefined {
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  if (/(^|\/)grafana\/mimir$/.test(repo)) return 'mimir';
  if (/(^|\/)minio\/minio$/.test(repo)) return 'minio';
  if (/(^|\/)grafana\/alloy$/.test(repo)) return 'alloy';
  if (/(^|\/)nginxinc\/nginx-unprivileged$/.test(repo) || /(^|\/)(library\/)?nginx$/.test(repo)) return 'nginx';
  if (/(^|\/)nginx\/nginx-prometheus-exporter$/.test(repo)) return 'nginx-exporter';
  if (/(^|\/)(library\/)?memcached$/.test(repo)) return 'memcached';
  if (/(^|\/)apache\/kafka$/.test(repo)) return 'kafka';
  return undefined;
}

/** The image's entrypoint when the container sets no `command`, and the names `command[0]` may use. */
const peerEntrypoints: Record<PeerName, { entrypoint: string[]; names: string[] }> = {
  mimir: { entrypoint: ['/bin/mimir'], names: ['mimir', '/bin/mimir', '/usr/bin/mimir'] },
  minio: { entrypoint: ['/usr/bin/docker-entrypoint.sh'], names: ['minio', '/usr/bin/minio', '/opt/bin/minio'] },
  nginx: { entrypoint: ['/docker-entrypoint.sh'], names: ['nginx', '/usr/sbin/nginx'] },
  'nginx-exporter': {
    entrypoint: ['/usr/bin/nginx-prometheus-exporter'],
    names: ['nginx-prometheus-exporter', '/usr/bin/nginx-prometheus-exporter'],
  },
  memcached: {
    entrypoint: ['docker-entrypoint.sh'],
    names: ['memcached', '/usr/local/bin/memcached', '/usr/bin/memcached'],
  },
  alloy: { entrypoint: ['/bin/alloy'], names: ['alloy', '/bin/alloy'] },
  // The image's entrypoint writes server.properties from KAFKA_* variables (not emulated): the rendered
  // containers name the scripts of /opt/kafka/bin (kafka.ts), which become `java` with their main class.
  kafka: { entrypoint: ['/etc/kafka/docker/run'], names: kafkaScriptNames },
};

/** One thing the harness does differently from what the rendered objects say. Every one is printed. */
export interface Change {
  pod: string;
  container: string;
  what: 'program' | 'argument' | 'file' | 'environment' | 'working directory' | 'volume' | 'job' | 'writer';
  where: string;
  from: string;
  to: string;
}

export interface HttpCheck {
  kind: 'http';
  port: number;
  path: string;
}
export interface TcpCheck {
  kind: 'tcp';
  port: number;
}
export type ReadyCheck = HttpCheck | TcpCheck;

export interface FileToWrite {
  path: string;
  content: string;
}

export interface ContainerPlan {
  name: string;
  image: string;
  peer: PeerName;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** The pod's securityContext, applied to the process (setpriv). */
  uid: number;
  gid: number;
  groups: number[];
  readOnlyRootFilesystem: boolean;
  ready?: ReadyCheck;
  /** Named container ports → number (for Services' targetPorts and probes). */
  ports: Record<string, number>;
  files: FileToWrite[];
  log: string;
  terminationGraceSeconds: number;
}

/** A folder the harness copies into the run folder before any process starts (a peer's `home`). */
export interface StagedFolder {
  from: string;
  to: string;
}

export interface PodPlan {
  name: string;
  workload: Workload;
  labels: Record<string, string>;
  ip: string;
  dir: string;
  /** Folders the pod's volumes use (emptyDir, PVC), owned by the pod's fsGroup. */
  writableDirs: string[];
  /** Folders that hold ConfigMap/Secret files. */
  readOnlyDirs: string[];
  fsGroup?: number;
  /** Run one after the other to completion before `containers` start (the kubelet's init containers). */
  initContainers: ContainerPlan[];
  containers: ContainerPlan[];
  /** Containers of this pod whose image has no peer: not run. */
  skipped: { container: string; image: string }[];
  /** All container ports of the pod (name → number), peers or not. */
  ports: Record<string, number>;
  serviceAccountName: string;
  /** The kubelet mounts the service account's token (pod's automountServiceAccountToken, else the ServiceAccount's, else true). */
  automountToken: boolean;
}

export interface Plan {
  namespace: string;
  pods: PodPlan[];
  changes: Change[];
  /** Workloads none of whose containers have a peer (Grafana, Alloy, the bucket Job): not run. */
  notRun: { workload: string; kind: string; images: string[] }[];
  sources: DataSources;
  /** Peer folders copied into the run folder (readable by the pods' users). */
  staged: StagedFolder[];
}

export interface PlanOptions {
  root: string;
  peers: Peers;
  /** Pod addresses: by start order, or by the name the pod has in the API server. */
  allocateIp: (index: number, name: string) => string;
}

const hash = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').slice(0, n);

/**
 * Pod names as the controllers make them: `<statefulset>-<ordinal>`; Deployments `<name>-<template hash>-<suffix>`
 * (deterministic here, random in a cluster). Mimir's ring instance IDs come from these names.
 */
export function podName(w: Workload, ordinal: number): string {
  if (w.kind === 'StatefulSet') return `${w.name}-${ordinal}`;
  const t = hash(JSON.stringify(w.template), 10).replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]);
  const suffix = hash(`${w.name}/${ordinal}`, 5).replace(/[0-9]/g, (d) => 'npqrstvwxz'[Number(d)]);
  return w.kind === 'Job' ? `${w.name}-${suffix}` : `${w.name}-${t}-${suffix}`;
}

function portOf(c: Container, port: number | string | undefined): number {
  if (typeof port === 'number') return port;
  if (port === undefined) throw new Error(`container ${c.name}: probe without port`);
  if (/^\d+$/.test(port)) return Number(port);
  const p = c.ports?.find((x) => x.name === port);
  if (!p) throw new Error(`container ${c.name}: probe port "${port}" names no container port`);
  return p.containerPort;
}

function readyCheck(c: Container, probe: Probe | undefined): ReadyCheck | undefined {
  if (!probe) return undefined;
  if (probe.httpGet) {
    if (probe.httpGet.scheme === 'HTTPS') throw new Error(`container ${c.name}: HTTPS probes are not emulated`);
    return { kind: 'http', port: portOf(c, probe.httpGet.port), path: probe.httpGet.path ?? '/' };
  }
  if (probe.tcpSocket) return { kind: 'tcp', port: portOf(c, probe.tcpSocket.port) };
  throw new Error(`container ${c.name}: only httpGet and tcpSocket readiness probes are emulated`);
}

interface VolumeLayout {
  mounts: Mount[];
  files: FileToWrite[];
  fileSources: Map<string, string>;
}

/** Where each of the container's volume mounts lives on this machine, and the ConfigMap/Secret files to write. */
function layoutVolumes(
  pod: PodPlan,
  c: Container,
  volumes: Volume[],
  sources: DataSources,
  w: Workload,
  root: string,
): VolumeLayout {
  const mounts: Mount[] = [];
  const files: FileToWrite[] = [];
  const fileSources = new Map<string, string>();
  for (const vm of c.volumeMounts ?? []) {
    const v = volumes.find((x) => x.name === vm.name);
    let dir: string;
    if (v?.configMap || v?.secret) {
      // Per container: its copy of the files is rewritten for its own mounts.
      dir = join(pod.dir, 'volumes', `${vm.name}.${c.name}`);
      const isSecret = Boolean(v.secret);
      const refName = (isSecret ? v.secret!.secretName : v.configMap!.name) ?? '';
      const data = (isSecret ? sources.secrets : sources.configMaps).get(refName);
      const optional = isSecret ? v.secret!.optional : v.configMap!.optional;
      if (!data && !optional)
        throw new Error(
          `pod ${pod.name}: volume ${vm.name} refers to ${isSecret ? 'Secret' : 'ConfigMap'} "${refName}", which is not rendered`,
        );
      const items =
        (isSecret ? v.secret!.items : v.configMap!.items) ?? Object.keys(data ?? {}).map((key) => ({ key, path: key }));
      for (const item of items) {
        if (!data || !(item.key in data))
          throw new Error(`pod ${pod.name}: volume ${vm.name}: key "${item.key}" is not in ${refName}`);
        files.push({ path: join(dir, item.path), content: data[item.key] });
        fileSources.set(join(dir, item.path), `${isSecret ? 'Secret' : 'ConfigMap'} ${refName} key ${item.key}`);
      }
      if (!pod.readOnlyDirs.includes(dir)) pod.readOnlyDirs.push(dir);
    } else if (v?.emptyDir) {
      dir = join(pod.dir, 'volumes', vm.name);
      if (!pod.writableDirs.includes(dir)) pod.writableDirs.push(dir);
    } else if (v?.persistentVolumeClaim) {
      dir = join(root, 'pvc', v.persistentVolumeClaim.claimName);
      if (!pod.writableDirs.includes(dir)) pod.writableDirs.push(dir);
    } else if (!v && w.claimNames.includes(vm.name)) {
      // A StatefulSet's volumeClaimTemplate: the claim is `<template>-<pod>`.
      dir = join(root, 'pvc', `${vm.name}-${pod.name}`);
      if (!pod.writableDirs.includes(dir)) pod.writableDirs.push(dir);
    } else if (!v) {
      throw new Error(`pod ${pod.name}: container ${c.name} mounts "${vm.name}", which is no volume of the pod`);
    } else {
      throw new Error(
        `pod ${pod.name}: volume ${vm.name} (${Object.keys(v)
          .filter((k) => k !== 'name')
          .join(', ')}) is not emulated by the harness`,
      );
    }
    mounts.push({ mountPath: vm.mountPath, hostPath: vm.subPath ? join(dir, vm.subPath) : dir });
  }
  return { mounts, files, fileSources };
}

function planContainer(
  pod: PodPlan,
  w: Workload,
  c: Container,
  peer: PeerName,
  opts: PlanOptions,
  sources: DataSources,
  changes: Change[],
  namespace: string,
): ContainerPlan {
  const spec = w.template.spec!;
  const note = (what: Change['what'], where: string, from: string, to: string): void => {
    changes.push({ pod: pod.name, container: c.name, what, where, from, to });
  };
  const layout = layoutVolumes(pod, c, spec.volumes ?? [], sources, w, opts.root);
  const env = resolveEnv(c, sources, { name: pod.name, namespace, ip: pod.ip });
  const program = opts.peers[peer];
  if (!program)
    throw new Error(
      `pod ${pod.name}: container ${c.name} runs ${c.image}, and the ${peer} peer is not built here (bash test/peers/${peer}/build.sh)`,
    );

  // Program: the image's entrypoint or `command[0]` becomes the peer binary; the rest is kept.
  const command = c.command ?? peerEntrypoints[peer].entrypoint;
  const known = peerEntrypoints[peer];
  let rest: string[];
  if (c.command) {
    if (!known.names.includes(command[0]))
      throw new Error(
        `pod ${pod.name}: container ${c.name} runs "${command[0]}", which the ${peer} peer does not stand in for`,
      );
    rest = [...command.slice(1), ...(c.args ?? [])];
  } else if (peer === 'mimir' || peer === 'alloy' || peer === 'nginx-exporter') {
    // These images' entrypoint is the program itself: the args are its arguments.
    rest = c.args ?? [];
  } else {
    throw new Error(
      `pod ${pod.name}: container ${c.name} relies on the ${c.image} entrypoint script, which the harness does not emulate; set command`,
    );
  }
  note('program', 'image', `${c.image} (${command[0]})`, `${program.path} (${program.version})`);

  const expanded = expandArgs(rest, env);
  let argv = [program.path];
  expanded.forEach((arg, i) => {
    const to = remapText(arg, layout.mounts);
    if (to !== arg) note('argument', `args[${i}]`, arg, to);
    argv.push(to);
  });

  const renderedEnv = { ...env };
  for (const [k, v] of Object.entries(env)) {
    const to = remapText(v, layout.mounts);
    if (to !== v) {
      note('environment', k, v, to);
      env[k] = to;
    }
  }

  if (peer === 'kafka') {
    // The script's `java` command line, from the container's environment as rendered (its paths remapped once,
    // there); the jars are the run's copy.
    const home = join(opts.root, 'peers', basename(program.home ?? ''));
    const java = kafkaJavaArgs(
      command[0],
      argv.slice(1),
      renderedEnv,
      join(home, 'libs'),
      join(home, 'log4j2.properties'),
      (t) => remapText(t, layout.mounts),
    );
    argv = [program.path, ...java.argv];
    note(
      'program',
      command[0],
      `${command[0]} (kafka-run-class.sh: java with KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, LOG_DIR, KAFKA_LOG4J_OPTS, KAFKA_OPTS)`,
      `${argv.slice(0, argv.indexOf(java.mainClass) + 1).join(' ')} (class path: the jars of ${program.home}, copied into the run folder; log4j2.properties logs to stdout)`,
    );
  }

  const files = layout.files.map((f) => {
    const to = remapText(f.content, layout.mounts);
    const inContainer = layout.mounts.reduce(
      (p, m) =>
        f.path.startsWith(`${m.hostPath}/`) ? `${m.mountPath.replace(/\/$/, '')}${f.path.slice(m.hostPath.length)}` : p,
      f.path,
    );
    for (const ch of changedLines(f.content, to))
      note('file', `${inContainer}:${ch.line} (${layout.fileSources.get(f.path)})`, ch.from, ch.to);
    return { path: f.path, content: to };
  });

  const sc = { ...spec.securityContext, ...c.securityContext } as {
    runAsUser?: number;
    runAsGroup?: number;
    readOnlyRootFilesystem?: boolean;
  };
  const readOnlyRootFilesystem = c.securityContext?.readOnlyRootFilesystem ?? false;
  const workingDir = c.workingDir ?? '/';
  const mappedCwd = remapPath(workingDir, layout.mounts);
  const cwd = mappedCwd !== workingDir ? mappedCwd : join(pod.dir, `rootfs.${c.name}`);
  note(
    'working directory',
    'cwd',
    `${workingDir} (${mappedCwd !== workingDir ? 'a volume' : 'the image root file system'})`,
    `${cwd}${mappedCwd === workingDir ? (readOnlyRootFilesystem ? ' (empty, not writable: readOnlyRootFilesystem)' : ' (empty, writable)') : ''}`,
  );

  const ports = Object.fromEntries((c.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort]));
  const groups = [
    ...new Set(
      [spec.securityContext?.fsGroup, ...(spec.securityContext?.supplementalGroups ?? [])].filter(
        (g): g is number => g !== undefined,
      ),
    ),
  ];
  return {
    name: c.name,
    image: c.image ?? '',
    peer,
    argv,
    env,
    cwd,
    uid: sc.runAsUser ?? 0,
    gid: sc.runAsGroup ?? sc.runAsUser ?? 0,
    groups,
    readOnlyRootFilesystem,
    ready: readyCheck(c, c.readinessProbe),
    ports,
    files,
    log: join(pod.dir, `${c.name}.log`),
    terminationGraceSeconds: spec.terminationGracePeriodSeconds ?? 30,
  };
}

/** Every replica of every workload that has at least one peer container becomes a pod of the plan. */
export function planPods(objects: KubeObject[], opts: PlanOptions): Plan {
  const sources = dataSources(objects);
  const changes: Change[] = [];
  const pods: PodPlan[] = [];
  const notRun: Plan['notRun'] = [];
  const namespace =
    objects.find((o) => o.kind === 'Namespace')?.metadata?.name ??
    objects.find((o) => o.metadata?.namespace)?.metadata?.namespace ??
    'default';
  const ordered = workloads(objects).sort((a, b) => a.wave - b.wave);
  for (const w of ordered) {
    const containers = w.template.spec?.containers ?? [];
    const peers = containers.map((c) => peerForImage(c.image ?? ''));
    if (!peers.some(Boolean)) {
      notRun.push({ workload: w.name, kind: w.kind, images: containers.map((c) => c.image ?? '') });
      continue;
    }
    const inits = w.template.spec?.initContainers ?? [];
    for (const c of inits)
      if (!peerForImage(c.image ?? ''))
        throw new Error(
          `${w.kind} ${w.name}: init container ${c.name} runs ${c.image}, which has no peer here: the pod could not start`,
        );
    for (let i = 0; i < w.replicas; i++) {
      const name = podName(w, i);
      const serviceAccountName = w.template.spec?.serviceAccountName ?? 'default';
      const sa = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata?.name === serviceAccountName) as
        { automountServiceAccountToken?: boolean } | undefined;
      const pod: PodPlan = {
        name,
        workload: w,
        labels: w.template.metadata?.labels ?? {},
        ip: opts.allocateIp(pods.length, name),
        serviceAccountName,
        automountToken: w.template.spec?.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true,
        dir: join(opts.root, 'pods', name),
        writableDirs: [],
        readOnlyDirs: [],
        fsGroup: w.template.spec?.securityContext?.fsGroup,
        initContainers: [],
        containers: [],
        skipped: [],
        ports: Object.fromEntries(
          containers.flatMap((c) => (c.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort])),
        ),
      };
      for (const c of inits)
        pod.initContainers.push(
          planContainer(pod, w, c, peerForImage(c.image ?? '')!, opts, sources, changes, namespace),
        );
      containers.forEach((c, ci) => {
        const peer = peers[ci];
        if (peer) pod.containers.push(planContainer(pod, w, c, peer, opts, sources, changes, namespace));
        else pod.skipped.push({ container: c.name, image: c.image ?? '' });
      });
      pods.push(pod);
    }
  }
  const staged = [
    ...new Set(pods.flatMap((p) => [...p.initContainers, ...p.containers]).map((c) => opts.peers[c.peer]?.home ?? '')),
  ]
    .filter(Boolean)
    .map((from) => ({ from, to: join(opts.root, 'peers', basename(from)) }));
  return { namespace, pods, changes, notRun, sources, staged };
}
