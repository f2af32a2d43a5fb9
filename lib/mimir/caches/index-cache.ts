import { cacheComponent } from './component.js';
import type { CacheSpec } from './memcached.js';

/** Postings and series of block indexes, looked up by the store-gateway. */
export const indexCache = {
  key: 'indexCache',
  name: 'index-cache',
  slice: 'index',
  description: 'memcached for the postings and series the store-gateway looks up in block indexes',
  yamlPath: ['blocks_storage', 'bucket_store', 'index_cache'],
  clients: ['storeGateway'],
} as const satisfies CacheSpec;

export const indexCacheComponent = cacheComponent(indexCache);
