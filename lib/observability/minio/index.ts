import type { ObservabilityStackConfig } from '../config.js';
import { defineComponent, endpointUrl } from '../../core/registry.js';
import { labelKeys, selectorLabels } from '../../core/k8s/meta.js';
import { container, httpProbe } from '../../core/k8s/container.js';
import { contentHash } from '../../core/k8s/hash.js';
import { secret } from '../../core/k8s/objects.js';
import { serviceFor } from '../../core/k8s/service.js';
import type { Job, KubeObject, PodTemplateSpec, Secret, Service, StatefulSet } from '../../core/k8s/types.js';
import { job, restrictedPodSecurityContext, statefulSet, volume } from '../../core/k8s/workload.js';
import type { Problem } from '../../core/problems.js';
import { syncWave, syncWaves } from '../../core/k8s/waves.js';
import { problemAt, type Rule } from '../../core/checks/context.js';
import { serviceUrlProblem } from '../../core/checks/service-urls.js';

export const minioPorts = { api: 9000, console: 9001 } as const;

/** Where Alloy finds MinIO's metrics: the S3 port, cluster-wide v2 metrics, no auth (`MINIO_PROMETHEUS_AUTH_TYPE=public`). */
export const minioMetrics = { app: 'minio', port: 'api', path: '/minio/v2/metrics/cluster' } as const;

/** The S3 API, as Mimir (through `storage.endpoint` left empty) and the bucket Job reach it. */
export const s3Endpoint = { service: 'minio', port: minioPorts.api, portName: 'api' } as const;

/** The bucket Job's name is this prefix plus a hash of its pod template. */
export const bucketJobPrefix = 'minio-buckets-';

/**
 * Publicly known development credential, rendered only when `storage.developmentCredentials` is set
 * (local clusters). MinIO wants at least 3 characters for the user and 8 for the password.
 */
const developmentCredential = { accessKeyId: 'mimir-dev', secretAccessKey: 'mimir-dev-secret-not-for-production' };

/** MinIO runs as any non-root user; the data volume is made writable through fsGroup. */
const uid = 1000;
const dataPath = '/data';

function credentialEnv(c: ObservabilityStackConfig, userVar: string, passwordVar: string) {
  const cred = c.storage.credentials;
  return {
    [userVar]: { secret: cred.secretName, key: cred.accessKeyIdKey },
    [passwordVar]: { secret: cred.secretName, key: cred.secretAccessKeyKey },
  };
}

function minioStatefulSet(c: ObservabilityStackConfig): StatefulSet {
  const m = c.observability.minio;
  const server = container({
    name: 'minio',
    image: c.images.minio,
    command: ['minio'],
    // The certs dir defaults to $HOME/.minio, which the read-only root file system cannot hold.
    args: [
      'server',
      dataPath,
      `--address=:${minioPorts.api}`,
      `--console-address=:${minioPorts.console}`,
      '--certs-dir=/tmp/certs',
    ],
    ports: { ...minioPorts },
    env: {
      ...credentialEnv(c, 'MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD'),
      MINIO_PROMETHEUS_AUTH_TYPE: 'public',
      HOME: '/tmp',
    },
    resources: m.resources,
    readinessProbe: httpProbe('/minio/health/ready', 'api', { initialDelaySeconds: 5 }),
    livenessProbe: httpProbe('/minio/health/live', 'api', { initialDelaySeconds: 30, failureThreshold: 6 }),
    volumeMounts: [
      { name: 'data', mountPath: dataPath },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  });
  return statefulSet({
    name: 'minio',
    namespace: c.namespace,
    annotations: syncWave(syncWaves.storage),
    selector: selectorLabels('minio', 'server', c.partOf),
    replicas: 1,
    serviceName: 'minio',
    volumeClaims: [{ name: 'data', size: m.storageSize, storageClassName: m.storageClassName }],
    pod: {
      containers: [server],
      volumes: [volume.emptyDir('tmp')],
      securityContext: restrictedPodSecurityContext(uid, uid),
      terminationGracePeriodSeconds: 30,
    },
  });
}

/** Script of the bucket Job: waits until MinIO answers, then creates each bucket given as an argument. */
const bucketScript = [
  'set -eu',
  'attempt=0',
  'until mc alias set stack "$MINIO_ENDPOINT" "$MINIO_ACCESS_KEY_ID" "$MINIO_SECRET_ACCESS_KEY" >/dev/null; do',
  '  attempt=$((attempt + 1))',
  '  if [ "$attempt" -ge 60 ]; then echo "MinIO at $MINIO_ENDPOINT did not answer after $attempt attempts" >&2; exit 1; fi',
  '  echo "waiting for MinIO at $MINIO_ENDPOINT (attempt $attempt)"',
  '  sleep 5',
  'done',
  'for bucket in "$@"; do',
  '  mc mb --ignore-existing "stack/$bucket"',
  'done',
].join('\n');

/** Buckets in a stable order, each once (an environment may point two stores at one bucket). */
export function bucketNames(c: ObservabilityStackConfig): string[] {
  const b = c.storage.buckets;
  return [...new Set([b.blocks, b.ruler, b.alertmanager])];
}

/** Jobs are immutable: a name that changes with the pod template lets `kubectl apply` create a new Job instead of failing. */
export function bucketJobName(template: PodTemplateSpec | undefined): string {
  return `${bucketJobPrefix}${contentHash(template ?? {})}`;
}

function bucketJob(c: ObservabilityStackConfig): Job {
  const client = container({
    name: 'create-buckets',
    image: c.images.minioClient,
    command: ['/bin/sh', '-c', bucketScript, 'create-buckets', ...bucketNames(c)],
    env: {
      ...credentialEnv(c, 'MINIO_ACCESS_KEY_ID', 'MINIO_SECRET_ACCESS_KEY'),
      MINIO_ENDPOINT: endpointUrl(c, s3Endpoint),
      // mc keeps its aliases in its config dir, by default under a HOME the read-only root cannot write.
      MC_CONFIG_DIR: '/tmp/.mc',
      HOME: '/tmp',
    },
    resources: c.observability.minio.bucketJobResources,
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  });
  const rendered = job({
    name: bucketJobPrefix,
    namespace: c.namespace,
    annotations: { ...syncWave(syncWaves.buckets), 'argocd.argoproj.io/sync-options': 'Replace=true' },
    selector: selectorLabels('minio', 'buckets', c.partOf),
    backoffLimit: 60,
    pod: {
      containers: [client],
      volumes: [volume.emptyDir('tmp')],
      securityContext: restrictedPodSecurityContext(uid, uid),
    },
  });
  rendered.metadata = { ...rendered.metadata, name: bucketJobName(rendered.spec?.template) };
  return rendered;
}

function developmentSecret(c: ObservabilityStackConfig): Secret {
  const cred = c.storage.credentials;
  return secret({
    name: cred.secretName,
    namespace: c.namespace,
    labels: selectorLabels('minio', 'credentials', c.partOf),
    annotations: syncWave(syncWaves.storage),
    stringData: {
      [cred.accessKeyIdKey]: developmentCredential.accessKeyId,
      [cred.secretAccessKeyKey]: developmentCredential.secretAccessKey,
    },
  });
}

export interface MinioComponent {
  statefulSet: StatefulSet;
  service: Service;
  job: Job;
  /** Only with `storage.developmentCredentials`. */
  secret?: Secret;
}

/** Single-node MinIO with its buckets; the credentials Secret only when development credentials are asked for. */
export function minio(c: ObservabilityStackConfig): MinioComponent {
  const sts = minioStatefulSet(c);
  const out: MinioComponent = {
    statefulSet: sts,
    service: serviceFor(sts, { annotations: syncWave(syncWaves.storage) }),
    job: bucketJob(c),
  };
  if (c.storage.developmentCredentials) out.secret = developmentSecret(c);
  return out;
}

const s3BucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Build-time checks of the MinIO component as the environment leaves it: bucket names MinIO accepts,
 * a Job name that still matches its (possibly overridden) pod template, an endpoint that resolves.
 */
export function minioRules(c: ObservabilityStackConfig): Rule[] {
  const buckets: Rule = (ctx) => {
    if (!c.observability.minio.enabled) return [];
    const out: Problem[] = [];
    for (const [store, name] of Object.entries(c.storage.buckets)) {
      if (!s3BucketName.test(name) || name.includes('..')) {
        out.push({
          source: ctx.source,
          path: `config.storage.buckets.${store}`,
          message: `invalid S3 bucket name ${JSON.stringify(name)}`,
          expected: '3 to 63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit',
        });
      }
    }
    return out;
  };
  const jobs: Rule = (ctx) => {
    const out: Problem[] = [];
    for (const e of ctx.entries) {
      if (e.group !== 'observability' || e.component !== 'minio' || e.object.kind !== 'Job') continue;
      const jobObject = e.object as KubeObject & Job;
      const expected = bucketJobName(jobObject.spec?.template);
      if (jobObject.metadata?.name !== expected) {
        out.push(
          problemAt(ctx, e, {
            pointer: '/metadata/name',
            message:
              "the bucket Job's name does not match its pod template: Jobs are immutable, so applying a changed template under an old name fails",
            expected,
            found: String(jobObject.metadata?.name),
            hint: `set metadata.name to "${expected}" in the same override`,
          }),
        );
      }
      const containers = jobObject.spec?.template.spec?.containers ?? [];
      containers.forEach((k, i) => {
        (k.env ?? []).forEach((v, j) => {
          if (v.name !== 'MINIO_ENDPOINT' || v.value === undefined) return;
          const problem = serviceUrlProblem(
            ctx,
            e,
            v.value,
            `/spec/template/spec/containers/${i}/env/${j}/value`,
            c.clusterDomain,
          );
          if (problem) out.push(problem);
        });
      });
    }
    return out;
  };
  return [buckets, jobs];
}

/**
 * The bucket Job's name follows its pod template as the overrides leave it. A name the environment set
 * itself (different from the rendered one) is kept, and the check above holds it to the template.
 */
export function finaliseMinio(merged: MinioComponent, rendered: MinioComponent): MinioComponent {
  const j = merged.job;
  if (!j || j.metadata?.name !== rendered.job.metadata?.name) return merged;
  const name = bucketJobName(j.spec?.template);
  if (name === j.metadata?.name) return merged;
  return { ...merged, job: { ...j, metadata: { ...j.metadata, name } } };
}

/** MinIO: the stack's object storage unless `storage.endpoint` names another S3. */
export const minioComponent = defineComponent({
  group: 'observability',
  key: 'minio',
  description: 'MinIO object storage and the Job that creates the buckets',
  config: 'observability.minio',
  enabled: (c: ObservabilityStackConfig) => c.observability.minio.enabled,
  render: minio,
  checks: minioRules,
  endpoints: () => ({ s3: s3Endpoint }),
  finalise: finaliseMinio,
  metrics: () => [{ name: 'minio', ...minioMetrics, jobLabel: labelKeys.name }],
});
