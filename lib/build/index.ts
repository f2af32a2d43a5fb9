/**
 * The build as a library (`mimir-kube/build`): the CLI, the pipeline, the checks and the Kustomize
 * writer. Environments never need it; `mimir-kube` (lib/index.ts) is their API.
 */
export { runCli, parseArgs } from './cli.js';
export type { CliIo, CliOptions } from './cli.js';
export { buildEnvironment, resolveConfig } from './pipeline.js';
export type { BuiltEnvironment } from './pipeline.js';
export { loadEnvironment } from './load.js';
export { validateTree } from './validate/index.js';
export { compareWithDisk, outputFiles, readOwned, writeOutput } from './output.js';
export type { OnDisk, RootOnDisk } from './output.js';
export { componentTable, components, stackView } from './registry.js';
