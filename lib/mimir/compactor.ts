import type { StackConfig } from '../core/config.js';
import { statefulComponent, type StatefulParts } from './common.js';
import { targets } from './names.js';

/** Compacts blocks in object storage and applies retention; also receives block uploads. */
export function compactor(c: StackConfig): StatefulParts {
  return statefulComponent(c, {
    name: targets.compactor,
    target: targets.compactor,
    settings: c.mimir.compactor,
    runtimeConfig: true,
    gossip: true,
    objectStorage: true,
    // A compaction interrupted midway is redone from scratch.
    terminationGracePeriodSeconds: 900,
  });
}
