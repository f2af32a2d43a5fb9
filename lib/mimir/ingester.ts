import type { StackConfig } from '../core/config.js';
import { statefulComponent, type StatefulParts } from './common.js';
import { targets } from './names.js';

/** Holds recent samples in a TSDB on its volume and ships blocks to object storage. */
export function ingester(c: StackConfig): StatefulParts {
  return statefulComponent(c, {
    name: targets.ingester,
    target: targets.ingester,
    settings: c.mimir.ingester,
    runtimeConfig: true,
    gossip: true,
    objectStorage: true,
    strictNodeSpread: true,
    // Shutdown flushes the head and leaves the ring; cutting it short costs a WAL replay on restart.
    terminationGracePeriodSeconds: 1200,
  });
}
