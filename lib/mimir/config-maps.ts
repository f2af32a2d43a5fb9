import type { MimirStackConfig } from './config.js';
import { labelKeys } from '../core/k8s/meta.js';
import { configMap } from '../core/k8s/objects.js';
import type { ConfigMap } from '../core/k8s/types.js';
import { toYaml } from '../core/yaml.js';
import { mimirApp } from './common.js';
import { mimirYaml, runtimeYaml } from './mimir-yaml.js';
import { kafkaExporters } from './ingest-storage.js';
import { files, names, portNames } from './names.js';
import { mimirRules } from './rules.js';
import { defineComponent, type StackView } from '../core/registry.js';

export { files } from './names.js';

function labels(c: MimirStackConfig): Record<string, string> {
  return { [labelKeys.name]: mimirApp, [labelKeys.component]: 'config', [labelKeys.partOf]: c.partOf };
}

export interface MimirConfigMaps {
  /** `mimir.yaml` for every component (plus the fallback Alertmanager config); a change rolls the pods. */
  configMap: ConfigMap;
  /** Runtime overrides (`runtime.yaml`), re-read by Mimir in place, so its name stays stable. */
  runtimeConfigMap: ConfigMap;
}

export function mimirConfigMaps(c: MimirStackConfig, stack: StackView): MimirConfigMaps {
  const data: Record<string, string> = { [files.mimir]: toYaml(mimirYaml(c, stack)) };
  if (c.mimir.alertmanager.enabled) data[files.fallbackAlertmanager] = toYaml(c.mimir.alertmanager.fallbackConfig);
  return {
    configMap: configMap({ name: names.configMap, namespace: c.namespace, labels: labels(c), data }),
    runtimeConfigMap: configMap({
      name: names.runtimeConfigMap,
      namespace: c.namespace,
      labels: labels(c),
      data: { [files.runtime]: toYaml(runtimeYaml(c)) },
      stableName: true,
    }),
  };
}

/** `mimir.yaml` and `runtime.yaml`; also where Alloy learns how to scrape every Mimir component. */
export const configComponent = defineComponent({
  group: 'mimir',
  key: 'config',
  description: '`mimir.yaml` for every component and the runtime overrides (`runtime.yaml`)',
  config: 'mimir.config',
  enabled: () => true,
  render: mimirConfigMaps,
  // Mimir's own checks: mimir.yaml, runtime.yaml and every Mimir container's flags against the reference.
  checks: mimirRules,
  // One scrape job for every Mimir component; Mimir's mixin wants `job` = `<namespace>/<component>`.
  metrics: () => [
    { name: 'mimir', app: mimirApp, port: portNames.http, path: '/metrics', jobLabel: labelKeys.component },
  ],
  // Under ingest storage, the Kafka that mimir.yaml names: Alloy collects its metrics through its exporter.
  exporters: kafkaExporters,
});
