import { component, type MimirComponentConfig, type MimirStackConfig } from './config.js';
import { statelessComponent, type StatelessParts } from './common.js';
import { targets } from './names.js';
import { defineComponent } from '../core/registry.js';

export interface MimirOverridesExporterConfig extends MimirComponentConfig {
  /** Run the overrides-exporter, which exposes per-tenant limits as metrics. */
  enabled: boolean;
}

export function defaultOverridesExporterConfig(): MimirOverridesExporterConfig {
  return { ...component(1, '100m', '128Mi'), enabled: true };
}

/** Exposes the per-tenant limits of the runtime overrides file as metrics. */
export function overridesExporter(c: MimirStackConfig): StatelessParts {
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

/** Exports per-tenant limits as metrics. */
export const overridesExporterComponent = defineComponent({
  group: 'mimir',
  key: 'overridesExporter',
  description: 'Exports per-tenant limits as metrics',
  config: 'mimir.overridesExporter',
  enabled: (c: MimirStackConfig) => c.mimir.overridesExporter.enabled,
  render: overridesExporter,
});
