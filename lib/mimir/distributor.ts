import type { StackConfig } from '../core/config.js';
import { statelessComponent, type StatelessParts } from './common.js';
import { targets } from './names.js';

/** Receives writes (remote write, OTLP) and forwards each series to its ingesters. */
export function distributor(c: StackConfig): StatelessParts {
  return statelessComponent(c, {
    name: targets.distributor,
    target: targets.distributor,
    settings: c.mimir.distributor,
    runtimeConfig: true,
    gossip: true,
    objectStorage: false,
    // In-flight pushes finish; clients retry the rest against other replicas.
    terminationGracePeriodSeconds: 100,
  });
}
