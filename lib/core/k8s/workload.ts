import type {
  Affinity,
  Container,
  Deployment,
  Job,
  PodSecurityContext,
  PodSpec,
  PodTemplateSpec,
  StatefulSet,
  Toleration,
  TopologySpreadConstraint,
  Volume,
} from './types.js';
import { objectMeta, type Meta } from './meta.js';

/** Pod Security Standards "restricted" at pod level; the images we ship run as these ids. */
export function restrictedPodSecurityContext(user = 10001, group = 10001): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: group,
    fsGroup: group,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export interface PodSpecInput {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  serviceAccountName?: string;
  /** When false, no API token is mounted: only workloads that talk to the API server need one. */
  automountServiceAccountToken?: boolean;
  securityContext?: PodSecurityContext;
  terminationGracePeriodSeconds?: number;
  affinity?: Affinity;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  restartPolicy?: PodSpec['restartPolicy'];
}

export function podSpec(p: PodSpecInput): PodSpec {
  const out: PodSpec = {
    automountServiceAccountToken: p.automountServiceAccountToken ?? false,
    containers: p.containers,
  };
  if (p.initContainers?.length) out.initContainers = p.initContainers;
  if (p.serviceAccountName) out.serviceAccountName = p.serviceAccountName;
  out.securityContext = p.securityContext ?? restrictedPodSecurityContext();
  if (p.terminationGracePeriodSeconds !== undefined)
    out.terminationGracePeriodSeconds = p.terminationGracePeriodSeconds;
  if (p.affinity) out.affinity = p.affinity;
  if (p.topologySpreadConstraints?.length) out.topologySpreadConstraints = p.topologySpreadConstraints;
  if (p.tolerations?.length) out.tolerations = p.tolerations;
  if (p.nodeSelector && Object.keys(p.nodeSelector).length > 0) out.nodeSelector = p.nodeSelector;
  if (p.restartPolicy) out.restartPolicy = p.restartPolicy;
  if (p.volumes?.length) out.volumes = p.volumes;
  return out;
}

function template(
  selector: Record<string, string>,
  labels: Record<string, string>,
  pod: PodSpecInput,
  annotations?: Record<string, string>,
): PodTemplateSpec {
  const metadata: PodTemplateSpec['metadata'] = { labels: { ...labels, ...selector } };
  if (annotations && Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return { metadata, spec: podSpec(pod) };
}

export interface WorkloadInput extends Meta {
  /** Labels that select the pods; also put on the pod template. */
  selector: Record<string, string>;
  replicas: number;
  pod: PodSpecInput;
  podAnnotations?: Record<string, string>;
}

export function deployment(
  w: WorkloadInput & { maxSurge?: number | string; maxUnavailable?: number | string },
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: objectMeta({ ...w, labels: { ...w.labels, ...w.selector } }),
    spec: {
      replicas: w.replicas,
      revisionHistoryLimit: 10,
      minReadySeconds: 10,
      selector: { matchLabels: { ...w.selector } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: w.maxSurge ?? 1, maxUnavailable: w.maxUnavailable ?? 0 },
      },
      template: template(w.selector, w.labels ?? {}, w.pod, w.podAnnotations),
    },
  };
}

export interface VolumeClaim {
  name: string;
  size: string;
  storageClassName?: string;
}

export function statefulSet(
  w: WorkloadInput & {
    serviceName: string;
    volumeClaims?: VolumeClaim[];
    podManagementPolicy?: 'OrderedReady' | 'Parallel';
  },
): StatefulSet {
  const spec: NonNullable<StatefulSet['spec']> = {
    replicas: w.replicas,
    revisionHistoryLimit: 10,
    serviceName: w.serviceName,
    podManagementPolicy: w.podManagementPolicy ?? 'Parallel',
    selector: { matchLabels: { ...w.selector } },
    updateStrategy: { type: 'RollingUpdate' },
    template: template(w.selector, w.labels ?? {}, w.pod, w.podAnnotations),
  };
  if (w.volumeClaims?.length) {
    spec.volumeClaimTemplates = w.volumeClaims.map((v) => {
      const claimSpec: Record<string, unknown> = {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: v.size } },
      };
      if (v.storageClassName) claimSpec.storageClassName = v.storageClassName;
      return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: v.name }, spec: claimSpec };
    });
    spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Retain' };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: objectMeta({ ...w, labels: { ...w.labels, ...w.selector } }),
    spec,
  };
}

export function job(
  j: Meta & {
    selector: Record<string, string>;
    pod: PodSpecInput;
    backoffLimit?: number;
    activeDeadlineSeconds?: number;
  },
): Job {
  const spec: NonNullable<Job['spec']> = {
    backoffLimit: j.backoffLimit ?? 30,
    template: template(j.selector, j.labels ?? {}, { restartPolicy: 'OnFailure', ...j.pod }),
  };
  if (j.activeDeadlineSeconds !== undefined) spec.activeDeadlineSeconds = j.activeDeadlineSeconds;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: objectMeta({ ...j, labels: { ...j.labels, ...j.selector } }),
    spec,
  };
}

/** Volumes for a pod: emptyDir scratch space, ConfigMaps, Secrets and PVCs. */
export const volume = {
  emptyDir: (name: string, sizeLimit?: string): Volume => ({ name, emptyDir: sizeLimit ? { sizeLimit } : {} }),
  configMap: (name: string, configMapName: string): Volume => ({ name, configMap: { name: configMapName } }),
  secret: (name: string, secretName: string): Volume => ({ name, secret: { secretName } }),
  pvc: (name: string, claimName: string): Volume => ({ name, persistentVolumeClaim: { claimName } }),
};
