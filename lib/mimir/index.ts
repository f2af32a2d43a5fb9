/**
 * Grafana Mimir in microservices mode. `mimir(c)` returns the `mimir` group of the tree; its component
 * keys (stable, so overrides can address them, e.g. `overrides.mimir.ingester.statefulSet`):
 *
 * | key                   | objects                                              | present when                         |
 * |-----------------------|------------------------------------------------------|--------------------------------------|
 * | `distributor`         | deployment, service, pdb                             | always                               |
 * | `ingester`            | statefulSet, service, pdb                            | always                               |
 * | `querier`             | deployment, service, pdb                             | always                               |
 * | `queryFrontend`       | deployment, service, pdb, headlessService            | always (headless: remote ruler only) |
 * | `queryScheduler`      | deployment, service, discoveryService, pdb           | always                               |
 * | `storeGateway`        | statefulSet, service, pdb                            | always                               |
 * | `compactor`           | statefulSet, service, pdb                            | always                               |
 * | `alertmanager`        | statefulSet, service, pdb                            | `alertmanager.enabled`               |
 * | `overridesExporter`   | deployment, service, pdb                             | `overridesExporter.enabled`          |
 * | `ruler`               | deployment, service, pdb                             | `ruler.enabled`                      |
 * | `rulerQueryFrontend`  | deployment, service (headless), pdb                  | ruler remote + `dedicatedReadPath`   |
 * | `rulerQueryScheduler` | deployment, service, discoveryService, pdb           | ruler remote + `dedicatedReadPath`   |
 * | `rulerQuerier`        | deployment, service, pdb                             | ruler remote + `dedicatedReadPath`   |
 * | `continuousTest`      | deployment, service, pdb                             | `continuousTest.enabled`             |
 * | `blockBuilder`        | deployment, service, pdb                             | `blockBuilder.enabled` (ingest storage) |
 * | `blockBuilderScheduler` | deployment, service, pdb                           | `blockBuilderScheduler.enabled`      |
 * | `rolloutOperator`     | deployment, serviceAccount, role, roleBinding, pdb   | a zone-aware component               |
 * | `selfMonitoringRules` | configMap (rules, routing), job (mimirtool uploads)  | `selfMonitoring` + `selfMonitoringRules.enabled` |
 * | `config`              | configMap (`mimir.yaml`), runtimeConfigMap (`runtime.yaml`) | always                        |
 * | `gossip`              | service (`gossip-ring`, headless, memberlist seeds)  | always                               |
 * | `chunksCache`, `indexCache`, `metadataCache`, `resultsCache` | statefulSet, service (headless), pdb | `caches.<cache>.enabled` |
 *
 * With zones (`zoneAwareness.zones`), a zone-aware `ingester`, `storeGateway` or `alertmanager` holds
 * `statefulSet-<zone>` and `service-<zone>` (headless) per zone instead of `statefulSet`, plus the shared
 * `service` and one `pdb` over the rollout group (`ZonedParts`).
 */
import {
  defaultMimirSharedConfig,
  type MimirComponentConfig,
  type MimirConfig,
  type MimirStackConfig,
  type MimirStatefulComponentConfig,
  type MimirZonedComponentConfig,
} from './config.js';
import { BuildError } from '../core/problems.js';
import { renderComponents, type GroupOf, type StackView } from '../core/registry.js';
import { alertmanagerComponent, defaultAlertmanagerConfig, type MimirAlertmanagerConfig } from './alertmanager.js';
import { cacheComponents } from './caches/index.js';
import { defaultCachesConfig, type MimirCachesConfig } from './caches/config.js';
import { compactorComponent, defaultCompactorConfig } from './compactor.js';
import {
  continuousTestComponent,
  defaultContinuousTestConfig,
  type MimirContinuousTestConfig,
} from './continuous-test.js';
import { configComponent } from './config-maps.js';
import { blockBuilderComponent, defaultBlockBuilderConfig, type MimirBlockBuilderConfig } from './block-builder.js';
import {
  blockBuilderSchedulerComponent,
  defaultBlockBuilderSchedulerConfig,
  type MimirBlockBuilderSchedulerConfig,
} from './block-builder-scheduler.js';
import { defaultDistributorConfig, distributorComponent } from './distributor.js';
import { gossipComponent } from './gossip.js';
import { defaultIngesterConfig, ingesterComponent } from './ingester.js';
import {
  defaultOverridesExporterConfig,
  overridesExporterComponent,
  type MimirOverridesExporterConfig,
} from './overrides-exporter.js';
import { defaultQuerierConfig, querierComponent } from './querier.js';
import { defaultQueryFrontendConfig, queryFrontendComponent } from './query-frontend.js';
import { defaultQuerySchedulerConfig, querySchedulerComponent } from './query-scheduler.js';
import {
  defaultRulerConfig,
  rulerComponent,
  rulerQuerierComponent,
  rulerQueryFrontendComponent,
  rulerQuerySchedulerComponent,
  type MimirRulerConfig,
} from './ruler.js';
import { defaultStoreGatewayConfig, storeGatewayComponent } from './store-gateway.js';
import { rolloutOperatorComponent } from './rollout-operator/index.js';
import { selfMonitoringRulesComponent } from './self-monitoring-rules/index.js';
import {
  defaultSelfMonitoringRulesConfig,
  type MimirSelfMonitoringRulesConfig,
} from './self-monitoring-rules/config.js';
import { defaultRolloutOperatorConfig, type RolloutOperatorConfig } from './rollout-operator/config.js';

export type { MimirConfig, MimirStackConfig } from './config.js';
export type {
  JsonObject,
  JsonValue,
  MimirArchitecture,
  MimirComponentConfig,
  MimirIngestStorageConfig,
  MimirKafkaConfig,
  MimirKafkaSaslConfig,
  MimirFlags,
  MimirStatefulComponentConfig,
  MimirTenants,
} from './config.js';
export type { MimirAlertmanagerConfig } from './alertmanager.js';
export type { MimirOverridesExporterConfig } from './overrides-exporter.js';
export type { MimirRulerConfig, MimirRulerReadPathConfig } from './ruler.js';
export type { StatefulParts, StatelessParts, ZonedParts } from './common.js';
export type { SelfMonitoringRulesParts } from './self-monitoring-rules/index.js';
export type { MimirContinuousTestConfig } from './continuous-test.js';
export type { MimirBlockBuilderConfig } from './block-builder.js';
export type { MimirBlockBuilderSchedulerConfig } from './block-builder-scheduler.js';
export type { QueryFrontendParts } from './query-frontend.js';
export type { QuerySchedulerParts } from './query-scheduler.js';
export type { MimirConfigMaps } from './config-maps.js';
export type { CacheParts, MimirCacheConfig, MimirCachesConfig } from './caches/index.js';
export type { AutoscalingSignal, ComponentAutoscalingConfig, MimirAutoscalingConfig } from './autoscaling/config.js';
export { mimirRoutes } from './routes.js';
export { mimirRules } from './rules.js';
export { mimirYaml, objectStorageEndpoint, runtimeYaml } from './mimir-yaml.js';
export { ingestStorageFlags, kafkaAddress } from './ingest-storage.js';

/**
 * Each component's config slice, `config.mimir.<key>`: the registry's half of `MimirConfig` (the other half,
 * the stack-wide knobs, is `MimirSharedConfig`). A new component adds its slice here and its default below.
 */
export interface MimirComponentsConfig {
  distributor: MimirComponentConfig;
  ingester: MimirZonedComponentConfig;
  querier: MimirComponentConfig;
  queryFrontend: MimirComponentConfig;
  queryScheduler: MimirComponentConfig;
  storeGateway: MimirZonedComponentConfig;
  compactor: MimirStatefulComponentConfig;
  alertmanager: MimirAlertmanagerConfig;
  overridesExporter: MimirOverridesExporterConfig;
  ruler: MimirRulerConfig;
  /** Mimir's continuous test, off unless enabled. */
  continuousTest: MimirContinuousTestConfig;
  /** Mimir's block-builder (ingest storage), off unless enabled together with its scheduler. */
  blockBuilder: MimirBlockBuilderConfig;
  /** The block-builder-scheduler, which leases jobs over the Kafka partitions to the block-builders. */
  blockBuilderScheduler: MimirBlockBuilderSchedulerConfig;
  /** The memcached caches (chunks, index, metadata, results), each off unless enabled. */
  caches: MimirCachesConfig;
  /** The rollout-operator, which rolls zone-aware StatefulSets one zone at a time. */
  rolloutOperator: RolloutOperatorConfig;
  /** The stack's own alerting and recording rules and alert routing, for the self-monitoring tenant. */
  selfMonitoringRules: MimirSelfMonitoringRulesConfig;
}

/**
 * Defaults sized for a small production installation with upstream's replication factor 3; the local
 * environment scales everything to one replica and turns on `fastStartup`.
 */
export function defaultMimirConfig(): MimirConfig {
  return {
    ...defaultMimirSharedConfig(),
    distributor: defaultDistributorConfig(),
    ingester: defaultIngesterConfig(),
    querier: defaultQuerierConfig(),
    queryFrontend: defaultQueryFrontendConfig(),
    queryScheduler: defaultQuerySchedulerConfig(),
    storeGateway: defaultStoreGatewayConfig(),
    compactor: defaultCompactorConfig(),
    alertmanager: defaultAlertmanagerConfig(),
    overridesExporter: defaultOverridesExporterConfig(),
    ruler: defaultRulerConfig(),
    continuousTest: defaultContinuousTestConfig(),
    blockBuilder: defaultBlockBuilderConfig(),
    blockBuilderScheduler: defaultBlockBuilderSchedulerConfig(),
    caches: defaultCachesConfig(),
    rolloutOperator: defaultRolloutOperatorConfig(),
    selfMonitoringRules: defaultSelfMonitoringRulesConfig(),
  };
}

/** Every Mimir component, in the order the tree and the README list them. */
export const mimirComponents = [
  distributorComponent,
  ingesterComponent,
  querierComponent,
  queryFrontendComponent,
  querySchedulerComponent,
  storeGatewayComponent,
  compactorComponent,
  alertmanagerComponent,
  overridesExporterComponent,
  rulerComponent,
  rulerQueryFrontendComponent,
  rulerQuerySchedulerComponent,
  rulerQuerierComponent,
  continuousTestComponent,
  blockBuilderComponent,
  blockBuilderSchedulerComponent,
  rolloutOperatorComponent,
  selfMonitoringRulesComponent,
  configComponent,
  gossipComponent,
  ...cacheComponents,
] as const;

/** The `mimir` group of the tree; `stack` answers for the neighbours it uses (the object storage's endpoint). */
export function mimir(c: MimirStackConfig, stack: StackView): MimirGroup {
  const { parts, problems } = renderComponents(mimirComponents, c, stack);
  if (problems.length) throw new BuildError(problems);
  return parts;
}

/** The `mimir` group of the tree, from the registry: always-rendered components required, the rest optional. */
export type MimirGroup = GroupOf<typeof mimirComponents>;
