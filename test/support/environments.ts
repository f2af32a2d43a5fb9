import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from '../../lib/build/load.js';
import { buildEnvironment, type BuiltEnvironment } from '../../lib/build/pipeline.js';
import { formatProblems } from '../../lib/core/problems.js';

/** Every environment folder of the repository. */
export const environmentDirs: string[] = readdirSync('environments', { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => join('environments', d.name))
  .sort();

export async function buildDir(dir: string): Promise<BuiltEnvironment> {
  const { loaded, problems } = await loadEnvironment(dir, { typeCheck: false });
  if (!loaded) throw new Error(formatProblems(problems));
  const result = await buildEnvironment(loaded.environment, loaded.source);
  if (!result.built) throw new Error(formatProblems(result.problems));
  return result.built;
}
