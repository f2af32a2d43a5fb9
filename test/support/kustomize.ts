import { execa } from 'execa';
import type { KubeObject } from '../../lib/core/k8s/types.js';
import { parseYamlDocuments } from '../../lib/core/yaml.js';

/** kubectl's embedded Kustomize, required to be v5 or newer (components, labels, per-generator options). */
export async function kustomizeVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await execa('kubectl', ['version', '--client', '-o', 'json']);
    return (JSON.parse(stdout) as { kustomizeVersion?: string }).kustomizeVersion;
  } catch {
    return undefined;
  }
}

export async function hasKustomizeV5(): Promise<boolean> {
  const v = await kustomizeVersion();
  return v !== undefined && Number(/^v?(\d+)/.exec(v)?.[1] ?? 0) >= 5;
}

export async function kustomizeBuild(dir: string): Promise<KubeObject[]> {
  const { stdout } = await execa('kubectl', ['kustomize', dir]);
  return parseYamlDocuments(stdout) as KubeObject[];
}
