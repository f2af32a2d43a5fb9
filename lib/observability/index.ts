import { BuildError } from '../core/problems.js';
import { renderComponents, type GroupOf, type StackView } from '../core/registry.js';
import { defaultAlloyConfig, type AlloyConfig } from './alloy/config.js';
import { alloyComponent } from './alloy/index.js';
import type { ObservabilityStackConfig } from './config.js';
import { defaultGatewayConfig, type GatewayConfig } from './gateway/config.js';
import { gatewayComponent } from './gateway/index.js';
import { defaultGrafanaConfig, type GrafanaConfig } from './grafana/config.js';
import { grafanaComponent } from './grafana/index.js';
import { defaultKafkaConfig, type KafkaConfig } from './kafka/config.js';
import { kafkaComponent } from './kafka/index.js';
import { defaultMinioConfig, type MinioConfig } from './minio/config.js';
import { minioComponent } from './minio/index.js';

export type { ObservabilityStackConfig } from './config.js';
export type { KafkaConfig } from './kafka/config.js';
export type { KafkaComponent } from './kafka/index.js';

/** Each neighbour's config slice, `config.observability.<key>`; a new neighbour adds its slice and default here. */
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

/** The neighbours of Mimir, in the order the tree, the README and Alloy's scrape jobs list them. */
export const observabilityComponents = [
  minioComponent,
  kafkaComponent,
  gatewayComponent,
  grafanaComponent,
  alloyComponent,
] as const;

/** The `observability` group of the tree; a disabled component renders nothing. */
export type ObservabilityGroup = GroupOf<typeof observabilityComponents>;

/** Object storage, the gateway on 8080, Grafana and Alloy, each from its descriptor. */
export function observability(c: ObservabilityStackConfig, stack: StackView): ObservabilityGroup {
  const { parts, problems } = renderComponents(observabilityComponents, c, stack);
  if (problems.length) throw new BuildError(problems);
  return parts;
}
