import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../lib/build/config.js';
import { canonicalJson } from '../lib/core/k8s/hash.js';
import { dashboardFiles, dashboardTexts } from '../lib/observability/grafana/dashboard-files.js';
import { sdkDashboards } from '../lib/observability/grafana/dashboards.js';
import { dashboardsPath, generateDashboards } from '../scripts/generate-dashboards.js';

describe('generated dashboards', () => {
  it('the committed file is what `npm run dashboards` builds with the SDK', () => {
    expect(readFileSync(dashboardsPath, 'utf8'), 'run `npm run dashboards` and commit the file').toBe(
      generateDashboards(),
    );
  });

  it.each(['mimir', 'mimir-staging', 'observability-prod-1'])(
    'filling in namespace %s gives what the SDK builds for it',
    (namespace) => {
      const c = { ...defaultConfig(), namespace };
      const filled = dashboardFiles(c, { kafka: true });
      expect(filled).toEqual(JSON.parse(JSON.stringify(sdkDashboards(c))));
      expect(JSON.stringify(filled)).toContain(`namespace=\\"${namespace}\\"`);
      // The files' text is the canonical JSON of what the SDK builds, without sorting at build time.
      expect(dashboardTexts(c, { kafka: true }).map((d) => d.json)).toEqual(
        sdkDashboards(c).map((d) => canonicalJson(d.dashboard, 2)),
      );
    },
  );
});
