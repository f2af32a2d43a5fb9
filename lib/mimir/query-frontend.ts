import { component, type MimirComponentConfig, type MimirStackConfig } from './config.js';
import type { Flags } from '../core/k8s/container.js';
import { headlessServiceFor } from '../core/k8s/service.js';
import type { Service } from '../core/k8s/types.js';
import { statelessComponent, type StatelessParts } from './common.js';
import { headlessService, portNames, targets } from './names.js';
import { defineComponent } from '../core/registry.js';
import { routesOf } from './routes.js';

export function defaultQueryFrontendConfig(): MimirComponentConfig {
  return component(2, '250m', '512Mi');
}

export interface QueryFrontendParts extends StatelessParts {
  /** Only when the remote ruler queries this frontend: gRPC balances per pod over `dns:///`. */
  headlessService?: Service;
}

export function newQueryFrontend(
  c: MimirStackConfig,
  name: string,
  settings: MimirComponentConfig,
  flags: Flags = {},
  opts: { headless?: boolean } = {},
): StatelessParts {
  return statelessComponent(
    c,
    {
      name,
      target: targets.queryFrontend,
      settings,
      flags,
      runtimeConfig: true,
      // Reads the ingester rings (memberlist) to plan queries.
      gossip: true,
      objectStorage: false,
      terminationGracePeriodSeconds: 180,
    },
    { headlessService: opts.headless },
  );
}

/** Splits, shards and queues queries (Prometheus API under `/prometheus`). */
export function queryFrontend(c: MimirStackConfig): QueryFrontendParts {
  const parts: QueryFrontendParts = newQueryFrontend(c, targets.queryFrontend, c.mimir.queryFrontend);
  const r = c.mimir.ruler;
  if (r.enabled && r.mode === 'remote' && !r.dedicatedReadPath) {
    parts.headlessService = headlessServiceFor(parts.deployment, {
      name: headlessService(targets.queryFrontend),
      portNames: [portNames.http, portNames.grpc],
    });
  }
  return parts;
}

/** Splits, shards and queues queries; the Prometheus API. */
export const queryFrontendComponent = defineComponent({
  group: 'mimir',
  key: 'queryFrontend',
  description: 'Splits, shards and queues queries; the Prometheus API',
  config: 'mimir.queryFrontend',
  enabled: () => true,
  render: queryFrontend,
  routes: routesOf.queryFrontend,
});
