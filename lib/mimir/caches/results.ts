import { cacheComponent } from './component.js';
import type { CacheSpec } from './memcached.js';

/** Results of split range queries, kept by the query-frontend (`frontend.cache_results` turns the use on). */
export const resultsCache = {
  key: 'resultsCache',
  name: 'results-cache',
  slice: 'results',
  description: 'memcached for the query-frontend’s query results',
  yamlPath: ['frontend', 'results_cache'],
  switches: { frontend: { cache_results: true } },
  clients: ['queryFrontend'],
} as const satisfies CacheSpec;

export const resultsCacheComponent = cacheComponent(resultsCache);
