import type { ResourceSpec } from '../../core/k8s/container.js';

/**
 * The stack's own Apache Kafka (one node, KRaft combined mode: broker and controller in one process) for
 * the ingest-storage architecture on laptops and in tests. Production points
 * `config.mimir.ingestStorage.kafka` at an existing, replicated Kafka cluster instead and leaves this off.
 */
export interface KafkaConfig {
  /** Render the single-node Kafka (`config.mimir.ingestStorage.kafka.source: 'bundled'` needs it). */
  enabled: boolean;
  /** Size of the data volume (`log.dirs`). */
  storageSize: string;
  /** Storage class of the data volume; unset means the cluster's default class. */
  storageClassName?: string;
  /** Requests (and limits) of the broker container; the storage-format init container uses the same. */
  resources: ResourceSpec;
  /**
   * JVM heap (`-Xms` and `-Xmx`), a Java size such as `256m`; keep it well below the memory limit: the
   * page cache and the JVM's own memory come on top.
   */
  heap: string;
  /**
   * KRaft cluster ID written into the data volume on first start: a base64url-encoded UUID (22 characters).
   * Changing it on an existing volume makes the broker refuse to start.
   */
  clusterId: string;
  /**
   * How long the broker keeps records, in hours (`log.retention.hours`). Ingesters replay from their committed
   * offset after a restart, so this only has to cover the longest outage of an ingester.
   * @TJS-type integer
   * @minimum 1
   */
  retentionHours: number;
}

export function defaultKafkaConfig(): KafkaConfig {
  return {
    enabled: false,
    storageSize: '5Gi',
    resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } },
    heap: '256m',
    // base64url of the 16 bytes "mimir-kube-kafka": fixed, so a re-rendered StatefulSet keeps its volume's identity.
    clusterId: 'bWltaXIta3ViZS1rYWZrYQ',
    retentionHours: 24,
  };
}
