import { stateful, type MimirStackConfig, type MimirZonedComponentConfig } from './config.js';
import { statefulComponent, zonedStatefulComponent, type StatefulParts, type ZonedParts } from './common.js';
import { isZoneAware } from './zones.js';
import { targets } from './names.js';
import { defineComponent, type StackView } from '../core/registry.js';
import { blockBuilderIngesterFlags } from './block-builder.js';

export function defaultIngesterConfig(): MimirZonedComponentConfig {
  return { ...stateful(3, '1', '2Gi', '20Gi'), zoneAware: 'auto' };
}

/** Holds recent samples in a TSDB on its volume and ships blocks to object storage. */
export function ingester(c: MimirStackConfig, stack: StackView): StatefulParts | ZonedParts {
  const spec = {
    name: targets.ingester,
    target: targets.ingester,
    settings: c.mimir.ingester,
    // When block-builders build the blocks, the ingesters stop uploading their own.
    flags: blockBuilderIngesterFlags(c, stack),
    runtimeConfig: true,
    gossip: true,
    objectStorage: true,
    strictNodeSpread: true,
    // Shutdown flushes the head and leaves the ring; cutting it short costs a WAL replay on restart.
    terminationGracePeriodSeconds: 1200,
  };
  return isZoneAware(c, 'ingester') ? zonedStatefulComponent(c, 'ingester', spec) : statefulComponent(c, spec);
}

/** Keeps recent samples in memory and on disk, uploads blocks. */
export const ingesterComponent = defineComponent({
  group: 'mimir',
  key: 'ingester',
  description: 'Keeps recent samples in memory and on disk, uploads blocks',
  config: 'mimir.ingester',
  enabled: () => true,
  render: ingester,
});
