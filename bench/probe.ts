/**
 * One in-process measurement, run in a fresh process by `bench/run.ts` so memory numbers of one step
 * are not inflated by the steps before it:
 *
 *   node --import tsx bench/probe.ts '{"kind":"scaled","replicas":3,"tenants":1000}'
 *
 * Prints one JSON line (`ProbeResult`). Timings are taken after warm-up: the validators are loaded
 * and the code is compiled by V8 before the clock starts.
 */
import { performance } from 'node:perf_hooks';
import type { Environment } from '../lib/build/environment.js';
import { checkEnvironmentSchema } from '../lib/build/config-schema.js';
import { loadEnvironment } from '../lib/build/load.js';
import { merge } from '../lib/core/merge.js';
import { outputFiles } from '../lib/build/output.js';
import { buildEnvironment, resolveConfig, type BuiltEnvironment } from '../lib/build/pipeline.js';
import { render } from '../lib/build/render.js';
import { mimirRules } from '../lib/mimir/rules.js';
import { alloyRules } from '../lib/observability/alloy/index.js';
import { gatewayRules } from '../lib/observability/gateway/rules.js';
import { grafanaRules } from '../lib/observability/grafana/index.js';
import { minioRules } from '../lib/observability/minio/index.js';
import { moduleRules } from '../lib/build/rules.js';
import type { Rule } from '../lib/build/validate/index.js';
import { flatten } from '../lib/core/tree.js';
import { kubernetesRules } from '../lib/build/validate/index.js';
import { schemaProblems } from '../lib/build/validate/schema.js';
import { copies, extraObjects, local, objectCount, scaled } from './scenarios.js';
import { summarize, type Summary } from './stats.js';
import { withStack } from '../test/support/stack.js';

export type ProbeSpec =
  | { kind: 'env'; path: string }
  | { kind: 'phases'; path: string }
  | { kind: 'scaledPhases'; replicas: number; tenants: number }
  | { kind: 'scaled'; replicas: number; tenants: number }
  | { kind: 'copies'; n: number }
  | { kind: 'objects'; n: number }
  | { kind: 'size'; paths: string[] }
  | { kind: 'deps' };

export interface ProbeResult {
  /** render + merge + validate (`buildEnvironment`), all environments of the step together. */
  build: Summary;
  /** `outputFiles` (Kustomize base and overlays in memory, YAML serialisation included). */
  output?: Summary;
  phases?: { name: string; time: Summary }[];
  objects: number;
  files?: number;
  bytes?: number;
  /** Peak RSS of the probe process after imports and one warm-up build of `local`. */
  baselineRssKb: number;
  peakRssKb: number;
  error?: string;
  /** For `deps`: heavy packages resolved after importing the library, and after building local without type check. */
  deps?: { afterImport: string[]; afterBuild: string[] };
}

interface Budget {
  warmup: number;
  minRuns: number;
  maxRuns: number;
  /** Stop adding runs after this much time once `minRuns` are done. */
  ms: number;
}

async function measure<T>(fn: () => Promise<T> | T, b: Budget): Promise<{ time: Summary; last: T }> {
  let last: T | undefined;
  for (let i = 0; i < b.warmup; i++) last = await fn();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < b.minRuns || (samples.length < b.maxRuns && performance.now() - started < b.ms)) {
    const t = performance.now();
    last = await fn();
    samples.push(performance.now() - t);
  }
  return { time: summarize(samples), last: last as T };
}

function maxRssKb(): number {
  return process.resourceUsage().maxRSS;
}

async function loaded(path: string): Promise<Environment> {
  const { loaded: env, problems } = await loadEnvironment(path, { typeCheck: false });
  if (!env) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  return env.environment;
}

async function buildAll(envs: Environment[]): Promise<BuiltEnvironment[]> {
  const out: BuiltEnvironment[] = [];
  for (const env of envs) {
    const r = await buildEnvironment(env, `bench:${env.name}`);
    if (!r.built)
      throw new Error(
        `${env.name}: ${r.problems.length} problems, first: ${r.problems[0]?.path} ${r.problems[0]?.message}`,
      );
    out.push(r.built);
  }
  return out;
}

function sizeOf(files: Map<string, string>): { files: number; bytes: number } {
  let bytes = 0;
  for (const content of files.values()) bytes += Buffer.byteLength(content);
  return { files: files.size, bytes };
}

/** Scales the number of runs to the cost of one: many for milliseconds, a few for seconds. */
function budgetFor(kind: ProbeSpec['kind'], size: number): Budget {
  if (kind === 'env') return { warmup: 5, minRuns: 10, maxRuns: 40, ms: 3000 };
  if (size >= 1000) return { warmup: 1, minRuns: 3, maxRuns: 5, ms: 4000 };
  return { warmup: 2, minRuns: 5, maxRuns: 20, ms: 3000 };
}

/**
 * `moduleRules` grouped by the module that contributes each rule (recognised by its source text, since
 * rule factories return fresh closures); a rule of no known module is timed on its own, by name.
 */
function ruleGroups(config: ReturnType<typeof resolveConfig>): { name: string; rules: Rule[] }[] {
  const owners = new Map<string, string>();
  const modules: [string, Rule[]][] = [
    ['Mimir', mimirRules(config)],
    ['MinIO', minioRules(config)],
    ['gateway', gatewayRules(...withStack(config))],
    ['Grafana', grafanaRules(config)],
    ['Alloy', alloyRules(config)],
  ];
  for (const [name, rules] of modules) for (const r of rules) owners.set(r.toString(), `${name} rules`);
  const groups = new Map<string, Rule[]>();
  for (const r of moduleRules(config)) {
    const name = owners.get(r.toString()) ?? `rule ${r.name || 'anonymous'}`;
    groups.set(name, [...(groups.get(name) ?? []), r]);
  }
  return [...groups].map(([name, rules]) => ({ name, rules }));
}

async function phases(env: Environment, heavyInput: boolean): Promise<{ name: string; time: Summary }[]> {
  const b: Budget = heavyInput
    ? { warmup: 1, minRuns: 3, maxRuns: 5, ms: 2000 }
    : { warmup: 5, minRuns: 10, maxRuns: 40, ms: 1500 };
  const out: { name: string; time: Summary }[] = [];
  const step = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const { time, last } = await measure(fn, b);
    out.push({ name, time });
    return last;
  };
  await step('environment schema check', () => checkEnvironmentSchema(env, 'bench'));
  const config = await step('config defaults merge', () => resolveConfig(env));
  const rendered = await step('render', () => render(config));
  const tree =
    env.overrides === undefined
      ? rendered
      : await step('overrides merge', () =>
          merge(rendered, env.overrides as never, { source: 'bench', path: 'overrides' }),
        );
  const ctx = { entries: flatten(tree), source: 'bench', existingSecrets: new Set(config.existingSecrets) };
  await step('object schemas (kubernetes-models validators, bundled)', () => schemaProblems(ctx));
  for (const rule of kubernetesRules) await step(`rule ${rule.name}`, () => rule(ctx));
  for (const g of ruleGroups(config))
    await step(g.rules.length > 1 ? `${g.name} (${g.rules.length})` : g.name, () => g.rules.flatMap((r) => r(ctx)));
  return out;
}

const heavy = [
  'typescript',
  'ajv',
  'kubernetes-models',
  '@kubernetes-models/argo-cd',
  '@grafana/grafana-foundation-sdk',
  'yaml',
  'diff',
  'execa',
];

/** Packages the ESM loader has resolved so far (recorded by `bench/loads.mjs`, which the `deps` probe preloads). */
async function loadedPackages(): Promise<string[]> {
  // The loader thread reports asynchronously.
  await new Promise((r) => setTimeout(r, 100));
  const urls = (globalThis as { benchLoaded?: Set<string> }).benchLoaded;
  if (!urls) return ['(run the probe with --import ./bench/loads.mjs)'];
  const found = new Set<string>();
  for (const url of urls) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
    if (!m || !heavy.includes(m[1])) continue;
    // Ajv's runtime helpers are what precompiled validators need; its compiler is what costs.
    if (m[1] === 'ajv' && m[2].startsWith('dist/runtime/')) continue;
    found.add(m[1]);
  }
  return [...found].sort();
}

async function deps(): Promise<ProbeResult> {
  const afterImport = await loadedPackages();
  const env = await loaded('environments/local');
  const built = await buildAll([env]);
  outputFiles(built);
  return {
    build: summarize([]),
    objects: objectCount(built[0].tree),
    baselineRssKb: maxRssKb(),
    peakRssKb: maxRssKb(),
    deps: { afterImport, afterBuild: await loadedPackages() },
  };
}

async function run(spec: ProbeSpec): Promise<ProbeResult> {
  if (spec.kind === 'deps') return deps();
  // Warm-up that every probe shares: validators loaded, schema compiled, code hot.
  const warm = await buildAll([local]);
  outputFiles(warm);
  const baselineRssKb = maxRssKb();
  const size = 'n' in spec ? spec.n : 'tenants' in spec ? spec.tenants : 1;
  const budget = budgetFor(spec.kind, size);

  let envs: Environment[];
  if (spec.kind === 'env' || spec.kind === 'phases') envs = [await loaded(spec.path)];
  else if (spec.kind === 'scaledPhases') envs = [scaled(spec.replicas, spec.tenants)];
  else if (spec.kind === 'size') envs = await Promise.all(spec.paths.map(loaded));
  else if (spec.kind === 'scaled') envs = [scaled(spec.replicas, spec.tenants)];
  else if (spec.kind === 'copies') envs = copies(spec.n);
  else envs = [extraObjects(spec.n)];

  if (spec.kind === 'phases' || spec.kind === 'scaledPhases') {
    const built = await buildAll(envs);
    return {
      build: summarize([]),
      phases: await phases(envs[0], spec.kind === 'scaledPhases'),
      objects: objectCount(built[0].tree),
      baselineRssKb,
      peakRssKb: maxRssKb(),
    };
  }
  const { time: build, last: builds } = await measure(() => buildAll(envs), budget);
  const { time: output, last: files } = await measure(() => outputFiles(builds), budget);
  const objects = builds.reduce((n, b) => n + objectCount(b.tree), 0);
  return { build, output, objects, ...sizeOf(files), baselineRssKb, peakRssKb: maxRssKb() };
}

const spec = JSON.parse(process.argv[2] ?? '{"kind":"env","path":"environments/local"}') as ProbeSpec;
try {
  console.log(JSON.stringify(await run(spec)));
} catch (err) {
  const empty = summarize([]);
  console.log(
    JSON.stringify({
      build: empty,
      objects: 0,
      baselineRssKb: maxRssKb(),
      peakRssKb: maxRssKb(),
      error: err instanceof Error ? err.message : String(err),
    } satisfies ProbeResult),
  );
}
