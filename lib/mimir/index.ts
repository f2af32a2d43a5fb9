import type { StackConfig } from '../config.js';
import type { Group } from '../k8s/types.js';

// Replaced by the Mimir components.
export function mimir(_c: StackConfig): Group {
  return {};
}
