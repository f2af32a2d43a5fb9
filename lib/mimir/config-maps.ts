import type { StackConfig } from '../core/config.js';
import { labelKeys } from '../core/k8s/meta.js';
import { configMap } from '../core/k8s/objects.js';
import type { ConfigMap } from '../core/k8s/types.js';
import { toYaml } from '../core/yaml.js';
import { mimirApp } from './common.js';
import { mimirYaml, runtimeYaml } from './mimir-yaml.js';
import { names } from './names.js';

/** Keys of the files in the ConfigMaps; the rules find mimir.yaml and runtime.yaml by them. */
export const files = { mimir: 'mimir.yaml', runtime: 'runtime.yaml', fallbackAlertmanager: 'alertmanager-fallback.yaml' } as const;

function labels(c: StackConfig): Record<string, string> {
  return { [labelKeys.name]: mimirApp, [labelKeys.component]: 'config', [labelKeys.partOf]: c.partOf };
}

export interface MimirConfigMaps {
  /** `mimir.yaml` for every component (plus the fallback Alertmanager config); a change rolls the pods. */
  configMap: ConfigMap;
  /** Runtime overrides (`runtime.yaml`), re-read by Mimir in place, so its name stays stable. */
  runtimeConfigMap: ConfigMap;
}

export function mimirConfigMaps(c: StackConfig): MimirConfigMaps {
  const data: Record<string, string> = { [files.mimir]: toYaml(mimirYaml(c)) };
  if (c.mimir.alertmanager.enabled) data[files.fallbackAlertmanager] = toYaml(c.mimir.alertmanager.fallbackConfig);
  return {
    configMap: configMap({ name: names.configMap, namespace: c.namespace, labels: labels(c), data }),
    runtimeConfigMap: configMap({ name: names.runtimeConfigMap, namespace: c.namespace, labels: labels(c), data: { [files.runtime]: toYaml(runtimeYaml(c)) }, stableName: true }),
  };
}
