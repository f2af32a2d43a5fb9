/**
 * One failing case per validation rule. A fixture stack that uses every kind of reference and every
 * pod-level feature the rules inspect passes every rule; each case breaks exactly one thing and
 * asserts the problem's tree path, JSON pointer and message — so a rule that stops firing, fires at
 * the wrong place or says something else fails here.
 */
import { describe, expect, it } from 'vitest';
import * as k from '../lib/core/k8s/index.js';
import type { Container, KubeObject, PodSpec, RoleBinding, Tree } from '../lib/core/k8s/types.js';
import { objectId } from '../lib/core/k8s/types.js';
import type { Problem } from '../lib/core/problems.js';
import { flatten } from '../lib/core/tree.js';
import type { Rule, ValidationContext } from '../lib/core/checks/context.js';
import { fieldsRule } from '../lib/build/validate/fields.js';
import { kubernetesRules, validateTree } from '../lib/build/validate/index.js';
import { namesRule } from '../lib/build/validate/names.js';
import { rangesRule } from '../lib/build/validate/ranges.js';
import { referencesRule } from '../lib/build/validate/references.js';
import { resourcesRule } from '../lib/build/validate/resources.js';
import { schemaProblems } from '../lib/build/validate/schema.js';
import { securityRule } from '../lib/build/validate/security.js';
import { selectorsRule } from '../lib/build/validate/selectors.js';
import { serviceAddressesRule } from '../lib/build/validate/service-addresses.js';

const ns = 'shop';
const requests = { requests: { cpu: '10m', memory: '16Mi' } };
const asObject = (o: unknown) => o as KubeObject;

/** A small stack that exercises every reference kind and every field the rules look at, and is valid. */
export function fixture(): Tree {
  const webSelector = k.selectorLabels('shop', 'web', 'shop');
  const web = k.deployment({
    name: 'web',
    namespace: ns,
    selector: webSelector,
    replicas: 2,
    pod: {
      serviceAccountName: 'web',
      initContainers: [k.container({ name: 'init', image: 'web:1', resources: requests })],
      containers: [
        k.container({
          name: 'web',
          image: 'web:1',
          args: ['-upstream=http://db.shop.svc.cluster.local:5432'],
          ports: { http: 8080, grpc: 9095 },
          env: { PASSWORD: { secret: 'web-creds', key: 'password' }, MODE: 'prod' },
          envFrom: [{ configMapRef: { name: 'web-env' } }, { secretRef: { name: 'web-creds' } }],
          resources: requests,
          readinessProbe: k.httpProbe('/ready', 'http'),
          volumeMounts: [
            { name: 'config', mountPath: '/etc/web' },
            { name: 'creds', mountPath: '/etc/creds' },
            { name: 'cache', mountPath: '/cache' },
            { name: 'bundle', mountPath: '/etc/bundle' },
          ],
        }),
      ],
      volumes: [
        k.volume.configMap('config', 'web-config'),
        k.volume.secret('creds', 'web-creds'),
        k.volume.pvc('cache', 'web-cache'),
        {
          name: 'bundle',
          projected: { sources: [{ configMap: { name: 'web-config' } }, { secret: { name: 'web-creds' } }] },
        },
      ],
    },
  });
  // env with a configMapKeyRef, which k.env does not build
  web.spec!.template.spec!.containers[0].env!.push({
    name: 'LEVEL',
    valueFrom: { configMapKeyRef: { name: 'web-env', key: 'level' } },
  });
  web.spec!.template.spec!.topologySpreadConstraints = [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { ...webSelector } },
    },
  ];
  web.spec!.template.spec!.affinity = {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...webSelector } } },
      ],
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 1,
          podAffinityTerm: {
            topologyKey: 'topology.kubernetes.io/zone',
            labelSelector: { matchLabels: { ...webSelector } },
          },
        },
      ],
    },
  };
  const db = k.statefulSet({
    name: 'db',
    namespace: ns,
    serviceName: 'db',
    selector: k.selectorLabels('shop', 'db', 'shop'),
    replicas: 1,
    volumeClaims: [{ name: 'data', size: '1Gi' }],
    pod: {
      containers: [
        k.container({
          name: 'db',
          image: 'db:1',
          ports: { sql: 5432 },
          resources: requests,
          readinessProbe: k.tcpProbe('sql'),
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        }),
      ],
    },
  });
  const migrate = k.job({
    name: 'migrate',
    namespace: ns,
    selector: k.selectorLabels('shop', 'migrate', 'shop'),
    pod: {
      containers: [
        k.container({ name: 'migrate', image: 'web:1', resources: requests, args: ['-db=db.shop.svc:5432'] }),
      ],
    },
  });
  return {
    cluster: { namespace: { namespace: asObject(k.namespace(ns)) } },
    shop: {
      web: {
        deployment: asObject(web),
        service: asObject(k.serviceFor(web)),
        pdb: asObject(k.pdbFor(web)),
        serviceAccount: asObject(k.serviceAccount({ name: 'web', namespace: ns })),
        role: asObject(
          k.role({ name: 'web', namespace: ns, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
        ),
        roleBinding: asObject(k.roleBinding({ name: 'web', namespace: ns, role: 'web', serviceAccount: 'web' })),
        configMap: asObject(
          k.configMap({
            name: 'web-config',
            namespace: ns,
            data: { 'web.yaml': 'db: db.shop.svc.cluster.local:5432\n' },
          }),
        ),
        envConfigMap: asObject(k.configMap({ name: 'web-env', namespace: ns, data: { level: 'info' } })),
        secret: asObject(k.secret({ name: 'web-creds', namespace: ns, stringData: { password: 'x' } })),
        pvc: asObject({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'web-cache', namespace: ns },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        }),
      },
      db: { statefulSet: asObject(db), service: asObject(k.serviceFor(db)) },
      migrate: { job: asObject(migrate) },
    },
  };
}

function ctxOf(tree: Tree, existingSecrets: string[] = []): ValidationContext {
  return { entries: flatten(tree), source: 'environments/shop/main.ts', existingSecrets: new Set(existingSecrets) };
}

type T = Tree & {
  shop: { web: Record<string, KubeObject>; db: Record<string, KubeObject>; migrate: Record<string, KubeObject> };
};
const webPod = (t: T): PodSpec => (t.shop.web.deployment.spec as { template: { spec: PodSpec } }).template.spec;
const webContainer = (t: T): Container => webPod(t).containers[0];
const dbPod = (t: T): PodSpec => (t.shop.db.statefulSet.spec as { template: { spec: PodSpec } }).template.spec;
const jobPod = (t: T): PodSpec => (t.shop.migrate.job.spec as { template: { spec: PodSpec } }).template.spec;
const web = (t: T) => t.shop.web;
const C = '/spec/template/spec/containers/0';

interface Case {
  rule: Rule;
  name: string;
  edit: (t: T) => void;
  /** Tree path of the reported object. */
  path: string;
  pointer?: string;
  message: string | RegExp;
  hint?: string | RegExp;
  found?: string;
  /** The problem's `expected` text, when the case asserts it. */
  expected?: string;
  existingSecrets?: string[];
}

const cases = (rule: Rule, list: Omit<Case, 'rule'>[]): Case[] => list.map((c) => ({ ...c, rule }));

const securityCases = cases(securityRule, [
  {
    name: 'runAsNonRoot: false on the container',
    edit: (t) => (webContainer(t).securityContext!.runAsNonRoot = false),
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/runAsNonRoot`,
    message: 'runAsNonRoot must be true (Pod Security Standards "restricted")',
    found: 'false',
  },
  {
    name: 'runAsNonRoot: false on the pod, container unset',
    edit: (t) => {
      delete webContainer(t).securityContext!.runAsNonRoot;
      webPod(t).securityContext!.runAsNonRoot = false;
    },
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/runAsNonRoot`,
    message: 'runAsNonRoot must be true',
    found: 'false',
  },
  {
    name: 'runAsNonRoot unset on pod and container',
    edit: (t) => {
      delete webContainer(t).securityContext!.runAsNonRoot;
      delete webPod(t).securityContext!.runAsNonRoot;
    },
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/runAsNonRoot`,
    message: 'runAsNonRoot must be true',
    found: 'undefined',
  },
  {
    name: 'runAsUser 0 on the container',
    edit: (t) => (webContainer(t).securityContext!.runAsUser = 0),
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/runAsUser`,
    message: 'runAsUser 0 is not allowed (Pod Security Standards "restricted")',
  },
  {
    name: 'runAsUser 0 on the pod',
    edit: (t) => (webPod(t).securityContext!.runAsUser = 0),
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/runAsUser`,
    message: 'runAsUser 0 is not allowed',
  },
  {
    name: 'seccomp Unconfined',
    edit: (t) => (webContainer(t).securityContext!.seccompProfile = { type: 'Unconfined' }),
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/seccompProfile/type`,
    message: 'seccompProfile must be RuntimeDefault or Localhost (Pod Security Standards "restricted")',
    found: 'Unconfined',
  },
  {
    name: 'seccomp unset on pod and container',
    edit: (t) => {
      delete webContainer(t).securityContext!.seccompProfile;
      delete webPod(t).securityContext!.seccompProfile;
    },
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/seccompProfile/type`,
    message: 'seccompProfile must be RuntimeDefault or Localhost',
    found: 'undefined',
  },
  {
    name: 'seccomp Unconfined on the pod, container unset',
    edit: (t) => {
      delete webContainer(t).securityContext!.seccompProfile;
      webPod(t).securityContext!.seccompProfile = { type: 'Unconfined' };
    },
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/seccompProfile/type`,
    message: 'seccompProfile must be',
    found: 'Unconfined',
  },
  {
    name: 'allowPrivilegeEscalation true',
    edit: (t) => (webContainer(t).securityContext!.allowPrivilegeEscalation = true),
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/allowPrivilegeEscalation`,
    message: 'allowPrivilegeEscalation must be false (Pod Security Standards "restricted")',
    found: 'true',
  },
  {
    name: 'allowPrivilegeEscalation unset',
    edit: (t) => delete webContainer(t).securityContext!.allowPrivilegeEscalation,
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/allowPrivilegeEscalation`,
    message: 'allowPrivilegeEscalation must be false',
    found: 'undefined',
  },
  {
    name: 'privileged container',
    edit: (t) => (webContainer(t).securityContext!.privileged = true),
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/privileged`,
    message: 'privileged containers are not allowed',
  },
  {
    name: 'capabilities not dropped',
    edit: (t) => (webContainer(t).securityContext!.capabilities = { drop: ['NET_RAW'] }),
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/capabilities/drop`,
    message: 'capabilities must drop ALL (Pod Security Standards "restricted")',
  },
  {
    name: 'no capabilities block',
    edit: (t) => delete webContainer(t).securityContext!.capabilities,
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/capabilities/drop`,
    message: 'capabilities must drop ALL',
  },
  {
    name: 'a capability added beyond NET_BIND_SERVICE',
    edit: (t) =>
      (webContainer(t).securityContext!.capabilities = {
        drop: ['ALL'],
        add: ['NET_BIND_SERVICE', 'SYS_ADMIN', 'NET_RAW'],
      }),
    path: 'shop.web.deployment',
    pointer: `${C}/securityContext/capabilities/add`,
    message: 'capabilities SYS_ADMIN, NET_RAW may not be added (only NET_BIND_SERVICE)',
  },
  {
    name: 'hostNetwork',
    edit: (t) => (webPod(t).hostNetwork = true),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec',
    message: 'host namespaces are not allowed by Pod Security Standards "restricted"',
  },
  {
    name: 'hostPID',
    edit: (t) => (webPod(t).hostPID = true),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec',
    message: 'host namespaces are not allowed',
  },
  {
    name: 'hostIPC',
    edit: (t) => (webPod(t).hostIPC = true),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec',
    message: 'host namespaces are not allowed',
  },
  {
    name: 'hostPath volume',
    edit: (t) => webPod(t).volumes!.push({ name: 'host', hostPath: { path: '/var/run' } }),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/volumes/4',
    message: 'volume type hostPath is not allowed by Pod Security Standards "restricted"',
  },
  {
    name: 'a volume naming two disallowed types',
    edit: (t) =>
      webPod(t).volumes!.push({ name: 'host', hostPath: { path: '/var/run' }, nfs: { server: 'nas', path: '/' } }),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/volumes/4',
    message: 'volume type hostPath, nfs is not allowed by Pod Security Standards "restricted"',
    expected: 'configMap, secret, emptyDir, persistentVolumeClaim, projected, downwardAPI, ephemeral, csi',
  },
  {
    name: 'nfs volume',
    edit: (t) => (webPod(t).volumes![0] = { name: 'config', nfs: { server: 'nfs', path: '/' } }),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/volumes/0',
    message: 'volume type nfs is not allowed',
  },
  {
    name: 'no CPU request',
    edit: (t) => delete webContainer(t).resources!.requests!.cpu,
    path: 'shop.web.deployment',
    pointer: `${C}/resources/requests`,
    message: 'container "web" has no CPU and memory requests',
    hint: 'set config resources for the component',
  },
  {
    name: 'no memory request',
    edit: (t) => delete webContainer(t).resources!.requests!.memory,
    path: 'shop.web.deployment',
    pointer: `${C}/resources/requests`,
    message: 'container "web" has no CPU and memory requests',
  },
  {
    name: 'no resources on an init container',
    edit: (t) => delete webPod(t).initContainers![0].resources,
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/initContainers/0/resources/requests',
    message: 'container "init" has no CPU and memory requests',
  },
  {
    name: 'no readiness probe',
    edit: (t) => delete webContainer(t).readinessProbe,
    path: 'shop.web.deployment',
    pointer: `${C}/readinessProbe`,
    message: 'container "web" has no readiness probe',
  },
  {
    name: 'no readiness probe in a StatefulSet',
    edit: (t) => delete dbPod(t).containers[0].readinessProbe,
    path: 'shop.db.statefulSet',
    pointer: `${C}/readinessProbe`,
    message: 'container "db" has no readiness probe',
  },
  {
    name: 'runAsNonRoot false in a Job',
    edit: (t) => (jobPod(t).containers[0].securityContext!.runAsNonRoot = false),
    path: 'shop.migrate.job',
    pointer: `${C}/securityContext/runAsNonRoot`,
    message: 'runAsNonRoot must be true',
  },
  {
    name: 'privilege escalation in an init container',
    edit: (t) => (webPod(t).initContainers![0].securityContext!.allowPrivilegeEscalation = true),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/initContainers/0/securityContext/allowPrivilegeEscalation',
    message: 'allowPrivilegeEscalation must be false',
  },
]);

const referenceCases = cases(referencesRule, [
  {
    name: 'ConfigMap volume',
    edit: (t) => (webPod(t).volumes![0].configMap!.name = 'web-confg'),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/volumes/0/configMap/name',
    message: 'ConfigMap "web-confg" does not exist in namespace shop',
    hint: 'did you mean `web-config`?',
  },
  {
    name: 'ConfigMap volume without suggestion',
    edit: (t) => (webPod(t).volumes![0].configMap!.name = 'zzzzzzzzzzzz'),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/volumes/0/configMap/name',
    message: 'ConfigMap "zzzzzzzzzzzz" does not exist',
    hint: 'render a ConfigMap named "zzzzzzzzzzzz"',
  },
  {
    name: 'Secret volume',
    edit: (t) => (webPod(t).volumes![1].secret!.secretName = 'api-key'),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/volumes/1/secret/secretName',
    message: 'Secret "api-key" does not exist in namespace shop',
    hint: 'render it, or list it in config.existingSecrets if the cluster provides it',
  },
  {
    name: 'PVC volume',
    edit: (t) => (webPod(t).volumes![2].persistentVolumeClaim!.claimName = 'web-cach'),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/volumes/2/persistentVolumeClaim/claimName',
    message: 'PersistentVolumeClaim "web-cach" does not exist in namespace shop',
    hint: 'did you mean `web-cache`?',
  },
  {
    name: 'projected ConfigMap',
    edit: (t) => (webPod(t).volumes![3].projected!.sources![0].configMap!.name = 'other'),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/volumes/3/projected/sources/0/configMap/name',
    message: 'ConfigMap "other" does not exist',
  },
  {
    name: 'projected Secret',
    edit: (t) => (webPod(t).volumes![3].projected!.sources![1].secret!.name = 'other'),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/volumes/3/projected/sources/1/secret/name',
    message: 'Secret "other" does not exist',
  },
  {
    name: 'ServiceAccount',
    edit: (t) => (webPod(t).serviceAccountName = 'wbe'),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/serviceAccountName',
    message: 'ServiceAccount "wbe" does not exist in namespace shop',
    hint: 'did you mean `web`?',
  },
  {
    name: 'ServiceAccount of another namespace',
    edit: (t) => {
      (web(t).serviceAccount.metadata as { namespace: string }).namespace = 'other';
    },
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/serviceAccountName',
    message: 'ServiceAccount "web" does not exist in namespace shop',
  },
  {
    name: 'env secretKeyRef',
    edit: (t) => (webContainer(t).env!.find((e) => e.name === 'PASSWORD')!.valueFrom!.secretKeyRef!.name = 'db-creds'),
    path: 'shop.web.deployment',
    pointer: `${C}/env/1/valueFrom/secretKeyRef/name`,
    message: 'Secret "db-creds" does not exist in namespace shop',
  },
  {
    name: 'env configMapKeyRef',
    edit: (t) => (webContainer(t).env!.find((e) => e.name === 'LEVEL')!.valueFrom!.configMapKeyRef!.name = 'web-envv'),
    path: 'shop.web.deployment',
    pointer: `${C}/env/2/valueFrom/configMapKeyRef/name`,
    message: 'ConfigMap "web-envv" does not exist',
    hint: 'did you mean `web-env`?',
  },
  {
    name: 'envFrom configMapRef',
    edit: (t) => (webContainer(t).envFrom![0].configMapRef!.name = 'nope'),
    path: 'shop.web.deployment',
    pointer: `${C}/envFrom/0/configMapRef/name`,
    message: 'ConfigMap "nope" does not exist',
  },
  {
    name: 'envFrom secretRef',
    edit: (t) => (webContainer(t).envFrom![1].secretRef!.name = 'nope'),
    path: 'shop.web.deployment',
    pointer: `${C}/envFrom/1/secretRef/name`,
    message: 'Secret "nope" does not exist',
  },
  {
    name: 'Secret of another namespace',
    edit: (t) => {
      (web(t).secret.metadata as { namespace: string }).namespace = 'other';
    },
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/volumes/1/secret/secretName',
    message: 'Secret "web-creds" does not exist in namespace shop',
  },
  {
    name: 'volume mount of an undefined volume',
    edit: (t) => (webContainer(t).volumeMounts![0].name = 'confg'),
    path: 'shop.web.deployment',
    pointer: `${C}/volumeMounts/0/name`,
    message: 'volume "confg" is not defined in the pod',
    hint: 'did you mean `config`?',
  },
  {
    name: 'volume mount of a StatefulSet claim template that is gone',
    edit: (t) =>
      ((
        t.shop.db.statefulSet.spec as { volumeClaimTemplates: { metadata: { name: string } }[] }
      ).volumeClaimTemplates[0].metadata.name = 'storage'),
    path: 'shop.db.statefulSet',
    pointer: `${C}/volumeMounts/0/name`,
    message: 'volume "data" is not defined in the pod',
  },
  {
    name: 'RoleBinding to a missing Role',
    edit: (t) => ((web(t).roleBinding as KubeObject & RoleBinding).roleRef.name = 'wbe'),
    path: 'shop.web.roleBinding',
    pointer: '/roleRef/name',
    message: 'Role "wbe" does not exist',
    hint: 'did you mean `web`?',
  },
  {
    name: 'RoleBinding to a missing ServiceAccount',
    edit: (t) => ((web(t).roleBinding as KubeObject & RoleBinding).subjects![0].name = 'wbe'),
    path: 'shop.web.roleBinding',
    pointer: '/subjects/0/name',
    message: 'ServiceAccount "wbe" does not exist in namespace shop',
  },
  {
    name: 'RoleBinding to a Role of another namespace',
    edit: (t) => {
      (web(t).role.metadata as { namespace: string }).namespace = 'other';
    },
    path: 'shop.web.roleBinding',
    pointer: '/roleRef/name',
    message: 'Role "web" does not exist',
  },
  {
    name: 'ClusterRoleBinding to a missing ClusterRole',
    edit: (t) =>
      (web(t).clusterRoleBinding = asObject(
        k.clusterRoleBinding({
          name: 'web',
          clusterRole: 'reader',
          serviceAccount: 'web',
          serviceAccountNamespace: ns,
        }),
      )),
    path: 'shop.web.clusterRoleBinding',
    pointer: '/roleRef/name',
    message: 'ClusterRole "reader" does not exist',
  },
]);

const nameCases = cases(namesRule, [
  {
    name: 'upper-case object name',
    edit: (t) => (web(t).configMap.metadata!.name = 'Web-config'),
    path: 'shop.web.configMap',
    pointer: '/metadata/name',
    message: 'invalid object name',
    found: '"Web-config"',
  },
  {
    name: 'object name ending in a dash',
    edit: (t) => (web(t).configMap.metadata!.name = 'web-'),
    path: 'shop.web.configMap',
    pointer: '/metadata/name',
    message: 'invalid object name',
  },
  {
    name: 'object name longer than 253',
    edit: (t) => (web(t).configMap.metadata!.name = `${'a'.repeat(250)}.bcd`),
    path: 'shop.web.configMap',
    pointer: '/metadata/name',
    message: 'ConfigMap name is 254 characters long, more than 253',
  },
  {
    name: 'empty object name',
    edit: (t) => (web(t).configMap.metadata!.name = ''),
    path: 'shop.web.configMap',
    pointer: '/metadata/name',
    message: 'invalid object name',
    found: '""',
  },
  {
    name: 'Service name starting with a digit',
    edit: (t) => (web(t).service.metadata!.name = '1web'),
    path: 'shop.web.service',
    pointer: '/metadata/name',
    message: 'invalid Service name',
    found: '"1web"',
  },
  {
    name: 'Service name with a dot',
    edit: (t) => (web(t).service.metadata!.name = 'web.v1'),
    path: 'shop.web.service',
    pointer: '/metadata/name',
    message: 'invalid Service name',
  },
  {
    name: 'Service name longer than 63',
    edit: (t) => (web(t).service.metadata!.name = `w${'e'.repeat(63)}`),
    path: 'shop.web.service',
    pointer: '/metadata/name',
    message: 'Service name is 64 characters long, more than 63',
  },
  {
    name: 'namespaced object without a namespace',
    edit: (t) => delete web(t).configMap.metadata!.namespace,
    path: 'shop.web.configMap',
    pointer: '/metadata/namespace',
    message: 'namespaced ConfigMap has no namespace',
    hint: 'set config.namespace',
  },
  {
    name: 'label value with a space',
    edit: (t) => (web(t).configMap.metadata!.labels = { team: 'a b' }),
    path: 'shop.web.configMap',
    pointer: '/metadata/labels/team',
    message: 'invalid label value',
    found: '"a b"',
    expected: 'at most 63 characters: letters, digits, "-", "_", "." starting and ending with a letter or digit',
  },
  {
    name: 'label value longer than 63',
    edit: (t) => (web(t).configMap.metadata!.labels = { team: 'a'.repeat(64) }),
    path: 'shop.web.configMap',
    pointer: '/metadata/labels/team',
    message: 'invalid label value',
  },
  {
    name: 'label value that is not a string',
    edit: (t) => (web(t).configMap.metadata!.labels = { team: 3 as unknown as string }),
    path: 'shop.web.configMap',
    pointer: '/metadata/labels/team',
    message: 'invalid label value',
    found: '3',
  },
  {
    name: 'Service port name too long',
    edit: (t) => ((web(t).service.spec as { ports: { name: string }[] }).ports[0].name = 'http-metrics-api'),
    path: 'shop.web.service',
    pointer: '/spec/ports/0/name',
    message: 'invalid port name',
    found: '"http-metrics-api"',
    expected:
      'an IANA service name: at most 15 lowercase letters, digits and inner single dashes, with at least one letter',
  },
  {
    name: 'Service port name with a double dash',
    edit: (t) => ((web(t).service.spec as { ports: { name: string }[] }).ports[0].name = 'http--x'),
    path: 'shop.web.service',
    pointer: '/spec/ports/0/name',
    message: 'invalid port name',
  },
  {
    name: 'Service port name of digits only',
    edit: (t) => ((web(t).service.spec as { ports: { name: string }[] }).ports[0].name = '8080'),
    path: 'shop.web.service',
    pointer: '/spec/ports/0/name',
    message: 'invalid port name',
  },
  {
    name: 'Service with an unnamed port among several',
    edit: (t) => delete (web(t).service.spec as { ports: { name?: string }[] }).ports[1].name,
    path: 'shop.web.service',
    pointer: '/spec/ports',
    message: 'a Service with several ports must name every port',
  },
  {
    name: 'container port name upper-case',
    edit: (t) => (webContainer(t).ports![0].name = 'HTTP'),
    path: 'shop.web.deployment',
    pointer: `${C}/ports/0/name`,
    message: 'invalid port name',
    found: '"HTTP"',
    expected:
      'an IANA service name: at most 15 lowercase letters, digits and inner single dashes, with at least one letter',
  },
  {
    name: 'container port name empty',
    edit: (t) => (webContainer(t).ports![1].name = ''),
    path: 'shop.web.deployment',
    pointer: `${C}/ports/1/name`,
    message: 'invalid port name',
  },
  {
    name: 'duplicate container port name',
    edit: (t) => (webContainer(t).ports![1].name = 'http'),
    path: 'shop.web.deployment',
    pointer: `${C}/ports/1/name`,
    message: 'duplicate port name "http" in container "web"',
  },
  {
    name: 'duplicate env var',
    edit: (t) => webContainer(t).env!.push({ name: 'MODE', value: 'dev' }),
    path: 'shop.web.deployment',
    pointer: `${C}/env/3/name`,
    message: 'duplicate env var "MODE" in container "web"',
  },
  {
    name: 'two tree paths rendering the same object',
    edit: (t) => (web(t).copy = structuredClone(web(t).configMap)),
    path: 'shop.web.copy',
    message: 'duplicate object: shop.web.copy and shop.web.configMap render the same ConfigMap "web-config"',
    hint: 'rename one of them; the build never lets one object overwrite another',
  },
]);

const selectorCases = cases(selectorsRule, [
  {
    name: 'workload without selector labels',
    edit: (t) => ((t.shop.web.deployment.spec as { selector: unknown }).selector = { matchLabels: {} }),
    path: 'shop.web.deployment',
    pointer: '/spec/selector/matchLabels',
    message: 'Deployment has no selector labels',
  },
  {
    name: 'selector label missing from the template',
    edit: (t) =>
      delete (t.shop.web.deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template
        .metadata.labels['app.kubernetes.io/component'],
    path: 'shop.web.deployment',
    pointer: '/spec/template/metadata/labels/app.kubernetes.io/component',
    message: 'selector label missing from the pod template',
    found: 'nothing',
    hint: 'the API server rejects a workload whose selector does not match its own template',
  },
  {
    name: 'selector label with another value in the template',
    edit: (t) =>
      ((
        t.shop.web.deployment.spec as { template: { metadata: { labels: Record<string, string> } } }
      ).template.metadata.labels['app.kubernetes.io/component'] = 'api'),
    path: 'shop.web.deployment',
    pointer: '/spec/template/metadata/labels/app.kubernetes.io/component',
    message: 'selector label missing from the pod template',
    found: '"api"',
  },
  {
    name: 'Service without selector',
    edit: (t) => ((web(t).service.spec as { selector: unknown }).selector = {}),
    path: 'shop.web.service',
    pointer: '/spec/selector',
    message: 'Service has no selector',
    hint: 'every Service of the stack selects the pods of a workload',
  },
  {
    name: 'Service selecting nothing',
    edit: (t) =>
      ((web(t).service.spec as { selector: Record<string, string> }).selector['app.kubernetes.io/component'] = 'wbe'),
    path: 'shop.web.service',
    pointer: '/spec/selector',
    message: 'Service selects no workload',
    hint: /labels of the workloads in namespace shop: shop\.db\.statefulSet, shop\.web\.deployment/,
  },
  {
    name: 'Service selecting only a Job',
    edit: (t) =>
      ((t.shop.migrate as Record<string, KubeObject>).service = asObject({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'migrate', namespace: ns },
        spec: { selector: k.selectorLabels('shop', 'migrate', 'shop'), ports: [{ name: 'http', port: 80 }] },
      })),
    path: 'shop.migrate.service',
    pointer: '/spec/selector',
    message: 'Service selects no workload',
  },
  {
    name: 'Service in another namespace than its pods',
    edit: (t) => {
      (web(t).service.metadata as { namespace: string }).namespace = 'other';
    },
    path: 'shop.web.service',
    pointer: '/spec/selector',
    message: 'Service selects no workload',
    hint: 'labels of the workloads in namespace other: none',
  },
  {
    name: 'Service whose labels are each on some pod but all on none',
    edit: (t) => {
      (
        t.shop.db.statefulSet.spec as { template: { metadata: { labels: Record<string, string> } } }
      ).template.metadata.labels.tier = 'data';
      (web(t).service.spec as { selector: Record<string, string> }).selector = {
        'app.kubernetes.io/component': 'web',
        tier: 'data',
      };
    },
    path: 'shop.web.service',
    pointer: '/spec/selector',
    message: 'Service selects no workload',
  },
  {
    name: 'Service targetPort name no pod exposes',
    edit: (t) => ((web(t).service.spec as { ports: { targetPort: string }[] }).ports[1].targetPort = 'grcp'),
    path: 'shop.web.service',
    pointer: '/spec/ports/1/targetPort',
    message: 'no selected pod exposes targetPort "grcp"',
    hint: 'selected workloads: shop.web.deployment',
  },
  {
    name: 'Service targetPort number no pod exposes',
    edit: (t) => ((web(t).service.spec as { ports: { targetPort: number }[] }).ports[0].targetPort = 8081),
    path: 'shop.web.service',
    pointer: '/spec/ports/0/targetPort',
    message: 'no selected pod exposes targetPort 8081',
  },
  {
    name: 'Service port without targetPort, no container on that number',
    edit: (t) => {
      const p = (web(t).service.spec as { ports: { port: number; targetPort?: unknown }[] }).ports[0];
      delete p.targetPort;
      p.port = 80;
    },
    path: 'shop.web.service',
    pointer: '/spec/ports/0/targetPort',
    message: 'no selected pod exposes targetPort 80',
  },
  {
    name: 'PDB selecting nothing',
    edit: (t) =>
      ((web(t).pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels = {
        app: 'other',
      }),
    path: 'shop.web.pdb',
    pointer: '/spec/selector/matchLabels',
    message: 'PodDisruptionBudget selects no workload',
    found: '{"app":"other"}',
  },
  {
    name: 'PDB with an empty selector',
    edit: (t) => ((web(t).pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels = {}),
    path: 'shop.web.pdb',
    pointer: '/spec/selector/matchLabels',
    message: 'PodDisruptionBudget selects no workload',
  },
  {
    name: 'topology spread selector of other pods',
    edit: (t) => (webPod(t).topologySpreadConstraints![0].labelSelector = { matchLabels: { app: 'db' } }),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/topologySpreadConstraints/0/labelSelector',
    message: "topology spread selector does not match the workload's own pods",
  },
  {
    name: 'required anti-affinity selector of other pods',
    edit: (t) =>
      (webPod(t).affinity!.podAntiAffinity!.requiredDuringSchedulingIgnoredDuringExecution![0].labelSelector = {
        matchLabels: { app: 'db' },
      }),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/affinity/podAntiAffinity',
    message: "anti-affinity selector does not match the workload's own pods",
    found: '{"app":"db"}',
  },
  {
    name: 'preferred anti-affinity selector of other pods',
    edit: (t) =>
      (webPod(
        t,
      ).affinity!.podAntiAffinity!.preferredDuringSchedulingIgnoredDuringExecution![0].podAffinityTerm.labelSelector = {
        matchLabels: {},
      }),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/affinity/podAntiAffinity',
    message: "anti-affinity selector does not match the workload's own pods",
  },
]);

const addressCases = cases(serviceAddressesRule, [
  {
    name: 'config file naming a Service that is not rendered',
    edit: (t) => (web(t).configMap.data = { 'web.yaml': 'db: dbb.shop.svc.cluster.local:5432\n' }),
    path: 'shop.web.configMap',
    pointer: '/data/web.yaml',
    message: 'dbb.shop.svc.cluster.local:5432 names Service "dbb" in namespace shop, which is not rendered',
    hint: 'did you mean `db`?',
  },
  {
    name: 'config file using a port the Service does not expose',
    edit: (t) => (web(t).configMap.data = { 'web.yaml': 'db: db.shop.svc.cluster.local:5433\n' }),
    path: 'shop.web.configMap',
    pointer: '/data/web.yaml',
    message: 'db.shop.svc.cluster.local:5433 uses port 5433, which Service "db" does not expose',
    found: '5433',
  },
  {
    name: 'container arg naming a Service that is not rendered',
    edit: (t) => (webContainer(t).args = ['-upstream=http://cache.shop.svc:6379']),
    path: 'shop.web.deployment',
    pointer: `${C}/args/0`,
    message: 'cache.shop.svc:6379 names Service "cache" in namespace shop, which is not rendered',
  },
  {
    name: 'container command with a wrong port',
    edit: (t) => (webContainer(t).command = ['web', 'db.shop.svc:1']),
    path: 'shop.web.deployment',
    pointer: `${C}/command/1`,
    message: 'db.shop.svc:1 uses port 1',
  },
  {
    name: 'env value with a wrong Service',
    edit: (t) => (webContainer(t).env!.find((e) => e.name === 'MODE')!.value = 'http://web2.shop.svc:8080'),
    path: 'shop.web.deployment',
    pointer: `${C}/env/0/value`,
    message: 'names Service "web2"',
  },
  {
    name: 'DNS SRV lookup of a port name the Service lacks',
    edit: (t) => (webContainer(t).args = ['-peers=dnssrv+_gossip._tcp.db.shop.svc.cluster.local']),
    path: 'shop.web.deployment',
    pointer: `${C}/args/0`,
    message: '_gossip._tcp.db.shop.svc.cluster.local looks up port "gossip", which Service "db" does not name',
    found: 'gossip',
  },
  {
    name: 'Job arg with a wrong Service',
    edit: (t) => (jobPod(t).containers[0].args = ['-db=dbx.shop.svc:5432']),
    path: 'shop.migrate.job',
    pointer: `${C}/args/0`,
    message: 'names Service "dbx"',
  },
  {
    name: 'readiness probe on a port the container does not name',
    edit: (t) => (webContainer(t).readinessProbe = k.httpProbe('/ready', 'htp')),
    path: 'shop.web.deployment',
    pointer: `${C}/readinessProbe`,
    message: 'readinessProbe uses port "htp", which container "web" does not name',
    hint: 'did you mean `http`?',
  },
  {
    name: 'liveness probe on a port the container does not name',
    edit: (t) => (webContainer(t).livenessProbe = k.tcpProbe('admin')),
    path: 'shop.web.deployment',
    pointer: `${C}/livenessProbe`,
    message: 'livenessProbe uses port "admin"',
  },
  {
    name: 'startup probe (gRPC) on a port the container does not name',
    edit: (t) => (webContainer(t).startupProbe = { grpc: { port: 'grpcc' as unknown as number } }),
    path: 'shop.web.deployment',
    pointer: `${C}/startupProbe`,
    message: 'startupProbe uses port "grpcc"',
  },
]);

const fieldCases = cases(fieldsRule, [
  {
    name: 'unknown field in a pod spec',
    edit: (t) => Object.assign(webPod(t), { nodeSelectr: { a: 'b' } }),
    path: 'shop.web.deployment',
    pointer: '/spec/template/spec/nodeSelectr',
    message: 'unknown field `nodeSelectr`',
    hint: 'did you mean `nodeSelector`?',
  },
  {
    name: 'unknown field in a list item',
    edit: (t) => Object.assign(webContainer(t).ports![0], { containerPrt: 1 }),
    path: 'shop.web.deployment',
    pointer: `${C}/ports/0/containerPrt`,
    message: 'unknown field `containerPrt`',
  },
  {
    name: 'unknown top-level field',
    edit: (t) => ((web(t).configMap as Record<string, unknown>).dta = {}),
    path: 'shop.web.configMap',
    pointer: '/dta',
    message: 'unknown field `dta`',
    hint: 'did you mean `data`?',
  },
  {
    name: 'a field name with a slash is escaped in the pointer',
    edit: (t) => ((web(t).service.spec as Record<string, unknown>)['a/b'] = 1),
    path: 'shop.web.service',
    pointer: '/spec/a~1b',
    message: 'unknown field `a/b`',
  },
]);

const rangeCases = cases(rangesRule, [
  {
    name: 'a containerPort above 65535',
    edit: (t) => (webContainer(t).ports![0].containerPort = 70000),
    path: 'shop.web.deployment',
    pointer: `${C}/ports/0/containerPort`,
    message: 'containerPort 70000 is out of range',
    found: '70000',
  },
  {
    name: 'a containerPort of 0',
    edit: (t) => (webContainer(t).ports![0].containerPort = 0),
    path: 'shop.web.deployment',
    pointer: `${C}/ports/0/containerPort`,
    message: 'containerPort 0 is out of range',
  },
  {
    name: 'negative replicas',
    edit: (t) => ((web(t).deployment.spec as { replicas: number }).replicas = -1),
    path: 'shop.web.deployment',
    pointer: '/spec/replicas',
    message: 'replicas -1 is out of range',
  },
  {
    name: 'a Service port above 65535',
    edit: (t) => ((web(t).service.spec as { ports: { port: number }[] }).ports[0].port = 65536),
    path: 'shop.web.service',
    pointer: '/spec/ports/0/port',
    message: 'port 65536 is out of range',
  },
  {
    name: 'a numeric targetPort of 0',
    edit: (t) => ((web(t).service.spec as { ports: { targetPort: unknown }[] }).ports[0].targetPort = 0),
    path: 'shop.web.service',
    pointer: '/spec/ports/0/targetPort',
    message: 'targetPort 0 is out of range',
  },
  {
    name: 'a nodePort outside 30000-32767',
    edit: (t) => ((web(t).service.spec as { ports: { nodePort?: number }[] }).ports[0].nodePort = 8080),
    path: 'shop.web.service',
    pointer: '/spec/ports/0/nodePort',
    message: 'nodePort 8080 is out of range',
  },
]);

const all = [
  ...securityCases.map((c) => ['security', c] as const),
  ...referenceCases.map((c) => ['references', c] as const),
  ...nameCases.map((c) => ['names', c] as const),
  ...selectorCases.map((c) => ['selectors', c] as const),
  ...addressCases.map((c) => ['service addresses', c] as const),
  ...fieldCases.map((c) => ['unknown fields', c] as const),
  ...rangeCases.map((c) => ['ranges', c] as const),
];

function matching(problems: Problem[], c: Case): Problem[] {
  return problems.filter(
    (p) =>
      p.path === c.path &&
      (c.pointer === undefined || p.pointer === c.pointer) &&
      (typeof c.message === 'string' ? p.message.includes(c.message) : c.message.test(p.message)),
  );
}

describe('the fixture stack', () => {
  it('passes every Kubernetes rule, the address rule and the schema, so each case below fails for its one change', async () => {
    const ctx = ctxOf(fixture());
    expect([...kubernetesRules, serviceAddressesRule].flatMap((r) => r(ctx))).toEqual([]);
    expect(await schemaProblems(ctx)).toEqual([]);
    expect(await validateTree(fixture(), { extraRules: [serviceAddressesRule] })).toEqual([]);
  });
});

describe.each(['security', 'references', 'names', 'selectors', 'service addresses', 'unknown fields', 'ranges'])(
  '%s rule: each failing case',
  (group) => {
    it.each(all.filter(([g]) => g === group).map(([, c]) => [c.name, c] as const))('%s', (_name, c) => {
      const t = fixture() as T;
      c.edit(t);
      const problems = c.rule(ctxOf(t, c.existingSecrets));
      const found = matching(problems, c);
      expect(found, `problems: ${JSON.stringify(problems, null, 1)}`).toHaveLength(1);
      const [p] = found;
      expect(p.source).toBe('environments/shop/main.ts');
      const [, component, key] = p.path.split('.');
      expect(p.object).toBe(objectId((t.shop as Record<string, Record<string, KubeObject>>)[component][key]));
      if (c.hint !== undefined) {
        if (typeof c.hint === 'string') expect(p.hint).toContain(c.hint);
        else expect(p.hint).toMatch(c.hint);
      }
      if (c.found !== undefined) expect(p.found).toBe(c.found);
      if (c.expected !== undefined) expect(p.expected).toBe(c.expected);
    });
  },
);

describe('exemptions each rule makes on purpose', () => {
  it('Secrets the cluster provides (config.existingSecrets) satisfy every Secret reference', () => {
    const t = fixture() as T;
    delete (t.shop.web as Record<string, unknown>).secret;
    expect(referencesRule(ctxOf(t)).map((p) => p.pointer)).toEqual([
      '/spec/template/spec/volumes/1/secret/secretName',
      '/spec/template/spec/volumes/3/projected/sources/1/secret/name',
      `${C}/env/1/valueFrom/secretKeyRef/name`,
      `${C}/envFrom/1/secretRef/name`,
    ]);
    expect(referencesRule(ctxOf(t, ['web-creds']))).toEqual([]);
  });

  it('optional references may name objects that do not exist', () => {
    const t = fixture() as T;
    webPod(t).volumes![0].configMap!.optional = true;
    webPod(t).volumes![0].configMap!.name = 'maybe';
    webPod(t).volumes![1].secret = { secretName: 'maybe', optional: true };
    webPod(t).volumes![3].projected!.sources = [
      { configMap: { name: 'maybe', optional: true } },
      { secret: { name: 'maybe', optional: true } },
    ];
    webContainer(t).envFrom = [
      { configMapRef: { name: 'maybe', optional: true } },
      { secretRef: { name: 'maybe', optional: true } },
    ];
    webContainer(t).env!.push(
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'maybe', key: 'a', optional: true } } },
      { name: 'B', valueFrom: { secretKeyRef: { name: 'maybe', key: 'b', optional: true } } },
    );
    expect(referencesRule(ctxOf(t))).toEqual([]);
  });

  it('the default ServiceAccount needs no object', () => {
    const t = fixture() as T;
    webPod(t).serviceAccountName = 'default';
    expect(referencesRule(ctxOf(t))).toEqual([]);
  });

  it('a Job needs no readiness probe and is not a Service target; NET_BIND_SERVICE may be added; Localhost seccomp is allowed', () => {
    const t = fixture() as T;
    webContainer(t).securityContext!.capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] };
    webContainer(t).securityContext!.seccompProfile = { type: 'Localhost', localhostProfile: 'web.json' };
    webPod(t).volumes!.push(
      { name: 'scratch', emptyDir: {} },
      { name: 'info', downwardAPI: { items: [] } },
      { name: 'tmp', ephemeral: {} },
      { name: 'csi', csi: { driver: 'x' } },
    );
    expect(jobPod(t).containers[0].readinessProbe).toBeUndefined();
    expect(securityRule(ctxOf(t))).toEqual([]);
  });

  it('runAsNonRoot and seccomp set on the pod alone are enough', () => {
    const t = fixture() as T;
    delete webContainer(t).securityContext!.runAsNonRoot;
    delete webContainer(t).securityContext!.seccompProfile;
    expect(securityRule(ctxOf(t))).toEqual([]);
  });

  it('a container setting runAsNonRoot true overrides a pod that does not', () => {
    const t = fixture() as T;
    webPod(t).securityContext!.runAsNonRoot = false;
    for (const c of [...webPod(t).containers, ...webPod(t).initContainers!]) c.securityContext!.runAsNonRoot = true;
    expect(securityRule(ctxOf(t))).toEqual([]);
  });

  it('a single unnamed Service port is fine; addresses in namespaces the tree does not render are not checked', () => {
    const t = fixture() as T;
    const svc = web(t).service.spec as { ports: { name?: string }[] };
    svc.ports = [svc.ports[0]];
    delete svc.ports[0].name;
    web(t).configMap.data = { 'web.yaml': 'dns: kube-dns.kube-system.svc.cluster.local:53\n' };
    expect([...kubernetesRules, serviceAddressesRule].flatMap((r) => r(ctxOf(t)))).toEqual([]);
  });

  it('names at their length limits are valid: a 15-character port name, a 63-character Service name and label value, a 253-character object name', () => {
    const t = fixture() as T;
    webContainer(t).ports![0].name = 'http-metrics-ab';
    (web(t).service.spec as { ports: { name: string; targetPort: string }[] }).ports[0] = {
      ...(web(t).service.spec as { ports: { name: string; targetPort: string }[] }).ports[0],
      name: 'http-metrics-ab',
      targetPort: 'http-metrics-ab',
    };
    web(t).service.metadata!.name = `w${'e'.repeat(62)}`;
    web(t).configMap.metadata!.labels = { team: 'a'.repeat(63) };
    web(t).envConfigMap.metadata!.name = `${'a'.repeat(249)}.bcd`;
    webContainer(t).envFrom![0].configMapRef!.name = `${'a'.repeat(249)}.bcd`;
    webContainer(t).env!.find((e) => e.name === 'LEVEL')!.valueFrom!.configMapKeyRef!.name = `${'a'.repeat(249)}.bcd`;
    expect(namesRule(ctxOf(t))).toEqual([]);
    expect(webContainer(t).ports![0].name).toHaveLength(15);
  });

  it('a Service over several workloads needs only one of them to expose its target port', () => {
    const t = fixture() as T;
    web(t).shared = asObject({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'shared', namespace: ns },
      spec: {
        selector: { 'app.kubernetes.io/part-of': 'shop' },
        ports: [{ name: 'sql', port: 5432, targetPort: 'sql' }],
      },
    });
    expect(selectorsRule(ctxOf(t))).toEqual([]);
  });

  it('a RoleBinding may bind a ClusterRole, and subjects other than ServiceAccounts are not looked up', () => {
    const t = fixture() as T;
    web(t).clusterRole = asObject(k.clusterRole({ name: 'reader', rules: [] }));
    const binding = web(t).roleBinding as KubeObject & RoleBinding;
    binding.roleRef = { ...binding.roleRef, kind: 'ClusterRole', name: 'reader' };
    binding.subjects!.push({ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'ops' });
    expect(referencesRule(ctxOf(t))).toEqual([]);
  });

  it('a numeric probe port is not a name and is not checked against port names', () => {
    const t = fixture() as T;
    webContainer(t).readinessProbe = k.httpProbe('/ready', 9999);
    expect(serviceAddressesRule(ctxOf(t))).toEqual([]);
  });
});

describe('what the rules say, and objects that leave optional parts out', () => {
  it('an invalid namespace is reported at /metadata/namespace as an invalid namespace', () => {
    const t = fixture() as T;
    web(t).configMap.metadata!.namespace = 'Shop_1';
    expect(namesRule(ctxOf(t)).map(({ path, pointer, message }) => ({ path, pointer, message }))).toEqual([
      { path: 'shop.web.configMap', pointer: '/metadata/namespace', message: 'invalid namespace' },
    ]);
  });

  it('a container port without a name is valid', () => {
    const t = fixture() as T;
    webContainer(t).ports!.push({ containerPort: 7000 });
    expect(namesRule(ctxOf(t))).toEqual([]);
  });

  it('a missing Secret is expected rendered or listed in config.existingSecrets, a missing ConfigMap rendered', () => {
    const t = fixture() as T;
    webPod(t).volumes![0].configMap!.name = 'nope';
    webPod(t).volumes![1].secret!.secretName = 'nada';
    expect(referencesRule(ctxOf(t)).map((p) => p.expected)).toEqual([
      'a ConfigMap named "nope" in namespace shop',
      'a Secret named "nada" in namespace shop, rendered or listed in config.existingSecrets',
    ]);
  });

  it('a reference that leaves its name out is reported as naming ""', () => {
    const t = fixture() as T;
    const pod = webPod(t);
    delete pod.volumes![0].configMap!.name;
    delete pod.volumes![1].secret!.secretName;
    pod.volumes![3].projected!.sources = [{ configMap: {} }, { secret: {} }];
    webContainer(t).env = [
      { name: 'A', valueFrom: { configMapKeyRef: { key: 'a' } } },
      { name: 'B', valueFrom: { secretKeyRef: { key: 'b' } } },
    ] as Container['env'];
    webContainer(t).envFrom = [{ configMapRef: {} }, { secretRef: {} }] as Container['envFrom'];
    const messages = referencesRule(ctxOf(t)).map((p) => p.message);
    expect(messages).toHaveLength(8);
    for (const m of messages) expect(m).toMatch(/^(ConfigMap|Secret) "" does not exist in namespace shop$/);
  });

  it('a volumeMount named "" is not satisfied by anything', () => {
    const t = fixture() as T;
    webContainer(t).volumeMounts!.push({ name: '', mountPath: '/x' });
    expect(referencesRule(ctxOf(t)).map((p) => p.message)).toEqual(['volume "" is not defined in the pod']);
  });

  it('objects without metadata: the names rule reports them and no rule trips over them', () => {
    const t = fixture() as T;
    const bare = <O extends KubeObject>(o: O): O => {
      const copy = structuredClone(o);
      delete copy.metadata;
      return copy;
    };
    const extra: Record<string, KubeObject> = {
      clusterRole: asObject({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', rules: [] }),
      deployment: bare(web(t).deployment),
      service: bare(web(t).service),
      roleBinding: bare(web(t).roleBinding),
    };
    (t.shop as Record<string, Record<string, KubeObject>>).bare = extra;
    (t.shop.db.statefulSet.spec as { volumeClaimTemplates: unknown[] }).volumeClaimTemplates.push({
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const ctx = ctxOf(t);
    const names = namesRule(ctx);
    expect(names.find((p) => p.path === 'shop.bare.clusterRole')).toMatchObject({
      pointer: '/metadata/name',
      found: '""',
    });
    expect(names.filter((p) => p.path === 'shop.bare.deployment').map((p) => p.pointer)).toContain(
      '/metadata/namespace',
    );
    // What the Deployment without a namespace references is looked up, and reported, in namespace "".
    const references = referencesRule(ctx).filter((p) => p.path === 'shop.bare.deployment');
    expect(references.length).toBeGreaterThan(0);
    for (const p of references) expect(p.message).toMatch(/does not exist in namespace $/);
    // The Service and the Deployment without a namespace are both in namespace "", so one selects the other.
    expect(selectorsRule(ctx).filter((p) => p.path.startsWith('shop.bare.'))).toEqual([]);
  });

  it('a workload or PodDisruptionBudget without a selector, and spread or anti-affinity terms without a labelSelector, select nothing', () => {
    const t = fixture() as T;
    delete (web(t).deployment.spec as { selector?: unknown }).selector;
    web(t).pdb.spec = { minAvailable: 1 };
    webPod(t).topologySpreadConstraints!.push({
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
    });
    webPod(t).affinity!.podAntiAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.push({
      topologyKey: 'topology.kubernetes.io/zone',
    });
    expect(selectorsRule(ctxOf(t)).map(({ path, message }) => ({ path, message }))).toEqual([
      { path: 'shop.web.deployment', message: 'Deployment has no selector labels' },
      { path: 'shop.web.pdb', message: 'PodDisruptionBudget selects no workload' },
      { path: 'shop.web.deployment', message: "topology spread selector does not match the workload's own pods" },
      { path: 'shop.web.deployment', message: "anti-affinity selector does not match the workload's own pods" },
    ]);
  });

  it('a Service is served when any container of a selected pod exposes its target port, by number as by name', () => {
    const t = fixture() as T;
    webPod(t).containers.unshift(k.container({ name: 'sidecar', image: 'web:1', resources: requests }));
    (web(t).service.spec as { ports: { targetPort: number | string }[] }).ports[0].targetPort = 8080;
    expect(selectorsRule(ctxOf(t))).toEqual([]);
  });

  it('a Service without ports has no port names to check and no target port to serve', () => {
    const t = fixture() as T;
    delete (web(t).service.spec as { ports?: unknown }).ports;
    expect(namesRule(ctxOf(t))).toEqual([]);
    expect(selectorsRule(ctxOf(t))).toEqual([]);
    delete web(t).service.spec;
    expect(namesRule(ctxOf(t))).toEqual([]);
  });

  it('CPU and memory requests are required of a container whose resources set only limits', () => {
    const t = fixture() as T;
    webContainer(t).resources = { limits: { cpu: '1', memory: '1Gi' } };
    expect(securityRule(ctxOf(t)).map((p) => p.message)).toEqual(['container "web" has no CPU and memory requests']);
  });
});

describe('schema and resources rules: Kubernetes types and quantities', () => {
  const cases: [string, (t: T) => void, string, string | RegExp][] = [
    [
      'a string where an integer is expected',
      (t) => ((webContainer(t).ports![0] as { containerPort: unknown }).containerPort = '8080'),
      `${C}/ports/0/containerPort`,
      'must be integer',
    ],
    [
      'a malformed CPU quantity',
      (t) => (webContainer(t).resources!.requests!.cpu = '1 core'),
      `${C}/resources/requests/cpu`,
      /^invalid cpu quantity/,
    ],
    [
      'a malformed memory quantity',
      (t) => (webContainer(t).resources!.requests!.memory = '16MB!'),
      `${C}/resources/requests/memory`,
      /^invalid memory quantity/,
    ],
    [
      'a malformed storage quantity in a claim',
      (t) =>
        ((web(t).pvc.spec as { resources: { requests: { storage: string } } }).resources.requests.storage = 'lots'),
      '/spec/resources/requests/storage',
      /^invalid storage quantity/,
    ],
    [
      'a missing required field',
      (t) => delete (webContainer(t) as { name?: string }).name,
      C,
      /must have required property name/,
    ],
  ];
  it.each(cases)('%s', async (_name, edit, pointer, message) => {
    const t = fixture() as T;
    edit(t);
    // Quantities are the resources rule's: the schema leaves their paths to it.
    const problems = [...(await schemaProblems(ctxOf(t))), ...resourcesRule(ctxOf(t))];
    const at = problems.filter((p) => p.pointer === pointer);
    expect(at.length, JSON.stringify(problems, null, 1)).toBeGreaterThan(0);
    expect(at.map((p) => p.message).join('\n')).toMatch(message);
  });

  it('an apiVersion/kind outside the allowlist names the supported ones', async () => {
    const t = fixture() as T;
    web(t).ingress = asObject({
      apiVersion: 'extensions/v1beta1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: ns },
    });
    const [p] = await schemaProblems(ctxOf(t));
    expect(p).toMatchObject({
      path: 'shop.web.ingress',
      message: 'unsupported apiVersion/kind extensions/v1beta1/Ingress',
      found: 'extensions/v1beta1/Ingress',
    });
    expect(p.expected).toContain('apps/v1/Deployment');
  });
});
