import type { TreeLike } from '../../core/k8s/types.js';
import type { Problem } from '../../core/problems.js';
import { flatten } from '../../core/tree.js';
import type { Rule, ValidationContext } from '../../core/checks/context.js';
import { fieldsRule } from './fields.js';
import { imagesRule } from './images.js';
import { namesRule } from './names.js';
import { rangesRule } from './ranges.js';
import { referencesRule } from './references.js';
import { resourcesRule } from './resources.js';
import { schemaProblems } from './schema.js';
import { securityRule } from './security.js';
import { selectorsRule } from './selectors.js';

export type { Rule, ValidationContext } from '../../core/checks/context.js';

export const kubernetesRules: readonly Rule[] = [
  fieldsRule,
  namesRule,
  selectorsRule,
  referencesRule,
  securityRule,
  resourcesRule,
  imagesRule,
  rangesRule,
];

export interface ValidateOptions {
  source?: string;
  existingSecrets?: readonly string[];
  /** Checks of generated config files (Mimir's reference, nginx, Alloy) that need the whole tree. */
  extraRules?: readonly Rule[];
}

/** Every check that runs before anything is written; all problems, never only the first. */
export async function validateTree(tree: TreeLike, opts: ValidateOptions = {}): Promise<Problem[]> {
  const ctx: ValidationContext = {
    entries: flatten(tree),
    source: opts.source,
    existingSecrets: new Set(opts.existingSecrets ?? []),
  };
  const problems = await schemaProblems(ctx);
  for (const rule of [...kubernetesRules, ...(opts.extraRules ?? [])]) problems.push(...rule(ctx));
  return problems;
}
