import type { ObservabilityStackConfig } from '../config.js';
import { serviceHost } from '../../core/config.js';
import { gomaxprocs } from '../../core/k8s/container.js';
import type { Route } from '../../core/routes.js';
import type { StackView } from '../../core/registry.js';

/** The port nginx listens on inside the pod and the gateway Service exposes. */
export const GATEWAY_PORT = 8080;
export const GATEWAY_PORT_NAME = 'http';

/** Answered by nginx itself, without auth, for the kubelet's probes. */
export const HEALTH_PATH = '/gateway-health';

/**
 * nginx's connection and request counters (`stub_status`), for the exporter sidecar in the same pod: a
 * server of its own on the loopback address, so neither the Service nor any other pod reaches it, on an
 * unprivileged port (the image runs nginx as a user that cannot bind below 1024).
 */
export const gatewayStatus = { host: '127.0.0.1', port: 8081, path: '/stub_status' } as const;

/** The URL the exporter sidecar reads `stub_status` from. */
export function gatewayStatusUrl(): string {
  return `http://${gatewayStatus.host}:${gatewayStatus.port}${gatewayStatus.path}`;
}

/** Where the pod mounts things; the nginx tests point `runDir` and `authDir` at a temporary folder. */
export const gatewayPaths = {
  /** ConfigMap with `nginx.conf`. */
  configDir: '/etc/nginx/gateway',
  /** Secret with the htpasswd file. */
  authDir: '/etc/nginx/auth',
  /** emptyDir: pid file and temp files, so the root file system can stay read-only. */
  runDir: '/tmp',
} as const;

export const NGINX_CONF_KEY = 'nginx.conf';

/** Answer to a request that names more than one tenant. */
export const TENANT_REJECTED_MESSAGE = 'X-Scope-OrgID must name exactly one tenant';

/** The DNS server nginx re-resolves Service names with at request time. */
export function resolverAddress(c: ObservabilityStackConfig): string {
  return c.observability.gateway.resolver || `kube-dns.kube-system.svc.${c.clusterDomain}`;
}

/** Grafana answers everything no other route claims, so the gateway's root is Grafana's UI. */
export function grafanaRoute(stack: StackView): Route | undefined {
  if (!stack.has('grafana')) return undefined;
  const { service, port } = stack.endpoint('grafana', 'http');
  return {
    path: '/',
    match: 'prefix',
    component: 'grafana',
    service,
    port,
    description: 'Grafana UI and API (everything no other route claims)',
  };
}

/** `host:port` the gateway forwards a route to. */
export function upstreamAddress(c: ObservabilityStackConfig, r: Pick<Route, 'service' | 'port'>): string {
  return `${serviceHost(c, r.service)}:${r.port}`;
}

/** A double-quoted nginx string: the config parser turns `\\`, `\"` and `\n` inside quotes back into the character. */
function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function comment(s: string): string {
  return `# ${s.replace(/\s+/g, ' ').trim()}`;
}

const modifiers: Record<Route['match'], string> = { exact: '= ', prefix: '', regex: '~ ' };

/**
 * Location order in the file: exact, then prefix (both sorted, nginx picks by specificity whatever
 * the order), then regular expressions in table order because nginx tries them in the order written.
 */
export function orderedRoutes(routes: readonly Route[]): Route[] {
  const byPath = (a: Route, b: Route) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return [
    ...routes.filter((r) => r.match === 'exact').sort(byPath),
    ...routes.filter((r) => r.match === 'prefix').sort(byPath),
    ...routes.filter((r) => r.match === 'regex'),
  ];
}

/**
 * The location nginx selects for a path, given our flat list of locations: an exact match wins; else
 * the longest matching prefix is remembered, the regular expressions are tried in order and the first
 * match wins; else the remembered prefix. (No `^~` locations are rendered.) Used by the build's checks.
 */
export function selectRoute(routes: readonly Route[], path: string): Route | undefined {
  const exact = routes.find((r) => r.match === 'exact' && r.path === path);
  if (exact) return exact;
  let longest: Route | undefined;
  for (const r of routes) {
    if (r.match === 'prefix' && path.startsWith(r.path) && (!longest || r.path.length > longest.path.length))
      longest = r;
  }
  for (const r of orderedRoutes(routes)) {
    if (r.match !== 'regex') continue;
    try {
      if (new RegExp(r.path).test(path)) return r;
    } catch {
      // A regex JavaScript cannot compile is reported by gatewayRules; it cannot match here.
    }
  }
  return longest;
}

/**
 * Set once at server level: nginx inherits `proxy_set_header` only into locations that set none of
 * their own, so the per-route differences travel in variables instead.
 */
function proxyHeaders(c: ObservabilityStackConfig): string[] {
  const headers: [string, string][] = [
    // Grafana compares the Origin of state-changing requests with the host it is called by.
    ['Host', '$host'],
    ['X-Real-IP', '$remote_addr'],
    ['X-Forwarded-For', '$proxy_add_x_forwarded_for'],
    ['X-Forwarded-Proto', '$gateway_forwarded_proto'],
    ['Upgrade', '$http_upgrade'],
    ['Connection', '$gateway_connection'],
    // Empty on Grafana's route, so Grafana never sees a tenant header; nginx omits empty headers.
    ['X-Scope-OrgID', '$gateway_scope_orgid'],
  ];
  // The credentials were for the gateway; Grafana would try them as a Grafana login and answer 401.
  if (c.observability.gateway.basicAuth.enabled) headers.push(['Authorization', '""']);
  return headers.map(([k, v]) => `proxy_set_header ${k} ${v};`);
}

function location(c: ObservabilityStackConfig, r: Route, kind: 'mimir' | 'grafana'): string[] {
  const body: string[] = [];
  if (kind === 'mimir') {
    body.push('if ($gateway_tenant_rejected) {', `    return 400 ${quote(`${TENANT_REJECTED_MESSAGE}\n`)};`, '}');
  }
  // A variable in proxy_pass makes nginx resolve the name per request (cached for `valid`) instead of
  // once at start, so a Service recreated with a new ClusterIP, or one created after the gateway, is found.
  body.push(
    `set $gateway_upstream ${quote(upstreamAddress(c, r))};`,
    kind === 'mimir' ? 'set $gateway_scope_orgid $gateway_tenant;' : 'set $gateway_scope_orgid "";',
    'proxy_pass http://$gateway_upstream;',
  );
  return [
    comment(`${r.description} → ${r.component}`),
    `location ${modifiers[r.match]}${quote(r.path)} {`,
    ...body.map((l) => `    ${l}`),
    '}',
  ];
}

function tenantMaps(c: ObservabilityStackConfig): string[] {
  const g = c.observability.gateway;
  const rejected = ['    default 0;', '    "~,"    1;'];
  if (!g.tenantFederation) rejected.push('    "~[|]"  1;');
  return [
    comment('A request without X-Scope-OrgID belongs to the default tenant.'),
    'map $http_x_scope_orgid $gateway_tenant {',
    `    ""      ${quote(c.defaultTenant)};`,
    '    default $http_x_scope_orgid;',
    '}',
    comment(
      'More than one tenant is rejected: nginx (1.23 and later) joins repeated X-Scope-OrgID headers with ", ", and Mimir ' +
        'would silently use only the first. Tenant IDs cannot contain commas. ' +
        (g.tenantFederation
          ? '"|" joins tenants for Mimir\'s tenant federation and is let through.'
          : '"|" (tenant federation) is rejected too: config.observability.gateway.tenantFederation is off.'),
    ),
    'map $http_x_scope_orgid $gateway_tenant_rejected {',
    ...rejected,
    '}',
  ];
}

/** The loopback server that answers `stub_status`, only when the exporter sidecar runs to read it. */
function statusServer(c: ObservabilityStackConfig): string[] {
  if (!c.observability.gateway.exporter.enabled) return [];
  return [
    '',
    comment(
      `Connection and request counters for the exporter sidecar (${gatewayStatusUrl()}); loopback only, never on port ${GATEWAY_PORT}.`,
    ),
    'server {',
    ...[
      `listen ${gatewayStatus.host}:${gatewayStatus.port};`,
      'access_log off;',
      `location = ${gatewayStatus.path} {`,
      '    stub_status;',
      '}',
      'location / {',
      `    return 404 ${quote('no route for this path\n')};`,
      '}',
    ].map(indent),
    '}',
  ];
}

/**
 * The gateway's `nginx.conf`: a pure function of config and the route table, byte-identical for the
 * same input. The routes come from every rendered component's descriptor (`StackView.routes()`);
 * `grafana` (from `grafanaRoute`) takes everything else, or nothing does.
 */
export function renderNginxConf(
  c: ObservabilityStackConfig,
  routes: readonly Route[],
  grafana: Route | undefined,
): string {
  const g = c.observability.gateway;
  const run = gatewayPaths.runDir;
  const auth = g.basicAuth.enabled
    ? [`auth_basic ${quote(g.basicAuth.realm)};`, `auth_basic_user_file ${gatewayPaths.authDir}/${g.basicAuth.key};`]
    : [];
  const locations = [
    ...orderedRoutes(routes).flatMap((r) => [...location(c, r, 'mimir'), '']),
    ...(grafana
      ? location(c, grafana, 'grafana')
      : [
          comment("Grafana is disabled: nothing else is served (rather than nginx's default document root)."),
          'location / {',
          `    return 404 ${quote('no route for this path\n')};`,
          '}',
        ]),
  ];
  const server = [
    `listen ${GATEWAY_PORT};`,
    ...auth,
    ...proxyHeaders(c),
    '',
    comment('Probes: answered by nginx itself, never behind auth.'),
    `location = ${HEALTH_PATH} {`,
    '    auth_basic off;',
    '    access_log off;',
    `    return 200 ${quote('ok\n')};`,
    '}',
    '',
    ...locations,
  ];
  const http = [
    'default_type text/plain;',
    'server_tokens off;',
    // Relative Location headers survive port-forwards, NodePorts and Ingresses that change host and port.
    'absolute_redirect off;',
    `client_max_body_size ${g.clientMaxBodySize};`,
    `client_body_temp_path ${run}/client_temp;`,
    `proxy_temp_path ${run}/proxy_temp;`,
    `fastcgi_temp_path ${run}/fastcgi_temp;`,
    `uwsgi_temp_path ${run}/uwsgi_temp;`,
    `scgi_temp_path ${run}/scgi_temp;`,
    '',
    'log_format gateway \'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent \'',
    '                   \'"$http_user_agent" tenant=$gateway_tenant upstream=$upstream_addr \'',
    "                   'request_time=$request_time upstream_time=$upstream_response_time';",
    'access_log /dev/stdout gateway;',
    '',
    comment('Service names are resolved through the cluster DNS at request time and cached for a short while.'),
    `resolver ${resolverAddress(c)} valid=${g.resolverValid};`,
    'resolver_timeout 5s;',
    '',
    'proxy_http_version 1.1;',
    'proxy_connect_timeout 5s;',
    `proxy_send_timeout ${g.proxyTimeout};`,
    `proxy_read_timeout ${g.proxyTimeout};`,
    '',
    ...tenantMaps(c),
    '',
    comment("Grafana Live uses WebSockets; everything else gets nginx's usual Connection: close to the upstream."),
    'map $http_upgrade $gateway_connection {',
    '    default upgrade;',
    '    ""      close;',
    '}',
    comment('Keep the scheme a TLS-terminating Ingress in front of the gateway reports.'),
    'map $http_x_forwarded_proto $gateway_forwarded_proto {',
    '    default $http_x_forwarded_proto;',
    '    ""      $scheme;',
    '}',
    '',
    'server {',
    ...server.map(indent),
    '}',
    ...statusServer(c),
  ];
  return [
    comment('Generated by mimir-kube from config and the route table; edit config, not this file.'),
    `worker_processes ${gomaxprocs(g.resources.requests.cpu)};`,
    'daemon off;',
    `pid ${run}/nginx.pid;`,
    'error_log stderr warn;',
    '',
    'events {',
    '    worker_connections 1024;',
    '}',
    '',
    'http {',
    ...http.map(indent),
    '}',
    '',
  ].join('\n');
}

function indent(line: string): string {
  return line === '' ? '' : `    ${line}`;
}
