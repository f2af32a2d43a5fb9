import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StackConfig } from '../lib/build/config.js';
import type { Job, TreeLike } from '../lib/core/k8s/types.js';
import { bucketJobName, bucketNames, minio, minioRules } from '../lib/observability/minio/index.js';
import { observability } from '../lib/observability/index.js';
import { syncWaves as leafWaves } from '../lib/core/k8s/waves.js';
import { cluster, syncWaves } from '../lib/build/render.js';
import { validateTree } from '../lib/build/validate/index.js';
import { config, withStack } from './support/stack.js';
import { buildEnvironment, type BuiltEnvironment } from '../lib/build/pipeline.js';
import type { Environment } from '../lib/build/environment.js';
import { byName } from '../lib/core/merge.js';

/** The rendered tree's shape, no cast: tree walkers take it as it is. */
function treeOf(c: StackConfig) {
  return { cluster: cluster(c), observability: { minio: minio(c) } };
}

const container = (j: Job) => j.spec!.template.spec!.containers[0];

describe('MinIO StatefulSet and Service', () => {
  const c = config((c) => {
    c.observability.minio.storageSize = '25Gi';
    c.observability.minio.storageClassName = 'fast-ssd';
  });
  const m = minio(c);
  const server = m.statefulSet.spec!.template.spec!.containers[0];

  it('keeps its data on a persistent volume sized and classed from config', () => {
    const claim = m.statefulSet.spec!.volumeClaimTemplates![0];
    expect(claim.metadata?.name).toBe('data');
    expect(claim.spec?.resources?.requests?.storage).toBe('25Gi');
    expect(claim.spec?.storageClassName).toBe('fast-ssd');
    expect(server.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(server.args?.slice(0, 2)).toEqual(['server', '/data']);
  });

  it('leaves the storage class to the cluster when none is configured', () => {
    expect(minio(config()).statefulSet.spec!.volumeClaimTemplates![0].spec?.storageClassName).toBeUndefined();
  });

  it('serves S3 on 9000 (api) and the console on 9001 (console) through the minio Service', () => {
    expect(m.service.metadata?.name).toBe('minio');
    expect(m.service.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).toEqual([
      ['api', 9000, 'api'],
      ['console', 9001, 'console'],
    ]);
    expect(m.service.spec?.selector).toEqual(m.statefulSet.spec?.selector?.matchLabels);
  });

  it('probes readiness and liveness on the health endpoints', () => {
    expect(server.readinessProbe?.httpGet).toEqual({ path: '/minio/health/ready', port: 'api' });
    expect(server.livenessProbe?.httpGet).toEqual({ path: '/minio/health/live', port: 'api' });
  });

  it('takes its root credentials from the storage Secret and exposes metrics without auth', () => {
    const env = Object.fromEntries((server.env ?? []).map((e) => [e.name, e]));
    expect(env.MINIO_ROOT_USER.valueFrom?.secretKeyRef).toEqual({ name: 'storage-credentials', key: 'access-key-id' });
    expect(env.MINIO_ROOT_PASSWORD.valueFrom?.secretKeyRef).toEqual({
      name: 'storage-credentials',
      key: 'secret-access-key',
    });
    expect(env.MINIO_PROMETHEUS_AUTH_TYPE.value).toBe('public');
    expect(JSON.stringify(m.statefulSet)).not.toContain('mimir-dev-secret');
  });

  it('keeps the root file system read-only, writing only to its volumes', () => {
    expect(server.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(server.args).toContain('--certs-dir=/tmp/certs');
    expect(server.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });

  it('uses the same sync waves as render.ts (the leaf copy exists only to avoid an import cycle)', () => {
    expect(leafWaves).toEqual(syncWaves);
  });

  it('syncs in the storage wave', () => {
    expect(m.statefulSet.metadata?.annotations?.['argocd.argoproj.io/sync-wave']).toBe(syncWaves.storage);
  });
});

describe('storage credentials Secret', () => {
  it('is rendered with a development credential only when asked for', () => {
    const dev = minio(config((c) => (c.storage.developmentCredentials = true)));
    expect(dev.secret?.metadata?.name).toBe('storage-credentials');
    expect(Object.keys(dev.secret?.stringData ?? {}).sort()).toEqual(['access-key-id', 'secret-access-key']);
    expect(dev.secret!.stringData!['secret-access-key'].length).toBeGreaterThanOrEqual(8);
    expect(minio(config()).secret).toBeUndefined();
  });

  it('follows the configured Secret name and keys', () => {
    const m = minio(
      config((c) => {
        c.storage.developmentCredentials = true;
        c.storage.credentials = { secretName: 's3', accessKeyIdKey: 'user', secretAccessKeyKey: 'pass' };
      }),
    );
    expect(m.secret?.metadata?.name).toBe('s3');
    expect(Object.keys(m.secret?.stringData ?? {}).sort()).toEqual(['pass', 'user']);
    const refs = (container(m.job).env ?? []).flatMap((e) =>
      e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [],
    );
    expect(refs).toEqual([
      { name: 's3', key: 'user' },
      { name: 's3', key: 'pass' },
    ]);
  });
});

describe('bucket Job', () => {
  const c = config();
  const j = minio(c).job;
  const k = container(j);

  it('creates every bucket with mc, idempotently, and retries until MinIO answers', () => {
    expect(k.image).toBe(c.images.minioClient);
    expect(k.command?.slice(-3)).toEqual(['mimir-blocks', 'mimir-ruler', 'mimir-alertmanager']);
    expect(k.command?.[2]).toContain('mc mb --ignore-existing');
    expect(k.command?.[2]).toMatch(/until mc alias set/);
    expect(j.spec?.backoffLimit).toBeGreaterThanOrEqual(30);
    expect(j.spec?.template.spec?.restartPolicy).toBe('OnFailure');
  });

  it('names each bucket once even when two stores share one', () => {
    expect(bucketNames(config((c) => (c.storage.buckets.ruler = c.storage.buckets.alertmanager)))).toEqual([
      'mimir-blocks',
      'mimir-alertmanager',
    ]);
  });

  it('keeps mc configuration on an emptyDir so the root file system stays read-only', () => {
    const env = Object.fromEntries((k.env ?? []).map((e) => [e.name, e.value]));
    expect(env.MC_CONFIG_DIR).toBe('/tmp/.mc');
    expect(k.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(j.spec?.template.spec?.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(k.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(env.MINIO_ENDPOINT).toBe('http://minio.mimir.svc.cluster.local:9000');
  });

  it('carries the Argo CD wave and Replace, and never a TTL', () => {
    expect(j.metadata?.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': syncWaves.buckets,
      'argocd.argoproj.io/sync-options': 'Replace=true',
    });
    expect(syncWaves.buckets).toBe('0');
    expect(j.spec).not.toHaveProperty('ttlSecondsAfterFinished');
  });

  it('has a name that changes with its pod template and only then', () => {
    expect(j.metadata?.name).toMatch(/^minio-buckets-[0-9a-f]{10}$/);
    expect(j.metadata?.name).toBe(bucketJobName(j.spec?.template));
    const same = [
      config(),
      config((c) => (c.observability.minio.storageSize = '1Ti')),
      config((c) => (c.observability.grafana.anonymousAccess = true)),
      config((c) => (c.storage.developmentCredentials = true)),
    ];
    for (const other of same) expect(minio(other).job.metadata?.name).toBe(j.metadata?.name);
    const changed = [
      config((c) => (c.storage.buckets.blocks = 'other-blocks')),
      config((c) => (c.images.minioClient = 'minio/mc:RELEASE.2025-01-01T00-00-00Z')),
      config((c) => (c.observability.minio.bucketJobResources.requests.cpu = '20m')),
      config((c) => (c.namespace = 'observability')),
    ];
    const names = changed.map((other) => minio(other).job.metadata?.name);
    for (const n of names) expect(n).not.toBe(j.metadata?.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('hashes canonical JSON, so key order does not matter', () => {
    const template = j.spec!.template;
    const reordered = JSON.parse(JSON.stringify({ spec: template.spec, metadata: template.metadata }));
    expect(bucketJobName(reordered)).toBe(j.metadata?.name);
  });
});

describe('bucket script', () => {
  // Runs the Job's script with stand-ins for mc and sleep, to prove the retry loop and the bucket list.
  const dir = mkdtempSync(join(tmpdir(), 'mc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = container(minio(config()).job).command!;

  function run(failAliasTimes: number) {
    const log = join(dir, `log-${failAliasTimes}`);
    const counter = join(dir, `count-${failAliasTimes}`);
    writeFileSync(counter, '0');
    writeFileSync(
      join(dir, 'mc'),
      `#!/bin/sh\necho "$*" >> "$LOG"\nif [ "$1 $2" = "alias set" ]; then n=$(cat "$COUNTER"); echo $((n + 1)) > "$COUNTER"; [ "$n" -ge "$FAIL" ] || exit 1; fi\nexit 0\n`,
    );
    writeFileSync(join(dir, 'sleep'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'mc'), 0o755);
    chmodSync(join(dir, 'sleep'), 0o755);
    const result = spawnSync(script[0], script.slice(1), {
      env: {
        PATH: `${dir}:/usr/bin:/bin`,
        LOG: log,
        COUNTER: counter,
        FAIL: String(failAliasTimes),
        MINIO_ENDPOINT: 'http://minio:9000',
        MINIO_ACCESS_KEY_ID: 'a',
        MINIO_SECRET_ACCESS_KEY: 'b c"d',
      },
      encoding: 'utf8',
    });
    let calls: string[] = [];
    try {
      calls = readFileSync(log, 'utf8').trim().split('\n');
    } catch {
      calls = [];
    }
    return { status: result.status, calls, stderr: result.stderr };
  }

  it('waits for MinIO, then creates each bucket', () => {
    const { status, calls } = run(3);
    expect(status).toBe(0);
    expect(calls.filter((l) => l.startsWith('alias set'))).toHaveLength(4);
    expect(calls[0]).toBe('alias set stack http://minio:9000 a b c"d');
    expect(calls.filter((l) => l.startsWith('mb'))).toEqual([
      'mb --ignore-existing stack/mimir-blocks',
      'mb --ignore-existing stack/mimir-ruler',
      'mb --ignore-existing stack/mimir-alertmanager',
    ]);
  });

  it('gives up with an error after its attempts so the Job retries the pod', () => {
    const { status, calls, stderr } = run(1000);
    expect(status).not.toBe(0);
    expect(calls.filter((l) => l.startsWith('mb'))).toEqual([]);
    expect(stderr).toContain('did not answer');
  });
});

describe('MinIO in the tree', () => {
  it("passes the Kubernetes checks (PSS restricted, selectors, references) with the environment's Secret", async () => {
    const c = config();
    expect(await validateTree(treeOf(c), { existingSecrets: ['storage-credentials'] })).toEqual([]);
  });

  it('needs no existing Secret with development credentials, and reports the Secret missing otherwise', async () => {
    expect(await validateTree(treeOf(config((c) => (c.storage.developmentCredentials = true))))).toEqual([]);
    const problems = await validateTree(treeOf(config()));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.message.includes('Secret "storage-credentials" does not exist'))).toBe(true);
  });

  it('is rendered only when enabled', () => {
    expect(observability(...withStack(config()))).toHaveProperty('minio');
    expect(observability(...withStack(config((c) => (c.observability.minio.enabled = false))))).not.toHaveProperty(
      'minio',
    );
  });
});

describe('minioRules', () => {
  const c = config((c) => (c.storage.developmentCredentials = true));
  const run = async (tree: TreeLike, cfg = c) => validateTree(tree, { extraRules: minioRules(cfg) });

  it('accepts the rendered component', async () => {
    expect(await run(treeOf(c))).toEqual([]);
  });

  it('reports a Job whose template an override changed without renaming it', async () => {
    const tree = treeOf(c);
    const j = tree.observability.minio.job;
    j.spec!.template.spec!.containers[0].image = 'minio/mc:other';
    const problems = await run(tree);
    expect(problems).toHaveLength(1);
    expect(problems[0].pointer).toBe('/metadata/name');
    expect(problems[0].expected).toBe(bucketJobName(j.spec!.template));
    expect(problems[0].hint).toContain(bucketJobName(j.spec!.template));
  });

  it('reports bucket names S3 rejects', async () => {
    const bad = config((x) => {
      x.storage.developmentCredentials = true;
      x.storage.buckets.ruler = 'Mimir_Ruler';
    });
    const problems = await run(treeOf(bad), bad);
    expect(problems.map((p) => p.path)).toEqual(['config.storage.buckets.ruler']);
  });

  it('reports an endpoint that names no rendered Service', async () => {
    const tree = treeOf(c);
    const env = tree.observability.minio.job.spec!.template.spec!.containers[0].env!;
    env.find((e) => e.name === 'MINIO_ENDPOINT')!.value = 'http://minoi.mimir.svc.cluster.local:9000';
    const problems = (await run(tree)).filter((p) => p.message.includes('minoi'));
    expect(problems).toHaveLength(1);
    expect(problems[0].hint).toContain('minio');
  });
});

describe('the bucket Job after overrides (finalise)', () => {
  const env = (overrides: Environment['overrides']): Environment => ({
    name: 'hash',
    config: { storage: { developmentCredentials: true }, observability: { grafana: { developmentCredentials: true } } },
    overrides,
  });
  const jobOf = (b: BuiltEnvironment | undefined): Job => {
    const j = b?.tree.observability.minio?.job;
    if (!j) throw new Error('no bucket Job');
    return j;
  };

  it('an override of its pod template renames the Job by the merged template, no hash copied by hand', async () => {
    const plain = await buildEnvironment(env(undefined), 'test');
    const changed = await buildEnvironment(
      env({
        observability: {
          minio: {
            job: {
              spec: { template: { spec: { containers: byName({ 'create-buckets': { image: 'minio/mc:other' } }) } } },
            },
          },
        },
      }),
      'test',
    );
    expect(changed.problems).toEqual([]);
    const before = jobOf(plain.built);
    const after = jobOf(changed.built);
    expect(after.spec?.template.spec?.containers[0].image).toBe('minio/mc:other');
    expect(after.metadata?.name).toBe(bucketJobName(after.spec?.template));
    expect(after.metadata?.name).not.toBe(before.metadata?.name);
  });

  it('a name the environment sets itself is kept, and held to the template by the check', async () => {
    const r = await buildEnvironment(
      env({
        observability: {
          minio: {
            job: {
              metadata: { name: 'my-buckets' },
              spec: { template: { spec: { containers: byName({ 'create-buckets': { image: 'minio/mc:other' } }) } } },
            },
          },
        },
      }),
      'test',
    );
    expect(r.problems.map((p) => p.pointer)).toEqual(['/metadata/name']);
  });
});
