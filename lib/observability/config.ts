import type { SharedConfig } from '../core/config.js';
import type { ObservabilityConfig } from './index.js';

/** What the neighbours read: the shared config and the `observability` slice (declared by the registry, `index.ts`). */
export interface ObservabilityStackConfig extends SharedConfig {
  observability: ObservabilityConfig;
}
