import type { StackConfig } from './config.js';
import { mimirRules } from './mimir/index.js';
import type { Rule } from './validate/index.js';

/** Checks of generated config files that each module contributes (Mimir's reference, nginx, Alloy). */
export function moduleRules(c: StackConfig): Rule[] {
  return [...mimirRules(c)];
}
