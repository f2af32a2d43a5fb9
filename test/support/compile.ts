import { join } from 'node:path';
import { execa } from 'execa';

/**
 * `npm run compile`'s first two steps into `outDir`: tsc with the build config (incremental, so a second
 * run is quick) and the generated validators copied beside their importers.
 */
export async function compileLibrary(outDir: string): Promise<void> {
  await execa('npx', [
    'tsc',
    '-p',
    'tsconfig.build.json',
    '--outDir',
    outDir,
    '--incremental',
    '--tsBuildInfoFile',
    join(outDir, '.tsbuildinfo'),
  ]);
  await execa('node', ['scripts/copy-generated.mjs', outDir]);
}
