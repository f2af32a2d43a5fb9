import type { KubeObject } from '../../core/k8s/types.js';
import type { Problem } from '../../core/problems.js';
import { problemAt, type ValidationContext } from '../../core/checks/context.js';
import { models, type KubeModelClass } from './k8s-validators.generated.js';
import { supportedKinds } from './models.js';

export { supportedKinds, supportedModels } from './models.js';

const loaded = new Map<string, KubeModelClass>();

/**
 * The kubernetes-models class of a kind, from the committed bundle of the package's validators
 * (`npm run k8s-validators`): one module instead of about 200 CommonJS files, each kind evaluated on
 * its first use.
 */
function load(key: string): KubeModelClass {
  let model = loaded.get(key);
  if (!model) {
    model = models[key]();
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

/** Schema validation of every object with the kubernetes-models validators (each kind loaded on first use). */
export async function schemaProblems(ctx: ValidationContext): Promise<Problem[]> {
  const out: Problem[] = [];
  for (const e of ctx.entries) {
    const key = `${e.object.apiVersion}/${e.object.kind}`;
    if (!Object.hasOwn(models, key)) {
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
