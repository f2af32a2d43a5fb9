import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster, waitFor } from './harness/cluster.js';
import { argocdCrdDir } from './harness/peers.js';
import {
  apply,
  describeCluster,
  preflight,
  servicesWithoutEndpoints,
  settledBudgets,
  trackFailures,
  waitSettled,
} from './support.js';

/**
 * out/local on a real control plane (etcd, kube-apiserver, scheduler, controller-manager) with kwok
 * nodes in three zones: accepted by server-side apply without a warning, PodSecurity "restricted"
 * enforced, every pod created and scheduled, every claim bound, every Service with endpoints, every
 * disruption budget allowing an eviction. Argo CD Applications (out/argocd) against Argo CD's CRDs.
 */
describeCluster('out/local on a real API server', () => {
  let cluster: Cluster;
  const t = trackFailures();
  beforeAll(async () => {
    cluster = await Cluster.start('local');
  });
  afterAll(async () => {
    await cluster?.stop(t.failed());
  });

  it('the cluster has nothing the local environment lacks (preflight)', async () => {
    const r = await preflight(cluster, 'environments/local');
    expect(r.report).toContain('has everything the environment needs');
    expect(r.code).toBe(0);
  });

  it('is accepted by kubectl apply --server-side with no warning', async () => {
    const r = await apply(cluster, { kustomize: 'out/local' });
    expect(r.stderr).toBe('');
    expect(r.warnings).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('creates its Namespace enforcing Pod Security "restricted", and the API server enforces it', async () => {
    const ns = await cluster.client.get('/api/v1/namespaces/mimir');
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    // The control: a pod that runs as root with privilege escalation is refused in that namespace.
    const bad = await cluster.kubectl([
      '-n',
      'mimir',
      'run',
      'root-probe',
      '--image=busybox:1.36',
      '--restart=Never',
      '--dry-run=server',
    ]);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/violates PodSecurity "restricted:latest"/);
  });

  it('every pod is created, scheduled on the fake nodes and ready; every claim is bound', async () => {
    const { pods, claims } = await waitSettled(cluster, 'mimir');
    const nodes = new Set((await cluster.client.list('/api/v1/nodes')).map((n) => n.metadata.name));
    expect(pods.length).toBeGreaterThan(10);
    for (const p of pods)
      expect(nodes.has(p.spec?.nodeName as string), `${p.metadata.name} on ${String(p.spec?.nodeName)}`).toBe(true);
    expect(claims.length).toBeGreaterThan(0);
    expect(cluster.provisioner.provisioned.length).toBe(claims.length);
    expect(cluster.provisioner.errors).toEqual([]);
  });

  it('every Service gets endpoints', async () => {
    expect(await servicesWithoutEndpoints(cluster, 'mimir')).toEqual([]);
  });

  it('no disruption budget blocks every eviction', async () => {
    const all = await settledBudgets(cluster, 'mimir');
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((b) => b.disruptionsAllowed < 1)).toEqual([]);
  });

  it("every Argo CD Application in out/argocd validates against Argo CD's own CRDs", async () => {
    for (const f of ['application-crd.yaml', 'appproject-crd.yaml']) {
      const r = await apply(cluster, { file: join(argocdCrdDir, f) });
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const established = await cluster.kubectl([
      'wait',
      '--for=condition=Established',
      'crd/applications.argoproj.io',
      'crd/appprojects.argoproj.io',
      '--timeout=60s',
    ]);
    expect(established.exitCode, established.stderr).toBe(0);
    // Established is not yet served: wait until discovery lists the kind.
    await waitFor(
      'Application in discovery',
      async () =>
        (await cluster.kubectl(['api-resources', '--api-group=argoproj.io', '--no-headers'])).stdout.includes(
          'Application',
        )
          ? true
          : undefined,
      60_000,
    );
    const ns = await cluster.kubectl(['create', 'namespace', 'argocd']);
    expect(ns.exitCode, ns.stderr).toBe(0);
    const files = readdirSync('out/argocd').filter((f) => f.endsWith('.yaml'));
    expect(files).toEqual(expect.arrayContaining(['local.yaml', 'production.yaml']));
    for (const f of files) {
      const r = await apply(cluster, { file: join('out/argocd', f) });
      expect(r.warnings, f).toEqual([]);
      expect(r.exitCode, `${f}: ${r.stderr}`).toBe(0);
    }
    // The control: the CRD's schema does refuse what Argo CD would not understand.
    const broken = join(cluster.dir, 'broken-application.yaml');
    writeFileSync(
      broken,
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: broken, namespace: argocd }\nspec:\n  project: default\n  destination: { server: https://kubernetes.default.svc, namespace: mimir }\n  source: { repoURL: https://example.com/r.git, path: out/local, targetRevisionn: main }\n',
    );
    const r = await apply(cluster, { file: broken });
    expect(r.exitCode).not.toBe(0);
    // Server-side apply's wording for a field the CRD's schema does not declare.
    expect(r.stderr).toMatch(/targetRevisionn/);
    expect(r.stderr).toMatch(/field not declared in schema|unknown field/);
  });
});
