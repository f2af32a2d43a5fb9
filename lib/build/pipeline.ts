import { defaultConfig, type StackConfig } from './config.js';
import { checkEnvironmentSchema } from './config-schema.js';
import type { Environment } from './environment.js';
import { merge, mergeConfig } from '../core/merge.js';
import { BuildError, type Problem } from '../core/problems.js';
import { finalise, render, type RenderedTree } from './render.js';
import type { KubeObject } from '../core/k8s/types.js';
import { moduleRules } from './rules.js';
import { application } from './gitops/argocd.js';
import { syncOptionProblems } from './sync-options.js';
import { flatten } from '../core/tree.js';
import { schemaProblems as objectSchemaProblems } from './validate/schema.js';
import { validateTree } from './validate/index.js';
import { namesRule } from './validate/names.js';
import { configProblems, environmentNameProblems, schemaView } from './environment-checks.js';
import { groupByCause } from './problem-groups.js';

export interface BuiltEnvironment {
  name: string;
  source: string;
  config: StackConfig;
  /** The environment's tree: rendered, overrides merged, finalised, validated. */
  tree: RenderedTree;
  /** Its Argo CD Application, rendered and checked once, written beside the overlay. */
  application: KubeObject;
}

export interface BuildResult {
  built?: BuiltEnvironment;
  problems: Problem[];
}

function problemsOf(err: unknown, source: string, path: string): Problem[] {
  if (err instanceof BuildError) return err.problems.map((p) => ({ ...p, source: p.source ?? source }));
  return [{ source, path, message: err instanceof Error ? err.message : String(err) }];
}

/**
 * Config defaults deep-merged with the environment's config (the merge module's config mode). The
 * config was checked against the schema already, so unknown keys cannot slip through here; unlike tree
 * overrides, `null` is a value in config (it removes a flag or a key of Mimir's YAML), and arrays replace.
 */
export function resolveConfig(env: Pick<Environment, 'config'>): StackConfig {
  return mergeConfig(defaultConfig(), env.config);
}

/** Rendering failures (a component that throws on bad config) become problems naming the step. */
export function renderChecked(c: StackConfig, source: string): { tree?: RenderedTree; problems: Problem[] } {
  try {
    return { tree: render(c), problems: [] };
  } catch (err) {
    return { problems: problemsOf(err, source, 'render') };
  }
}

/**
 * config → render → overrides → validation. Nothing here touches the file system; every problem of
 * every layer that could run is returned together.
 */
export async function buildEnvironment(env: Environment, source: string): Promise<BuildResult> {
  const name = typeof env?.name === 'string' ? env.name : '(unnamed)';
  const nameProblems = environmentNameProblems(env?.name, source);
  // A bad name is reported once, by the check that explains what the name is used for.
  const schemaProblems = (await checkEnvironmentSchema(schemaView(env), source)).filter(
    (p) => !(nameProblems.length && p.path === 'name'),
  );
  if (nameProblems.length || schemaProblems.length) return { problems: [...nameProblems, ...schemaProblems] };
  let config: StackConfig;
  try {
    config = resolveConfig(env);
  } catch (err) {
    return { problems: problemsOf(err, source, 'config') };
  }
  const invalidConfig = configProblems(config, source, env.config);
  if (invalidConfig.length) return { problems: invalidConfig };
  const rendered = renderChecked(config, source);
  if (!rendered.tree) return { problems: rendered.problems };
  let merged = rendered.tree;
  if (env.overrides !== undefined) {
    try {
      merged = merge(rendered.tree, env.overrides, { source, path: 'overrides' });
    } catch (err) {
      return { problems: problemsOf(err, source, 'overrides') };
    }
  }
  let tree: RenderedTree;
  try {
    tree = finalise(merged, rendered.tree, config);
  } catch (err) {
    return { problems: problemsOf(err, source, 'finalise') };
  }
  const problems = await validateTree(tree, {
    source,
    existingSecrets: config.existingSecrets,
    extraRules: moduleRules(config),
  });
  problems.push(...syncOptionProblems(flatten(tree), source));
  // The Argo CD Application is written beside the overlay, not into it; it is checked all the same.
  const app = application(name, config);
  const argocd = {
    entries: [{ group: 'gitops', component: 'argocd', key: 'application', object: app }],
    source,
    existingSecrets: new Set<string>(),
  };
  problems.push(...(await objectSchemaProblems(argocd)), ...namesRule(argocd));
  if (problems.length) return { problems: groupByCause(problems) };
  return { built: { name, source, config, tree, application: app }, problems: [] };
}
