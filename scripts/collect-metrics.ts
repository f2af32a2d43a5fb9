/**
 * Writes lib/mimir/reference/metrics-<mimir version>.json: every metric name each workload of the stack
 * exports, as the e2e scenarios see them on the running programs (Mimir at the pinned version, MinIO,
 * Alloy, memcached …). Dashboards, rules and autoscaling queries may name only these (their unit tests
 * check it). The file is a fact about the pinned versions, regenerated on purpose:
 *
 *   npm run metrics:collect                 # runs the stack, caches, self-monitoring and ingest scenarios (root, peers built), then merges
 *   npm run metrics:collect -- --from DIR   # merges the <scenario>.json files an earlier run left in DIR
 *
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

function main(argv: string[]): number {
  const from = argv.indexOf('--from');
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
  const merged = mergeMetricNames(
    files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, string[]>),
  );
  writeFileSync(metricsFactPath, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(
    `wrote ${metricsFactPath} from ${files.join(', ')}: ${Object.entries(merged)
      .map(([k, v]) => `${k} ${v.length}`)
      .join(', ')}`,
  );
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(main(process.argv.slice(2)));
