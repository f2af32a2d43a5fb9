import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../lib/build/cli.js';
import { flatten } from '../../lib/core/tree.js';
import { checkCluster, requirementsOf } from '../../lib/build/preflight.js';
import { readCluster } from '../../lib/build/preflight-kubectl.js';
import { buildDir } from '../support/environments.js';
import type { Obj } from './harness/client.js';
import { ZONES, waitFor, type Cluster } from './harness/cluster.js';
import { kedaCrdDir, missingPeers, required } from './harness/peers.js';

/**
 * The suite's gate: with every peer built, the suite runs; without, it fails under CI or
 * E2E_REQUIRED=1 and is skipped elsewhere, with the reason in the test name.
 */
export function describeCluster(name: string, body: () => void): void {
  const missing = missingPeers();
  if (!missing) {
    describe(name, body);
    return;
  }
  if (required) {
    describe(name, () => {
      it('has its control plane built', () => {
        throw new Error(`cannot run the cluster suite: ${missing}`);
      });
    });
    return;
  }
  describe.skip(`${name} (skipped: ${missing})`, body);
}

/** Keeps the cluster's logs when a test of the file failed. */
export function trackFailures(): { failed: () => boolean } {
  let failed = false;
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });
  return { failed: () => failed };
}

export interface Apply {
  exitCode: number;
  stdout: string;
  stderr: string;
  warnings: string[];
}

/** `kubectl apply --server-side` of a Kustomize folder or a file, with the API server's warnings. */
export async function apply(cluster: Cluster, target: { kustomize: string } | { file: string }): Promise<Apply> {
  const args = [
    'apply',
    '--server-side',
    '--field-manager=mimir-kube-test',
    ...('kustomize' in target ? ['-k', target.kustomize] : ['-f', target.file]),
  ];
  const r = await cluster.kubectl(args);
  const warnings = r.stderr.split('\n').filter((l) => /^Warning:/i.test(l.trim()));
  return { ...r, warnings };
}

export const conditionTrue = (o: Obj, type: string) =>
  ((o.status?.conditions as { type: string; status: string }[] | undefined) ?? []).some(
    (c) => c.type === type && c.status === 'True',
  );

export interface Settled {
  pods: Obj[];
  claims: Obj[];
}

function summary(pods: Obj[], claims: Obj[]): string {
  const lines = pods.map((p) => {
    const cond = (
      (p.status?.conditions as { type: string; status: string; reason?: string; message?: string }[] | undefined) ?? []
    ).find((c) => c.type === 'PodScheduled' && c.status !== 'True');
    return `  pod ${p.metadata.name}: ${(p.status?.phase as string) ?? '?'} on ${(p.spec?.nodeName as string) ?? '(unscheduled)'}${cond ? ` — ${cond.reason}: ${cond.message}` : ''}${conditionTrue(p, 'Ready') ? ' ready' : ''}`;
  });
  for (const c of claims)
    lines.push(
      `  pvc ${c.metadata.name}: ${(c.status?.phase as string) ?? '?'} (${(c.spec?.storageClassName as string) ?? 'default'})`,
    );
  return lines.join('\n');
}

/**
 * Waits until every workload in the namespace has all its pods: Deployments and StatefulSets with
 * ready, updated replicas equal to the spec at the current generation, Jobs succeeded; every pod
 * scheduled on a node; every claim Bound. Times out with the state of every pod and claim.
 */
export async function waitSettled(cluster: Cluster, ns: string, timeoutMs = 300_000): Promise<Settled> {
  let last: Settled = { pods: [], claims: [] };
  await waitFor(
    `every workload in ${ns} to be ready`,
    async () => {
      const [deploys, sets, jobs, pods, claims] = await Promise.all([
        cluster.client.list(`/apis/apps/v1/namespaces/${ns}/deployments`),
        cluster.client.list(`/apis/apps/v1/namespaces/${ns}/statefulsets`),
        cluster.client.list(`/apis/batch/v1/namespaces/${ns}/jobs`),
        cluster.pods(ns),
        cluster.client.list(`/api/v1/namespaces/${ns}/persistentvolumeclaims`),
      ]);
      last = { pods, claims };
      const rolled = [...deploys, ...sets].every((w) => {
        const s = (w.status ?? {}) as {
          observedGeneration?: number;
          readyReplicas?: number;
          updatedReplicas?: number;
          replicas?: number;
          currentRevision?: string;
          updateRevision?: string;
        };
        const want = (w.spec?.replicas as number | undefined) ?? 1;
        const gen = (w.metadata as { generation?: number }).generation;
        // A StatefulSet has finished rolling when its current revision is the update revision; a
        // Deployment when its replicas (old ReplicaSets' included) are all updated.
        const revisionsDone = w.kind !== 'StatefulSet' || s.currentRevision === s.updateRevision;
        return (
          s.observedGeneration === gen &&
          s.readyReplicas === want &&
          s.updatedReplicas === want &&
          s.replicas === want &&
          revisionsDone
        );
      });
      const done = jobs.every((j) => ((j.status?.succeeded as number | undefined) ?? 0) >= 1);
      const live = pods.filter((p) => !p.metadata.deletionTimestamp);
      const placed = live.every(
        (p) => typeof p.spec?.nodeName === 'string' && (p.status?.phase === 'Succeeded' || conditionTrue(p, 'Ready')),
      );
      const bound = claims.every((c) => c.status?.phase === 'Bound');
      return rolled && done && placed && bound && live.length === pods.length ? last : undefined;
    },
    timeoutMs,
    () => summary(last.pods, last.claims),
  );
  return last;
}

/** Services in the namespace whose selector picks no ready endpoint (EndpointSlices, discovery.k8s.io/v1). */
export async function servicesWithoutEndpoints(cluster: Cluster, ns: string): Promise<string[]> {
  const [services, slices] = await Promise.all([
    cluster.client.list(`/api/v1/namespaces/${ns}/services`),
    cluster.client.list(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`),
  ]);
  return services
    .filter((s) => s.spec?.selector)
    .filter((s) => {
      const mine = slices.filter((sl) => sl.metadata.labels?.['kubernetes.io/service-name'] === s.metadata.name);
      const ready = mine.flatMap((sl) =>
        ((sl.endpoints as { conditions?: { ready?: boolean } }[] | undefined) ?? []).filter(
          (e) => e.conditions?.ready !== false,
        ),
      );
      return ready.length === 0;
    })
    .map((s) => s.metadata.name);
}

/** Every PodDisruptionBudget with the pods it covers and the evictions it allows now. */
export async function budgets(
  cluster: Cluster,
  ns: string,
): Promise<{ name: string; expectedPods: number; disruptionsAllowed: number }[]> {
  const pdbs = await cluster.client.list(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`);
  return pdbs.map((p) => ({
    name: p.metadata.name,
    expectedPods: (p.status?.expectedPods as number) ?? 0,
    disruptionsAllowed: (p.status?.disruptionsAllowed as number) ?? 0,
  }));
}

/** Waits until the disruption controller has looked at every budget (status at the current generation). */
export async function settledBudgets(
  cluster: Cluster,
  ns: string,
): Promise<{ name: string; expectedPods: number; disruptionsAllowed: number }[]> {
  await waitFor(
    `disruption budgets in ${ns} to be observed`,
    async () => {
      const pdbs = await cluster.client.list(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`);
      return pdbs.every(
        (p) =>
          (p.status?.observedGeneration as number | undefined) === (p.metadata as { generation?: number }).generation &&
          (p.status?.expectedPods as number | undefined) !== undefined &&
          (p.status?.expectedPods as number) > 0,
      )
        ? true
        : undefined;
    },
    120_000,
  );
  return budgets(cluster, ns);
}

/** `tsx build.ts <env> --preflight --kubeconfig …`, in process, with its report and exit code. */
export async function preflight(cluster: Cluster, envDir: string): Promise<{ code: number; report: string }> {
  const lines: string[] = [];
  const code = await runCli([envDir, '--preflight', '--kubeconfig', cluster.kubeconfigPath, '--no-typecheck'], {
    log: (l) => lines.push(l),
    error: (l) => lines.push(l),
  });
  return { code, report: lines.join('\n') };
}

/** The fix commands of a preflight report (`fix: …` lines, heredocs included). */
export function fixCommands(report: string): string[] {
  const out: string[] = [];
  const lines = report.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s+fix: (.*)$/.exec(lines[i]);
    if (!m) continue;
    let cmd = m[1];
    while (i + 1 < lines.length && /^ {9}\S/.test(lines[i + 1]) && !/^\s+(fix|needed by):/.test(lines[i + 1]))
      cmd += `\n${lines[++i].slice(9)}`;
    out.push(cmd);
  }
  return out;
}

/** Runs a shell command against the cluster (KUBECONFIG set to it). */
export function sh(cluster: Cluster, command: string): string {
  return execFileSync('bash', ['-c', command], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * out/<env> as it was before its latest change: the parent of the newest commit that changed
 * out/<env> or out/base, extracted to a temporary folder. On a branch whose HEAD changes the output
 * that is HEAD~1; otherwise the last earlier version that differs. Undefined when git, that history or
 * an earlier out/<env> is absent.
 */
export function previousOut(env: string): { dir: string; commit: string; cleanup: () => void } | undefined {
  try {
    const latest = execFileSync('git', ['log', '-1', '--format=%H', '--', `out/${env}`, 'out/base'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (!latest) return undefined;
    const commit = execFileSync('git', ['rev-parse', `${latest}~1`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    execFileSync('git', ['cat-file', '-e', `${commit}:out/${env}/kustomization.yaml`], { stdio: 'ignore' });
    const dir = mkdtempSync(join(tmpdir(), 'mimir-kube-previous-out-'));
    execFileSync('bash', ['-c', `git archive ${commit} out | tar -x -C ${JSON.stringify(dir)}`]);
    return { dir: join(dir, 'out'), commit, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch {
    return undefined;
  }
}

/**
 * Gives the cluster what preflight says the environment lacks: Secrets through preflight's own
 * commands (placeholders filled with test values), StorageClasses served by the harness' provisioner,
 * IngressClasses without a controller, and labelled nodes (with the taints the workloads tolerate)
 * spread over the zones. Then preflight must find nothing.
 */
export async function satisfyPreflight(cluster: Cluster, envDir: string): Promise<void> {
  const built = await buildDir(envDir);
  const objects = flatten(built.tree).map((e) => e.object);
  const req = requirementsOf(objects);
  const findings = checkCluster(req, await readCluster({ kubeconfig: cluster.kubeconfigPath }, req));
  let added = 0;
  for (const f of findings) {
    let m: RegExpExecArray | null;
    if (/^(Secret .* is missing|Namespace .* does not exist yet)/.test(f.message))
      sh(cluster, f.fix[0].replace(/<([A-Za-z0-9._-]+)>/g, 'test-$1'));
    else if ((m = /^StorageClass (\S+) does not exist/.exec(f.message))) await cluster.createStorageClass(m[1]);
    else if ((m = /^IngressClass (\S+) does not exist/.exec(f.message))) {
      await cluster.client.create('/apis/networking.k8s.io/v1/ingressclasses', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: m[1] },
        spec: { controller: 'k8s.io/ingress-nginx' },
      });
    } else if (/^no schedulable node is labelled/.test(f.message)) {
      const needs = req.placements.filter((p) => f.users.includes(p.workload));
      const count = Math.max(1, ...needs.map((p) => (p.spreadKeys.length ? p.replicas : 1)));
      const labels = Object.assign({}, ...needs.map((p) => p.nodeSelector)) as Record<string, string>;
      const taints = needs[0].tolerations
        .filter((t) => t.key && t.operator !== 'Exists' && (t.effect === 'NoSchedule' || t.effect === 'NoExecute'))
        .map((t) => ({ key: t.key as string, value: t.value, effect: t.effect as 'NoSchedule' | 'NoExecute' }));
      // A zone's pods require a node of their zone (node affinity on the zone label): put the nodes there.
      const required = needs
        .flatMap((p) => p.nodeAffinity.flat())
        .find((r) => r.key === 'topology.kubernetes.io/zone' && r.operator === 'In')
        ?.values?.find((v): v is (typeof ZONES)[number] => (ZONES as readonly string[]).includes(v));
      const nodes = Array.from({ length: count }, (_, i) => ({
        name: `pool-${++added}`,
        zone: required ?? ZONES[i % ZONES.length],
        labels,
        taints,
      }));
      await cluster.addNodes(nodes);
    } else throw new Error(`no way to satisfy this finding in the test cluster: ${f.message}`);
  }
  const after = await preflight(cluster, envDir);
  if (after.code !== 0) throw new Error(`preflight still finds something:\n${after.report}`);
}

export { expect };

/**
 * KEDA's CRDs, as installing KEDA puts them in a cluster: from then on the API server checks every
 * ScaledObject against KEDA's own schema (and, with server-side apply, reports unknown fields).
 */
export async function installKedaCrds(cluster: Cluster): Promise<void> {
  const crds = ['scaledobjects', 'triggerauthentications', 'clustertriggerauthentications'];
  for (const crd of crds) {
    const r = await apply(cluster, { file: join(kedaCrdDir, `keda.sh_${crd}.yaml`) });
    expect(r.exitCode, r.stderr).toBe(0);
  }
  for (const crd of crds)
    await waitFor(
      `${crd}.keda.sh Established`,
      async () =>
        conditionTrue(
          await cluster.client.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}.keda.sh`),
          'Established',
        )
          ? true
          : undefined,
      60_000,
    );
  // Established is not yet served: wait until discovery lists the kind.
  await waitFor(
    'ScaledObject in discovery',
    async () =>
      (await cluster.kubectl(['api-resources', '--api-group=keda.sh', '--no-headers'])).stdout.includes('ScaledObject')
        ? true
        : undefined,
    60_000,
  );
}
