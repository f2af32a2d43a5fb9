/**
 * Mimir's rules for a tenant ID (dskit's `tenant.ValidTenantID` and Mimir's "About tenant IDs"): at most
 * 150 characters of letters, digits and ! - _ . * ' ( ); not `.` or `..`; not `__mimir_cluster`, the
 * name Mimir uses for itself in the bucket. `|` joins tenants for federation and is never part of one.
 */
import { files } from './config-maps.js';
import type { Problem } from '../problems.js';
import { problemAt, type Rule } from '../validate/context.js';
import { parseYamlDocuments } from '../yaml.js';

export const tenantIdForm = "at most 150 characters: letters, digits and ! - _ . * ' ( ), not \".\", \"..\" or \"__mimir_cluster\"";

/** Why Mimir refuses `id` as a tenant ID, or undefined when it accepts it. */
export function tenantIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'is empty';
  if (id.length > 150) return 'is longer than 150 characters';
  if (id === '.' || id === '..') return 'cannot be "." or ".."';
  const bad = [...new Set(id.replace(/[A-Za-z0-9!\-_.*'()]/g, ''))];
  if (bad.length > 0) return `has characters Mimir does not accept in a tenant ID: ${bad.map((ch) => JSON.stringify(ch)).join(' ')}`;
  if (id === '__mimir_cluster') return 'is the name Mimir keeps for itself (`__mimir_cluster`)';
  return undefined;
}

/** Every tenant of the runtime overrides file (`overrides.<tenant>`), wherever a ConfigMap carries one. */
export const runtimeTenantsRule: Rule = (ctx) => {
  const out: Problem[] = [];
  for (const e of ctx.entries) {
    if (e.object.kind !== 'ConfigMap') continue;
    const text = (e.object.data as Record<string, string> | undefined)?.[files.runtime];
    if (text === undefined) continue;
    let doc: unknown;
    try {
      doc = parseYamlDocuments(text)[0];
    } catch {
      continue; // reported by the config file rule
    }
    const overrides = (doc as { overrides?: unknown } | undefined)?.overrides;
    if (!overrides || typeof overrides !== 'object') continue;
    for (const tenant of Object.keys(overrides)) {
      const problem = tenantIdProblem(tenant);
      if (problem === undefined) continue;
      out.push(problemAt(ctx, e, { pointer: `/data/${files.runtime}`, message: `tenant ID ${JSON.stringify(tenant)} in overrides ${problem}; Mimir refuses its requests`, expected: tenantIdForm, found: JSON.stringify(tenant), hint: 'rename the tenant in config.mimir.tenants (the ID clients send as X-Scope-OrgID)' }));
    }
  }
  return out;
};
