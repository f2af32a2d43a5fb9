import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The versions test/peers/kube/build.sh builds; the cache folder is keyed by the first. */
export const KUBE_VERSION = 'v1.37.2';
export const ARGOCD_CRDS_VERSION = 'v3.5.7';
/** The KEDA release whose CRDs test/peers/keda-crds/fetch.sh caches. */
export const KEDA_CRDS_VERSION = 'v2.21.0';

export const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mimir-kube');
export const kubeBin = join(cacheRoot, `kube-${KUBE_VERSION}`, 'bin');
export const argocdCrdDir = join(cacheRoot, `argocd-crds-${ARGOCD_CRDS_VERSION}`);
export const kedaCrdDir = join(cacheRoot, `keda-crds-${KEDA_CRDS_VERSION}`);

export const binaries = ['etcd', 'kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'kwok'] as const;
export type Binary = (typeof binaries)[number];

export function bin(name: Binary): string {
  return join(kubeBin, name);
}

/** Under CI or E2E_REQUIRED=1 a missing peer fails the suite; elsewhere it skips, visibly. */
export const required = Boolean(process.env.CI) || process.env.E2E_REQUIRED === '1';

/** Why the cluster suite cannot run here, or undefined when everything it needs is present. */
export function missingPeers(): string | undefined {
  const missing: string[] = binaries.filter((b) => !existsSync(bin(b)));
  if (!existsSync(join(kubeBin, 'kwok-stages.yaml'))) missing.push('kwok-stages.yaml');
  if (missing.length)
    return `${missing.join(', ')} not in ${kubeBin} — run \`bash test/peers/kube/build.sh\` (about 20 minutes cold)`;
  if (!existsSync(join(argocdCrdDir, 'application-crd.yaml')))
    return `Argo CD CRDs not in ${argocdCrdDir} — run \`bash test/peers/argocd-crds/fetch.sh\``;
  if (!existsSync(join(kedaCrdDir, 'keda.sh_scaledobjects.yaml')))
    return `KEDA CRDs not in ${kedaCrdDir} — run \`bash test/peers/keda-crds/fetch.sh\``;
  return undefined;
}
