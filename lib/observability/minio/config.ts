import type { ResourceSpec } from '../../core/k8s/container.js';

/**
 * The stack's own S3 (MinIO, single node) for blocks, rules and alertmanager state. Production
 * environments usually disable it and point `storage.endpoint` at an external S3.
 */
export interface MinioConfig {
  enabled: boolean;
  /** Size of the data volume. */
  storageSize: string;
  /** Storage class of the data volume; unset means the cluster's default class. */
  storageClassName?: string;
  resources: ResourceSpec;
  /** Resources of the Job that creates the buckets. */
  bucketJobResources: ResourceSpec;
}

export function defaultMinioConfig(): MinioConfig {
  return {
    enabled: true,
    storageSize: '10Gi',
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    bucketJobResources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
  };
}
