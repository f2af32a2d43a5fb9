import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir` with its content, keyed by the path below `dir`: for byte-for-byte comparisons. */
export function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files[p.slice(dir.length)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}
