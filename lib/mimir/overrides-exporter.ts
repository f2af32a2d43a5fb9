import type { StackConfig } from '../core/config.js';
import { statelessComponent, type StatelessParts } from './common.js';
import { targets } from './names.js';

/** Exposes the per-tenant limits of the runtime overrides file as metrics. */
export function overridesExporter(c: StackConfig): StatelessParts {
  return statelessComponent(c, {
    name: targets.overridesExporter,
    target: targets.overridesExporter,
    settings: c.mimir.overridesExporter,
    runtimeConfig: true,
    gossip: false,
    objectStorage: false,
    terminationGracePeriodSeconds: 30,
  });
}
