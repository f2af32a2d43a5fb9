/** The public API: what environments and other repositories import. */
export { defineEnvironment } from './build/environment.js';
export type { Environment, EnvironmentConfig, EnvironmentFile, TreeOverrides } from './build/environment.js';
export { defaultConfig, serviceHost, storageEndpoint } from './build/config.js';
export type { GitOpsConfig, Images, StackConfig, StorageConfig } from './build/config.js';
export { add, append, byName, DELETE, merge, prepend } from './core/merge.js';
export type { DeepPartial, Override } from './core/merge.js';
export { render, renderGroups, syncWaves } from './build/render.js';
export type { RenderedTree } from './build/render.js';
export { buildEnvironment, resolveConfig } from './build/pipeline.js';
export type { BuiltEnvironment } from './build/pipeline.js';
export { validateTree } from './build/validate/index.js';
export { outputFiles, writeOutput, compareWithDisk } from './build/output.js';
export { runCli } from './build/cli.js';
export { BuildError, formatProblems } from './core/problems.js';
export type { Problem } from './core/problems.js';
export * as k from './core/k8s/index.js';
export type { Component, Group, KubeObject, Tree } from './core/k8s/types.js';
export type { Route } from './core/routes.js';
