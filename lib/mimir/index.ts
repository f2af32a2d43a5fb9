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
import type { MimirStackConfig } from './config.js';
import type { Service } from '../core/k8s/types.js';
import { BuildError } from '../core/problems.js';
import { renderComponents, type StackView } from '../core/registry.js';
import { alertmanagerComponent } from './alertmanager.js';
import { cacheComponents, type CacheParts } from './caches/index.js';
import type { StatefulParts, StatelessParts, ZonedParts } from './common.js';
import { compactorComponent } from './compactor.js';
import { continuousTestComponent } from './continuous-test.js';
import { configComponent, type MimirConfigMaps } from './config-maps.js';
import { distributorComponent } from './distributor.js';
import { gossipComponent } from './gossip.js';
import { ingesterComponent } from './ingester.js';
import { overridesExporterComponent } from './overrides-exporter.js';
import { querierComponent } from './querier.js';
import { queryFrontendComponent, type QueryFrontendParts } from './query-frontend.js';
import { querySchedulerComponent, type QuerySchedulerParts } from './query-scheduler.js';
import {
  rulerComponent,
  rulerQuerierComponent,
  rulerQueryFrontendComponent,
  rulerQuerySchedulerComponent,
} from './ruler.js';
import { storeGatewayComponent } from './store-gateway.js';
import { rolloutOperatorComponent, type RolloutOperatorParts } from './rollout-operator/index.js';
import { selfMonitoringRulesComponent, type SelfMonitoringRulesParts } from './self-monitoring-rules/index.js';

export type { MimirConfig, MimirStackConfig } from './config.js';
export { defaultMimirConfig } from './config.js';
export type {
  JsonObject,
  JsonValue,
  MimirComponentConfig,
  MimirFlags,
  MimirRulerConfig,
  MimirStatefulComponentConfig,
  MimirTenants,
} from './config.js';
export type { StatefulParts, StatelessParts, ZonedParts } from './common.js';
export type { SelfMonitoringRulesParts } from './self-monitoring-rules/index.js';
export type { QueryFrontendParts } from './query-frontend.js';
export type { QuerySchedulerParts } from './query-scheduler.js';
export type { MimirConfigMaps } from './config-maps.js';
export type { CacheParts, MimirCacheConfig, MimirCachesConfig } from './caches/index.js';
export { mimirRoutes } from './routes.js';
export { mimirRules } from './rules.js';
export { mimirYaml, objectStorageEndpoint, runtimeYaml } from './mimir-yaml.js';

/** A type alias rather than an interface: tree walkers index it by component key. */
export type MimirGroup = {
  distributor: StatelessParts;
  ingester: StatefulParts | ZonedParts;
  querier: StatelessParts;
  queryFrontend: QueryFrontendParts;
  queryScheduler: QuerySchedulerParts;
  storeGateway: StatefulParts | ZonedParts;
  compactor: StatefulParts;
  alertmanager?: StatefulParts | ZonedParts;
  overridesExporter?: StatelessParts;
  ruler?: StatelessParts;
  rulerQueryFrontend?: StatelessParts;
  rulerQueryScheduler?: QuerySchedulerParts;
  rulerQuerier?: StatelessParts;
  continuousTest?: StatelessParts;
  rolloutOperator?: RolloutOperatorParts;
  selfMonitoringRules?: SelfMonitoringRulesParts;
  config: MimirConfigMaps;
  gossip: { service: Service };
  chunksCache?: CacheParts;
  indexCache?: CacheParts;
  metadataCache?: CacheParts;
  resultsCache?: CacheParts;
};

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
  return parts as MimirGroup;
}
