import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../lib/build/config.js';
import { dashboardFiles } from '../lib/observability/grafana/dashboard-files.js';
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
    },
  );
});
