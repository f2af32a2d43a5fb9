import type { StackConfig } from './config.js';
import type { Rule } from './validate/index.js';

/** Checks of generated config files that each module contributes (Mimir's reference, nginx, Alloy). */
export function moduleRules(_c: StackConfig): Rule[] {
  return [];
}

