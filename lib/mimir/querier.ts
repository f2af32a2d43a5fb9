import { component, type MimirComponentConfig, type MimirStackConfig } from './config.js';
import type { Flags } from '../core/k8s/container.js';
import { statelessComponent, type StatelessParts } from './common.js';
import { targets } from './names.js';
import { defineComponent } from '../core/registry.js';

export function defaultQuerierConfig(): MimirComponentConfig {
  return component(2, '500m', '1Gi');
}

/** A querier deployment under any name: the user-facing one, or the ruler's own. */
export function newQuerier(
  c: MimirStackConfig,
  name: string,
  settings: MimirComponentConfig,
  flags: Flags = {},
): StatelessParts {
  return statelessComponent(c, {
    name,
    target: targets.querier,
    settings,
    flags,
    runtimeConfig: true,
    gossip: true,
    objectStorage: true,
    // Running queries get time to finish after the scheduler stops sending new ones.
    terminationGracePeriodSeconds: 180,
  });
}

/** Pulls queries from the query-scheduler and evaluates them against ingesters and store-gateways. */
export function querier(c: MimirStackConfig): StatelessParts {
  return newQuerier(c, targets.querier, c.mimir.querier);
}

/** Evaluates PromQL over ingesters and store-gateways. */
export const querierComponent = defineComponent({
  group: 'mimir',
  key: 'querier',
  description: 'Evaluates PromQL over ingesters and store-gateways',
  config: 'mimir.querier',
  enabled: () => true,
  render: querier,
});
