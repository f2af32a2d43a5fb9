import { readFileSync } from 'node:fs';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { describe, expect, it } from 'vitest';
import { application } from '../lib/build/gitops/argocd.js';
import type { KubeObject } from '../lib/core/k8s/types.js';
import { parseYamlDocuments } from '../lib/core/yaml.js';
import { buildDir, environmentDirs } from './support/environments.js';
import { hasKustomizeV5, kustomizeBuild } from './support/kustomize.js';

describe('Argo CD', async () => {
  const kustomizeOk = await hasKustomizeV5();
  for (const dir of environmentDirs) {
    it(`${dir}: the committed Application syncs out/<env> and passes Argo CD's CRD schema`, async () => {
      const built = await buildDir(dir);
      const committed = parseYamlDocuments(readFileSync(`out/argocd/${built.name}.yaml`, 'utf8'))[0] as KubeObject;
      expect(committed).toEqual(JSON.parse(JSON.stringify(application(built.name, built.config))));
      expect(() => new Application(committed as never).validate()).not.toThrow();
      const spec = committed.spec as {
        source: { path: string; repoURL: string };
        destination: { namespace: string };
        syncPolicy: { syncOptions: string[] };
      };
      expect(spec.source.path).toBe(`out/${built.name}`);
      expect(spec.source.repoURL).toBe(built.config.gitops.repoURL);
      expect(spec.destination.namespace).toBe(built.config.namespace);
      expect(spec.syncPolicy.syncOptions).toContain('PruneLast=true');
    });
  }

  it('an Application that breaks the CRD schema is caught', () => {
    const broken = application('x', minimalConfig());
    (broken.spec as { source: unknown }).source = 'not-an-object';
    expect(() => new Application(broken as never).validate()).toThrow(/source/);
  });

  it.runIf(kustomizeOk)('the repository root deploys the default environment', async () => {
    const root = await kustomizeBuild('.');
    const local = await kustomizeBuild('out/local');
    expect(root).toEqual(local);
  });
});

/** Only the fields the Application reads. */
function minimalConfig() {
  return {
    namespace: 'mimir',
    gitops: {
      repoURL: 'https://example.com/r.git',
      targetRevision: 'main',
      project: 'default',
      argocdNamespace: 'argocd',
      destinationServer: 'https://kubernetes.default.svc',
      automated: true,
    },
  } as Parameters<typeof application>[1];
}
