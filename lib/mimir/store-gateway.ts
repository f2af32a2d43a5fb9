import type { StackConfig } from '../core/config.js';
import { statefulComponent, type StatefulParts } from './common.js';
import { targets } from './names.js';

/** Serves queries for blocks in object storage; keeps index headers on its volume. */
export function storeGateway(c: StackConfig): StatefulParts {
  return statefulComponent(c, {
    name: targets.storeGateway,
    target: targets.storeGateway,
    settings: c.mimir.storeGateway,
    runtimeConfig: true,
    gossip: true,
    objectStorage: true,
    strictNodeSpread: true,
    terminationGracePeriodSeconds: 120,
  });
}
