/** The public API: what environments and other repositories import. */
export { defineEnvironment } from './environment.js';
export type { Environment, EnvironmentConfig, EnvironmentFile, TreeOverrides } from './environment.js';
export { defaultConfig, serviceHost, storageEndpoint } from './config.js';
export type { GitOpsConfig, Images, StackConfig, StorageConfig } from './config.js';
export { add, append, byName, DELETE, merge, prepend } from './merge.js';
export type { DeepPartial, Override } from './merge.js';
export { render, renderGroups, syncWaves } from './render.js';
export type { RenderedTree } from './render.js';
export { buildEnvironment, resolveConfig } from './pipeline.js';
export type { BuiltEnvironment } from './pipeline.js';
export { validateTree } from './validate/index.js';
export { outputFiles, writeOutput, compareWithDisk } from './output.js';
export { runCli } from './cli.js';
export { BuildError, formatProblems } from './problems.js';
export type { Problem } from './problems.js';
export * as k from './k8s/index.js';
export type { Component, Group, KubeObject, Tree } from './k8s/types.js';
export type { Route } from './routes.js';
