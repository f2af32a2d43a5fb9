import type { ObservabilityStackConfig } from '../config.js';
import type { StackView } from '../../core/registry.js';
import type { Problem } from '../../core/problems.js';
import type { Route } from '../../core/routes.js';
import type { TreeEntry } from '../../core/tree.js';
import { problemAt, type Rule, type ValidationContext } from '../../core/checks/context.js';
import { serviceUrlProblem } from '../../core/checks/service-urls.js';
import { tenantIdProblem } from '../../core/tenant-id.js';
import { grafanaRoute, HEALTH_PATH, NGINX_CONF_KEY, selectRoute } from './nginx.js';

/** Paths of Grafana's own UI and API that must never be claimed by another route. */
export const GRAFANA_PATHS = [
  '/',
  '/login',
  '/explore',
  '/d/abc/dashboard',
  '/api/health',
  '/api/datasources',
  '/api/live/ws',
  '/public/build/app.js',
];

const POINTER = `/data/${NGINX_CONF_KEY}`;

function gatewayConfigMaps(ctx: ValidationContext): TreeEntry[] {
  return ctx.entries.filter(
    (e) =>
      e.component === 'gateway' &&
      e.object.kind === 'ConfigMap' &&
      typeof (e.object.data as Record<string, unknown> | undefined)?.[NGINX_CONF_KEY] === 'string',
  );
}

interface Upstream {
  line: number;
  host: string;
  port: number;
}

/** `set $gateway_upstream "host:port";` lines of a rendered (and possibly overridden) nginx.conf. */
export function upstreamsOf(conf: string): Upstream[] {
  const out: Upstream[] = [];
  conf.split('\n').forEach((text, i) => {
    const m = /^\s*set\s+\$gateway_upstream\s+"?([^":\s]+):(\d+)"?\s*;/.exec(text);
    if (m) out.push({ line: i + 1, host: m[1], port: Number(m[2]) });
  });
  return out;
}

/** Every host nginx forwards to is a Service of the stack, in its namespace, exposing that port. */
function upstreamServices(c: ObservabilityStackConfig): Rule {
  return (ctx) => {
    const out: Problem[] = [];
    for (const entry of gatewayConfigMaps(ctx)) {
      const conf = (entry.object.data as Record<string, string>)[NGINX_CONF_KEY];
      for (const u of upstreamsOf(conf)) {
        const problem = serviceUrlProblem(
          ctx,
          entry,
          `${u.host}:${u.port}`,
          `${POINTER} line ${u.line}`,
          c.clusterDomain,
        );
        if (problem) out.push(problem);
      }
    }
    return out;
  };
}

function routeLabel(r: Route): string {
  return `${r.match} ${r.path} → ${r.component}`;
}

/** Problems of the route table itself: what would make nginx refuse the file, or route wrongly. */
export function routeTableProblems(
  routes: readonly Route[],
  grafana: Route | undefined,
): { message: string; hint?: string }[] {
  const out: { message: string; hint?: string }[] = [];
  const health: Route = {
    path: HEALTH_PATH,
    match: 'exact',
    component: 'gateway',
    service: 'gateway',
    port: 0,
    description: 'health endpoint',
  };
  const all = [
    health,
    ...routes,
    ...(grafana ? [grafana] : [{ ...health, path: '/', match: 'prefix' as const, description: 'catch-all' }]),
  ];
  const seen = new Map<string, Route>();
  for (const r of all) {
    const key = `${r.match} ${r.path}`;
    const first = seen.get(key);
    if (first)
      out.push({
        message: `two locations for ${key}: ${first.component} and ${r.component}`,
        hint: 'nginx refuses duplicate locations; keep one route per path and match',
      });
    else seen.set(key, r);
  }
  for (const r of routes) {
    if (r.match === 'regex') {
      try {
        new RegExp(r.path);
      } catch (e) {
        out.push({
          message: `route ${routeLabel(r)}: the regular expression does not compile (${(e as Error).message})`,
        });
      }
      // eslint-disable-next-line no-control-regex -- control characters are exactly what nginx would choke on
    } else if (!r.path.startsWith('/') || /[\s\x00-\x1f]/.test(r.path)) {
      out.push({
        message: `route ${routeLabel(r)}: the path must start with "/" and contain no spaces or control characters`,
      });
    }
    if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535)
      out.push({ message: `route ${routeLabel(r)}: port ${r.port} is not a TCP port` });
  }
  if (grafana) {
    const table = [...routes, grafana];
    for (const p of GRAFANA_PATHS) {
      const chosen = selectRoute(table, p);
      if (chosen !== grafana)
        out.push({
          message: `Grafana's path ${p} is claimed by route ${chosen ? routeLabel(chosen) : '(none)'}`,
          hint: 'make that route more specific so Grafana keeps its own paths',
        });
    }
  }
  return out;
}

/** Mimir's rules for tenant IDs, which the gateway writes into X-Scope-OrgID. */
export { tenantIdProblem };

function routeTable(c: ObservabilityStackConfig, stack: StackView): Rule {
  return (ctx) => {
    const entries = gatewayConfigMaps(ctx);
    if (entries.length === 0) return [];
    const out: Problem[] = routeTableProblems(stack.routes(), grafanaRoute(stack)).map((p) =>
      problemAt(ctx, entries[0], { pointer: POINTER, ...p }),
    );
    const tenant = tenantIdProblem(c.defaultTenant);
    if (tenant)
      out.push({
        source: ctx.source,
        path: 'config.defaultTenant',
        message: `default tenant "${c.defaultTenant}" ${tenant}`,
        hint: "use letters, digits and ! - _ . * ' ( )",
      });
    return out;
  };
}

/** Build-time checks of the gateway's generated nginx.conf; they run only when the gateway is rendered. */
export function gatewayRules(c: ObservabilityStackConfig, stack: StackView): Rule[] {
  return [upstreamServices(c), routeTable(c, stack)];
}
