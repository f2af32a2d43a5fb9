import { createRequire } from 'node:module';
import type { KubeObject } from '../../core/k8s/types.js';
import type { Problem } from '../../core/problems.js';
import { problemAt, type ValidationContext } from '../../core/checks/context.js';
import { loadAjvLocalesLazily } from './lazy-locales.js';

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/**
 * The API versions this library renders, with the module of their kubernetes-models class. The
 * package's schemas are a union over many Kubernetes minors, so the allowlist is what pins us to
 * versions a current cluster serves.
 */
const models: Record<string, string> = {
  'v1/Namespace': 'kubernetes-models/v1/Namespace',
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'v1/Service': 'kubernetes-models/v1/Service',
  'v1/ServiceAccount': 'kubernetes-models/v1/ServiceAccount',
  'v1/PersistentVolumeClaim': 'kubernetes-models/v1/PersistentVolumeClaim',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'apps/v1/StatefulSet': 'kubernetes-models/apps/v1/StatefulSet',
  'apps/v1/DaemonSet': 'kubernetes-models/apps/v1/DaemonSet',
  'batch/v1/Job': 'kubernetes-models/batch/v1/Job',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'rbac.authorization.k8s.io/v1/Role': 'kubernetes-models/rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding':
    'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'networking.k8s.io/v1/Ingress': 'kubernetes-models/networking.k8s.io/v1/Ingress',
  'networking.k8s.io/v1/NetworkPolicy': 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
  'argoproj.io/v1alpha1/Application': '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application',
};

export const supportedKinds: readonly string[] = Object.keys(models).sort();

/** apiVersion/kind → the kubernetes-models module of its class. */
export function supportedModels(): Readonly<Record<string, string>> {
  return models;
}

const loaded = new Map<string, ModelClass>();

/**
 * The model class of a kind, loaded on first use with `require`: the packages are CommonJS, and
 * `import()` would send each of their hundreds of nested `require`s through the ESM loader (and, under
 * tsx, through its loader thread), which made loading them more than twice as slow.
 */
function load(key: string): ModelClass {
  let model = loaded.get(key);
  if (!model) {
    const kind = key.slice(key.lastIndexOf('/') + 1);
    loadAjvLocalesLazily();
    model = (createRequire(import.meta.url)(models[key]) as Record<string, unknown>)[kind] as ModelClass;
    loaded.set(key, model);
  }
  return model;
}

interface AjvError {
  instancePath: string;
  message?: string;
  keyword: string;
  params?: Record<string, unknown>;
}

/** Container requests and limits and claim sizes: `resourcesRule` reports any value there that is not a quantity. */
const quantityPaths = /\/resources\/(?:requests|limits)\/[^/]+$/;

/** Schema validation of every object with the kubernetes-models validators (loaded only when needed). */
export async function schemaProblems(ctx: ValidationContext): Promise<Problem[]> {
  const out: Problem[] = [];
  for (const e of ctx.entries) {
    const key = `${e.object.apiVersion}/${e.object.kind}`;
    if (!(key in models)) {
      out.push(
        problemAt(ctx, e, {
          message: `unsupported apiVersion/kind ${key}`,
          expected: `one of ${supportedKinds.join(', ')}`,
          found: key,
        }),
      );
      continue;
    }
    const Model = load(key);
    try {
      new Model(e.object as KubeObject).validate();
    } catch (err) {
      const errors = (err as { errors?: AjvError[] }).errors;
      if (!errors) {
        out.push(problemAt(ctx, e, { message: String(err) }));
        continue;
      }
      // oneOf branches repeat one mistake several times; report each pointer once, most specific message first.
      const seen = new Set<string>();
      for (const ae of errors) {
        if (ae.keyword === 'oneOf' || ae.keyword === 'anyOf') continue;
        // Resource quantities are checked by the resources rule with Kubernetes' exact grammar and a fix.
        if ((ae.keyword === 'type' || ae.keyword === 'format') && quantityPaths.test(ae.instancePath)) continue;
        const id = `${ae.instancePath}|${ae.message}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(problemAt(ctx, e, { pointer: ae.instancePath || '/', message: ae.message ?? ae.keyword }));
      }
    }
  }
  return out;
}
