import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../lib/build/cli.js';
import { blocked, classifyChanges, type Finding } from '../lib/build/diff/classify.js';
import { liveObjects, renderedForLive } from '../lib/build/diff/live.js';
import { deployedObjects, type DeployedObjects } from '../lib/build/diff/objects.js';
import { outputFiles } from '../lib/build/output.js';
import type { KubeObject } from '../lib/core/k8s/types.js';
import { flatten, resourceId } from '../lib/core/tree.js';
import { buildDir } from './support/environments.js';

/**
 * One before/after tree per class: the local environment as deployed (read back from the writer's
 * files), then the same set with one change made the way an environment or a hand edit would make it.
 */
let local: DeployedObjects;
beforeAll(async () => {
  local = deployedObjects(outputFiles([await buildDir('environments/local')]), 'local');
});

type Obj = KubeObject & Record<string, any>;

function find(set: DeployedObjects, kind: string, name: string): Obj {
  const o = set.objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`${kind}/${name} is not rendered`);
  return o as Obj;
}

/** A copy of `local` with `edit` applied to a deep clone of every object set. */
function changed(edit: (s: DeployedObjects) => void): DeployedObjects {
  const copy: DeployedObjects = { objects: structuredClone(local.objects), hashed: new Set(local.hashed) };
  edit(copy);
  return copy;
}

function only(findings: Finding[], ref: string): Finding {
  const f = findings.find((x) => x.ref === ref);
  if (!f) throw new Error(`no finding for ${ref}: ${findings.map((x) => x.ref).join(', ')}`);
  return f;
}

const mimirYaml = (s: DeployedObjects) => find(s, 'ConfigMap', 'mimir-config').data as Record<string, string>;

describe('reading the output back', () => {
  it('yields exactly the objects of the rendered tree', async () => {
    const built = await buildDir('environments/local');
    const fromFiles = new Map(local.objects.map((o) => [resourceId(o), o]));
    const fromTree = new Map(flatten(built.tree).map((e) => [resourceId(e.object), e.object]));
    expect([...fromFiles.keys()].sort()).toEqual([...fromTree.keys()].sort());
    for (const [id, o] of fromTree) expect(fromFiles.get(id), id).toEqual(o);
    expect([...local.hashed]).toContain('v1|ConfigMap|mimir|mimir-config');
    expect([...local.hashed]).not.toContain('v1|ConfigMap|mimir|mimir-runtime-config');
  });

  it('finds nothing to classify when nothing changed', () => {
    expect(
      classifyChanges(
        local,
        changed(() => undefined),
      ),
    ).toEqual([]);
  });
});

describe('in place', () => {
  it('replicas, a Service port, a new object, a label', () => {
    const after = changed((s) => {
      find(s, 'Deployment', 'querier').spec.replicas = 5;
      find(s, 'Service', 'gateway').spec.ports.push({ name: 'extra', port: 9999, targetPort: 8080 });
      find(s, 'PodDisruptionBudget', 'querier').metadata!.labels!.team = 'a';
      s.objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x', namespace: 'mimir' } });
    });
    const f = classifyChanges(local, after);
    expect(f.map((x) => [x.ref, x.class])).toEqual([
      ['Deployment/mimir/querier', 'in-place'],
      ['PodDisruptionBudget/mimir/querier', 'in-place'],
      ['Service/mimir/gateway', 'in-place'],
      ['ServiceAccount/mimir/x', 'in-place'],
    ]);
    expect(only(f, 'Deployment/mimir/querier').reasons[0].message).toBe('replicas 1 → 5');
  });

  it('runtime overrides (stable name, mounted): Mimir reloads them', () => {
    const after = changed((s) => {
      const cm = find(s, 'ConfigMap', 'mimir-runtime-config');
      cm.data['runtime.yaml'] = `${cm.data['runtime.yaml']}# changed\n`;
    });
    const f = only(classifyChanges(local, after), 'ConfigMap/mimir/mimir-runtime-config');
    expect(f.class).toBe('in-place');
    expect(f.pods).toEqual([]);
  });

  it('a Service type ClusterIP → NodePort', () => {
    const after = changed((s) => (find(s, 'Service', 'querier').spec.type = 'NodePort'));
    expect(only(classifyChanges(local, after), 'Service/mimir/querier').class).toBe('in-place');
  });
});

describe('rolling restart', () => {
  it('a pod template change names the pods, highest ordinal first for a StatefulSet', () => {
    const after = changed((s) => {
      find(s, 'StatefulSet', 'ingester').spec.template.spec.containers[0].env.push({ name: 'X', value: '1' });
      find(s, 'Deployment', 'distributor').spec.template.metadata.annotations = { a: 'b' };
    });
    const f = classifyChanges(local, after);
    const ingester = only(f, 'StatefulSet/mimir/ingester');
    expect(ingester.class).toBe('rolling');
    const n = find(local, 'StatefulSet', 'ingester').spec.replicas as number;
    expect(ingester.pods).toEqual(Array.from({ length: n }, (_, i) => `ingester-${n - 1 - i}`));
    expect(ingester.reasons[0].message).toContain('spec.template.spec.containers[ingester].env');
    expect(only(f, 'Deployment/mimir/distributor').pods).toEqual(['distributor-* (1 pod)']);
  });

  it('mimir.yaml (hash-suffixed ConfigMap) rolls every Mimir workload that mounts it', () => {
    const after = changed((s) => {
      mimirYaml(s)['mimir.yaml'] = mimirYaml(s)['mimir.yaml'].replace('rule_path: /data', 'rule_path: /data/rules');
    });
    const f = only(classifyChanges(local, after), 'ConfigMap/mimir/mimir-config');
    expect(f.class).toBe('rolling');
    expect(f.pods).toContain('ingester-0');
    expect(f.pods).toContain('querier-* (1 pod)');
    expect(f.reasons[0].message).toMatch(
      /mimir\.yaml change: the hash-suffixed name changes, so .*StatefulSet\/mimir\/ingester/,
    );
  });

  it('a Secret read into environment variables needs `rollout restart` of its readers', () => {
    const after = changed((s) => (find(s, 'Secret', 'storage-credentials').stringData['secret-access-key'] = 'new'));
    const f = only(classifyChanges(local, after), 'Secret/mimir/storage-credentials');
    expect(f.class).toBe('rolling');
    expect(f.procedure).toContain('kubectl -n mimir rollout restart statefulset/ingester');
  });

  it('a Mimir flag removed or renamed is named', () => {
    const after = changed((s) => {
      const c = find(s, 'Deployment', 'querier').spec.template.spec.containers[0];
      c.args = c.args.filter((a: string) => !a.startsWith('-runtime-config.file'));
    });
    const before = changed((s) => {
      find(s, 'Deployment', 'distributor').spec.template.spec.containers[0].args.push(
        '-distributor.ha-tracker.enable=true',
      );
    });
    const renamed = changed((s) => {
      find(s, 'Deployment', 'distributor').spec.template.spec.containers[0].args.push(
        '-distributor.ha-tracker.enabled=true',
      );
    });
    expect(only(classifyChanges(local, after), 'Deployment/mimir/querier').reasons.map((r) => r.message)).toContain(
      'container querier: flag -runtime-config.file=/etc/mimir-runtime/runtime.yaml removed (Mimir falls back to its default)',
    );
    expect(
      only(classifyChanges(before, renamed), 'Deployment/mimir/distributor').reasons.map((r) => r.message),
    ).toContain(
      'container distributor: flag -distributor.ha-tracker.enable renamed to -distributor.ha-tracker.enabled',
    );
  });
});

describe('needs recreate', () => {
  const cases: [string, string, string, (o: Obj) => void][] = [
    ['StatefulSet', 'ingester', 'spec.serviceName', (o) => (o.spec.serviceName = 'ingester-headless')],
    ['StatefulSet', 'ingester', 'spec.podManagementPolicy', (o) => (o.spec.podManagementPolicy = 'OrderedReady')],
    ['StatefulSet', 'ingester', 'spec.selector', (o) => (o.spec.selector.matchLabels.extra = 'x')],
    [
      'StatefulSet',
      'ingester',
      'spec.volumeClaimTemplates[data].spec.resources.requests.storage',
      (o) => (o.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '100Gi'),
    ],
    ['Deployment', 'querier', 'spec.selector', (o) => (o.spec.selector.matchLabels.extra = 'x')],
    ['Service', 'querier', 'spec.clusterIP', (o) => (o.spec.clusterIP = 'None')],
    ['Service', 'querier', 'spec.ipFamilies', (o) => (o.spec.ipFamilies = ['IPv6'])],
  ];
  for (const [kind, name, field, edit] of cases) {
    it(`${kind} ${field}`, () => {
      const before = changed((s) => {
        if (field === 'spec.ipFamilies') find(s, kind, name).spec.ipFamilies = ['IPv4'];
      });
      const after = changed((s) => edit(find(s, kind, name)));
      const f = only(classifyChanges(before, after), `${kind}/mimir/${name}`);
      expect(f.class).toBe('recreate');
      expect(f.reasons.filter((r) => r.class === 'recreate').map((r) => r.field)).toEqual([field]);
      if (kind === 'Service')
        expect(f.procedure[0]).toBe(
          `kubectl -n mimir delete service ${name}   # clients see no address until the apply`,
        );
      else expect(f.procedure[0]).toBe(`kubectl -n mimir delete ${kind.toLowerCase()} ${name} --cascade=orphan`);
      expect(f.procedure[1]).toBe('kubectl apply --server-side -k out/<env>');
    });
  }

  it('a claim template that grows also lists the claims to expand', () => {
    const after = changed(
      (s) =>
        (find(s, 'StatefulSet', 'ingester').spec.volumeClaimTemplates[0].spec.resources.requests.storage = '100Gi'),
    );
    const f = only(classifyChanges(local, after), 'StatefulSet/mimir/ingester');
    expect(f.procedure.slice(2).join('\n')).toMatch(
      /^kubectl -n mimir patch pvc data-ingester-0 -p '\{"spec":\{"resources":\{"requests":\{"storage":"100Gi"\}\}\}\}'/,
    );
  });

  it("a Job's template, with Argo CD's Force/Replace on that Job only", () => {
    const job = local.objects.find((o) => o.kind === 'Job') as Obj;
    const after = changed((s) => {
      const j = s.objects.find((o) => o.kind === 'Job') as Obj;
      j.spec.template.spec.containers[0].args = ['x'];
    });
    const f = only(classifyChanges(local, after), `Job/mimir/${job.metadata?.name}`);
    expect(f.class).toBe('recreate');
    expect(f.procedure[0]).toBe(`kubectl -n mimir delete job ${job.metadata?.name}`);
    expect(f.argocd).toBe('Force=true,Replace=true');
  });
});

describe('data at risk', () => {
  it('a renamed ingester StatefulSet leaves its claims behind', () => {
    const after = changed((s) => (find(s, 'StatefulSet', 'ingester').metadata!.name = 'ingester-zone-a'));
    const f = classifyChanges(local, after);
    const old = only(f, 'StatefulSet/mimir/ingester');
    expect(old.class).toBe('data-at-risk');
    expect(old.reasons[0].message).toMatch(
      /^renamed to ingester-zone-a: .*data-ingester-zone-a-0.* while data-ingester-0/,
    );
    expect(old.argocd).toBe('Prune=false');
    expect(only(f, 'StatefulSet/mimir/ingester-zone-a').class).toBe('data-at-risk');
  });

  it('a deleted stateful workload', () => {
    const after = changed((s) => (s.objects = s.objects.filter((o) => o.metadata?.name !== 'store-gateway')));
    const f = only(classifyChanges(local, after), 'StatefulSet/mimir/store-gateway');
    expect(f.class).toBe('data-at-risk');
    expect(f.reasons[0].message).toMatch(/^removed with its data: claims data-store-gateway-0/);
  });

  it('the replication factor in mimir.yaml', () => {
    const after = changed((s) => {
      mimirYaml(s)['mimir.yaml'] = mimirYaml(s)['mimir.yaml'].replace(
        /^(ingester:\n {2}ring:\n(?: {4}.*\n)*? {4}replication_factor: )\d+/m,
        '$15',
      );
    });
    const f = only(classifyChanges(local, after), 'ConfigMap/mimir/mimir-config');
    expect(f.class).toBe('data-at-risk');
    expect(f.reasons.find((r) => r.class === 'data-at-risk')?.field).toBe(
      'mimir.yaml ingester.ring.replication_factor',
    );
  });

  it('zone awareness switched on by flag', () => {
    const after = changed((s) =>
      find(s, 'StatefulSet', 'ingester').spec.template.spec.containers[0].args.push(
        '-ingester.ring.zone-awareness-enabled=true',
      ),
    );
    const f = only(classifyChanges(local, after), 'StatefulSet/mimir/ingester');
    expect(f.class).toBe('data-at-risk');
  });

  it('a stateful scale-down', () => {
    const after = changed((s) => (find(s, 'StatefulSet', 'alertmanager').spec.replicas = 0));
    const f = only(classifyChanges(local, after), 'StatefulSet/mimir/alertmanager');
    expect(f.class).toBe('data-at-risk');
  });
});

describe('refused', () => {
  const pvc: Obj = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'scratch', namespace: 'mimir' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
  };
  it('a claim whose class changes; a claim that grows is in place; a removed claim is data at risk', () => {
    const before: DeployedObjects = { objects: [pvc], hashed: new Set() };
    const other = structuredClone(pvc);
    other.spec.storageClassName = 'fast';
    expect(classifyChanges(before, { objects: [other], hashed: new Set() })[0]).toMatchObject({
      class: 'refused',
      reasons: [{ field: 'spec.storageClassName' }],
    });
    const bigger = structuredClone(pvc);
    bigger.spec.resources.requests.storage = '20Gi';
    expect(classifyChanges(before, { objects: [bigger], hashed: new Set() })[0].class).toBe('in-place');
    const smaller = structuredClone(pvc);
    smaller.spec.resources.requests.storage = '5Gi';
    expect(classifyChanges(before, { objects: [smaller], hashed: new Set() })[0].class).toBe('refused');
    expect(classifyChanges(before, { objects: [], hashed: new Set() })[0].class).toBe('data-at-risk');
  });

  it('a claim template that shrinks; --allow lets it through', () => {
    const after = changed(
      (s) => (find(s, 'StatefulSet', 'ingester').spec.volumeClaimTemplates[0].spec.resources.requests.storage = '1Mi'),
    );
    const f = classifyChanges(local, after);
    expect(only(f, 'StatefulSet/mimir/ingester').class).toBe('refused');
    expect(blocked(f, []).map((x) => x.ref)).toEqual(['StatefulSet/mimir/ingester']);
    expect(blocked(f, ['statefulset/mimir/ingester'])).toEqual([]);
  });
});

describe('against live objects', () => {
  it('ignores what the server adds and the hash suffixes, and sees a change made outside Git', () => {
    const live = structuredClone(local.objects).map((o: Obj) => {
      o.metadata = { ...o.metadata, uid: 'u', resourceVersion: '7', managedFields: [{}] };
      o.status = { replicas: 1 };
      if (o.kind === 'ConfigMap' && o.metadata.name === 'mimir-config') o.metadata.name = 'mimir-config-abcde12345';
      if (o.kind === 'StatefulSet') {
        o.spec.template.spec.dnsPolicy = 'ClusterFirst';
        for (const v of o.spec.template.spec.volumes ?? [])
          if (v.configMap?.name === 'mimir-config') v.configMap.name = 'mimir-config-abcde12345';
      }
      if (o.kind === 'Service' && o.spec.clusterIP === undefined) o.spec.clusterIP = '10.0.0.7';
      if (o.kind === 'Secret') {
        o.data = Object.fromEntries(
          Object.entries(o.stringData).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')]),
        );
        delete o.stringData;
      }
      return o;
    });
    const none = classifyChanges(liveObjects(live, local, local), renderedForLive(local));
    expect(none).toEqual([]);
    (live.find((o) => o.metadata?.name === 'querier' && o.kind === 'Deployment') as Obj).spec.replicas = 4;
    const drift = classifyChanges(liveObjects(live, local, local), renderedForLive(local));
    expect(drift.map((f) => [f.ref, f.class, f.reasons[0].message])).toEqual([
      ['Deployment/mimir/querier', 'in-place', 'replicas 4 → 1'],
    ]);
  });
});

describe('the command line', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'diff-cli-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  async function run(args: string[]): Promise<{ code: number; text: string }> {
    const lines: string[] = [];
    const code = await runCli(args, { log: (l) => lines.push(l), error: (l) => lines.push(l) });
    return { code, text: lines.join('\n') };
  }

  it("the README's example is what --diff prints", async () => {
    const dir = join(tmp, 'readme');
    cpSync('out', dir, { recursive: true });
    const patch = join(dir, 'local/patches/mimir/ingester/statefulset-ingester.yaml');
    writeFileSync(
      patch,
      readFileSync(patch, 'utf8').replace('requests/storage\n  value: 5Gi', 'requests/storage\n  value: 2Gi'),
    );
    const yaml = join(dir, 'local/mimir/config/configmap-mimir-config/mimir.yaml');
    writeFileSync(
      yaml,
      readFileSync(yaml, 'utf8').replace(
        '    replication_factor: 1\nmemberlist',
        '    replication_factor: 3\nmemberlist',
      ),
    );
    const r = await run(['environments/local', '--out', dir, '--diff', '--no-typecheck']);
    const readme = readFileSync('README.md', 'utf8');
    const block = readme.slice(readme.indexOf('  ! data at risk    ConfigMap/mimir/mimir-config'));
    const example = block.slice(0, block.indexOf('```')).trimEnd().split('\n');
    const printed = r.text.replaceAll(`${dir}/`, 'out/').split('\n');
    expect(example.length).toBe(11);
    for (const line of example) {
      // `…` marks where the README cuts a long line.
      const shown = line.split('…')[0];
      expect(
        printed.some((p) => p.startsWith(shown)),
        line,
      ).toBe(true);
    }
    expect(r.code).toBe(1);
  });

  it('--diff classifies each changed object with a summary line; a refused change exits 1 unless allowed', async () => {
    const dir = join(tmp, 'out');
    cpSync('out', dir, { recursive: true });
    // The committed ingester claims 2 TiB (the local overlay's size), so the render shrinks it: refused.
    const patch = join(dir, 'local/patches/mimir/ingester/statefulset-ingester.yaml');
    const text = readFileSync(patch, 'utf8');
    const size = /requests\/storage\n\s+value: (\S+)/.exec(text)?.[1] ?? '';
    writeFileSync(patch, text.replace(`requests/storage\n  value: ${size}`, 'requests/storage\n  value: 2Ti'));
    const base = join(dir, 'base/mimir/ingester/statefulset-ingester.yaml');
    writeFileSync(base, readFileSync(base, 'utf8').replace('serviceName: ingester', 'serviceName: old'));
    const diff = await run(['environments/local', '--out', dir, '--diff', '--no-typecheck']);
    expect(diff.code).toBe(1);
    expect(diff.text).toContain('✖ refused         StatefulSet/mimir/ingester (changed)');
    expect(diff.text).toContain('spec.serviceName changes from "old" to "ingester"');
    expect(diff.text).toMatch(/^local: 1 object change — 1 refused — blocked: StatefulSet\/mimir\/ingester/m);
    const allowed = await run([
      'environments/local',
      '--out',
      dir,
      '--diff',
      '--no-typecheck',
      '--allow',
      'StatefulSet/mimir/ingester',
    ]);
    expect(allowed.code).toBe(0);
    expect(allowed.text).toMatch(/^local: 1 object change — 1 refused — allowed: StatefulSet\/mimir\/ingester$/m);
  });
});
