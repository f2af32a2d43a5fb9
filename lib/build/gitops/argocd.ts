import type { StackConfig } from '../config.js';
import type { KubeObject } from '../../core/k8s/types.js';

/**
 * An Argo CD Application syncing the committed overlay `out/<env>`. It lives outside the overlay so
 * that the overlay never manages the object that manages it.
 */
export function application(envName: string, c: StackConfig, outDir = 'out'): KubeObject {
  const g = c.gitops;
  const syncPolicy: Record<string, unknown> = {
    // Generated manifests: validate on the server, prune old hash-suffixed ConfigMaps last so restarting
    // pods of the previous version still find theirs, and apply the bucket Job by replacing it.
    syncOptions: [
      'CreateNamespace=false',
      'PrunePropagationPolicy=foreground',
      'PruneLast=true',
      'ServerSideApply=true',
    ],
    retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
  };
  if (g.automated) syncPolicy.automated = { prune: true, selfHeal: true };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `mimir-${envName}`,
      namespace: g.argocdNamespace,
      // Deleting the Application deletes what it deployed (foreground cascade). The `/foreground`
      // form: the bare name has no path, which kube-apiserver 1.37 warns about on every apply.
      finalizers: ['resources-finalizer.argocd.argoproj.io/foreground'],
    },
    spec: {
      project: g.project,
      source: { repoURL: g.repoURL, targetRevision: g.targetRevision, path: `${outDir}/${envName}` },
      destination: { server: g.destinationServer, namespace: c.namespace },
      syncPolicy,
    },
  };
}
