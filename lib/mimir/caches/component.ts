import type { MimirStackConfig } from '../config.js';
import { labelKeys } from '../../core/k8s/meta.js';
import { defineComponent, type StackView } from '../../core/registry.js';
import {
  cacheEndpoint,
  cacheSettings,
  cacheYaml,
  memcachedPortNames,
  renderCache,
  type CacheSpec,
} from './memcached.js';
import { cacheRules } from './rules.js';

/** A cache as a registry descriptor. */
export function cacheComponent<K extends string>(spec: CacheSpec<K>) {
  return defineComponent({
    group: 'mimir',
    key: spec.key,
    description: spec.description,
    config: `mimir.caches.${spec.slice}`,
    enabled: (c: MimirStackConfig) => cacheSettings(c, spec).enabled,
    render: (c: MimirStackConfig) => renderCache(c, spec),
    checks: (c: MimirStackConfig) => cacheRules(c, spec),
    endpoints: () => ({ client: cacheEndpoint(spec) }),
    // Its client block: where the store-gateway or query-frontend finds it, and how it is sized.
    mimirYaml: (c: MimirStackConfig, stack: StackView) => cacheYaml(c, spec, stack),
    metrics: () => [
      {
        name: spec.name.replace(/-/g, '_'),
        app: spec.name,
        port: memcachedPortNames.metrics,
        path: '/metrics',
        jobLabel: labelKeys.name,
      },
    ],
  });
}
