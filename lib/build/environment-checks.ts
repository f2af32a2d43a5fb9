/**
 * Checks of an environment that run before its config is rendered: its name (a folder under `out/` and
 * the Argo CD Application `mimir-<name>`), and config values whose mistake would otherwise surface as a
 * cascade of follow-on problems in every rendered object (an uppercase namespace breaks every address).
 */
import type { StackConfig } from './config.js';
import { isMarker } from '../core/merge.js';
import { s3EndpointProblem, endpointForm } from '../mimir/storage-endpoint.js';
import { tenantIdForm, tenantIdProblem } from '../mimir/tenant-id.js';
import { zoneProblems } from '../mimir/zones.js';
import type { Problem } from '../core/problems.js';

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The Argo CD Application is `mimir-<name>`, and an object name has at most 253 characters. */
export const maxEnvironmentName = 253 - 'mimir-'.length;

function shown(value: string): string {
  return value.length > 40 ? `"${value.slice(0, 40)}…" (${value.length} characters)` : JSON.stringify(value);
}

/** The environment's name: a DNS-1123 label (it names a folder and an Argo CD Application), short enough for both. */
export function environmentNameProblems(name: unknown, source: string): Problem[] {
  if (typeof name !== 'string') return [];
  const expected = `lowercase letters, digits and "-", starting and ending with a letter or digit, at most ${maxEnvironmentName} characters`;
  if (name.length > maxEnvironmentName) {
    return [
      {
        source,
        path: 'name',
        message: `the environment name is ${name.length} characters long; its Argo CD Application "mimir-<name>" would exceed the 253 characters of an object name`,
        expected,
        found: shown(name),
        hint: 'choose a shorter name',
      },
    ];
  }
  if (!dns1123Label.test(name)) {
    const fixed = name
      .toLowerCase()
      .replace(/[^-a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
    return [
      {
        source,
        path: 'name',
        message: 'invalid environment name: it becomes the folder out/<name> and the Argo CD Application mimir-<name>',
        expected,
        found: shown(name),
        ...(fixed ? { hint: `e.g. "${fixed}"` } : {}),
      },
    ];
  }
  return [];
}

/**
 * The environment as its JSON Schema sees it: a merge marker (DELETE, add(…), …) written where the schema
 * expects a group, component or object of the overrides is a valid override, checked by the merge itself.
 */
export function schemaView(env: unknown): unknown {
  if (env === null || typeof env !== 'object') return env;
  const overrides = (env as { overrides?: unknown }).overrides;
  if (overrides === null || typeof overrides !== 'object' || isMarker(overrides)) return env;
  const view = (value: unknown, depth: number): unknown => {
    if (isMarker(value)) return {};
    if (depth === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, view(v, depth - 1)]));
  };
  return { ...(env as object), overrides: view(overrides, 3) };
}

/** Config values that every object is derived from; one problem here would otherwise be reported per object. */
export function configProblems(c: StackConfig, source: string): Problem[] {
  const out: Problem[] = [];
  const labelExpected =
    'a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';
  for (const [path, value] of [
    ['config.namespace', c.namespace],
    ['config.gitops.argocdNamespace', c.gitops.argocdNamespace],
  ] as const) {
    if (typeof value !== 'string' || (dns1123Label.test(value) && value.length <= 63)) continue;
    const fixed = value
      .toLowerCase()
      .replace(/[^-a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/, '');
    out.push({
      source,
      path,
      message:
        value.length > 63
          ? `namespace name is ${value.length} characters long, more than 63`
          : 'invalid namespace name',
      expected: labelExpected,
      found: shown(value),
      hint: fixed && fixed !== value ? `e.g. "${fixed}"` : 'choose a shorter name',
    });
  }
  if (typeof c.storage.endpoint === 'string' && c.storage.endpoint !== '') {
    const problem = s3EndpointProblem(c.storage.endpoint);
    if (problem)
      out.push({
        source,
        path: 'config.storage.endpoint',
        message: problem.message,
        expected: endpointForm,
        found: JSON.stringify(c.storage.endpoint),
        hint: problem.hint,
      });
  }
  const tenantHint = "tenant IDs are what clients send as X-Scope-OrgID; use letters, digits and ! - _ . * ' ( )";
  if (typeof c.defaultTenant === 'string') {
    const problem = tenantIdProblem(c.defaultTenant);
    if (problem)
      out.push({
        source,
        path: 'config.defaultTenant',
        message: `default tenant ${JSON.stringify(c.defaultTenant)} ${problem}`,
        expected: tenantIdForm,
        found: JSON.stringify(c.defaultTenant),
        hint: tenantHint,
      });
  }
  if (c.selfMonitoring?.enabled && typeof c.selfMonitoring.tenant === 'string') {
    const problem = tenantIdProblem(c.selfMonitoring.tenant);
    if (problem)
      out.push({
        source,
        path: 'config.selfMonitoring.tenant',
        message: `self-monitoring tenant ${JSON.stringify(c.selfMonitoring.tenant)} ${problem}`,
        expected: tenantIdForm,
        found: JSON.stringify(c.selfMonitoring.tenant),
        hint: tenantHint,
      });
    else if (c.selfMonitoring.tenant === c.defaultTenant)
      out.push({
        source,
        path: 'config.selfMonitoring.tenant',
        message: `self-monitoring tenant ${JSON.stringify(c.selfMonitoring.tenant)} is the default tenant: the stack's own series would mix with the data of clients that send no tenant`,
        found: JSON.stringify(c.selfMonitoring.tenant),
        hint: 'choose a tenant of its own, e.g. "meta"',
      });
  }
  for (const tenant of Object.keys(c.mimir.tenants ?? {})) {
    const problem = tenantIdProblem(tenant);
    if (problem)
      out.push({
        source,
        path: `config.mimir.tenants[${JSON.stringify(tenant)}]`,
        message: `tenant ID ${JSON.stringify(tenant)} ${problem}`,
        expected: tenantIdForm,
        found: JSON.stringify(tenant),
        hint: tenantHint,
      });
  }
  out.push(...zoneProblems(c, source));
  return out;
}
