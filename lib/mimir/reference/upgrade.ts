/**
 * What moving an environment to another Mimir version changes for it: the `mimir.yaml` fields,
 * runtime overrides and flags it sets, checked against the other version's facts (removed, renamed,
 * of another type), and the defaults it relies on that the other version changes. Pure: the caller
 * passes the rendered files and args.
 */
import type { Problem } from '../../core/problems.js';
import { nearest } from '../../core/suggest.js';
import { checkMimirConfig, checkMimirFlags, checkRuntimeConfig, mimirFlags } from './index.js';
import type { MimirVersion } from './versions.js';
import { compareText } from '../../core/collate.js';

export interface MimirInputs {
  /** Parsed `mimir.yaml` and `runtime.yaml` files with the object carrying them. */
  files: { object: string; file: 'mimir.yaml' | 'runtime.yaml'; value: unknown }[];
  /** Args of every container running Mimir. */
  args: { object: string; container: string; args: readonly string[] }[];
}

export interface UpgradeItem {
  kind: 'removed' | 'renamed' | 'invalid' | 'default';
  /** `-flag` or a `mimir.yaml` path. */
  name: string;
  message: string;
  /** Objects that set it (for removed, renamed, invalid) or the YAML path it has (for a default). */
  where: string[];
}

const DURATION_UNITS: [string, number][] = [
  ['h', 3_600e9],
  ['m', 60e9],
  ['s', 1e9],
  ['ms', 1e6],
];

/** A descriptor default as a user writes it: durations (nanoseconds there) as Go durations. */
export function showDefault(value: unknown, type: string | undefined): string {
  if (type === 'duration' && typeof value === 'number') {
    if (value === 0) return '0s';
    let rest = value;
    let out = '';
    for (const [unit, ns] of DURATION_UNITS) {
      const n = Math.floor(rest / ns);
      if (n > 0) {
        out += `${n}${unit}`;
        rest -= n * ns;
      }
    }
    return rest > 0 ? `${out}${rest}ns` : out;
  }
  return JSON.stringify(value);
}

function flagName(arg: string): string | undefined {
  const m = /^--?([^=\s]+)/.exec(arg);
  return m ? m[1] : undefined;
}

/** Every leaf path a YAML value sets (maps of free keys, such as tenants, stop at their block). */
function setPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) setPaths(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.add(prefix);
  return out;
}

function itemFrom(p: Problem, kind: UpgradeItem['kind'], name: string, where: string): UpgradeItem {
  return { kind, name, message: `${p.message}${p.hint ? ` — ${p.hint}` : ''}`, where: [where] };
}

export function upgradeCheck(inputs: MimirInputs, from: MimirVersion, to: MimirVersion): UpgradeItem[] {
  const items = new Map<string, UpgradeItem>();
  const add = (item: UpgradeItem): void => {
    const key = `${item.kind}|${item.name}|${item.message}`;
    const known = items.get(key);
    if (known) known.where = [...new Set([...known.where, ...item.where])];
    else items.set(key, item);
  };
  const fromFlags = mimirFlags(from.facts);
  const toFlags = mimirFlags(to.facts);
  // Flags only the target has: where a removed one went, when the name is close.
  const newFlags = [...toFlags.keys()].filter((f) => !fromFlags.has(f));
  const setFlags = new Set<string>();
  for (const a of inputs.args) {
    for (const arg of a.args) {
      const f = flagName(arg);
      if (f) setFlags.add(f);
    }
    const where = `${a.object} container ${a.container}`;
    for (const p of checkMimirFlags(a.args, { path: a.object, file: `args`, facts: to.facts })) {
      const f = /`-([^`=]+)/.exec(p.message)?.[1] ?? p.found ?? '';
      if (/^unknown flag/.test(p.message)) {
        const to1 = nearest(f, newFlags);
        add(
          to1
            ? {
                kind: 'renamed',
                name: `-${f}`,
                message: `-${f} is gone in Mimir ${to.version}; -${to1} looks like its new name`,
                where: [where],
              }
            : {
                kind: 'removed',
                name: `-${f}`,
                message: `-${f} does not exist in Mimir ${to.version}`,
                where: [where],
              },
        );
      } else add(itemFrom(p, 'invalid', `-${f}`, where));
    }
  }
  const setYaml = new Set<string>();
  for (const f of inputs.files) {
    if (f.file === 'mimir.yaml') for (const p of setPaths(f.value)) setYaml.add(p);
    const check = f.file === 'mimir.yaml' ? checkMimirConfig : checkRuntimeConfig;
    for (const p of check(f.value, { path: f.object, file: f.file, facts: to.facts })) {
      const name = `${f.file} ${(p.pointer ?? '').replace(/^\//, '').replace(/\//g, '.')}`;
      if (/^unknown field/.test(p.message)) {
        const renamed = p.hint?.startsWith('did you mean');
        add(itemFrom(p, renamed ? 'renamed' : 'removed', name, f.object));
      } else add(itemFrom(p, 'invalid', name, f.object));
    }
  }
  for (const [flag, [path, before]] of Object.entries(from.defaults)) {
    const after = to.defaults[flag];
    if (after === undefined || JSON.stringify(after[1]) === JSON.stringify(before)) continue;
    if (setFlags.has(flag) || setYaml.has(path) || setYaml.has(after[0])) continue;
    const type = toFlags.get(flag);
    add({
      kind: 'default',
      name: `-${flag}`,
      message: `default ${showDefault(before, fromFlags.get(flag))} → ${showDefault(after[1], type)}`,
      where: [after[0]],
    });
  }
  const order: UpgradeItem['kind'][] = ['removed', 'renamed', 'invalid', 'default'];
  return [...items.values()].sort(
    (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || compareText(a.name, b.name),
  );
}

/** Flags and fields the versions differ in, whatever an environment sets: for the report's totals. */
export function factsDifference(
  from: MimirVersion,
  to: MimirVersion,
): { removed: number; added: number; defaults: number } {
  const a = mimirFlags(from.facts);
  const b = mimirFlags(to.facts);
  let defaults = 0;
  for (const [flag, [, v]] of Object.entries(from.defaults)) {
    const w = to.defaults[flag];
    if (w !== undefined && JSON.stringify(w[1]) !== JSON.stringify(v)) defaults++;
  }
  return {
    removed: [...a.keys()].filter((f) => !b.has(f)).length,
    added: [...b.keys()].filter((f) => !a.has(f)).length,
    defaults,
  };
}
