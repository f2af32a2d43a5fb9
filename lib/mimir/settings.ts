/**
 * A Mimir setting as the component will run with it: its flag in `config.mimir.<component>.flags` wins over
 * its field in `config.mimir.config` (Mimir applies flags over the YAML file), which wins over Mimir's default.
 * Checks that hold a value to what Mimir accepts read it here, and name where it came from.
 */
import type { JsonObject, MimirFlags } from './config.js';

export interface EffectiveSetting {
  value: unknown;
  /** The config path that set it, or undefined for Mimir's default. */
  path?: string;
}

function at(doc: unknown, path: readonly string[]): unknown {
  let v: unknown = doc;
  for (const k of path) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject)[k] : undefined;
  return v;
}

export function effectiveSetting(
  s: { flags: MimirFlags; flagsPath: string; config: JsonObject },
  flag: string,
  yamlPath: readonly string[],
  fallback: unknown,
): EffectiveSetting {
  const f = s.flags[flag];
  if (f !== undefined && f !== null) return { value: f, path: `${s.flagsPath}["${flag}"]` };
  const y = at(s.config, yamlPath);
  if (y !== undefined && y !== null) return { value: y, path: `config.mimir.config.${yamlPath.join('.')}` };
  return { value: fallback };
}
