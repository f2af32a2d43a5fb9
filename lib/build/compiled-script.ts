/**
 * Runs the compiled library bundle (`npm run compile` writes it, scripts/bundle-dist.mjs) as one classic
 * script with V8's code cache. A fresh `node dist/build.js` otherwise spends a fifth of its time parsing
 * and compiling 2.5 MB of JavaScript; with the cache V8 reads the bytecode the compile step's own build
 * left, and compiles only what that build never ran. Node 22 keeps such a cache for ES modules itself
 * (`module.enableCompileCache`); Node 20 offers it only for scripts, hence one script.
 *
 * The cache is an optimisation, never an input: V8 checks it against its own version, flags and the
 * source, and compiles from source when it does not match (another Node, a changed bundle). Only
 * `MIMIR_KUBE_CODE_CACHE=write` — the compile step's warm-up run — writes it; a build never does.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

/**
 * `use`: the cache when it matches (every build). `write`: compile from source and, when the process
 * exits, store the bytecode of everything it ran. `require`: fail unless the cache matches (the compile
 * step's check that the cache it wrote is the one a build gets).
 */
export type CodeCacheMode = 'use' | 'write' | 'require';

export function codeCacheMode(value = process.env.MIMIR_KUBE_CODE_CACHE): CodeCacheMode {
  if (value === undefined || value === '' || value === 'use') return 'use';
  if (value === 'write' || value === 'require') return value;
  throw new Error(`MIMIR_KUBE_CODE_CACHE=${value}: expected use, write or require (or unset)`);
}

/**
 * What the script is given in place of CommonJS's `module` and `require`, of `import.meta.url`, and of
 * `import()` of a package or an environment file (a script's own `import()` would need Node's
 * experimental VM modules, and one compiled from the cache finds no callback at all). Bare names and
 * absolute URLs resolve alike from here and from the script's folder.
 */
type ScriptBody = (
  module: { exports: unknown },
  require: NodeRequire,
  importMetaUrl: string,
  dynamicImport: (specifier: string) => Promise<unknown>,
) => void;

/**
 * Runs `script` (a function expression taking what `ScriptBody` names) with the code cache at `cache`,
 * and returns what it assigned to `module.exports`.
 */
export function runCompiledScript(script: URL, cache: URL, mode: CodeCacheMode = codeCacheMode()): unknown {
  const scriptPath = fileURLToPath(script);
  const cachePath = fileURLToPath(cache);
  const cachedData = mode !== 'write' && existsSync(cachePath) ? readFileSync(cachePath) : undefined;
  // The bundle is ASCII (scripts/bundle-dist.mjs escapes the rest): read as Latin-1 it is copied into a
  // one-byte string as it is, about twice as fast as decoding UTF-8 for the same string.
  const compiled = new Script(readFileSync(scriptPath, 'latin1'), {
    filename: scriptPath,
    cachedData,
  });
  if (mode === 'require' && (cachedData === undefined || compiled.cachedDataRejected !== false))
    throw new Error(
      `${cachePath}: ${cachedData === undefined ? 'absent' : 'rejected by this Node'}; run \`npm run compile\` again with this Node`,
    );
  if (mode === 'write')
    process.once('exit', () => {
      const tmp = `${cachePath}.${process.pid}.tmp`;
      writeFileSync(tmp, compiled.createCachedData());
      renameSync(tmp, cachePath);
    });
  const module = { exports: {} as unknown };
  (compiled.runInThisContext() as ScriptBody)(
    module,
    createRequire(scriptPath),
    pathToFileURL(scriptPath).href,
    (specifier) => import(specifier),
  );
  return module.exports;
}
