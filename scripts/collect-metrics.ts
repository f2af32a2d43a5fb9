/**
 * Writes lib/mimir/reference/metrics-<mimir version>.json: every metric name each workload of the stack
 * exports, as the e2e scenarios see them on the running programs (Mimir at the pinned version, MinIO,
 * Alloy, memcached …). Dashboards, rules and autoscaling queries may name only these (their unit tests
 * check it). The file is a fact about the pinned versions, regenerated on purpose:
 *
 *   npm run metrics:collect                 # runs the stack, caches, self-monitoring and ingest scenarios (root, peers built), then merges
 *   npm run metrics:collect -- --from DIR   # merges the <scenario>.json files an earlier run left in DIR
 *   npm run metrics:collect -- --from DIR --only gateway[,KEY…]
 *                                           # replaces only these components' entries, keeps the others as committed
 *
 * `--only` is for a workload that joins the stack (or whose program's version changes) without the others
 * changing: one scenario that scrapes it is enough, where the full collection needs every scenario.
 * Each scenario's last test writes `<scenario>.json` into E2E_METRICS_DIR (test/e2e/harness/metrics.ts);
 * this script unions them per component, sorted, so the output depends only on what ran.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import versions from '../lib/core/versions.json' with { type: 'json' };

const mimirVersion = versions.mimir.replace(/^.*:/, '');
export const metricsFactPath = fileURLToPath(
  new URL(`../lib/mimir/reference/metrics-${mimirVersion}.json`, import.meta.url),
);

/** The union of several collections, components and names sorted. */
export function mergeMetricNames(collections: Record<string, string[]>[]): Record<string, string[]> {
  const byKey = new Map<string, Set<string>>();
  for (const c of collections)
    for (const [key, names] of Object.entries(c)) {
      const set = byKey.get(key) ?? new Set<string>();
      for (const n of names) set.add(n);
      byKey.set(key, set);
    }
  return Object.fromEntries([...byKey.keys()].sort().map((k) => [k, [...byKey.get(k)!].sort()]));
}

/** `current` with the entries of `keys` taken from `collected`; every one of them must have been collected. */
export function replaceComponents(
  current: Record<string, string[]>,
  collected: Record<string, string[]>,
  keys: readonly string[],
): Record<string, string[]> {
  const absent = keys.filter((k) => !collected[k]?.length);
  if (absent.length) throw new Error(`--only ${keys.join(',')}: no metric names collected for ${absent.join(', ')}`);
  return mergeMetricNames([
    Object.fromEntries(Object.entries(current).filter(([k]) => !keys.includes(k))),
    Object.fromEntries(keys.map((k) => [k, collected[k]])),
  ]);
}

function main(argv: string[]): number {
  const from = argv.indexOf('--from');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',').filter(Boolean) : undefined;
  if (only && only.length === 0) {
    console.error('--only needs a comma-separated list of component keys, e.g. --only gateway');
    return 1;
  }
  let dir: string;
  if (from >= 0) dir = argv[from + 1];
  else {
    dir = mkdtempSync(join(tmpdir(), 'mimir-kube-metrics-'));
    const r = spawnSync(
      'npx',
      [
        'vitest',
        'run',
        '--config',
        'vitest.e2e.config.ts',
        'test/e2e/stack.test.ts',
        'test/e2e/caches.test.ts',
        'test/e2e/self-monitoring.test.ts',
        'test/e2e/ingest.test.ts',
      ],
      { stdio: 'inherit', env: { ...process.env, E2E_REQUIRED: '1', E2E_METRICS_DIR: dir } },
    );
    if (r.status !== 0) {
      console.error(`the e2e scenarios failed (exit ${r.status}); ${metricsFactPath} left untouched`);
      return 1;
    }
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length === 0) {
    console.error(`no <scenario>.json in ${dir}; ${metricsFactPath} left untouched`);
    return 1;
  }
  const collected = mergeMetricNames(
    files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, string[]>),
  );
  let merged = collected;
  if (only) {
    try {
      merged = replaceComponents(
        JSON.parse(readFileSync(metricsFactPath, 'utf8')) as Record<string, string[]>,
        collected,
        only,
      );
    } catch (e) {
      console.error(`${(e as Error).message}; ${metricsFactPath} left untouched`);
      return 1;
    }
  }
  writeFileSync(metricsFactPath, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(
    `wrote ${metricsFactPath} from ${files.join(', ')}${only ? ` (only ${only.join(', ')})` : ''}: ${Object.entries(
      merged,
    )
      .filter(([k]) => !only || only.includes(k))
      .map(([k, v]) => `${k} ${v.length}`)
      .join(', ')}`,
  );
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(main(process.argv.slice(2)));
