/**
 * The public API: what environments and other repositories import (`mimir-kube`). Only what an
 * environment needs — its types, the config, the merge markers, render and the Kubernetes helpers —
 * so loading an environment loads no writer, no CLI and no file I/O. The build itself (CLI, pipeline,
 * writer) is `mimir-kube/build` (lib/build/index.ts).
 */
export { defineEnvironment } from './build/environment.js';
export type { Environment, EnvironmentConfig, EnvironmentFile, TreeOverrides } from './build/environment.js';
export { defaultConfig, serviceHost, storageEndpoint } from './build/config.js';
export type {
  GitOpsConfig,
  Images,
  SelfMonitoringConfig,
  SharedConfig,
  StackConfig,
  StorageConfig,
} from './build/config.js';
export { add, append, byName, DELETE, merge, prepend } from './core/merge.js';
export type { DeepPartial, Override } from './core/merge.js';
export { render, renderGroups, syncWaves } from './build/render.js';
export type { RenderedTree } from './build/render.js';
export { BuildError, formatProblems } from './core/problems.js';
export type { Problem } from './core/problems.js';
export * as k from './core/k8s/index.js';
export type { Component, Group, KubeObject, Tree } from './core/k8s/types.js';
export type { Route } from './core/routes.js';
export type {
  ComponentDescriptor,
  Endpoint,
  ExporterSource,
  KafkaExporterSource,
  MetricsSource,
  StackView,
} from './core/registry.js';
