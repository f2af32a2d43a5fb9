import type { StackConfig } from '../core/config.js';
import { statefulComponent, type StatefulParts } from './common.js';
import { targets } from './names.js';

/** Multi-tenant Alertmanager (UI and API under `/alertmanager`); state is replicated over its ring. */
export function alertmanager(c: StackConfig): StatefulParts {
  return statefulComponent(c, {
    name: targets.alertmanager,
    target: targets.alertmanager,
    settings: c.mimir.alertmanager,
    runtimeConfig: true,
    gossip: true,
    objectStorage: true,
    // Notification state is persisted to object storage on shutdown.
    terminationGracePeriodSeconds: 900,
  });
}
