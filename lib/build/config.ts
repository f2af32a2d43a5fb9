import { defaultSharedConfig, type SharedConfig } from '../core/config.js';
import { defaultMimirConfig, type MimirConfig } from '../mimir/config.js';
import { objectStorageEndpoint } from '../mimir/mimir-yaml.js';
import { stackView } from './registry.js';
import { defaultObservabilityConfig, type ObservabilityConfig } from '../observability/config.js';

export { selfMonitoringTenant, serviceHost } from '../core/config.js';
export type { GitOpsConfig, Images, SelfMonitoringConfig, SharedConfig, StorageConfig } from '../core/config.js';

/** Everything an environment can set. Every field has a default in `defaultConfig()`. */
export interface StackConfig extends SharedConfig {
  mimir: MimirConfig;
  observability: ObservabilityConfig;
}

export function defaultConfig(): StackConfig {
  return { ...defaultSharedConfig(), mimir: defaultMimirConfig(), observability: defaultObservabilityConfig() };
}

/** The S3 endpoint Mimir talks to: the configured one, or the stack's MinIO Service. */
export function storageEndpoint(c: StackConfig): string {
  return objectStorageEndpoint(c, stackView(c));
}
