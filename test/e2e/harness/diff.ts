import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../../../lib/core/k8s/types.js';
import { stripHashSuffix } from './manifest.js';

/**
 * What the test environment changes relative to another render (out/local): leaf by leaf, with generated
 * name suffixes ignored and YAML file contents of ConfigMaps compared as data, so the report can show that
 * only the intended keys differ.
 */
export function renderDiff(from: KubeObject[], to: KubeObject[]): string[] {
  const generated = new Map<string, string>();
  for (const o of [...from, ...to]) {
    const n = o.metadata?.name ?? '';
    if (stripHashSuffix(n) !== n && ['ConfigMap', 'Secret', 'Job'].includes(o.kind))
      generated.set(n, stripHashSuffix(n));
  }
  const normalise = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (generated.has(v)) return generated.get(v);
      if (v.includes('\n') && /^[\w.-]+:/m.test(v)) {
        try {
          const parsed: unknown = parseYaml(v);
          if (parsed && typeof parsed === 'object') return normalise(parsed);
        } catch {
          /* not YAML: compare as text */
        }
      }
      return v;
    }
    if (Array.isArray(v)) return v.map(normalise);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
    return v;
  };
  const key = (o: KubeObject): string => `${o.kind} ${stripHashSuffix(o.metadata?.name ?? '')}`;
  const a = new Map(from.map((o) => [key(o), normalise(o)]));
  const b = new Map(to.map((o) => [key(o), normalise(o)]));
  const out: string[] = [];
  for (const k of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    if (!a.has(k)) out.push(`${k}: only in the test environment`);
    else if (!b.has(k)) out.push(`${k}: missing from the test environment`);
    else leafDiff(a.get(k), b.get(k), '', (path, x, y) => out.push(`${k} ${path}: ${show(x)} → ${show(y)}`));
  }
  return out;
}

const show = (v: unknown): string => (v === undefined ? '(unset)' : JSON.stringify(v));

function leafDiff(x: unknown, y: unknown, path: string, emit: (path: string, x: unknown, y: unknown) => void): void {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  // A section only one side has is compared leaf by leaf too (against nothing).
  if ((isObj(x) || x === undefined) && (isObj(y) || y === undefined) && (isObj(x) || isObj(y))) {
    x = x ?? {};
    y = y ?? {};
  }
  if (isObj(x) && isObj(y)) {
    for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort())
      leafDiff(x[k], y[k], path ? `${path}.${k}` : k, emit);
  } else if (JSON.stringify(x) !== JSON.stringify(y)) {
    emit(path, x, y);
  }
}

/** Leaf paths of a nested object, dotted (`ruler.poll_interval`). */
export function leafPaths(v: unknown, prefix = ''): string[] {
  if (v && typeof v === 'object' && !Array.isArray(v))
    return Object.entries(v).flatMap(([k, x]) => leafPaths(x, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

/**
 * Checks a render diff against the timing knobs the test environment may change (leaves of its Mimir config,
 * in the ConfigMap that holds mimir.yaml): any other difference is `unexpected`, a knob that does not show up
 * is `missing` (the knob would not be in effect).
 */
export function knobDifferences(
  diff: string[],
  knobs: object,
  configMap = 'mimir-config',
  file = 'mimir.yaml',
): { unexpected: string[]; missing: string[] } {
  const allowed = leafPaths(knobs).map((p) => `ConfigMap ${configMap} data.${file}.${p}: `);
  return {
    unexpected: diff.filter((d) => !allowed.some((a) => d.startsWith(a))),
    missing: allowed.filter((a) => !diff.some((d) => d.startsWith(a))).map((a) => a.slice(0, -2)),
  };
}
