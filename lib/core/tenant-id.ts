/**
 * Mimir's rules for a tenant ID (dskit's `tenant.ValidTenantID` and Mimir's "About tenant IDs"): at most
 * 150 characters of letters, digits and ! - _ . * ' ( ); not `.` or `..`; not `__mimir_cluster`, the
 * name Mimir uses for itself in the bucket. `|` joins tenants for federation and is never part of one.
 * Shared: Mimir checks its runtime overrides with it, the gateway the tenant it writes into X-Scope-OrgID.
 */
export const tenantIdForm =
  'at most 150 characters: letters, digits and ! - _ . * \' ( ), not ".", ".." or "__mimir_cluster"';

/** Why Mimir refuses `id` as a tenant ID, or undefined when it accepts it. */
export function tenantIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'is empty';
  if (id.length > 150) return 'is longer than 150 characters';
  if (id === '.' || id === '..') return 'cannot be "." or ".."';
  const bad = [...new Set(id.replace(/[A-Za-z0-9!\-_.*'()]/g, ''))];
  if (bad.length > 0)
    return `has characters Mimir does not accept in a tenant ID: ${bad.map((ch) => JSON.stringify(ch)).join(' ')}`;
  if (id === '__mimir_cluster') return 'is the name Mimir keeps for itself (`__mimir_cluster`)';
  return undefined;
}
