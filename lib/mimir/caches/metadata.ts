import { cacheComponent } from './component.js';
import type { CacheSpec } from './memcached.js';

/** Bucket listings, block metadata and the bucket index: read by the store-gateway, the querier and the compactor. */
export const metadataCache = {
  key: 'metadataCache',
  name: 'metadata-cache',
  slice: 'metadata',
  description: 'memcached for bucket listings, block metadata and the bucket index',
  yamlPath: ['blocks_storage', 'bucket_store', 'metadata_cache'],
  clients: ['storeGateway', 'querier', 'compactor', 'ruler'],
} as const satisfies CacheSpec;

export const metadataCacheComponent = cacheComponent(metadataCache);
