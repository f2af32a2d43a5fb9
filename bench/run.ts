/**
 * `npm run bench`: how long a build takes on this machine, how much memory it needs, and how both grow.
 *
 *   npm run bench                 everything (a few minutes on 2 cores)
 *   npm run bench -- --quick      fewer process runs, no cold type check, no compile
 *
 * In-process numbers come from `bench/probe.ts` in a fresh process per step; process numbers are wall
 * time and peak RSS of fresh `tsx build.ts` / `node dist/build.js` runs. Nothing here asserts a time:
 * the targets are printed next to the measurements for a person to judge.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbeResult, ProbeSpec } from './probe.js';
import { machine, rssMethod, runProcess, type ProcessRun } from './processes.js';
import { bytes, count, mb, ms, summarize, table, timing, type Summary } from './stats.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const processRuns = quick ? 3 : 7;
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const scratch = mkdtempSync(join(tmpdir(), 'mimir-kube-bench-'));
const notes: string[] = [];

function log(line = ''): void {
  console.log(line);
}

function progress(what: string): void {
  process.stderr.write(`… ${what}\n`);
}

// ---------------------------------------------------------------------------------------------- probes

function probe(spec: ProbeSpec): ProbeResult {
  progress(`in process: ${JSON.stringify(spec)}`);
  const preload = spec.kind === 'deps' ? ['--import', './bench/loads.mjs'] : [];
  const r = runProcess(
    process.execPath,
    [...preload, '--import', 'tsx', join(root, 'bench', 'probe.ts'), JSON.stringify(spec)],
    { cwd: root },
  );
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as ProbeResult;
  } catch {
    const empty = summarize([]);
    return {
      build: empty,
      objects: 0,
      baselineRssKb: 0,
      peakRssKb: 0,
      error: `probe failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`,
    };
  }
}

function deltaRss(r: ProbeResult): string {
  return r.error ? 'n/a' : `+${mb(Math.max(0, r.peakRssKb - r.baselineRssKb))}`;
}

// ------------------------------------------------------------------------------------------- processes

interface Series {
  label: string;
  time: Summary;
  rssKb: Summary;
  note?: string;
}

function typecheckStamps(): Map<string, number> {
  const dir = join(root, 'node_modules', '.cache', 'mimir-kube');
  const out = new Map<string, number>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) if (f.startsWith('typecheck-')) out.set(f, statSync(join(dir, f)).mtimeMs);
  return out;
}

function changedStamps(before: Map<string, number>): boolean {
  const after = typecheckStamps();
  return [...after].some(([f, t]) => before.get(f) !== t);
}

/**
 * Runs a command `n` times after one warm-up run. With `warmTypecheck`, a run that had to type-check
 * (its stamp was rewritten because a source file changed meanwhile) is discarded and repeated.
 */
function series(
  label: string,
  command: string,
  argv: string[],
  n: number,
  opts: { warmTypecheck?: boolean; warmup?: boolean } = {},
): Series {
  progress(`process: ${label}`);
  const failed = (r: ProcessRun) => r.status !== 0;
  if (opts.warmup !== false) {
    const w = runProcess(command, argv, { cwd: root });
    if (failed(w))
      return {
        label,
        time: summarize([]),
        rssKb: summarize([]),
        note: `failed (exit ${w.status}): ${w.stderr.trim().split('\n').slice(0, 2).join(' ')}`,
      };
  }
  const times: number[] = [];
  const rss: number[] = [];
  let discarded = 0;
  while (times.length < n && discarded < n) {
    const before = typecheckStamps();
    const r = runProcess(command, argv, { cwd: root });
    if (failed(r))
      return {
        label,
        time: summarize(times),
        rssKb: summarize(rss),
        note: `failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(0, 2).join(' ')}`,
      };
    if (opts.warmTypecheck && changedStamps(before)) {
      discarded++;
      continue;
    }
    times.push(r.wallMs);
    if (r.maxRssKb !== undefined) rss.push(r.maxRssKb);
  }
  return {
    label,
    time: summarize(times),
    rssKb: summarize(rss),
    note: discarded
      ? `${discarded} run(s) discarded: sources changed under the benchmark, the type check ran again`
      : undefined,
  };
}

/** A copy of `environments/local` at a fresh path: no type-check stamp exists for it, so the check runs. */
function coldTypecheck(): Series {
  const label = '`tsx build.ts <copy of environments/local>` — type-check cache cold';
  progress(`process: ${label}`);
  const dir = join(root, 'bench', `.cold-${process.pid}`, 'local');
  const entry = join(dir, 'main.ts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    entry,
    readFileSync(join(root, 'environments', 'local', 'main.ts'), 'utf8').replaceAll("'../../lib/", "'../../../lib/"),
  );
  try {
    const r = runProcess(tsx, ['build.ts', dir, '--out', join(scratch, 'cold')], { cwd: root });
    if (r.status !== 0)
      return {
        label,
        time: summarize([]),
        rssKb: summarize([]),
        note: `failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(0, 2).join(' ')}`,
      };
    return { label, time: summarize([r.wallMs]), rssKb: summarize(r.maxRssKb === undefined ? [] : [r.maxRssKb]) };
  } finally {
    rmSync(join(root, 'bench', `.cold-${process.pid}`), { recursive: true, force: true });
    // The stamp of the throw-away copy (named as lib/load.ts names it) would only be clutter.
    const stamp = `typecheck-${createHash('sha256').update(entry).digest('hex').slice(0, 16)}`;
    rmSync(join(root, 'node_modules', '.cache', 'mimir-kube', stamp), { force: true });
  }
}

function seriesRow(s: Series): string[] {
  return [s.label, timing(s.time), s.rssKb.runs ? mb(s.rssKb.median) : 'n/a', s.note ?? ''];
}

// ---------------------------------------------------------------------------------------------- growth

interface Step {
  label: string;
  size: number;
  spec: ProbeSpec;
}

/**
 * How the cost above the smallest step grows with the size above it, between the last two steps:
 * exponent 1 is linear, 2 quadratic. When the largest step costs about as much as the smallest, the
 * dimension does not drive the cost at all and the exponent would only measure noise.
 */
function growthVerdict(points: { size: number; ms: number }[]): string {
  if (points.length < 3) return 'not enough steps';
  const [first] = points;
  const [prev, last] = points.slice(-2);
  const rise = last.ms - first.ms;
  if (rise < Math.max(5, 0.5 * first.ms))
    return `flat: the largest step is within ${ms(Math.abs(rise))} of the smallest, which is noise`;
  const exponent =
    Math.log(rise / Math.max(prev.ms - first.ms, 1e-3)) / Math.log((last.size - first.size) / (prev.size - first.size));
  return exponent <= 1.15
    ? `linear (growth exponent ${exponent.toFixed(2)})`
    : `SUPERLINEAR (growth exponent ${exponent.toFixed(2)}; 1 is linear, 2 quadratic)`;
}

/** A table of the steps of one dimension, with the marginal cost per added unit between consecutive steps. */
function growthTable(title: string, unit: string, steps: Step[]): { text: string; verdict: string } {
  const results = steps.map((s) => ({ step: s, r: probe(s.spec) }));
  const rows = results.map(({ step, r }, i) => {
    const prev = results[i - 1];
    if (r.error) return [step.label, 'error', r.error.slice(0, 120), '', '', '', ''];
    const marginal =
      prev && !prev.r.error
        ? `${ms((r.build.median - prev.r.build.median) / (step.size - prev.step.size))}/${unit}`
        : '';
    return [
      step.label,
      count(r.objects),
      timing(r.build),
      marginal,
      r.output ? timing(r.output) : '',
      deltaRss(r),
      mb(r.peakRssKb),
    ];
  });
  const ok = results.filter(({ r }) => !r.error);
  const verdict =
    ok.length === results.length
      ? growthVerdict(ok.map(({ step, r }) => ({ size: step.size, ms: r.build.median })))
      : 'a step failed';
  const text = [
    `### ${title}`,
    '',
    table(
      ['step', 'objects', 'build (render+merge+validate)', 'marginal cost', 'outputFiles', 'Δ peak RSS', 'peak RSS'],
      rows,
    ),
    '',
    `Growth of the build time: ${verdict}.`,
  ].join('\n');
  return { text, verdict };
}

// ------------------------------------------------------------------------------------------------ main

const envPaths = ['environments/local', 'environments/production'].filter((p) => {
  const present = ['main.ts', 'environment.yaml', 'environment.json'].some((f) => existsSync(join(root, p, f)));
  if (!present) notes.push(`${p} does not exist yet: skipped.`);
  return present;
});

const m = machine();
log('# mimir-kube benchmark');
log();
log(
  `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memory} RAM, ${m.os}, Node ${m.node}. Load average at start: ${m.load}.`,
);
log(`Peak RSS from: ${rssMethod()}.${quick ? ' Mode: --quick.' : ''}`);
log();

// In process.
const inProcess = envPaths.map((p) => ({ path: p, r: probe({ kind: 'env', path: p }) }));
log('## In process: `buildEnvironment` (schema check, config, render, overrides, validation), after warm-up');
log();
log(
  table(
    ['environment', 'objects', 'build', 'outputFiles (in memory)', 'files', 'bytes', 'Δ peak RSS', 'peak RSS'],
    inProcess.map(({ path, r }) =>
      r.error
        ? [path, 'error', r.error.slice(0, 160), '', '', '', '', '']
        : [
            path,
            count(r.objects),
            timing(r.build),
            r.output ? timing(r.output) : '',
            count(r.files ?? 0),
            bytes(r.bytes ?? 0),
            deltaRss(r),
            mb(r.peakRssKb),
          ],
    ),
  ),
);
log();

for (const p of envPaths) {
  const r = probe({ kind: 'phases', path: p });
  log(`### Where the time goes: ${p} (each step measured on its own, medians)`);
  log();
  log(
    r.error
      ? `error: ${r.error}`
      : table(
          ['step', 'time'],
          (r.phases ?? []).map((ph) => [ph.name, timing(ph.time)]),
        ),
  );
  log();
}

const deps = probe({ kind: 'deps' });
log('### Heavy dependencies resolved by the module loader');
log();
log(
  deps.error
    ? `error: ${deps.error}`
    : table(
        ['moment', 'packages'],
        [
          ['after importing the library', deps.deps?.afterImport.join(', ') || 'none'],
          ['after building local without type check', deps.deps?.afterBuild.join(', ') || 'none'],
        ],
      ),
);
log();

// Fresh processes.
const out = (name: string) => join(scratch, name);
const rows: Series[] = [
  series('`node -e "console.log(1)"` (reference)', process.execPath, ['-e', 'console.log(1)'], processRuns, {
    warmup: false,
  }),
  series('`tsx -e "console.log(1)"` (reference)', tsx, ['-e', 'console.log(1)'], processRuns),
  series(
    '`tsx build.ts environments/local` — type-check cache warm',
    tsx,
    ['build.ts', 'environments/local', '--out', out('warm')],
    processRuns,
    { warmTypecheck: true },
  ),
  series(
    '`tsx build.ts environments/local --no-typecheck`',
    tsx,
    ['build.ts', 'environments/local', '--out', out('notc'), '--no-typecheck'],
    processRuns,
  ),
];
if (!quick) rows.push(coldTypecheck());

let compileNote = '';
if (!quick && !args.has('--no-compile')) {
  progress('npm run compile');
  const c = runProcess('npm', ['run', 'compile'], { cwd: root });
  compileNote = `\`npm run compile\` took ${ms(c.wallMs)}${c.status === 0 ? '' : ` and exited ${c.status} (type errors in files being edited; tsc still emitted)`}.`;
}
if (existsSync(join(root, 'dist', 'build.js')) && existsSync(join(root, 'dist', 'environments', 'local', 'main.js'))) {
  rows.push(
    series(
      '`node dist/build.js dist/environments/local --no-typecheck` (precompiled)',
      process.execPath,
      ['dist/build.js', 'dist/environments/local', '--out', out('dist'), '--no-typecheck'],
      processRuns,
    ),
  );
} else {
  notes.push(
    'dist/ has no compiled build.js or dist/environments/local/main.js: run `npm run compile` (or the bench without --quick) for the precompiled numbers.',
  );
}

/**
 * What loading each heavy dependency costs a fresh plain-node process (the precompiled CLI's situation):
 * the time between the first line of a script and the end of the import.
 */
function importCosts(): string[][] {
  const cases: [string, string][] = [
    ['node startup to first line (reference)', ''],
    ['yaml (import)', "await import('yaml')"],
    [
      'Grafana foundation SDK, 5 entry points (import, as lib/observability/grafana does)',
      "for (const m of ['common','dashboard','prometheus','stat','timeseries']) await import('@grafana/grafana-foundation-sdk/' + m)",
    ],
    [
      'Grafana foundation SDK, 5 entry points (require)',
      "const r = (await import('node:module')).createRequire(process.cwd() + '/'); for (const m of ['common','dashboard','prometheus','stat','timeseries']) r('@grafana/grafana-foundation-sdk/' + m)",
    ],
    [
      'kubernetes-models, the 12 kinds of local (require; no longer at build time: the bundle below replaces it)',
      "const r = (await import('node:module')).createRequire(process.cwd() + '/'); for (const m of ['v1/Namespace','v1/ConfigMap','v1/Secret','v1/Service','v1/ServiceAccount','v1/PersistentVolumeClaim','apps/v1/Deployment','apps/v1/StatefulSet','batch/v1/Job','policy/v1/PodDisruptionBudget','rbac.authorization.k8s.io/v1/Role','rbac.authorization.k8s.io/v1/RoleBinding']) r('kubernetes-models/' + m)",
    ],
    [
      'the same 12 kinds from the committed bundle of their validators (lib/build/validate/k8s-validators.generated.js)',
      "const { models } = await import('./lib/build/validate/k8s-validators.generated.js'); for (const k of ['v1/Namespace','v1/ConfigMap','v1/Secret','v1/Service','v1/ServiceAccount','v1/PersistentVolumeClaim','apps/v1/Deployment','apps/v1/StatefulSet','batch/v1/Job','policy/v1/PodDisruptionBudget','rbac.authorization.k8s.io/v1/Role','rbac.authorization.k8s.io/v1/RoleBinding']) models[k]()",
    ],
    [
      'ajv + compiling the environment schema (only without the cached validator)',
      "const { default: Ajv } = await import('ajv'); new Ajv.default({ allErrors: true, verbose: true, strict: false }).compile(JSON.parse((await import('node:fs')).readFileSync('schema/environment.schema.json', 'utf8')))",
    ],
  ];
  if (existsSync(join(root, 'dist', 'lib', 'index.js')))
    cases.push([
      'the public API, compiled and bundled (dist/lib/index.js), dependencies included',
      "await import('./dist/lib/index.js')",
    ]);
  if (existsSync(join(root, 'dist', 'lib', 'build', 'index.js')))
    cases.push([
      'the whole compiled build (dist/lib/build/index.js: CLI, pipeline, checks, writer, validators)',
      "await import('./dist/lib/build/index.js')",
    ]);
  return cases.map(([label, code]) => {
    progress(`import cost: ${label}`);
    const script = `const t = performance.now(); ${code}; console.log(JSON.stringify({ at: t, took: performance.now() - t }))`;
    const samples: number[] = [];
    for (let i = 0; i < (quick ? 3 : 5); i++) {
      const r = runProcess(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
      try {
        const { at, took } = JSON.parse(r.stdout.trim()) as { at: number; took: number };
        samples.push(code ? took : at);
      } catch {
        return [label, `failed: ${r.stderr.trim().split('\n')[0]}`];
      }
    }
    return [label, timing(summarize(samples))];
  });
}

log('## Fresh processes: wall time and peak RSS');
log();
log(table(['command', 'wall time', 'peak RSS', 'note'], rows.map(seriesRow)));
log();
if (compileNote) {
  log(compileNote);
  log();
}
log('### What loading costs a fresh node process (no TypeScript loader)');
log();
log(table(['module', 'time'], importCosts()));
log();

// Growth.
log('## Growth');
log();
const growth = [
  growthTable(
    'Ingester and store-gateway replicas (same objects, bigger numbers)',
    'replica',
    [3, 30, 300].map((n) => ({ label: `${n} replicas`, size: n, spec: { kind: 'scaled', replicas: n, tenants: 0 } })),
  ),
  growthTable(
    'Tenants in the runtime overrides (same objects, bigger runtime.yaml)',
    'tenant',
    [10, 1000, 3000, 10000].map((n) => ({
      label: `${count(n)} tenants`,
      size: n,
      spec: { kind: 'scaled', replicas: 3, tenants: n },
    })),
  ),
  growthTable(
    'Environments built in one call (`buildEnvironment` each + one `outputFiles`)',
    'env',
    [1, 10, 50].map((n) => ({ label: `${n} environments`, size: n, spec: { kind: 'copies', n } })),
  ),
  growthTable(
    'Objects in one tree (local plus N renamed copies of the distributor, added through overrides)',
    'copy',
    [0, 100, 1000].map((n) => ({ label: `+${n} components`, size: n, spec: { kind: 'objects', n } })),
  ),
];
for (const g of growth) {
  log(g.text);
  log();
}

const big = probe({ kind: 'scaled', replicas: 300, tenants: 10000 });
log('### 300 ingesters and store-gateways with 10,000 tenants');
log();
log(
  big.error
    ? `error: ${big.error}`
    : table(
        ['build', 'outputFiles', 'Δ peak RSS', 'peak RSS'],
        [[timing(big.build), big.output ? timing(big.output) : '', deltaRss(big), mb(big.peakRssKb)]],
      ),
);
log();
const bigPhases = probe({ kind: 'scaledPhases', replicas: 300, tenants: 10000 });
log('Where that time goes (each step on its own, medians):');
log();
log(
  bigPhases.error
    ? `error: ${bigPhases.error}`
    : table(
        ['step', 'time'],
        (bigPhases.phases ?? []).map((ph) => [ph.name, timing(ph.time)]),
      ),
);
log();

// Output size.
const size = probe({ kind: 'size', paths: envPaths });
log('## Output size');
log();
log(
  size.error
    ? `error: ${size.error}`
    : table(
        ['environments', 'objects (all trees)', 'files', 'bytes'],
        [
          [
            envPaths.map((p) => p.split('/').pop()).join(' + '),
            count(size.objects),
            count(size.files ?? 0),
            bytes(size.bytes ?? 0),
          ],
        ],
      ),
);
log();

// Targets.
const find = (label: string) => rows.find((r) => r.label.startsWith(label));
const localBuild = inProcess.find((e) => e.path === 'environments/local')?.r;
const check = (value: number | undefined, limit: number) =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : value <= limit ? 'met' : 'MISSED';
const targets: string[][] = [
  [
    'in-process build of local (median)',
    '≤ 50 ms',
    localBuild && !localBuild.error ? ms(localBuild.build.median) : 'n/a',
    check(localBuild?.build.median, 50),
  ],
  [
    '`tsx build.ts environments/local` (warm type-check cache)',
    '≤ 1.0 s',
    ms(find('`tsx build.ts environments/local` —')?.time.median ?? Number.NaN),
    check(find('`tsx build.ts environments/local` —')?.time.median, 1000),
  ],
  [
    'precompiled `node dist/build.js … --no-typecheck`',
    '≤ 0.3 s',
    ms(find('`node dist/build.js')?.time.median ?? Number.NaN),
    check(find('`node dist/build.js')?.time.median, 300),
  ],
  [
    '300 ingesters / 10,000 tenants in process',
    '≤ 1 s',
    big.error ? 'n/a' : ms(big.build.median),
    check(big.error ? undefined : big.build.median, 1000),
  ],
  ...growth.map((g, i) => [
    `linear growth: ${['replicas', 'tenants', 'environments', 'objects'][i]}`,
    'linear',
    g.verdict.replace(/:.*|\s*\(.*\)/g, ''),
    /^(linear|flat)/.test(g.verdict) ? 'met' : 'MISSED',
  ]),
];
log('## Targets');
log();
log(table(['what', 'target', 'measured', 'status'], targets));
log();
log(`Load average at the end: ${machine().load} (other processes on the machine inflate every number above).`);
for (const n of notes) log(`Note: ${n}`);

// The runs wrote their output under the scratch folder; nothing in the repository changed.
rmSync(scratch, { recursive: true, force: true });
