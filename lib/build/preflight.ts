/**
 * Preflight: what an environment's rendered objects need from the cluster they are applied to, and
 * which of those needs a given cluster does not meet — each with the command that fixes it.
 *
 * Pure: `requirementsOf(objects)` reads the rendered objects, `checkCluster(requirements, state)`
 * compares them with a snapshot of the cluster (`preflight-kubectl.ts` reads one through kubectl).
 * The objects are read structurally, with their own small shapes below, so this file depends on no
 * other part of the library.
 */

interface Meta {
  name?: string;
  namespace?: string;
  annotations?: Record<string, string>;
}
interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  spec?: unknown;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}
interface Taint {
  key: string;
  value?: string;
  effect: string;
}
interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}
interface PodSpecShape {
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms?: { matchExpressions?: NodeSelectorRequirement[] }[];
      };
    };
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        topologyKey: string;
        labelSelector?: { matchLabels?: Record<string, string> };
      }[];
    };
  };
  containers?: ContainerShape[];
  initContainers?: ContainerShape[];
  volumes?: VolumeShape[];
}
interface ContainerShape {
  name?: string;
  args?: string[];
  command?: string[];
  env?: {
    name?: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }[];
  envFrom?: { secretRef?: { name: string; optional?: boolean } }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface VolumeShape {
  name: string;
  secret?: { secretName?: string; optional?: boolean; items?: { key: string }[] };
  configMap?: { name?: string };
  projected?: { sources?: { secret?: { name?: string; optional?: boolean; items?: { key: string }[] } }[] };
  persistentVolumeClaim?: { claimName: string };
}

/** A Secret the objects use but do not create. */
export interface SecretNeed {
  namespace: string;
  name: string;
  keys: string[];
  users: string[];
}

/** A StorageClass by name, or `undefined` for "the cluster's default StorageClass". */
export interface StorageClassNeed {
  name: string | undefined;
  users: string[];
}

export interface IngressClassNeed {
  name: string;
  users: string[];
}

/** Where a workload's pods may run, and how many distinct topology values they need. */
export interface PlacementNeed {
  workload: string;
  replicas: number;
  nodeSelector: Record<string, string>;
  nodeAffinity: NodeSelectorRequirement[][];
  tolerations: Toleration[];
  /** Required anti-affinity against its own pods: each replica needs its own value of these keys. */
  spreadKeys: string[];
}

export interface ApiNeed {
  apiVersion: string;
  kind: string;
  users: string[];
}

export interface Requirements {
  namespaces: { name: string; created: boolean }[];
  secrets: SecretNeed[];
  storageClasses: StorageClassNeed[];
  ingressClasses: IngressClassNeed[];
  placements: PlacementNeed[];
  apis: ApiNeed[];
}

export interface NodeState {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
}

/** A snapshot of what the cluster has, as far as preflight looks. */
export interface ClusterState {
  context: string;
  namespaces: string[];
  /** namespace → Secret name → its data keys (never the values). */
  secrets: Record<string, Record<string, string[]>>;
  storageClasses: { name: string; isDefault: boolean }[];
  ingressClasses: string[];
  nodes: NodeState[];
  /** `apiVersion kind` pairs the API server serves. */
  apis: string[];
}

export interface Finding {
  /** What is missing, one line. */
  message: string;
  /** Who needs it. */
  users: string[];
  /** Shell commands that fix it; `<...>` marks a value only the user knows. */
  fix: string[];
}

const workloadKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

function podSpecOf(o: Obj): PodSpecShape | undefined {
  const spec = o.spec as
    { template?: { spec?: PodSpecShape }; jobTemplate?: { spec?: { template?: { spec?: PodSpecShape } } } } | undefined;
  if (o.kind === 'CronJob') return spec?.jobTemplate?.spec?.template?.spec;
  return spec?.template?.spec;
}

function id(o: Obj): string {
  return `${o.kind}/${o.metadata?.name}`;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) {
    if (!list.includes(v)) list.push(v);
  } else m.set(k, [v]);
}

/**
 * File names a pod reads under `dir`: every `dir/<file>` written in its containers' args, commands
 * and env values, and in the ConfigMaps it mounts. This is how the key a Secret volume must hold is
 * known when the volume lists no items (the gateway's nginx.conf reads /etc/nginx/auth/htpasswd).
 */
function filesReadUnder(dir: string, spec: PodSpecShape, configMaps: Map<string, Obj>, namespace: string): string[] {
  const texts: string[] = [];
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    texts.push(...(c.args ?? []), ...(c.command ?? []), ...(c.env ?? []).map((e) => e.value ?? ''));
  }
  for (const v of spec.volumes ?? []) {
    const cm = v.configMap?.name ? configMaps.get(`${namespace}/${v.configMap.name}`) : undefined;
    if (cm) texts.push(...Object.values(cm.data ?? {}));
  }
  const prefix = dir.replace(/\/+$/, '') + '/';
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`${escaped}([A-Za-z0-9._-]+)`, 'g');
  const files = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(re)) files.add(m[1]);
  return [...files].sort();
}

/** Everything the objects need from the cluster that they do not create themselves. */
export function requirementsOf(objects: readonly Obj[], defaultNamespace = 'default'): Requirements {
  const nsOf = (o: Obj) => o.metadata?.namespace ?? defaultNamespace;
  const rendered = new Set(
    objects.map((o) => `${o.kind}|${o.kind === 'Namespace' ? '' : nsOf(o)}|${o.metadata?.name}`),
  );
  const has = (kind: string, ns: string, name: string) => rendered.has(`${kind}|${ns}|${name}`);
  const configMaps = new Map(
    objects.filter((o) => o.kind === 'ConfigMap').map((o) => [`${nsOf(o)}/${o.metadata?.name}`, o]),
  );

  const namespaces = new Map<string, boolean>();
  const secretKeys = new Map<string, Set<string>>();
  const secretUsers = new Map<string, string[]>();
  const storage = new Map<string | undefined, string[]>();
  const ingress = new Map<string, string[]>();
  const apis = new Map<string, string[]>();
  const placements: PlacementNeed[] = [];

  const useSecret = (ns: string, name: string | undefined, keys: string[], user: string) => {
    if (!name || has('Secret', ns, name)) return;
    const k = `${ns}/${name}`;
    const set = secretKeys.get(k) ?? new Set<string>();
    for (const key of keys) set.add(key);
    secretKeys.set(k, set);
    push(secretUsers, k, user);
  };

  for (const o of objects) {
    if (o.kind === 'Namespace' && o.metadata?.name) namespaces.set(o.metadata.name, true);
    else if (o.metadata?.namespace && !namespaces.has(o.metadata.namespace))
      namespaces.set(o.metadata.namespace, false);
    if (o.apiVersion && o.kind) push(apis, `${o.apiVersion} ${o.kind}`, id(o));
  }
  for (const ns of [...namespaces.keys()])
    if (objects.some((o) => o.kind === 'Namespace' && o.metadata?.name === ns)) namespaces.set(ns, true);

  for (const o of objects) {
    const ns = nsOf(o);
    if (o.kind === 'PersistentVolumeClaim') {
      push(storage, (o.spec as { storageClassName?: string } | undefined)?.storageClassName, id(o));
    }
    if (o.kind === 'Ingress') {
      const spec = o.spec as { ingressClassName?: string; tls?: { secretName?: string }[] } | undefined;
      if (spec?.ingressClassName) push(ingress, spec.ingressClassName, id(o));
      for (const t of spec?.tls ?? []) useSecret(ns, t.secretName, ['tls.crt', 'tls.key'], id(o));
    }
    if (!o.kind || !workloadKinds.has(o.kind)) continue;
    const spec = podSpecOf(o);
    if (!spec) continue;
    const user = id(o);
    if (o.kind === 'StatefulSet') {
      const vcts =
        (o.spec as { volumeClaimTemplates?: { spec?: { storageClassName?: string } }[] }).volumeClaimTemplates ?? [];
      for (const t of vcts) push(storage, t.spec?.storageClassName, user);
    }
    const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
    for (const c of containers) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && !ref.optional) useSecret(ns, ref.name, [ref.key], user);
      }
      for (const ef of c.envFrom ?? [])
        if (ef.secretRef && !ef.secretRef.optional) useSecret(ns, ef.secretRef.name, [], user);
    }
    for (const v of spec.volumes ?? []) {
      const mountDirs = containers.flatMap((c) =>
        (c.volumeMounts ?? []).filter((m) => m.name === v.name).map((m) => m.mountPath),
      );
      if (v.secret && !v.secret.optional) {
        const keys = v.secret.items
          ? v.secret.items.map((i) => i.key)
          : mountDirs.flatMap((d) => filesReadUnder(d, spec, configMaps, ns));
        useSecret(ns, v.secret.secretName, keys, user);
      }
      for (const s of v.projected?.sources ?? []) {
        if (s.secret && !s.secret.optional)
          useSecret(
            ns,
            s.secret.name,
            (s.secret.items ?? []).map((i) => i.key),
            user,
          );
      }
    }
    const replicas = o.kind === 'Job' || o.kind === 'CronJob' ? 1 : ((o.spec as { replicas?: number }).replicas ?? 1);
    const selfLabels =
      (o.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template?.metadata?.labels ?? {};
    const spreadKeys = (spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [])
      .filter((t) => Object.entries(t.labelSelector?.matchLabels ?? {}).every(([k, v]) => selfLabels[k] === v))
      .map((t) => t.topologyKey);
    placements.push({
      workload: user,
      replicas,
      nodeSelector: spec.nodeSelector ?? {},
      nodeAffinity: (
        spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
      ).map((t) => t.matchExpressions ?? []),
      tolerations: spec.tolerations ?? [],
      spreadKeys,
    });
  }

  return {
    namespaces: [...namespaces]
      .map(([name, created]) => ({ name, created }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    secrets: [...secretKeys]
      .map(([k, keys]) => {
        const [namespace, name] = k.split('/');
        return { namespace, name, keys: [...keys].sort(), users: secretUsers.get(k) ?? [] };
      })
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
    storageClasses: [...storage]
      .map(([name, users]) => ({ name, users }))
      .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')),
    ingressClasses: [...ingress].map(([name, users]) => ({ name, users })).sort((a, b) => a.name.localeCompare(b.name)),
    placements,
    apis: [...apis].map(([k, users]) => {
      const [apiVersion, kind] = k.split(' ');
      return { apiVersion, kind, users };
    }),
  };
}

function tolerates(tolerations: Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

function matchesRequirement(labels: Record<string, string>, r: NodeSelectorRequirement): boolean {
  const v = labels[r.key];
  switch (r.operator) {
    case 'In':
      return v !== undefined && (r.values ?? []).includes(v);
    case 'NotIn':
      return v === undefined || !(r.values ?? []).includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
      return v !== undefined && Number(v) > Number(r.values?.[0]);
    case 'Lt':
      return v !== undefined && Number(v) < Number(r.values?.[0]);
    default:
      return false;
  }
}

function labelsMatch(p: PlacementNeed, labels: Record<string, string>): boolean {
  if (!Object.entries(p.nodeSelector).every(([k, v]) => labels[k] === v)) return false;
  // Terms are ORed, the expressions of one term ANDed (an empty term list places no constraint).
  return p.nodeAffinity.length === 0 || p.nodeAffinity.some((term) => term.every((r) => matchesRequirement(labels, r)));
}

const scheduleBlocking = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What the cluster lacks of the requirements; an empty list means the environment can be applied. */
export function checkCluster(req: Requirements, state: ClusterState): Finding[] {
  const out: Finding[] = [];
  const kc = `kubectl --context ${shellQuote(state.context)}`;
  const nsExists = new Set(state.namespaces);

  for (const ns of req.namespaces) {
    if (!ns.created && !nsExists.has(ns.name))
      out.push({
        message: `Namespace ${ns.name} does not exist and the environment does not create it`,
        users: [],
        fix: [`${kc} create namespace ${ns.name}`],
      });
  }

  // The environment creates its Namespace, but the Secrets it needs must exist before its pods do:
  // on a fresh cluster the Namespace comes first (the apply adds its labels later).
  const secretNamespaces = [
    ...new Set(req.secrets.filter((s) => !state.secrets[s.namespace]?.[s.name]).map((s) => s.namespace)),
  ];
  for (const ns of secretNamespaces) {
    if (nsExists.has(ns) || !req.namespaces.some((n) => n.name === ns && n.created)) continue;
    out.push({
      message: `Namespace ${ns} does not exist yet, and the Secrets below go into it`,
      users: [],
      fix: [`${kc} create namespace ${ns}`],
    });
  }

  for (const s of req.secrets) {
    const have = state.secrets[s.namespace]?.[s.name];
    const placeholders = (keys: string[]) => keys.map((k) => `--from-literal=${k}=<${k}>`).join(' ');
    if (!have) {
      out.push({
        message: `Secret ${s.namespace}/${s.name} is missing${s.keys.length ? ` (keys: ${s.keys.join(', ')})` : ''}`,
        users: s.users,
        fix: [
          `${kc} -n ${s.namespace} create secret generic ${s.name}${s.keys.length ? ` ${placeholders(s.keys)}` : ''}`.trimEnd(),
        ],
      });
      continue;
    }
    const missing = s.keys.filter((k) => !have.includes(k));
    if (missing.length) {
      const patch = JSON.stringify({ stringData: Object.fromEntries(missing.map((k) => [k, `<${k}>`])) });
      out.push({
        message: `Secret ${s.namespace}/${s.name} lacks key${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (it has: ${have.length ? have.join(', ') : 'none'})`,
        users: s.users,
        fix: [`${kc} -n ${s.namespace} patch secret ${s.name} --type merge -p ${shellQuote(patch)}`],
      });
    }
  }

  const classNames = new Set(state.storageClasses.map((c) => c.name));
  for (const sc of req.storageClasses) {
    if (sc.name === undefined) {
      const defaults = state.storageClasses.filter((c) => c.isDefault);
      if (defaults.length === 0) {
        const some = state.storageClasses[0]?.name ?? '<storage-class>';
        out.push({
          message: 'no default StorageClass: claims without storageClassName stay Pending',
          users: sc.users,
          fix: [`${kc} annotate storageclass ${some} storageclass.kubernetes.io/is-default-class=true`],
        });
      }
    } else if (!classNames.has(sc.name)) {
      out.push({
        message: `StorageClass ${sc.name} does not exist: its claims stay Pending`,
        users: sc.users,
        fix: [
          `${kc} apply -f - <<'EOF'\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: ${sc.name}\nprovisioner: <your CSI driver, e.g. ebs.csi.aws.com>\nvolumeBindingMode: WaitForFirstConsumer\nallowVolumeExpansion: true\nEOF`,
        ],
      });
    }
  }

  for (const ic of req.ingressClasses) {
    if (!state.ingressClasses.includes(ic.name)) {
      out.push({
        message: `IngressClass ${ic.name} does not exist: no controller will serve the Ingress`,
        users: ic.users,
        fix: [
          `helm --kube-context ${shellQuote(state.context)} upgrade --install ingress-nginx ingress-nginx --repo https://kubernetes.github.io/ingress-nginx -n ingress-nginx --create-namespace --set controller.ingressClassResource.name=${ic.name}`,
        ],
      });
    }
  }

  const served = new Set(state.apis);
  for (const a of req.apis) {
    if (!served.has(`${a.apiVersion} ${a.kind}`)) {
      // KEDA's kinds come with KEDA itself: its operator, not the CRD alone, makes a ScaledObject scale.
      const keda = a.apiVersion.startsWith('keda.sh/');
      out.push({
        message: `the API server does not serve ${a.kind} (${a.apiVersion})`,
        users: a.users,
        fix: keda
          ? [
              `# install KEDA (its operator and CRDs) so that \`${kc} api-resources\` lists ${a.kind} in ${a.apiVersion},`,
              "# or set config.mimir.autoscaling.engine: 'hpa' (cpu and memory), or turn autoscaling off",
            ]
          : [
              `# install the CustomResourceDefinition or upgrade the cluster so that \`${kc} api-resources\` lists ${a.kind} in ${a.apiVersion}`,
            ],
      });
    }
  }

  // Placement: group workloads asking for the same node labels, so that one missing label is one finding.
  const byLabels = new Map<string, { need: PlacementNeed; users: string[] }>();
  for (const p of req.placements) {
    const schedulable = state.nodes.filter((n) => !n.unschedulable);
    const labelled = schedulable.filter((n) => labelsMatch(p, n.labels));
    const usable = labelled.filter((n) => n.taints.filter(scheduleBlocking).every((t) => tolerates(p.tolerations, t)));
    const selector = [
      ...Object.entries(p.nodeSelector).map(([k, v]) => `${k}=${v}`),
      ...p.nodeAffinity.map((t) =>
        t.map((r) => `${r.key} ${r.operator} ${(r.values ?? []).join('|')}`.trim()).join(', '),
      ),
    ].join(', ');
    if (labelled.length === 0) {
      const key = `labels ${selector}`;
      const g = byLabels.get(key);
      if (g) g.users.push(p.workload);
      else byLabels.set(key, { need: p, users: [p.workload] });
      continue;
    }
    if (usable.length === 0) {
      const taints = [
        ...new Set(
          labelled.flatMap((n) =>
            n.taints
              .filter(scheduleBlocking)
              .filter((t) => !tolerates(p.tolerations, t))
              .map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`),
          ),
        ),
      ];
      out.push({
        message: `every node ${selector ? `labelled ${selector}` : 'that is schedulable'} has a taint ${p.workload} does not tolerate: ${taints.join(', ')}`,
        users: [p.workload],
        fix: labelled.flatMap((n) =>
          n.taints
            .filter(scheduleBlocking)
            .filter((t) => !tolerates(p.tolerations, t))
            .map((t) => `${kc} taint node ${n.name} ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}-`),
        ),
      });
      continue;
    }
    for (const key of p.spreadKeys) {
      const values = new Set(usable.map((n) => n.labels[key]).filter((v) => v !== undefined));
      if (values.size < p.replicas) {
        const short = p.replicas - values.size;
        const labelHint = Object.entries(p.nodeSelector)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        out.push({
          message: `${p.workload} needs ${p.replicas} nodes with distinct ${key} (required anti-affinity)${selector ? ` labelled ${selector}` : ''}, and ${values.size} qualify: ${short} replica${short === 1 ? '' : 's'} would stay Pending`,
          users: [p.workload],
          fix: labelHint
            ? [
                `${kc} label node <node> ${labelHint}   # on ${short} more node${short === 1 ? '' : 's'}${key === 'kubernetes.io/hostname' ? '' : ` in other ${key} values`}`,
              ]
            : [
                `# add ${short} more schedulable node${short === 1 ? '' : 's'}${key === 'kubernetes.io/hostname' ? '' : ` in other ${key} values`}, or lower the replicas`,
              ],
        });
      }
    }
  }
  for (const [, g] of byLabels) {
    const labels = Object.entries(g.need.nodeSelector)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const affinity = g.need.nodeAffinity
      .map((t) => t.map((r) => `${r.key} ${r.operator} ${(r.values ?? []).join('|')}`).join(', '))
      .join(' or ');
    // A zone's pods (node affinity on the zone label, which the cloud sets) need the pool's label on a node of that zone.
    const where = g.need.nodeAffinity.length ? `a node with ${affinity}` : '';
    const most = Math.max(
      1,
      ...req.placements.filter((p) => g.users.includes(p.workload)).map((p) => (p.spreadKeys.length ? p.replicas : 1)),
    );
    const count = most > 1 ? `${most} nodes` : '';
    const comment = [count && `on ${count}`, where && `on ${where}`].filter(Boolean).join(', ');
    out.push({
      message: `no schedulable node is labelled ${[labels, affinity].filter(Boolean).join(', ')}${most > 1 ? ` (${most} needed: required anti-affinity)` : ''}`,
      users: g.users,
      fix: [
        labels
          ? `${kc} label node <node> ${labels}${comment ? `   # ${comment}` : ''}`
          : '# label nodes to match the node affinity above',
      ],
    });
  }
  return out;
}

/** The report: one block per finding, grouped by cause, with who needs it and the fix. */
export function formatFindings(env: string, state: Pick<ClusterState, 'context'>, findings: Finding[]): string {
  if (findings.length === 0) return `preflight ${env}: context "${state.context}" has everything the environment needs`;
  const lines = [
    `preflight ${env}: context "${state.context}" lacks ${findings.length} thing${findings.length === 1 ? '' : 's'} the environment needs`,
  ];
  for (const f of findings) {
    lines.push(`  ✖ ${f.message}`);
    if (f.users.length) lines.push(`    needed by: ${f.users.join(', ')}`);
    for (const fix of f.fix) lines.push(`    fix: ${fix.split('\n').join('\n         ')}`);
  }
  return lines.join('\n');
}
