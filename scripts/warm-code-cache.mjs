// The last step of `npm run compile`: one build of every compiled environment with
// MIMIR_KUBE_CODE_CACHE=write leaves V8's bytecode of all the library ran beside its script
// (`chunks/library-<hash>.v8cache`, see lib/build/compiled-script.ts), and a second build with
// MIMIR_KUBE_CODE_CACHE=require proves that this Node accepts it. Builds write to a temporary folder only.
// Without compiled environments (a tree holding only the library) there is nothing to run, no cache is
// written, and builds compile the script from source.
//
//   node scripts/warm-code-cache.mjs [dist]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const outDir = process.argv[2] ?? 'dist';
const environmentsDir = join(outDir, 'environments');
const environments = existsSync(environmentsDir)
  ? readdirSync(environmentsDir)
      .filter((name) => existsSync(join(environmentsDir, name, 'main.js')))
      .sort()
      .map((name) => join(environmentsDir, name))
  : [];
if (environments.length === 0) {
  console.log(`warm-code-cache: no compiled environments under ${environmentsDir}; no code cache written`);
  process.exit(0);
}

const scratch = mkdtempSync(join(tmpdir(), 'mimir-kube-warm-'));
try {
  for (const mode of ['write', 'require']) {
    const run = spawnSync(
      process.execPath,
      [join(outDir, 'build.js'), ...environments, '--no-typecheck', '--out', join(scratch, mode)],
      { encoding: 'utf8', env: { ...process.env, MIMIR_KUBE_CODE_CACHE: mode } },
    );
    if (run.status !== 0) {
      console.error(
        `warm-code-cache: the build with MIMIR_KUBE_CODE_CACHE=${mode} failed:\n${run.stdout}${run.stderr}`,
      );
      process.exit(1);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
