import { execFile } from 'node:child_process';
import type { TreeLike } from '../core/k8s/types.js';
import { flatten } from '../core/tree.js';
import {
  checkCluster,
  formatFindings,
  requirementsOf,
  type ClusterState,
  type NodeState,
  type Requirements,
} from './preflight.js';

export interface KubectlTarget {
  /** kubeconfig context; the current one when absent. */
  context?: string;
  kubeconfig?: string;
}

function kubectl(target: KubectlTarget, args: string[]): Promise<string> {
  const base = [
    ...(target.kubeconfig ? [`--kubeconfig=${target.kubeconfig}`] : []),
    ...(target.context ? [`--context=${target.context}`] : []),
  ];
  return new Promise((resolve, reject) => {
    execFile('kubectl', [...base, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout));
    });
  });
}

interface Item {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { taints?: { key: string; value?: string; effect: string }[]; unschedulable?: boolean };
}

async function items(target: KubectlTarget, args: string[]): Promise<Item[]> {
  return (JSON.parse(await kubectl(target, [...args, '-o', 'json'])) as { items: Item[] }).items;
}

// Secret names and data keys only: the template runs inside kubectl, so no value reaches this process.
const secretKeysTemplate = '{{range .items}}{{.metadata.name}}{{range $k, $v := .data}} {{$k}}{{end}}{{"\\n"}}{{end}}';

/**
 * Reads what preflight compares with, read-only (get/list and api-resources): the context's name,
 * namespaces, Secret names and keys in the namespaces the environment uses, StorageClasses,
 * IngressClasses, nodes and the served API kinds.
 */
export async function readCluster(target: KubectlTarget, req: Requirements): Promise<ClusterState> {
  const context = target.context ?? (await kubectl(target, ['config', 'current-context'])).trim();
  const [namespaces, storageClasses, ingressClasses, nodes, resources] = await Promise.all([
    items(target, ['get', 'namespaces']),
    items(target, ['get', 'storageclasses.storage.k8s.io']),
    items(target, ['get', 'ingressclasses.networking.k8s.io']),
    items(target, ['get', 'nodes']),
    kubectl(target, ['api-resources', '--no-headers']),
  ]);
  const nsNames = namespaces.map((n) => n.metadata.name);
  const secrets: ClusterState['secrets'] = {};
  for (const ns of [...new Set(req.secrets.map((s) => s.namespace))]) {
    secrets[ns] = {};
    if (!nsNames.includes(ns)) continue;
    const text = await kubectl(target, ['-n', ns, 'get', 'secrets', '-o', `go-template=${secretKeysTemplate}`]);
    for (const line of text.split('\n').filter(Boolean)) {
      const [name, ...keys] = line.split(' ');
      secrets[ns][name] = keys;
    }
  }
  // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND: the short names column may be empty, so read from the end.
  const apis = resources
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols.length >= 4)
    .map((cols) => `${cols[cols.length - 3]} ${cols[cols.length - 1]}`);
  return {
    context,
    namespaces: nsNames,
    secrets,
    storageClasses: storageClasses.map((c) => ({
      name: c.metadata.name,
      isDefault:
        c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ||
        c.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true',
    })),
    ingressClasses: ingressClasses.map((c) => c.metadata.name),
    nodes: nodes.map((n): NodeState => ({
      name: n.metadata.name,
      labels: n.metadata.labels ?? {},
      taints: n.spec?.taints ?? [],
      unschedulable: n.spec?.unschedulable === true,
    })),
    apis,
  };
}

/** `build.ts … --preflight`: each built environment against the cluster; 1 when anything is missing. */
export async function runPreflight(
  builds: readonly { name: string; tree: TreeLike }[],
  target: KubectlTarget,
  io: { log(line: string): void; error(line: string): void },
): Promise<number> {
  let code = 0;
  for (const b of builds) {
    const objects = flatten(b.tree).map((e) => e.object);
    const req = requirementsOf(objects);
    let state: ClusterState;
    try {
      state = await readCluster(target, req);
    } catch (err) {
      io.error(`preflight ${b.name}: cannot read the cluster: ${err instanceof Error ? err.message : String(err)}`);
      return 2;
    }
    const findings = checkCluster(req, state);
    const report = formatFindings(b.name, state, findings);
    if (findings.length) {
      io.error(report);
      code = 1;
    } else io.log(report);
  }
  return code;
}
