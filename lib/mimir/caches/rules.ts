/**
 * Build-time checks of the caches as the overrides leave them: memcached's own args against its
 * container's memory and against what Mimir's client sends, and every cache block of `mimir.yaml`
 * against the caches that are rendered. Each reads the rendered objects, so an override of the args,
 * the resources or `config.mimir.config` is checked like the library's own values.
 */
import type { MimirStackConfig } from '../config.js';
import { objectId } from '../../core/k8s/types.js';
import type { Container, StatefulSet } from '../../core/k8s/types.js';
import type { Problem } from '../../core/problems.js';
import { parseQuantityExact } from '../../core/quantity.js';
import type { TreeEntry } from '../../core/tree.js';
import { treePath } from '../../core/tree.js';
import { problemAt, type Rule, type ValidationContext } from '../../core/checks/context.js';
import { parseYamlDocuments } from '../../core/yaml.js';
import { files } from '../names.js';
import {
  cacheSettings,
  clientPods,
  containerMemoryMiB,
  memcachedContainer,
  memoryOverheadFactor,
  type CacheSpec,
} from './memcached.js';

const MiB = 1024 * 1024;

/** Mimir's defaults for what the rules compare when `mimir.yaml` leaves them out (its configuration reference). */
const mimirDefaults = { maxItemSize: MiB, maxIdleConnections: 100 } as const;

/** memcached's own limits on `-I` (memcached.c): at least 1 KiB, at most 1 GiB, at most half of `-m`. */
const itemSizeBounds = { min: 1024, max: 1024 * MiB } as const;

const longOptions: Record<string, string> = {
  'memory-limit': 'm',
  'max-item-size': 'I',
  'conn-limit': 'c',
  port: 'p',
};

/**
 * memcached's options from its args, by short letter: `-m 64`, `-m64`, `"-m 64"` (one arg, as the chart
 * writes them) and `--memory-limit=64` / `--memory-limit 64` all give `m → { value: "64", index }`.
 */
export function memcachedOptions(args: readonly string[]): Map<string, { value: string; index: number }> {
  const out = new Map<string, { value: string; index: number }>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i].trim();
    const long = /^--([a-z-]+)(?:[= ](.*))?$/.exec(a);
    if (long) {
      const letter = longOptions[long[1]];
      if (!letter) continue;
      if (long[2] !== undefined) out.set(letter, { value: long[2].trim(), index: i });
      else if (i + 1 < args.length) out.set(letter, { value: args[++i].trim(), index: i });
      continue;
    }
    const short = /^-([a-zA-Z])\s*(.*)$/.exec(a);
    if (!short || !'mIcp'.includes(short[1])) continue;
    if (short[2] !== '') out.set(short[1], { value: short[2].trim(), index: i });
    else if (i + 1 < args.length) out.set(short[1], { value: args[++i].trim(), index: i });
  }
  return out;
}

/** `-I`'s value in bytes: a number with an optional `k`/`m` (KiB, MiB) as memcached reads it; undefined if it is none. */
export function itemSizeBytes(value: string): number | undefined {
  const m = /^(\d+)([kKmM]?)$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  return unit === 'k' ? n * 1024 : unit === 'm' ? n * MiB : n;
}

function bytesText(n: number): string {
  if (n % MiB === 0) return `${n / MiB} MiB (${n} bytes)`;
  if (n % 1024 === 0) return `${n / 1024} KiB (${n} bytes)`;
  return `${n} bytes`;
}

interface MemcachedView {
  entry: TreeEntry;
  container: Container;
  /** JSON pointer of the container in the StatefulSet. */
  pointer: string;
  options: Map<string, { value: string; index: number }>;
}

function memcachedOf(ctx: ValidationContext, spec: CacheSpec): MemcachedView | undefined {
  for (const entry of ctx.entries) {
    if (entry.group !== 'mimir' || entry.component !== spec.key || entry.object.kind !== 'StatefulSet') continue;
    const containers = (entry.object as StatefulSet).spec?.template.spec?.containers ?? [];
    const i = containers.findIndex((k) => k.name === memcachedContainer);
    if (i === -1) continue;
    const container = containers[i];
    return {
      entry,
      container,
      pointer: `/spec/template/spec/containers/${i}`,
      options: memcachedOptions(container.args ?? []),
    };
  }
  return undefined;
}

interface MimirYamlView {
  entry: TreeEntry;
  doc: Record<string, unknown>;
}

/** Every parsed `mimir.yaml` of the tree (one unless an override added another); unparsable files are the reference rule's to report. */
function mimirYamls(ctx: ValidationContext): MimirYamlView[] {
  const out: MimirYamlView[] = [];
  for (const entry of ctx.entries) {
    if (entry.object.kind !== 'ConfigMap') continue;
    const text = ((entry.object.data ?? {}) as Record<string, string>)[files.mimir];
    if (text === undefined) continue;
    try {
      const [doc] = parseYamlDocuments(text);
      if (doc && typeof doc === 'object' && !Array.isArray(doc))
        out.push({ entry, doc: doc as Record<string, unknown> });
    } catch {
      continue;
    }
  }
  return out;
}

function at(doc: Record<string, unknown>, path: readonly string[]): Record<string, unknown> | undefined {
  let v: unknown = doc;
  for (const k of path) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function memcachedBlock(block: Record<string, unknown> | undefined): Record<string, unknown> {
  const m = block?.memcached;
  return m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : {};
}

function yamlProblem(
  ctx: ValidationContext,
  y: MimirYamlView,
  pointer: string,
  p: Omit<Problem, 'path' | 'object' | 'source' | 'pointer'>,
): Problem {
  return {
    source: ctx.source,
    path: treePath(y.entry),
    object: objectId(y.entry.object),
    pointer: `/data/${files.mimir} ${pointer}`,
    ...p,
  };
}

/** The container's memory limit (or, without one, its request) holds `-m` plus memcached's overhead. */
function memoryRule(spec: CacheSpec): Rule {
  return (ctx) => {
    const v = memcachedOf(ctx, spec);
    const m = v?.options.get('m');
    if (!v || !m) return [];
    const itemMiB = Number(m.value);
    if (!Number.isInteger(itemMiB) || itemMiB <= 0)
      return [
        problemAt(ctx, v.entry, {
          pointer: `${v.pointer}/args/${m.index}`,
          message: `memcached's -m (item memory in MiB) is not a positive whole number`,
          expected: 'a whole number of MiB, e.g. 512',
          found: m.value,
          hint: `set config.mimir.caches.${spec.slice}.memoryMiB`,
        }),
      ];
    const limits = v.container.resources?.limits as Record<string, unknown> | undefined;
    const requests = v.container.resources?.requests as Record<string, unknown> | undefined;
    const which = limits?.memory !== undefined ? 'limits' : 'requests';
    const text = which === 'limits' ? limits?.memory : requests?.memory;
    if (text === undefined) return [];
    const q = parseQuantityExact(text).quantity;
    // A memory that is not a quantity is the resources check's to report.
    if (!q) return [];
    const needed = containerMemoryMiB(itemMiB);
    if (q.value >= needed * MiB) return [];
    return [
      problemAt(ctx, v.entry, {
        pointer: `${v.pointer}/resources/${which}/memory`,
        message: `memcached may use -m ${itemMiB} MiB for items plus its hash table and connection buffers, more than its memory ${which === 'limits' ? 'limit' : 'request (it has no limit)'}: the kernel would kill it under load`,
        expected: `at least ${needed}Mi (-m × ${memoryOverheadFactor})`,
        found: String(text),
        hint: `lower config.mimir.caches.${spec.slice}.memoryMiB, or raise the memory in the override of mimir.${spec.key}.statefulSet (the library sets ${needed}Mi for -m ${itemMiB})`,
      }),
    ];
  };
}

/** `-I` within memcached's bounds: it refuses to start otherwise. */
function itemSizeRule(spec: CacheSpec): Rule {
  return (ctx) => {
    const v = memcachedOf(ctx, spec);
    const i = v?.options.get('I');
    if (!v || !i) return [];
    const bytes = itemSizeBytes(i.value);
    const pointer = `${v.pointer}/args/${i.index}`;
    const hint = `set config.mimir.caches.${spec.slice}.maxItemSizeMiB`;
    if (bytes === undefined)
      return [
        problemAt(ctx, v.entry, {
          pointer,
          message: "memcached's -I (largest item) is not a size memcached reads",
          expected: 'a whole number of bytes, or with k or m, e.g. 1m',
          found: i.value,
          hint,
        }),
      ];
    const out: Problem[] = [];
    if (bytes < itemSizeBounds.min || bytes > itemSizeBounds.max)
      out.push(
        problemAt(ctx, v.entry, {
          pointer,
          message: 'memcached refuses to start with this -I (largest item)',
          expected: 'between 1k and 1024m',
          found: i.value,
          hint,
        }),
      );
    const m = Number(v.options.get('m')?.value);
    if (Number.isInteger(m) && m > 0 && bytes > (m * MiB) / 2)
      out.push(
        problemAt(ctx, v.entry, {
          pointer,
          message: `memcached refuses to start when -I (largest item) is more than half of -m (${m} MiB)`,
          expected: `at most ${bytesText((m * MiB) / 2)}`,
          found: `${i.value} = ${bytesText(bytes)}`,
          hint: `${hint}, or raise config.mimir.caches.${spec.slice}.memoryMiB`,
        }),
      );
    return out;
  };
}

/**
 * Mimir's `max_item_size` at most memcached's `-I`: memcached answers a larger item with an error, so
 * the cache would silently miss on exactly the large items it was sized for. Also, the connection pools
 * of every client pod fit memcached's `-c`.
 */
function clientRule(c: MimirStackConfig, spec: CacheSpec): Rule {
  return (ctx) => {
    const v = memcachedOf(ctx, spec);
    if (!v) return [];
    const out: Problem[] = [];
    const itemBytes = itemSizeBytes(v.options.get('I')?.value ?? '1m');
    const connLimit = Number(v.options.get('c')?.value ?? 1024);
    const yamlPath = spec.yamlPath.join('.');
    for (const y of mimirYamls(ctx)) {
      const block = at(y.doc, spec.yamlPath);
      if (block?.backend !== 'memcached') continue;
      const mc = memcachedBlock(block);
      const maxItem = typeof mc.max_item_size === 'number' ? mc.max_item_size : mimirDefaults.maxItemSize;
      if (itemBytes !== undefined && maxItem > itemBytes)
        out.push(
          yamlProblem(ctx, y, `${yamlPath}.memcached.max_item_size`, {
            message: `Mimir would send ${spec.name} items up to ${bytesText(maxItem)}, but memcached (-I) stores items only up to ${bytesText(itemBytes)}: larger ones are refused and never cached`,
            expected: `at most ${itemBytes}`,
            found: String(mc.max_item_size ?? `${maxItem} (Mimir's default)`),
            hint: `leave ${yamlPath}.memcached.max_item_size to the library (it follows config.mimir.caches.${spec.slice}.maxItemSizeMiB), or raise that`,
          }),
        );
      const idle =
        typeof mc.max_idle_connections === 'number' ? mc.max_idle_connections : mimirDefaults.maxIdleConnections;
      const clients = clientPods(c.mimir, spec);
      const pods = clients.reduce((n, k) => n + k.replicas, 0);
      if (Number.isFinite(connLimit) && pods * idle > connLimit)
        out.push(
          problemAt(ctx, v.entry, {
            pointer: `${v.pointer}/args/${v.options.get('c')?.index ?? 0}`,
            message: `${pods} client pods (${clients.map((k) => `${k.component} ${k.replicas}`).join(', ')}) keep up to ${idle} idle connections each to every ${spec.name} pod, more than memcached's connection limit (-c): new connections would be refused`,
            expected: `at least ${pods * idle}`,
            found: String(connLimit),
            hint: `raise config.mimir.caches.${spec.slice}.connectionLimit, or lower its maxIdleConnections`,
          }),
        );
    }
    return out;
  };
}

/** A cache that runs while `mimir.yaml` points its block elsewhere (or nowhere) only costs memory. */
function usedRule(spec: CacheSpec): Rule {
  return (ctx) => {
    const out: Problem[] = [];
    for (const y of mimirYamls(ctx)) {
      const block = at(y.doc, spec.yamlPath);
      const addresses = memcachedBlock(block).addresses;
      if (block?.backend === 'memcached' && typeof addresses === 'string' && addresses.includes(`.${spec.name}.`))
        continue;
      out.push(
        yamlProblem(ctx, y, spec.yamlPath.join('.'), {
          message: `the ${spec.name} runs, but mimir.yaml does not use it (no memcached backend naming its Service here)`,
          found: JSON.stringify(block ?? null),
          hint: `turn it off with config.mimir.caches.${spec.slice}.enabled: false, or leave ${spec.yamlPath.join('.')} to the library`,
        }),
      );
    }
    return out;
  };
}

/** The checks of one rendered cache. */
export function cacheRules(c: MimirStackConfig, spec: CacheSpec): Rule[] {
  return [memoryRule(spec), itemSizeRule(spec), clientRule(c, spec), usedRule(spec)];
}

/**
 * Cache blocks of `mimir.yaml` that Mimir cannot use, whether or not the cache is rendered: a memcached
 * backend without addresses (Mimir refuses to start), typically a cache configured through
 * `config.mimir.config` while its component is off; and results caching switched on with no backend.
 * Addresses that name a Service are the service-address check's.
 */
export function cacheConfigRule(c: MimirStackConfig, specs: readonly CacheSpec[]): Rule {
  return (ctx) => {
    const out: Problem[] = [];
    for (const y of mimirYamls(ctx)) {
      for (const spec of specs) {
        const block = at(y.doc, spec.yamlPath);
        if (block?.backend !== 'memcached') continue;
        const addresses = memcachedBlock(block).addresses;
        if (typeof addresses === 'string' && addresses.trim() !== '') continue;
        const enabled = cacheSettings(c, spec).enabled;
        out.push(
          yamlProblem(ctx, y, `${spec.yamlPath.join('.')}.memcached.addresses`, {
            message: enabled
              ? `${spec.yamlPath.join('.')} uses memcached without addresses: Mimir refuses to start`
              : `${spec.yamlPath.join('.')} uses memcached, but the ${spec.name} is not rendered (config.mimir.caches.${spec.slice}.enabled is false), so it has no addresses: Mimir refuses to start`,
            expected: `addresses of a memcached, e.g. the ${spec.name}'s`,
            found: JSON.stringify(addresses ?? ''),
            hint: enabled
              ? `leave ${spec.yamlPath.join('.')}.memcached.addresses to the library`
              : `set config.mimir.caches.${spec.slice}.enabled: true (the library then writes the block), or remove ${spec.yamlPath.join('.')} from config.mimir.config`,
          }),
        );
      }
      const frontend = at(y.doc, ['frontend']);
      if (frontend?.cache_results === true && !at(y.doc, ['frontend', 'results_cache'])?.backend)
        out.push(
          yamlProblem(ctx, y, 'frontend.cache_results', {
            message: 'frontend.cache_results is true but frontend.results_cache has no backend: no result is cached',
            expected: 'frontend.results_cache.backend: memcached (with its addresses)',
            found: 'no backend',
            hint: 'set config.mimir.caches.results.enabled: true, or leave frontend.cache_results to the library',
          }),
        );
    }
    return out;
  };
}
