/**
 * README claims about what a cluster receives, read from the real `kubectl kustomize` output of the
 * written overlay — not from the golden files the same code writes. test/README.md maps every README
 * claim to its test.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../lib/build/cli.js';
import type { Environment } from '../lib/build/environment.js';
import type { KubeObject, PodSpec } from '../lib/core/k8s/types.js';
import { loadEnvironment, typeCheckEnvironments } from '../lib/build/load.js';
import { outputFiles, writeOutput } from '../lib/build/output.js';
import { buildEnvironment, type BuiltEnvironment } from '../lib/build/pipeline.js';
import { formatProblems } from '../lib/core/problems.js';
import { parseQuantity } from '../lib/build/summary.js';
import { parseYamlDocuments } from '../lib/core/yaml.js';
import { snapshot } from './support/files.js';
import { hasKustomizeV5, kustomizeBuild } from './support/kustomize.js';
import { needs } from './support/tools.js';

const tmp = mkdtempSync(join(tmpdir(), 'readme-claims-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const kubectl = needs('kubectl with Kustomize v5', await hasKustomizeV5(), 'install kubectl 1.27+');

const WAVE = 'argocd.argoproj.io/sync-wave';
const annotations = (o: KubeObject) => o.metadata?.annotations ?? {};
const labels = (o: KubeObject) => o.metadata?.labels ?? {};
const podSpec = (o: KubeObject) => (o.spec as { template: { spec: PodSpec } }).template.spec;
const workloads = (objects: KubeObject[]) =>
  objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
const named = (objects: KubeObject[], kind: string, name: string | RegExp) => {
  const found = objects.filter(
    (o) =>
      o.kind === kind && (typeof name === 'string' ? o.metadata?.name === name : name.test(o.metadata?.name ?? '')),
  );
  if (found.length !== 1)
    throw new Error(`expected one ${kind} ${name}, found ${found.map((o) => o.metadata?.name).join(', ') || 'none'}`);
  return found[0];
};
/** Every ConfigMap name a pod template references. */
const configMapRefs = (o: KubeObject) =>
  (podSpec(o).volumes ?? [])
    .flatMap((v) => [v.configMap?.name, ...(v.projected?.sources ?? []).map((s) => s.configMap?.name)])
    .filter((n): n is string => !!n);

let local: Environment;
async function build(env: Environment): Promise<BuiltEnvironment> {
  const r = await buildEnvironment(env, `environments/${env.name}/main.ts`);
  if (!r.built) throw new Error(formatProblems(r.problems));
  return r.built;
}
/** Writes the overlay of `env` and returns what `kubectl kustomize` makes of it. */
let runs = 0;
async function kustomized(env: Environment): Promise<KubeObject[]> {
  const out = join(tmp, `run-${runs++}`);
  writeOutput(out, outputFiles([await build(env)]));
  return kustomizeBuild(join(out, env.name));
}
/** The local environment with part of its config changed. */
function localWith(mimir: Record<string, unknown>): Environment {
  const config = local.config!;
  return { ...local, config: { ...config, mimir: { ...config.mimir, ...mimir } } };
}

beforeAll(async () => {
  const { loaded, problems } = await loadEnvironment('environments/local', { typeCheck: false });
  if (!loaded) throw new Error(formatProblems(problems));
  local = loaded.environment;
});

describe.runIf(kubectl.run)(`README claims, read from kubectl kustomize out/local${kubectl.note}`, () => {
  let base: KubeObject[];
  beforeAll(async () => {
    base = await kustomized(local);
  });

  describe('GitOps: config files go through configMapGenerator', () => {
    it('a change of mimir.yaml renames its ConfigMap, and every pod that mounts it follows (so they roll)', async () => {
      const changed = await kustomized(localWith({ config: { server: { log_level: 'debug' } } }));
      const before = named(base, 'ConfigMap', /^mimir-config-[a-z0-9]{10}$/);
      const after = named(changed, 'ConfigMap', /^mimir-config-[a-z0-9]{10}$/);
      expect(after.metadata?.name).not.toBe(before.metadata?.name);
      expect((after.data as Record<string, string>)['mimir.yaml']).toContain('log_level: debug');
      const mounting = workloads(changed).filter((w) => configMapRefs(w).some((n) => n.startsWith('mimir-config')));
      expect(mounting.length).toBeGreaterThanOrEqual(7);
      for (const w of mounting) expect(configMapRefs(w), w.metadata?.name).toContain(after.metadata?.name);
      expect(JSON.stringify(changed)).not.toContain(before.metadata!.name!);
      const distributor = (objects: KubeObject[]) => named(objects, 'Deployment', 'distributor');
      expect(distributor(changed).spec).not.toEqual(distributor(base).spec);
    });

    it('the runtime overrides ConfigMap keeps its name when tenants change, and no pod template changes', async () => {
      const changed = await kustomized(localWith({ tenants: { 'team-a': { ingestion_rate: 50000 } } }));
      const runtime = named(changed, 'ConfigMap', 'mimir-runtime-config');
      expect(named(base, 'ConfigMap', 'mimir-runtime-config').data).not.toEqual(runtime.data);
      expect((runtime.data as Record<string, string>)['runtime.yaml']).toContain('team-a');
      expect(named(changed, 'ConfigMap', /^mimir-config-/).metadata?.name).toBe(
        named(base, 'ConfigMap', /^mimir-config-/).metadata?.name,
      );
      for (const w of workloads(base)) expect(named(changed, w.kind, w.metadata!.name!), w.metadata?.name).toEqual(w);
      // and the pods do mount it under that stable name, which is what lets Mimir reload it in place
      expect(
        workloads(changed).filter((w) => configMapRefs(w).includes('mimir-runtime-config')).length,
      ).toBeGreaterThanOrEqual(7);
    });

    it('every hash-suffixed ConfigMap tells Argo CD to ignore its superseded copies (IgnoreExtraneous), and the Application prunes last', async () => {
      const configMaps = base.filter((o) => o.kind === 'ConfigMap');
      const hashed = configMaps.filter((o) => /-[a-z0-9]{10}$/.test(o.metadata?.name ?? ''));
      expect(hashed.length).toBe(configMaps.length - 1);
      for (const cm of hashed)
        expect(annotations(cm)['argocd.argoproj.io/compare-options'], cm.metadata?.name).toBe('IgnoreExtraneous');
      const app = parseYamlDocuments(outputFiles([await build(local)]).get('argocd/local.yaml')!)[0] as KubeObject;
      expect((app.spec as { syncPolicy: { syncOptions: string[] } }).syncPolicy.syncOptions).toContain(
        'PruneLast=true',
      );
    });
  });

  it('sync waves: Namespace -5, MinIO -1, the bucket Job 0, Mimir 1, the gateway, Grafana and Alloy 2', () => {
    const wave = (o: KubeObject) => annotations(o)[WAVE];
    expect(wave(named(base, 'Namespace', 'mimir'))).toBe('-5');
    const minio = base.filter(
      (o) => labels(o)['app.kubernetes.io/name'] === 'minio' && o.kind !== 'Job' && o.kind !== 'Secret',
    );
    expect(minio.map((o) => o.kind).sort()).toEqual(['Service', 'StatefulSet']);
    for (const o of minio) expect(wave(o), `${o.kind} ${o.metadata?.name}`).toBe('-1');
    expect(wave(named(base, 'Secret', 'storage-credentials'))).toBe('-1');
    expect(wave(named(base, 'Job', /^minio-buckets-/))).toBe('0');
    // Mimir's own components; its API's clients (the continuous test, the rules Job) come with the gateway.
    const clients = ['continuous-test', 'self-monitoring-rules'];
    const mimir = workloads(base).filter(
      (o) =>
        labels(o)['app.kubernetes.io/name'] === 'mimir' && !clients.includes(labels(o)['app.kubernetes.io/component']),
    );
    expect(mimir.length).toBe(10);
    for (const o of mimir) expect(wave(o), o.metadata?.name).toBe('1');
    for (const name of ['gateway', 'grafana', 'alloy']) expect(wave(named(base, 'Deployment', name)), name).toBe('2');
    for (const o of workloads(base).filter((w) => clients.includes(labels(w)['app.kubernetes.io/component'])))
      expect(wave(o), o.metadata?.name).toBe('2');
    // every workload has a wave: none is left to Argo CD's default 0 by accident
    for (const o of workloads(base)) expect(wave(o), o.metadata?.name).toMatch(/^-?\d+$/);
  });

  it("the bucket Job's name carries a hash of its spec: a change of buckets renames it, the same config does not", async () => {
    const job = (objects: KubeObject[]) => named(objects, 'Job', /^minio-buckets-[a-z0-9]{10}$/).metadata?.name;
    expect(job(await kustomized(local))).toBe(job(base));
    const renamed = await kustomized({
      ...local,
      config: { ...local.config, storage: { ...local.config!.storage, buckets: { blocks: 'blocks-2' } } },
    });
    expect(job(renamed)).not.toBe(job(base));
  });

  it("Quick start: `wait … job -l app.kubernetes.io/name=minio` finds the bucket Job, and `component notin (…)` every pod but the Jobs'", () => {
    const jobs = base.filter((o) => o.kind === 'Job');
    const minioJobs = jobs.filter((j) => labels(j)['app.kubernetes.io/name'] === 'minio');
    expect(minioJobs).toHaveLength(1);
    const templateLabels = (o: KubeObject) =>
      (o.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(templateLabels(minioJobs[0])['app.kubernetes.io/component']).toBe('buckets');
    // The README's selector leaves out exactly the Jobs' pods (a finished Job's pod is never Ready).
    const excluded = /component notin \(([^)]*)\)/.exec(readFileSync('README.md', 'utf8'))![1].split(',');
    expect(jobs.map((j) => templateLabels(j)['app.kubernetes.io/component']).sort()).toEqual([...excluded].sort());
    for (const w of workloads(base).filter((o) => o.kind !== 'Job')) {
      expect(excluded, w.metadata?.name).not.toContain(templateLabels(w)['app.kubernetes.io/component']);
      expect(w.metadata?.namespace).toBe('mimir');
    }
  });

  it('Quick start: the gateway is a NodePort 30080 on port 8080, and the local stack requests about 1 CPU and 2 GiB', () => {
    const gateway = named(base, 'Service', 'gateway').spec as {
      type: string;
      ports: { port: number; nodePort?: number }[];
    };
    expect(gateway.type).toBe('NodePort');
    expect(gateway.ports).toEqual([expect.objectContaining({ port: 8080, nodePort: 30080 })]);
    let cpu = 0;
    let memory = 0;
    for (const w of workloads(base)) {
      const replicas = (w.spec as { replicas?: number }).replicas ?? 1;
      for (const c of [...podSpec(w).containers, ...(podSpec(w).initContainers ?? [])]) {
        cpu += replicas * parseQuantity(c.resources?.requests?.cpu ?? 0);
        memory += replicas * parseQuantity(c.resources?.requests?.memory ?? 0);
      }
    }
    expect(cpu).toBeGreaterThan(0.75);
    expect(cpu).toBeLessThan(1.5);
    expect(memory / 2 ** 30).toBeGreaterThan(1.5);
    expect(memory / 2 ** 30).toBeLessThan(2.5);
  });
});

describe('README claims about the build', () => {
  it('the Argo CD Application is named mimir-<env> and syncs out/<env>, outside the overlay it manages', async () => {
    const files = outputFiles([await build({ ...local, name: 'staging' })]);
    const app = parseYamlDocuments(files.get('argocd/staging.yaml')!)[0] as KubeObject;
    expect(app.metadata?.name).toBe('mimir-staging');
    expect((app.spec as { source: { path: string } }).source.path).toBe('out/staging');
    expect([...files.keys()].filter((p) => p.startsWith('staging/') && p.includes('argocd'))).toEqual([]);
    const kz = parseYamlDocuments(files.get('staging/kustomization.yaml')!)[0] as { resources: string[] };
    expect(kz.resources[0]).toBe('../base');
    expect(kz.resources.some((r) => r.includes('argocd'))).toBe(false);
  });

  it('problems of several environments are reported together, exit code 1, out/ untouched', async () => {
    const out = join(tmp, 'untouched');
    writeOutput(out, new Map([['base/kustomization.yaml', 'previous\n']]));
    const before = snapshot(out);
    const lines: string[] = [];
    const io = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    const code = await runCli(
      [
        'test/fixtures/environments/bad-config',
        'test/fixtures/environments/bad-override',
        'environments/local',
        '--out',
        out,
        '--no-typecheck',
      ],
      io,
    );
    expect(code).toBe(1);
    const text = lines.join('\n');
    expect(text).toContain('test/fixtures/environments/bad-config/environment.yaml');
    expect(text).toContain('namespce');
    expect(text).toContain('test/fixtures/environments/bad-override/environment.yaml');
    expect(text).toContain('namespase');
    expect(text).toMatch(/error: \d+ errors in \d+ places — out\/ left untouched/);
    expect(snapshot(out)).toEqual(before);
  });

  it('TypeScript environments are type-checked, and a passed check is cached by content', async () => {
    const dir = join('test', `.typecheck-${process.pid}`);
    const entry = join(dir, 'main.ts');
    mkdirSync(dir, { recursive: true });
    try {
      const good =
        "import { defineEnvironment } from '../../lib/index.js';\nexport default defineEnvironment({ name: 'cached', config: { namespace: 'x' } });\n";
      writeFileSync(entry, good);
      const stamp = join(
        'node_modules',
        '.cache',
        'mimir-kube',
        `typecheck-${createHash('sha256').update(resolve(entry)).digest('hex').slice(0, 16)}`,
      );
      expect(await typeCheckEnvironments([entry])).toEqual([]);
      const written = statSync(stamp).mtimeMs;
      expect(await typeCheckEnvironments([entry])).toEqual([]);
      expect(statSync(stamp).mtimeMs, 'an unchanged environment is not checked again').toBe(written);
      writeFileSync(entry, good.replace("namespace: 'x'", 'namespace: 5'));
      const problems = await typeCheckEnvironments([entry]);
      expect(problems.map((p) => `${p.source} ${p.message}`).join('\n')).toMatch(/main\.ts TypeScript error TS2322/);
      writeFileSync(entry, good);
      expect(await typeCheckEnvironments([entry])).toEqual([]);
      expect(statSync(stamp).mtimeMs).toBe(written);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('the root kustomization.yaml points at out/local', () => {
    expect(parseYamlDocuments(readFileSync('kustomization.yaml', 'utf8'))[0]).toMatchObject({
      resources: ['out/local'],
    });
  });
});
