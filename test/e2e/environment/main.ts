import { defineEnvironment } from '../../../lib/index.js';
import local from '../../../environments/local/main.js';

/**
 * The end-to-end test's environment: the local environment unchanged except for the intervals a test
 * cannot wait for (defaults in parentheses). Everything else the harness runs is what `out/local` renders.
 */
export const e2eMimirConfig = {
  ruler: {
    // (10m) the ruler would otherwise pick up an uploaded rule group only on its periodic sync.
    poll_interval: '5s',
    // (1m) rule groups without their own interval are evaluated this often.
    evaluation_interval: '5s',
  },
  alertmanager: {
    // (15s) how often the alertmanager reads tenant configurations from storage.
    poll_interval: '5s',
  },
  blocks_storage: {
    bucket_store: {
      // (15m) how often the store-gateway rescans the bucket for new blocks.
      sync_interval: '10s',
      // (10h) blocks this young are left to the ingesters; a freshly flushed block would never be loaded.
      ignore_blocks_within: '0s',
    },
  },
  limits: {
    // (1m) rules are evaluated this far in the past; the test's samples are seconds old.
    ruler_evaluation_delay_duration: '0s',
  },
  compactor: {
    // (15m) the compactor's cleaner writes the bucket index the store-gateway reads.
    cleanup_interval: '10s',
  },
};

const base = local.config ?? {};

export default defineEnvironment({
  name: 'e2e',
  config: {
    ...base,
    mimir: { ...base.mimir, config: { ...(base.mimir?.config ?? {}), ...e2eMimirConfig } },
  },
  overrides: local.overrides,
});
