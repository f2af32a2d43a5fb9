import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../lib/build/cli.js';
import { classifyChanges, type ChangeClass, type Finding } from '../../lib/build/diff/classify.js';
import { deployedObjects } from '../../lib/build/diff/objects.js';
import { liveObjects, renderedForLive } from '../../lib/build/diff/live.js';
import { readLive, readOutput } from '../../lib/build/diff/run.js';
import type { FileSet } from '../../lib/build/kustomize/writer.js';
import type { KubeObject } from '../../lib/core/k8s/types.js';
import { parseYamlDocuments, toYaml } from '../../lib/core/yaml.js';
import { Cluster } from './harness/cluster.js';
import { apply, describeCluster, sh, trackFailures, waitSettled } from './support.js';

/**
 * The classification against the real control plane: the committed out/local is applied and
 * settles, then each change — made to a copy of the output as a changed render would make it — is
 * classified and applied. "In place" and "rolling" apply cleanly; "needs recreate" is refused by the
 * API server, for exactly the objects (and fields) the classification named and no other; the
 * procedure the classification prints then succeeds and the workloads settle. `--diff --kubeconfig`
 * against the cluster sees no change after a clean apply and sees a change made outside Git.
 */

type Obj = KubeObject & Record<string, any>;

interface Scenario {
  name: string;
  /** Edits of committed files (paths under out/), each a function of the parsed object. */
  edits: Record<string, (o: Obj) => void>;
  /** Edits of committed text files (generator inputs). */
  text?: Record<string, (t: string) => string>;
  expect: Record<string, ChangeClass>;
  /** What the API server says about each refused object, e.g. `spec.selector`. */
  refusal?: Record<string, RegExp>;
}

const scenarios: Scenario[] = [
  {
    name: 'in place: a label and replicas',
    edits: {
      'base/mimir/querier/deployment-querier.yaml': (o) => (o.metadata!.labels!['example.com/team'] = 'mimir'),
      'base/mimir/querier/poddisruptionbudget-querier.yaml': (o) => (o.metadata!.labels!['example.com/team'] = 'mimir'),
      'base/mimir/querier/service-querier.yaml': (o) => (o.spec.type = 'NodePort'),
    },
    expect: {
      'Deployment/mimir/querier': 'in-place',
      'PodDisruptionBudget/mimir/querier': 'in-place',
      'Service/mimir/querier': 'in-place',
    },
  },
  {
    name: 'rolling: a pod template and mimir.yaml',
    edits: {
      'base/mimir/distributor/deployment-distributor.yaml': (o) =>
        o.spec.template.spec.containers[0].env.push({ name: 'EXAMPLE', value: '1' }),
    },
    text: {
      'local/mimir/config/configmap-mimir-config/mimir.yaml': (t) => `${t}usage_stats:\n  enabled: false\n`,
    },
    expect: {
      'Deployment/mimir/distributor': 'rolling',
      'ConfigMap/mimir/mimir-config': 'rolling',
    },
  },
  {
    name: 'recreate: StatefulSet serviceName and podManagementPolicy',
    edits: {
      'base/mimir/ingester/statefulset-ingester.yaml': (o) => {
        o.spec.serviceName = 'ingester-headless';
        o.spec.podManagementPolicy = 'OrderedReady';
      },
      'base/mimir/querier/deployment-querier.yaml': (o) => (o.spec.template.metadata.annotations = { a: 'b' }),
    },
    expect: { 'StatefulSet/mimir/ingester': 'recreate', 'Deployment/mimir/querier': 'rolling' },
    refusal: {
      'StatefulSet/mimir/ingester': /spec\.serviceName: Invalid value: "ingester-headless": field is immutable/,
    },
  },
  {
    name: 'recreate: a claim template that grows',
    edits: {},
    text: {
      'local/patches/mimir/compactor/statefulset-compactor.yaml': (t) =>
        t.replace(/(requests\/storage\n\s+value: )\S+/, '$13Gi'),
    },
    expect: { 'StatefulSet/mimir/compactor': 'recreate' },
  },
  {
    name: 'recreate: a Deployment selector',
    edits: {
      'base/mimir/queryScheduler/deployment-query-scheduler.yaml': (o) => {
        o.spec.selector.matchLabels['example.com/track'] = 'stable';
        o.spec.template.metadata.labels['example.com/track'] = 'stable';
      },
    },
    expect: { 'Deployment/mimir/query-scheduler': 'recreate' },
    refusal: { 'Deployment/mimir/query-scheduler': /spec\.selector: Invalid value: .*field is immutable/ },
  },
  {
    name: 'recreate: a Service clusterIP',
    edits: { 'base/mimir/querier/service-querier.yaml': (o) => (o.spec.clusterIP = 'None') },
    expect: { 'Service/mimir/querier': 'recreate' },
    refusal: { 'Service/mimir/querier': /spec\.clusterIPs?(\[0\])?: Invalid value: .*may not change once set/ },
  },
  {
    name: "recreate: a Job's template",
    edits: {
      'base/observability/minio/job-minio-buckets-*.yaml': (o) =>
        o.spec.template.spec.containers[0].env.push({ name: 'EXAMPLE', value: '1' }),
    },
    expect: { 'Job/mimir/minio-buckets-*': 'recreate' },
    refusal: { 'Job/mimir/minio-buckets-*': /spec\.template: Invalid value: .*field is immutable/ },
  },
];

function edited(committed: FileSet, s: Scenario): FileSet {
  const files: FileSet = new Map(committed);
  const resolve = (pattern: string): string => {
    const re = new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
    const hit = [...files.keys()].find((k) => re.test(k));
    if (!hit) throw new Error(`no committed file ${pattern}`);
    return hit;
  };
  for (const [pattern, edit] of Object.entries(s.edits)) {
    const path = resolve(pattern);
    const o = parseYamlDocuments(files.get(path) as string)[0] as Obj;
    edit(o);
    files.set(path, toYaml(o));
  }
  for (const [pattern, edit] of Object.entries(s.text ?? {})) {
    const path = resolve(pattern);
    files.set(path, edit(files.get(path) as string));
  }
  return files;
}

function writeTree(files: FileSet): string {
  const dir = mkdtempSync(join(tmpdir(), 'mimir-kube-safe-change-'));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/**
 * The server's refusals, one block per object: kubectl prints `The Kind "name" is invalid: …` (or
 * `Error from server (Invalid): Kind.group "name" is invalid: …`), several causes as `* field: …` lines.
 */
function refusals(stderr: string): { ref: string; text: string }[] {
  const head = /^(?:Error from server \(Invalid\): |The )(\w+)(?:\.[\w.]+)? "([^"]+)" is invalid/;
  const out: { ref: string; text: string }[] = [];
  for (const line of stderr.split('\n')) {
    const m = head.exec(line);
    if (m) out.push({ ref: `${m[1]}/mimir/${m[2]}`, text: line });
    else if (out.length) out[out.length - 1].text += `\n${line}`;
  }
  return out;
}

/** Objects named in the server's refusals. */
function refusedObjects(stderr: string): string[] {
  return [...new Set(refusals(stderr).map((r) => r.ref))].sort();
}

/** The fields the server calls immutable in its refusal of one object. */
function serverFields(stderr: string, f: Finding): string[] {
  const text = refusals(stderr).find((r) => r.ref === f.ref)?.text ?? '';
  const immutable = /(spec\.[\w.[\]]+): Invalid value: .*?(?:field is immutable|may not change once set)/g;
  return [...text.matchAll(immutable)].map((m) => m[1].replace(/\[\d+\]$/, ''));
}

const matchRef = (pattern: string, ref: string) =>
  new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`).test(ref);

describeCluster('safe change: the classification on a real API server', () => {
  let cluster: Cluster;
  const t = trackFailures();
  const committed = readOutput('out', ['base', 'local']);
  const dirs: string[] = [];
  // The committed output as this run found it, applied from a copy: a rebuild of out/ meanwhile changes nothing here.
  const base = join(writeTree(committed), 'local');
  dirs.push(dirname(base));
  beforeAll(async () => {
    cluster = await Cluster.start('safe-change');
    // The claim-template procedure grows the existing claims: the class must allow it, as it says.
    sh(cluster, `kubectl patch storageclass standard -p '{"allowVolumeExpansion":true}'`);
  });
  afterAll(async () => {
    await cluster?.stop(t.failed());
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function diffLive(): Promise<{ code: number; text: string }> {
    const lines: string[] = [];
    const code = await runCli(
      ['environments/local', '--diff', '--kubeconfig', cluster.kubeconfigPath, '--no-typecheck'],
      {
        log: (l) => lines.push(l),
        error: (l) => lines.push(l),
      },
    );
    return { code, text: lines.join('\n') };
  }

  it('the committed out/local applies and settles; --diff against the cluster then sees no change', async () => {
    const r = await apply(cluster, { kustomize: base });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    await waitSettled(cluster, 'mimir');
    const live = await diffLive();
    expect(live.text).toContain('local (live): no object changes');
    expect(live.code).toBe(0);
  });

  it('--diff against the cluster sees a change made outside Git', async () => {
    sh(cluster, 'kubectl -n mimir scale deployment querier --replicas=2');
    sh(cluster, 'kubectl -n mimir set env deployment/ruler EXAMPLE=1');
    const live = await diffLive();
    expect(live.text).toMatch(/· in place\s+Deployment\/mimir\/querier \(changed\)\n\s+replicas 2 → 1/);
    expect(live.text).toMatch(/↻ rolling restart\s+Deployment\/mimir\/ruler \(changed\)/);
    expect(live.text).toContain('local (live): 2 objects change — 1 in place, 1 rolling restart');
    // kubectl now owns those fields: taking them back is a conflict until the apply forces it.
    const conflict = await apply(cluster, { kustomize: base });
    expect(conflict.stderr).toMatch(/conflict with "kubectl.*\.spec\.replicas/s);
    const r = await cluster.kubectl([
      'apply',
      '--server-side',
      '--field-manager=mimir-kube-test',
      '--force-conflicts',
      '-k',
      base,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    await waitSettled(cluster, 'mimir');
    // Server-side apply leaves what another manager added: the env var `kubectl set env` wrote stays,
    // and the live diff still says so until it is removed the way it came.
    const left = await diffLive();
    expect(left.text).toContain('local (live): 1 object change — 1 rolling restart');
    expect(left.text).toContain('spec.template.spec.containers[ruler].env');
    sh(cluster, 'kubectl -n mimir set env deployment/ruler EXAMPLE-');
    await waitSettled(cluster, 'mimir');
    expect((await diffLive()).text).toContain('local (live): no object changes');
  });

  for (const s of scenarios) {
    it(s.name, async () => {
      const files = edited(committed, s);
      const dir = writeTree(files);
      dirs.push(dir);
      const applyCommand = `kubectl apply --server-side --field-manager=mimir-kube-test -k ${join(dir, 'local')}`;
      const findings = classifyChanges(deployedObjects(committed, 'local'), deployedObjects(files, 'local'), {
        applyCommand,
      });
      const classes = Object.fromEntries(findings.map((f) => [f.ref, f.class]));
      const want = Object.entries(s.expect);
      expect(findings.length, JSON.stringify(classes)).toBe(want.length);
      for (const [pattern, cls] of want) {
        const ref = Object.keys(classes).find((r) => matchRef(pattern, r));
        expect(ref, `${pattern} in ${JSON.stringify(classes)}`).toBeDefined();
        expect(classes[ref as string], ref).toBe(cls);
      }
      const recreate = findings.filter((f) => f.class === 'recreate');
      const r = await apply(cluster, { kustomize: join(dir, 'local') });
      if (!recreate.length) {
        expect(r.stderr).toBe('');
        expect(r.exitCode).toBe(0);
      } else {
        // Refused exactly where the classification said, for the reason it gave, and nowhere else.
        expect(r.exitCode).not.toBe(0);
        expect(refusedObjects(r.stderr), r.stderr).toEqual(recreate.map((f) => f.ref).sort());
        for (const [pattern, message] of Object.entries(s.refusal ?? {})) expect(r.stderr, pattern).toMatch(message);
        // Field by field: the server's immutable fields are the ones the classification named.
        for (const f of recreate) {
          const ours = f.reasons.filter((x) => x.class === 'recreate').map((x) => (x.field ?? '').replace(/\[.*$/, ''));
          const theirs = serverFields(r.stderr, f);
          expect(theirs.length, `${f.ref}: ${r.stderr}`).toBeGreaterThan(0);
          for (const field of theirs)
            expect(
              ours.some((o) => field.startsWith(o) || o.startsWith(field)),
              `${f.ref}: server names ${field}, we named ${ours.join(', ')}`,
            ).toBe(true);
          for (const o of ours)
            expect(
              theirs.some((field) => field.startsWith(o) || o.startsWith(field)),
              `${f.ref}: we named ${o}, server names ${theirs.join(', ')}`,
            ).toBe(true);
        }
        for (const f of recreate) await runProcedure(f);
      }
      await waitSettled(cluster, 'mimir');
      // The cluster now runs the changed output: nothing is left to classify.
      const lines: string[] = [];
      const live = classifyLiveAgainst(files, lines);
      expect(await live, lines.join('\n')).toEqual([]);
      // Back to the committed output for the next scenario (its own recreates run the same way).
      await restore(findings);
    });
  }

  async function runProcedure(f: Finding): Promise<void> {
    expect(f.procedure.length, f.ref).toBeGreaterThan(0);
    for (const step of f.procedure) {
      const command = step.replace(/\s+#.*$/, '').trim();
      if (!command || command.startsWith('#')) continue;
      sh(cluster, command);
    }
  }

  /** The live objects against `files`' render, read and compared by the code `--diff --context` runs. */
  async function classifyLiveAgainst(files: FileSet, lines: string[]): Promise<Finding[]> {
    const rendered = deployedObjects(files, 'local');
    const live = await readLive({ kubeconfig: cluster.kubeconfigPath }, rendered.objects);
    const findings = classifyChanges(liveObjects(live, rendered, rendered), renderedForLive(rendered));
    lines.push(...findings.map((f) => `${f.ref}: ${f.class} ${f.reasons.map((r) => r.message).join('; ')}`));
    return findings;
  }

  async function restore(findings: Finding[]): Promise<void> {
    const r = await apply(cluster, { kustomize: base });
    if (r.exitCode !== 0) {
      // The way back crosses the same immutable fields: orphan, apply again, drop what no controller owns.
      const reverse = findings.map((f) => f.ref);
      for (const ref of refusedObjects(r.stderr)) {
        expect(reverse).toContain(ref);
        const [kind, ns, name] = ref.split('/');
        sh(cluster, `kubectl -n ${ns} delete ${kind.toLowerCase()} ${name} --cascade=orphan`);
      }
      sh(cluster, `kubectl apply --server-side --field-manager=mimir-kube-test -k ${base}`);
      sh(
        cluster,
        `for p in $(kubectl -n mimir get pods,replicasets -o go-template='{{range .items}}{{if not .metadata.ownerReferences}}{{.kind}}/{{.metadata.name}} {{end}}{{end}}'); do kubectl -n mimir delete $p; done`,
      );
    }
    await waitSettled(cluster, 'mimir');
  }
});
