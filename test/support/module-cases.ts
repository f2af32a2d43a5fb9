/**
 * Failing cases of the module checks (each component's own rules, `moduleRules`): a config edit and/or a tree
 * edit, and the problem the checks must report for it.
 */
import { expect } from 'vitest';
import { defaultConfig, type StackConfig } from '../../lib/build/config.js';
import { render } from '../../lib/build/render.js';
import { moduleRules } from '../../lib/build/rules.js';
import type { KubeObject, TreeLike } from '../../lib/core/k8s/types.js';
import type { Problem } from '../../lib/core/problems.js';
import { flatten } from '../../lib/core/tree.js';

export const source = 'environments/test/main.ts';

export type Objects = Record<string, Record<string, Record<string, KubeObject>>>;

export interface ModuleCase {
  name: string;
  config?: (c: StackConfig) => void;
  edit?: (t: Objects) => void;
  path: string;
  pointer?: string | RegExp;
  message: string | RegExp;
  hint?: string;
}

/** The default stack with the Secrets it names, edited. */
export function stack(edit: (c: StackConfig) => void = () => {}): StackConfig {
  const c = defaultConfig();
  c.existingSecrets = ['storage-credentials', 'grafana-admin'];
  edit(c);
  return c;
}

export function check(c: StackConfig, tree: TreeLike): Problem[] {
  const ctx = { entries: flatten(tree), source, existingSecrets: new Set(c.existingSecrets) };
  return moduleRules(c).flatMap((r) => r(ctx));
}

/** Renders the case's stack, applies its tree edit, and expects its problem (path, pointer, message, hint). */
export function expectModuleCase(k: ModuleCase): void {
  const c = stack(k.config);
  const tree = render(c) as unknown as Objects;
  k.edit?.(tree);
  const problems = check(c, tree);
  const found = problems.filter(
    (p) =>
      p.path === k.path &&
      (k.pointer === undefined ||
        (typeof k.pointer === 'string' ? p.pointer === k.pointer : k.pointer.test(p.pointer ?? ''))) &&
      (typeof k.message === 'string' ? p.message.includes(k.message) : k.message.test(p.message)),
  );
  expect(found.length, JSON.stringify(problems, null, 1)).toBeGreaterThanOrEqual(1);
  expect(found[0].source).toBe(source);
  if (k.hint !== undefined) expect(`${found[0].hint ?? ''} ${found[0].expected ?? ''}`).toContain(k.hint);
}
