import { component, type MimirComponentConfig, type MimirStackConfig } from './config.js';
import { defineComponent } from '../core/registry.js';
import { routesOf } from './routes.js';
import { statelessComponent, type StatelessParts } from './common.js';
import { names, targets } from './names.js';
import { schedulerAddress } from './mimir-yaml.js';
import { newQuerier } from './querier.js';
import { newQueryFrontend } from './query-frontend.js';
import { newQueryScheduler, type QuerySchedulerParts } from './query-scheduler.js';

/** The ruler's own read path (remote mode only): query-frontend, query-scheduler and querier kept apart from user queries. */
export interface MimirRulerReadPathConfig {
  queryFrontend: MimirComponentConfig;
  queryScheduler: MimirComponentConfig;
  querier: MimirComponentConfig;
}

export interface MimirRulerConfig extends MimirComponentConfig {
  /** Run the ruler (recording and alerting rules). */
  enabled: boolean;
  /**
   * `internal`: the ruler evaluates rules itself (queries ingesters and store-gateways directly).
   * `remote`: the ruler sends each rule's query to a query-frontend over gRPC.
   */
  mode: 'internal' | 'remote';
  /** In remote mode, query through a dedicated ruler-query-frontend/-scheduler/-querier instead of the user-facing read path. */
  dedicatedReadPath: boolean;
  /** Replicas, resources and flags of the dedicated read path. */
  readPath: MimirRulerReadPathConfig;
}

export function defaultRulerConfig(): MimirRulerConfig {
  return {
    ...component(2, '250m', '512Mi'),
    enabled: true,
    mode: 'remote',
    dedicatedReadPath: false,
    readPath: {
      queryFrontend: component(2, '250m', '512Mi'),
      queryScheduler: component(2, '100m', '128Mi'),
      querier: component(2, '500m', '1Gi'),
    },
  };
}

/**
 * Evaluates recording and alerting rules. Internal mode queries ingesters and store-gateways itself;
 * remote mode sends each query to a query-frontend (`ruler.query_frontend.address` in mimir.yaml).
 */
export function ruler(c: MimirStackConfig): StatelessParts {
  return statelessComponent(c, {
    name: targets.ruler,
    target: targets.ruler,
    settings: c.mimir.ruler,
    runtimeConfig: true,
    gossip: true,
    objectStorage: true,
    // A rule group evaluation in progress completes and its notifications go out.
    terminationGracePeriodSeconds: 600,
  });
}

export interface RulerReadPath {
  rulerQueryFrontend: StatelessParts;
  rulerQueryScheduler: QuerySchedulerParts;
  rulerQuerier: StatelessParts;
}

/**
 * The ruler's own query-frontend, query-scheduler and querier (remote mode), so heavy dashboards
 * cannot delay rule evaluation and vice versa. They share mimir.yaml and differ by flags only.
 */
export function rulerReadPath(c: MimirStackConfig): RulerReadPath {
  const p = c.mimir.ruler.readPath;
  const scheduler = schedulerAddress(c, names.rulerQueryScheduler);
  return {
    rulerQueryFrontend: newQueryFrontend(
      c,
      names.rulerQueryFrontend,
      p.queryFrontend,
      // Rule queries never repeat a range, so a results cache would only cost memory.
      { 'query-frontend.scheduler-address': scheduler, 'query-frontend.cache-results': false },
      // The ruler balances gRPC per pod over `dns:///`, which needs one address per pod.
      { headless: true },
    ),
    rulerQueryScheduler: newQueryScheduler(c, names.rulerQueryScheduler, p.queryScheduler),
    rulerQuerier: newQuerier(c, names.rulerQuerier, p.querier, { 'querier.scheduler-address': scheduler }),
  };
}

function hasReadPath(c: MimirStackConfig): boolean {
  const r = c.mimir.ruler;
  return r.enabled && r.mode === 'remote' && r.dedicatedReadPath;
}

/** Evaluates recording and alerting rules (internal or remote mode). */
export const rulerComponent = defineComponent({
  group: 'mimir',
  key: 'ruler',
  description: 'Evaluates recording and alerting rules (internal or remote mode)',
  config: 'mimir.ruler',
  enabled: (c: MimirStackConfig) => c.mimir.ruler.enabled,
  render: ruler,
  routes: routesOf.ruler,
});

/** One component of the remote ruler's own read path (`dedicatedReadPath`). */
function readPathComponent<K extends 'rulerQueryFrontend' | 'rulerQueryScheduler' | 'rulerQuerier'>(
  key: K,
  description: string,
) {
  return defineComponent({
    group: 'mimir',
    key,
    description,
    config: 'mimir.ruler.readPath',
    enabled: hasReadPath,
    render: (c: MimirStackConfig) => rulerReadPath(c)[key],
  });
}

export const rulerQueryFrontendComponent = readPathComponent(
  'rulerQueryFrontend',
  "The remote ruler's own query-frontend",
);
export const rulerQuerySchedulerComponent = readPathComponent(
  'rulerQueryScheduler',
  "The remote ruler's own query-scheduler",
);
export const rulerQuerierComponent = readPathComponent('rulerQuerier', "The remote ruler's own querier");
