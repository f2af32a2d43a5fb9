import { cacheComponent } from './component.js';
import type { CacheSpec } from './memcached.js';

/** Chunks the store-gateway reads from object storage. */
export const chunksCache = {
  key: 'chunksCache',
  name: 'chunks-cache',
  slice: 'chunks',
  description: 'memcached for the chunks the store-gateway reads from object storage',
  yamlPath: ['blocks_storage', 'bucket_store', 'chunks_cache'],
  clients: ['storeGateway'],
} as const satisfies CacheSpec;

export const chunksCacheComponent = cacheComponent(chunksCache);
