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
 * | `config`              | configMap (`mimir.yaml`), runtimeConfigMap (`runtime.yaml`) | always                        |
 * | `gossip`              | service (`gossip-ring`, headless, memberlist seeds)  | always                               |
 */
import type { StackConfig } from '../core/config.js';
import type { Service } from '../core/k8s/types.js';
import { BuildError, type Problem } from '../core/problems.js';
import { alertmanager } from './alertmanager.js';
import type { StatefulParts, StatelessParts } from './common.js';
import { compactor } from './compactor.js';
import { mimirConfigMaps, type MimirConfigMaps } from './config-maps.js';
import { distributor } from './distributor.js';
import { gossipRingService } from './gossip.js';
import { ingester } from './ingester.js';
import { overridesExporter } from './overrides-exporter.js';
import { querier } from './querier.js';
import { queryFrontend, type QueryFrontendParts } from './query-frontend.js';
import { queryScheduler, type QuerySchedulerParts } from './query-scheduler.js';
import { ruler, rulerReadPath } from './ruler.js';
import { storeGateway } from './store-gateway.js';

export type { MimirConfig } from './config.js';
export { defaultMimirConfig } from './config.js';
export type { JsonObject, JsonValue, MimirComponentConfig, MimirFlags, MimirRulerConfig, MimirStatefulComponentConfig, MimirTenants } from './config.js';
export type { StatefulParts, StatelessParts } from './common.js';
export type { QueryFrontendParts } from './query-frontend.js';
export type { QuerySchedulerParts } from './query-scheduler.js';
export type { MimirConfigMaps } from './config-maps.js';
export { mimirRoutes } from './routes.js';
export { mimirRules } from './rules.js';
export { mimirYaml, runtimeYaml } from './mimir-yaml.js';

export interface MimirGroup {
  distributor: StatelessParts;
  ingester: StatefulParts;
  querier: StatelessParts;
  queryFrontend: QueryFrontendParts;
  queryScheduler: QuerySchedulerParts;
  storeGateway: StatefulParts;
  compactor: StatefulParts;
  alertmanager?: StatefulParts;
  overridesExporter?: StatelessParts;
  ruler?: StatelessParts;
  rulerQueryFrontend?: StatelessParts;
  rulerQueryScheduler?: QuerySchedulerParts;
  rulerQuerier?: StatelessParts;
  config: MimirConfigMaps;
  gossip: { service: Service };
}

/**
 * Builds every component even when one fails, so a bad config reports all its problems at once, each
 * named by the tree path of the component that threw.
 */
class Collector {
  readonly problems: Problem[] = [];
  build<T>(key: string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof BuildError) this.problems.push(...err.problems);
      else this.problems.push({ path: `mimir.${key}`, message: err instanceof Error ? err.message : String(err), hint: `check config.mimir.${key}` });
      return undefined as T;
    }
  }
}

export function mimir(c: StackConfig): MimirGroup {
  const m = c.mimir;
  const collector = new Collector();
  const group: MimirGroup = {
    distributor: collector.build('distributor', () => distributor(c)),
    ingester: collector.build('ingester', () => ingester(c)),
    querier: collector.build('querier', () => querier(c)),
    queryFrontend: collector.build('queryFrontend', () => queryFrontend(c)),
    queryScheduler: collector.build('queryScheduler', () => queryScheduler(c)),
    storeGateway: collector.build('storeGateway', () => storeGateway(c)),
    compactor: collector.build('compactor', () => compactor(c)),
    config: collector.build('config', () => mimirConfigMaps(c)),
    gossip: { service: gossipRingService(c) },
  };
  if (m.alertmanager.enabled) group.alertmanager = collector.build('alertmanager', () => alertmanager(c));
  if (m.overridesExporter.enabled) group.overridesExporter = collector.build('overridesExporter', () => overridesExporter(c));
  if (m.ruler.enabled) {
    group.ruler = collector.build('ruler', () => ruler(c));
    if (m.ruler.mode === 'remote' && m.ruler.dedicatedReadPath) {
      const readPath = collector.build('ruler.readPath', () => rulerReadPath(c));
      if (readPath) Object.assign(group, readPath);
    }
  }
  if (collector.problems.length) throw new BuildError(collector.problems);
  return group;
}
