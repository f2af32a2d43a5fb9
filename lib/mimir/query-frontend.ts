import type { StackConfig } from '../core/config.js';
import type { Flags } from '../core/k8s/container.js';
import { headlessServiceFor } from '../core/k8s/service.js';
import type { Service } from '../core/k8s/types.js';
import { statelessComponent, type StatelessParts } from './common.js';
import type { MimirComponentConfig } from './config.js';
import { headlessService, portNames, targets } from './names.js';

export interface QueryFrontendParts extends StatelessParts {
  /** Only when the remote ruler queries this frontend: gRPC balances per pod over `dns:///`. */
  headlessService?: Service;
}

export function newQueryFrontend(c: StackConfig, name: string, settings: MimirComponentConfig, flags: Flags = {}, opts: { headless?: boolean } = {}): StatelessParts {
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
export function queryFrontend(c: StackConfig): QueryFrontendParts {
  const parts: QueryFrontendParts = newQueryFrontend(c, targets.queryFrontend, c.mimir.queryFrontend);
  const r = c.mimir.ruler;
  if (r.enabled && r.mode === 'remote' && !r.dedicatedReadPath) {
    parts.headlessService = headlessServiceFor(parts.deployment, { name: headlessService(targets.queryFrontend), portNames: [portNames.http, portNames.grpc] });
  }
  return parts;
}
