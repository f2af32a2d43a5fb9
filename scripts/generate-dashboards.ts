/**
 * Writes lib/observability/grafana/dashboards.generated.json: the stack's dashboards as the Grafana
 * foundation SDK builds them (lib/observability/grafana/dashboards.ts is their source), with the
 * namespace and the data source uid left as placeholders. A build fills in the namespace instead of loading the SDK, which
 * cost a fresh process more than the rest of the library together. `npm run dashboards` regenerates
 * the file; a test fails when it is stale or when filling it in differs from building with the SDK.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../lib/build/config.js';
import { canonicalJson } from '../lib/core/k8s/hash.js';
import { sdkDashboards } from '../lib/observability/grafana/dashboards.js';
import { DATASOURCE_PLACEHOLDER, NAMESPACE_PLACEHOLDER } from '../lib/observability/grafana/dashboard-files.js';

export const dashboardsPath = fileURLToPath(
  new URL('../lib/observability/grafana/dashboards.generated.json', import.meta.url),
);

export function generateDashboards(): string {
  const c = defaultConfig();
  c.namespace = NAMESPACE_PLACEHOLDER;
  // Canonical (keys sorted at every level): a build writes each dashboard with plain JSON.stringify.
  return `${canonicalJson(sdkDashboards(c, DATASOURCE_PLACEHOLDER), 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(dashboardsPath, generateDashboards());
  console.log(`wrote ${dashboardsPath}`);
}
