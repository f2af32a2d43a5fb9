import { defaultSharedConfig, type SharedConfig } from '../core/config.js';
import { defaultMimirConfig, type MimirConfig } from '../mimir/config.js';
import { defaultObservabilityConfig, type ObservabilityConfig } from '../observability/config.js';

export { serviceHost, storageEndpoint } from '../core/config.js';
export type { GitOpsConfig, Images, SharedConfig, StorageConfig } from '../core/config.js';

/** Everything an environment can set. Every field has a default in `defaultConfig()`. */
export interface StackConfig extends SharedConfig {
  mimir: MimirConfig;
  observability: ObservabilityConfig;
}

export function defaultConfig(): StackConfig {
  return { ...defaultSharedConfig(), mimir: defaultMimirConfig(), observability: defaultObservabilityConfig() };
}
