import type { StackConfig } from './config.js';
import type { DeepPartial, Override } from '../core/merge.js';
import type { RenderedTree } from './render.js';

/** What an environment sets: any part of the library's config, each field optional. */
export type EnvironmentConfig = DeepPartial<StackConfig>;

/** Escape hatch: a deep partial of the rendered tree, merged last (Jsonnet's `+:`). */
export type TreeOverrides = Override<RenderedTree>;

export interface Environment {
  /** Output folder name under `out/`, and the name of the Argo CD Application. */
  name: string;
  config?: EnvironmentConfig;
  overrides?: TreeOverrides;
}

/**
 * The shape of an environment written as YAML or JSON (`environments/<name>/environment.yaml`).
 * Its JSON Schema is generated from this type (`npm run schema`).
 */
export interface EnvironmentFile {
  /**
   * Output folder name under `out/`.
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   */
  name: string;
  config?: EnvironmentConfig;
  /** Overrides of the rendered tree (group → component → key → object fields). */
  overrides?: { [group: string]: { [component: string]: { [key: string]: object } } };
}

/** Identity with types: the environment's config and overrides are checked against the library. */
export function defineEnvironment(env: Environment): Environment {
  return env;
}
