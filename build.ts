#!/usr/bin/env node
import module from 'node:module';
import v8 from 'node:v8';

// Node 22.1 and later keep the compiled code of every module the build loads in a cache on disk
// (`NODE_COMPILE_CACHE`, else the temporary folder): environments and packages. Node 20 has no such
// cache; there the call is absent. The compiled library itself is one script with a code cache of its
// own on every Node (lib/build/compiled-script.ts). Imported after the call so that its modules are covered.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// V8 doubles the young generation (1 → 16 MiB) each time as many bytes survived a collection as it
// holds. A build keeps its modules, trees and texts to the end, so the young generation grows to its
// maximum and was a fifth of the process's peak memory, while the collections it saves cost a build
// a few milliseconds. The CLI owns its process, so it keeps the young generation at its initial size;
// V8 reads this flag each time it would grow it. The library, imported elsewhere, leaves V8 alone.
v8.setFlagsFromString('--semi-space-growth-factor=1');

// V8 optimises a function with TurboFan once it has run a while; its first optimisation costs the
// process 4–6 MiB (the optimising compiler's memory and thread), and a build of a few environments
// ends before optimised code pays that back. Thirty times V8's budget (and no early optimisation of
// small functions) leaves such builds interpreted; a large one (thousands of tenants) still gets its
// hot code optimised, a little later.
v8.setFlagsFromString('--interrupt-budget=2000000');
v8.setFlagsFromString('--max-bytecode-size-for-early-opt=0');

const { runCli } = await import('./lib/build/index.js');

process.exitCode = await runCli(process.argv.slice(2));
