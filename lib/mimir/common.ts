/**
 * The pieces every Mimir component shares: one container shape, one pod shape, and the Services and PDB
 * derived from the workload. Component files only say what differs (target, flags, volumes, grace period).
 */
import type { MimirStackConfig } from './config.js';
import { container, gomaxprocs, httpProbe, mapToFlags, type EnvSource, type Flags } from '../core/k8s/container.js';
import { selectorLabels } from '../core/k8s/meta.js';
import { pdbFor } from '../core/k8s/objects.js';
import { headlessServiceFor, serviceFor } from '../core/k8s/service.js';
import type {
  Affinity,
  Deployment,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  ScaledObject,
  Service,
  StatefulSet,
  TopologySpreadConstraint,
  Volume,
  VolumeMount,
} from '../core/k8s/types.js';
import { deployment, statefulSet, volume, type PodSpecInput } from '../core/k8s/workload.js';
import { syncWaves } from '../core/k8s/waves.js';
import type { MimirComponentConfig, MimirStatefulComponentConfig, MimirZone } from './config.js';
import { ingestStorageEnv, ingestStorageFlags } from './ingest-storage.js';
import { names, portNames, ports } from './names.js';
import {
  replicasPerZone,
  rolloutGroupLabel,
  rolloutMaxUnavailableAnnotation,
  rolloutNameLabel,
  zoneFlag,
  zonedName,
  zoneLabel,
  type ZonedComponent,
} from './zones.js';

/** Where every pod finds its files; `mimir.yaml` names the same paths. */
export const paths = {
  configDir: '/etc/mimir',
  configFile: '/etc/mimir/mimir.yaml',
  fallbackAlertmanagerFile: '/etc/mimir/alertmanager-fallback.yaml',
  runtimeDir: '/etc/mimir-runtime',
  runtimeFile: '/etc/mimir-runtime/runtime.yaml',
  /** A PVC on stateful components, an emptyDir elsewhere. */
  dataDir: '/data',
  activityTrackerDir: '/active-query-tracker',
} as const;

/** Members of the memberlist cluster carry this label; the gossip Service selects them. */
export const gossipMemberLabel = 'mimir-kube.dev/gossip-ring-member';

export const mimirApp = 'mimir';

export interface MimirWorkloadSpec {
  /** Object name and `app.kubernetes.io/component` label, e.g. `ruler-querier`. */
  name: string;
  /** Mimir's `-target`. */
  target: string;
  settings: MimirComponentConfig;
  /** Flags this component always gets; the user's `settings.flags` are merged over them. */
  flags?: Flags;
  /** Mount the runtime overrides file and pass `-runtime-config.file`. */
  runtimeConfig: boolean;
  /** Joins the memberlist cluster: gossip port plus the label the gossip Service selects. */
  gossip: boolean;
  /** Reads or writes object storage: gets the S3 credentials as environment variables. */
  objectStorage: boolean;
  terminationGracePeriodSeconds: number;
  /** Strict one-pod-per-node anti-affinity when spreading across nodes (ingesters, store-gateways). */
  strictNodeSpread?: boolean;
  /** Environment variables beyond GOMAXPROCS and the storage credentials (e.g. a client's credentials). */
  env?: Record<string, EnvSource>;
}

export function mimirSelector(c: MimirStackConfig, name: string): Record<string, string> {
  return selectorLabels(mimirApp, name, c.partOf);
}

function mimirFlags(c: MimirStackConfig, spec: MimirWorkloadSpec): string[] {
  const flags: Flags = {
    target: spec.target,
    'config.file': paths.configFile,
    'config.expand-env': true,
    ...(spec.runtimeConfig ? { 'runtime-config.file': paths.runtimeFile } : {}),
    ...ingestStorageFlags(c, spec.target),
    ...spec.flags,
    ...spec.settings.flags,
  };
  return mapToFlags(flags);
}

function mimirEnv(c: MimirStackConfig, spec: MimirWorkloadSpec): Record<string, EnvSource> {
  const out: Record<string, EnvSource> = {
    ...spec.env,
    GOMAXPROCS: gomaxprocs(spec.settings.resources.requests.cpu),
  };
  if (spec.objectStorage) {
    const cred = c.storage.credentials;
    out.AWS_ACCESS_KEY_ID = { secret: cred.secretName, key: cred.accessKeyIdKey };
    out.AWS_SECRET_ACCESS_KEY = { secret: cred.secretName, key: cred.secretAccessKeyKey };
  }
  return { ...out, ...ingestStorageEnv(c) };
}

/** Volumes every Mimir pod mounts; `data` is left to the caller (PVC or emptyDir). */
function mimirVolumes(spec: MimirWorkloadSpec, dataIsClaim: boolean): { volumes: Volume[]; mounts: VolumeMount[] } {
  const volumes: Volume[] = [volume.configMap('config', names.configMap)];
  const mounts: VolumeMount[] = [{ name: 'config', mountPath: paths.configDir, readOnly: true }];
  if (spec.runtimeConfig) {
    volumes.push(volume.configMap('runtime-config', names.runtimeConfigMap));
    mounts.push({ name: 'runtime-config', mountPath: paths.runtimeDir, readOnly: true });
  }
  if (!dataIsClaim) volumes.push(volume.emptyDir('data'));
  mounts.push({ name: 'data', mountPath: paths.dataDir });
  volumes.push(volume.emptyDir('active-queries'));
  mounts.push({ name: 'active-queries', mountPath: paths.activityTrackerDir });
  return { volumes, mounts };
}

function topology(
  c: MimirStackConfig,
  spec: MimirWorkloadSpec,
  zone?: MimirZone,
): Pick<PodSpecInput, 'affinity' | 'topologySpreadConstraints'> {
  const matchLabels = mimirSelector(c, spec.name);
  const constraints: TopologySpreadConstraint[] = [];
  let affinity: Affinity | undefined;
  if (zone?.topologyValue) {
    // A zone's pods run only on its nodes: that is what makes the zone a failure domain.
    affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: c.mimir.zoneAwareness.topologyKey, operator: 'In', values: [zone.topologyValue] },
              ],
            },
          ],
        },
      },
    };
  }
  if (c.mimir.spreadAcrossNodes) {
    if (spec.strictNodeSpread) {
      // Two replicas of the same series on one node would defeat replication.
      affinity = {
        ...affinity,
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels } },
          ],
        },
      };
    } else {
      constraints.push({
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels },
      });
    }
  }
  if (c.mimir.spreadAcrossZones) {
    // Best effort: a zone outage should not take all replicas, but a full zone must not block a rollout.
    constraints.push({
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels },
    });
  }
  return {
    ...(affinity ? { affinity } : {}),
    ...(constraints.length ? { topologySpreadConstraints: constraints } : {}),
  };
}

function pod(c: MimirStackConfig, spec: MimirWorkloadSpec, dataIsClaim: boolean, zone?: MimirZone): PodSpecInput {
  const { volumes, mounts } = mimirVolumes(spec, dataIsClaim);
  const containerPorts: Record<string, number> = { [portNames.http]: ports.http, [portNames.grpc]: ports.grpc };
  if (spec.gossip) containerPorts[portNames.gossip] = ports.gossip;
  const main = container({
    name: spec.name,
    image: c.images.mimir,
    args: mimirFlags(c, spec),
    ports: containerPorts,
    env: mimirEnv(c, spec),
    resources: spec.settings.resources,
    readinessProbe: httpProbe('/ready', portNames.http, {
      initialDelaySeconds: c.mimir.fastStartup ? 5 : 15,
      timeoutSeconds: 1,
    }),
    volumeMounts: mounts,
  });
  return {
    containers: [main],
    volumes,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    ...topology(c, spec, zone),
  };
}

function workloadMeta(c: MimirStackConfig, spec: MimirWorkloadSpec) {
  const labels: Record<string, string> = spec.gossip ? { [gossipMemberLabel]: 'true' } : {};
  return {
    name: spec.name,
    namespace: c.namespace,
    labels,
    annotations: { 'argocd.argoproj.io/sync-wave': syncWaves.mimir },
    selector: mimirSelector(c, spec.name),
    replicas: spec.settings.replicas,
  };
}

export interface StatelessParts {
  deployment: Deployment;
  service: Service;
  pdb: PodDisruptionBudget;
  /** The component's KEDA autoscaler (`config.mimir.autoscaling`, engine `keda`). */
  scaledObject?: ScaledObject;
  /** Its autoscaler where KEDA is absent (engine `hpa`). */
  horizontalPodAutoscaler?: HorizontalPodAutoscaler;
}

export interface StatefulParts {
  statefulSet: StatefulSet;
  service: Service;
  pdb: PodDisruptionBudget;
}

/** HTTP and gRPC; the gossip port is reached through the gossip Service only. */
const servicePorts = [portNames.http, portNames.grpc];

export function statelessComponent(
  c: MimirStackConfig,
  spec: MimirWorkloadSpec,
  opts: { headlessService?: boolean } = {},
): StatelessParts {
  const d = deployment({ ...workloadMeta(c, spec), pod: pod(c, spec, false) });
  const service = opts.headlessService
    ? headlessServiceFor(d, { name: spec.name, portNames: servicePorts })
    : serviceFor(d, { portNames: servicePorts });
  return { deployment: d, service, pdb: pdbFor(d, 1) };
}

function dataClaims(settings: MimirStatefulComponentConfig) {
  const storage = settings.storage;
  return [
    { name: 'data', size: storage.size, ...(storage.storageClass ? { storageClassName: storage.storageClass } : {}) },
  ];
}

export function statefulComponent(
  c: MimirStackConfig,
  spec: MimirWorkloadSpec & { settings: MimirStatefulComponentConfig },
): StatefulParts {
  const s = statefulSet({
    ...workloadMeta(c, spec),
    serviceName: spec.name,
    podManagementPolicy: 'Parallel',
    volumeClaims: dataClaims(spec.settings),
    pod: pod(c, spec, true),
  });
  return { statefulSet: s, service: serviceFor(s, { portNames: servicePorts }), pdb: pdbFor(s, 1) };
}

/**
 * A zone-aware component: per zone a StatefulSet `<name>-<zone>` and its headless Service; the shared
 * Service `<name>` over every zone (what the other components and the gateway address); one budget over
 * the whole rollout group. Keys: `statefulSet-<zone>`, `service-<zone>`, `service`, `pdb`.
 */
export type ZonedParts = {
  service: Service;
  pdb: PodDisruptionBudget;
  [statefulSet: `statefulSet-${string}`]: StatefulSet;
  [zoneService: `service-${string}`]: Service;
};

/** Tree key of a zone's StatefulSet and of its headless Service. */
export const zoneKeys = {
  statefulSet: (zone: string) => `statefulSet-${zone}` as const,
  service: (zone: string) => `service-${zone}` as const,
};

export function zonedStatefulComponent(
  c: MimirStackConfig,
  key: ZonedComponent,
  spec: MimirWorkloadSpec & { settings: MimirStatefulComponentConfig },
): ZonedParts {
  const zones = c.mimir.zoneAwareness.zones;
  const perZone = replicasPerZone(c, key);
  const group = { [rolloutGroupLabel]: spec.name };
  const parts: Record<string, StatefulSet | Service | PodDisruptionBudget> = {};
  let first: StatefulSet | undefined;
  for (const zone of zones) {
    const name = zonedName(spec.name, zone.name);
    const zoneSpec = { ...spec, flags: { ...spec.flags, ...zoneFlag(key, zone.name) } };
    const meta = workloadMeta(c, zoneSpec);
    // `name` on the pods is how the rollout-operator finds a StatefulSet's pods; the selector keeps zones apart.
    const selector = { ...meta.selector, [rolloutNameLabel]: name };
    const s = statefulSet({
      ...meta,
      name,
      labels: { ...meta.labels, ...group, [zoneLabel]: zone.name },
      annotations: {
        ...meta.annotations,
        [rolloutMaxUnavailableAnnotation]: String(c.mimir.zoneAwareness.maxUnavailable),
      },
      selector,
      replicas: perZone,
      serviceName: name,
      podManagementPolicy: 'Parallel',
      volumeClaims: dataClaims(spec.settings),
      pod: pod(c, zoneSpec, true, zone),
    });
    // The rollout-operator deletes outdated pods itself, one zone at a time; the controller must not.
    s.spec!.updateStrategy = { type: 'OnDelete' };
    parts[zoneKeys.statefulSet(zone.name)] = s;
    parts[zoneKeys.service(zone.name)] = headlessServiceFor(s, { name, portNames: servicePorts });
    first ??= s;
  }
  if (!first) throw new Error(`${spec.name}: zone-aware without zones`);
  const shared = serviceFor(first, { name: spec.name, portNames: servicePorts });
  shared.spec!.selector = mimirSelector(c, spec.name);
  shared.metadata!.labels = { ...shared.metadata!.labels };
  delete shared.metadata!.labels[rolloutNameLabel];
  delete shared.metadata!.labels[rolloutGroupLabel];
  delete shared.metadata!.labels[zoneLabel];
  // Without the rollout-operator's zone-aware budget (not in the pinned version) the safe budget for
  // evictions is one pod of the whole group: two zones down at once would break the write quorum.
  const pdb = pdbFor(first, 1);
  pdb.metadata!.name = spec.name;
  pdb.metadata!.labels = { ...shared.metadata!.labels };
  pdb.spec!.selector = { matchLabels: { ...mimirSelector(c, spec.name), ...group } };
  return { ...(parts as ZonedParts), service: shared, pdb };
}

export { replicationFactor } from './replication.js';
