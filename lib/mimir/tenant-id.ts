/** The tenants of Mimir's runtime overrides, checked against Mimir's tenant ID rules (lib/core/tenant-id.ts). */
import { files } from './names.js';
import type { Problem } from '../core/problems.js';
import { problemAt, type Rule } from '../core/checks/context.js';
import { configFileDocuments } from './config-files.js';
import { tenantIdForm, tenantIdProblem } from '../core/tenant-id.js';

export { tenantIdForm, tenantIdProblem } from '../core/tenant-id.js';

/** Every tenant of the runtime overrides file (`overrides.<tenant>`), wherever a ConfigMap carries one. */
export const runtimeTenantsRule: Rule = (ctx) => {
  const out: Problem[] = [];
  for (const { entry: e, doc } of configFileDocuments(ctx.entries, files.runtime)) {
    const overrides = (doc as { overrides?: unknown } | undefined)?.overrides;
    if (!overrides || typeof overrides !== 'object') continue;
    for (const tenant of Object.keys(overrides)) {
      const problem = tenantIdProblem(tenant);
      if (problem === undefined) continue;
      out.push(
        problemAt(ctx, e, {
          pointer: `/data/${files.runtime}`,
          message: `tenant ID ${JSON.stringify(tenant)} in overrides ${problem}; Mimir refuses its requests`,
          expected: tenantIdForm,
          found: JSON.stringify(tenant),
          hint: 'rename the tenant in config.mimir.tenants (the ID clients send as X-Scope-OrgID)',
        }),
      );
    }
  }
  return out;
};
