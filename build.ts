#!/usr/bin/env node
import module from 'node:module';

// Node 22.1 and later keep the compiled code of every module the build loads in a cache on disk
// (`NODE_COMPILE_CACHE`, else the temporary folder), which saves most of a fresh process's module
// loading. Node 20 has no such cache; there the call is absent and loading compiles as before. The
// library is imported after the call so that its modules are covered.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { runCli } = await import('./lib/build/index.js');

process.exitCode = await runCli(process.argv.slice(2));
