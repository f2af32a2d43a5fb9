import type { SharedConfig } from '../core/config.js';
import { defaultAlloyConfig, type AlloyConfig } from './alloy/config.js';
import { defaultGatewayConfig, type GatewayConfig } from './gateway/config.js';
import { defaultGrafanaConfig, type GrafanaConfig } from './grafana/config.js';
import { defaultKafkaConfig, type KafkaConfig } from './kafka/config.js';
import { defaultMinioConfig, type MinioConfig } from './minio/config.js';

export interface ObservabilityConfig {
  minio: MinioConfig;
  /** Single-node Kafka for the ingest-storage architecture (off unless enabled). */
  kafka: KafkaConfig;
  gateway: GatewayConfig;
  grafana: GrafanaConfig;
  alloy: AlloyConfig;
}

export function defaultObservabilityConfig(): ObservabilityConfig {
  return {
    minio: defaultMinioConfig(),
    kafka: defaultKafkaConfig(),
    gateway: defaultGatewayConfig(),
    grafana: defaultGrafanaConfig(),
    alloy: defaultAlloyConfig(),
  };
}

/** What the neighbours read: the shared config and the `observability` slice. */
export interface ObservabilityStackConfig extends SharedConfig {
  observability: ObservabilityConfig;
}
