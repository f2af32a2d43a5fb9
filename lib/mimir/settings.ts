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

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Go's time.ParseDuration (what Mimir's duration flags and YAML fields parse with), in milliseconds;
 * undefined when it is not one (the reference check reports the type).
 */
export function goDurationMs(v: unknown): number | undefined {
  if (typeof v === 'number') return v === 0 ? 0 : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^([-+]?)(.*)$/.exec(v)!;
  if (m[2] === '0') return 0;
  const parts = [...m[2].matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== m[2]) return undefined;
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * unitMs[p[2]], 0);
  return m[1] === '-' ? -ms : ms;
}
