import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { TENANT_REJECTED_MESSAGE } from '../../lib/observability/gateway/index.js';
import { e2eMimirConfig } from './environment/main.js';
import { knobDifferences } from './harness/diff.js';
import { http, metricSum, poll, rawHttp } from './harness/http.js';
import { remoteWriteBody, remoteWriteHeaders } from './harness/push.js';
import { renderReport, type ReportInput, type StepResult } from './harness/report.js';
import { listObjects } from './harness/s3.js';
import { services } from './harness/manifest.js';
import { e2eRequired, readPeersFile, repoRoot, skipReason, scenarioStack, versionGap } from './harness/stack.js';
import { failWhenRequired } from './harness/required.js';
import { alloyTenant, expectedTargets } from './harness/alloy.js';
import { expectScrapedInFacts } from './harness/metrics.js';

const skip = skipReason();
if (skip) console.warn(`[e2e] ${e2eRequired ? 'FAILING' : 'skipping'} the end-to-end suite: ${skip}`);

/** The fields of the rendered mimir.yaml the scenario reads. */
interface MimirYaml {
  ruler?: { query_frontend?: { address?: string } };
  blocks_storage?: { s3?: { bucket_name?: string } };
}

/** A Grafana data source as provisioned (the fields Grafana's Prometheus data source reads for its requests). */
interface GrafanaDataSource {
  name: string;
  type: string;
  uid?: string;
  url: string;
  basicAuth?: boolean;
  basicAuthUser?: string;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

const log = (line: string): void => console.log(`[e2e +${(performance.now() / 1000).toFixed(1)}s] ${line}`);

/**
 * Every wait's budget, and each test's vitest timeout derived from the budgets it uses plus a margin for the
 * HTTP calls around them: a slow machine fails a step with the step's own diagnostic (what it saw last), never
 * with vitest's bare "timed out". `up` must fit in the hook timeout of vitest.e2e.config.ts (600 s).
 */
const budget = {
  up: 300_000,
  wave: 90_000,
  firstQuery: 60_000,
  // Alloy starts after the Mimir pods: discovery, a scrape every scrape_interval (15 s), batched remote write.
  alloySeries: 120_000,
  tenantVisible: 30_000,
  grafana: 30_000,
  alertmanager: 60_000,
  ruler: 90_000,
  // The ruler finds the alertmanager by DNS, which lists it once ready; the ruler re-resolves every minute.
  alert: 150_000,
  flush: 60_000,
  block: 60_000,
  compactor: 60_000,
  storeGatewayLoaded: 60_000,
  storeGatewayQuery: 120_000,
} as const;
const margin = 20_000;
const timeout = (...ms: number[]): number => ms.reduce((a, b) => a + b, margin);

failWhenRequired('the end-to-end suite', skip);

describe.skipIf(Boolean(skip))(`the rendered stack, run on this machine${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const stack = scenarioStack({ rendered: process.env.E2E_RENDERED, budget, log });
  let upError: Error | undefined;
  const steps: StepResult[] = [];
  const samples: { label: string; value: string }[] = [];
  let gateway = '';
  let tenant = '';
  const ruleNamespace = 'e2e';
  const alertName = 'E2EProbeFiring';
  // Named tenants of this run: A writes, B must see none of it. Neither is the gateway's default tenant.
  const tenantA = `e2e-team-a-${stack.runId}`;
  const tenantB = `e2e-team-b-${stack.runId}`;
  // Samples only a shipped block holds: older than query_ingesters_within (13h) and query_store_after (12h)
  // by default, so the querier asks the store-gateways and not the ingesters for them.
  const oldAt = Math.floor((Date.now() - 14 * 3600_000) / 1000) * 1000;
  const peersFile = readPeersFile();
  const gap = peersFile ? versionGap(peersFile) : undefined;

  /** Runs a step, records it for the report, rethrows its failure for vitest. */
  async function step(name: string, body: () => Promise<string>): Promise<void> {
    const t = performance.now();
    try {
      if (upError) throw new Error(`the stack did not come up: ${upError.message}`);
      const detail = await body();
      steps.push({ name, ok: true, ms: performance.now() - t, detail });
    } catch (e) {
      steps.push({ name, ok: false, ms: performance.now() - t, detail: (e as Error).message });
      throw e;
    }
  }

  /** A broken stack fails each step quickly instead of waiting out every timeout (the logs say why). */
  const patience = (ms: number): number => (stack.timings.allReadyAt === undefined ? Math.min(ms, 10_000) : ms);
  const headers = (t = tenant): Record<string, string> => ({ 'X-Scope-OrgID': t });
  type Vector = { metric: Record<string, string>; value: [number, string] }[];
  const queryAs = async (t: string | undefined, promql: string, at?: number): Promise<Vector> => {
    const r = await http(
      `${gateway}/prometheus/api/v1/query?query=${encodeURIComponent(promql)}${at ? `&time=${at / 1000}` : ''}`,
      { headers: t === undefined ? {} : headers(t), timeoutMs: 15_000 },
    );
    if (r.status !== 200)
      throw new Error(`query ${promql} as ${t ?? '(no tenant header)'} → ${r.status}: ${r.body.slice(0, 300)}`);
    return (JSON.parse(r.body) as { data: { result: Vector } }).data.result;
  };
  const query = (promql: string): Promise<Vector> => queryAs(tenant, promql);
  const mimirYaml = (): MimirYaml => {
    for (const data of stack.plan!.sources.configMaps.values())
      if (data['mimir.yaml']) return parseYaml(data['mimir.yaml']) as MimirYaml;
    throw new Error('no ConfigMap with mimir.yaml in the rendered objects');
  };
  const podsWithTarget = (target: string) =>
    stack.plan!.pods.filter((p) => p.containers.some((c) => c.argv.includes(`-target=${target}`)));
  const metricsOf = async (target: string): Promise<string[]> =>
    Promise.all(
      podsWithTarget(target).map(async (p) => (await http(`http://${p.ip}:${p.ports['http-metrics']}/metrics`)).body),
    );
  /** A metric summed over every pod of a Mimir target. */
  const sumOf = async (target: string, name: string, labels: Record<string, string> = {}): Promise<number> =>
    (await metricsOf(target)).map((m) => metricSum(m, name, labels) ?? 0).reduce((a, b) => a + b, 0);
  const push = async (headerValue: string | string[], series: Parameters<typeof remoteWriteBody>[0]) =>
    rawHttp(`${gateway}/api/v1/push`, {
      method: 'POST',
      headers: { ...remoteWriteHeaders, 'X-Scope-OrgID': headerValue },
      body: remoteWriteBody(series),
    });

  beforeAll(async () => {
    try {
      await stack.up();
      // Clients reach the stack at the gateway Alloy writes to, as the tenant Grafana's default data
      // source reads (Alloy's own tenant is the meta tenant with self-monitoring on).
      gateway = await stack.gatewayUrl();
      tenant = stack.clientTenant;
    } catch (e) {
      upError = e as Error;
      log(`stack did not come up: ${upError.stack ?? upError.message}`);
    }
  }, budget.up + margin);

  afterAll(async () => {
    // Totals for the report while everything still runs.
    if (!upError && gateway) {
      try {
        const m = await stack.alloyMetrics();
        samples.push({
          label: "samples Alloy's remote write sent (prometheus_remote_storage_samples_total)",
          value: String(metricSum(m, 'prometheus_remote_storage_samples_total') ?? 'n/a'),
        });
        samples.push({
          label: "samples Alloy's remote write failed to send (prometheus_remote_storage_samples_failed_total)",
          value: String(metricSum(m, 'prometheus_remote_storage_samples_failed_total') ?? 'n/a'),
        });
        // Every raw sample of every series in the tenant (a range selector returns them all).
        const raw = await http(
          `${gateway}/prometheus/api/v1/query?query=${encodeURIComponent('{__name__=~".+",__name__!~"e2e:.+|ALERTS.*"}[1h]')}`,
          { headers: headers(), timeoutMs: 30_000 },
        );
        const matrix = (JSON.parse(raw.body) as { data?: { result: { values: unknown[] }[] } }).data?.result ?? [];
        samples.push({
          label:
            'samples read back through the gateway (every series except recording-rule output, raw samples of the last hour)',
          value:
            raw.status === 200
              ? `${matrix.reduce((n, s) => n + s.values.length, 0)} in ${matrix.length} series`
              : `${raw.status}: ${raw.body.slice(0, 200)}`,
        });
        const probe = await query(`count_over_time(e2e_probe_value{run="${stack.runId}"}[1h])`);
        samples.push({
          label: `probe samples read back / written by the harness (run ${stack.runId})`,
          value: `${probe[0]?.value[1] ?? 0} / ${stack.probeWrites}${stack.probeWriteErrors.length ? `; write errors: ${stack.probeWriteErrors.join('; ')}` : ''}`,
        });
      } catch (e) {
        samples.push({ label: 'sample totals', value: `could not be read: ${(e as Error).message}` });
      }
    }
    const failures = stack.plan ? await exitedOrNotReady() : [];
    const status = stack.plan ? await stack.status() : [];
    const failed = Boolean(upError) || steps.some((s) => !s.ok) || failures.length > 0;
    const keep = failed || process.env.E2E_KEEP === '1';
    const cleanup = await stack.down(keep);
    const ip = new Map(stack.plan?.pods.map((p) => [p.name, p.ip]) ?? []);
    const report: ReportInput = {
      header: [
        ...(gap ? [gap] : []),
        `Mimir run: ${stack.plan ? stack.plan.pods.find((p) => p.containers.some((c) => c.peer === 'mimir'))?.containers.find((c) => c.peer === 'mimir')?.argv[0] : peersFile?.mimir.path} — \`mimir -version\`: ${peersFile?.mimir.version ?? '(unknown: no peers file)'}; source: ${peersFile?.mimir.source ?? '(unknown)'}`,
      ],
      date: new Date().toISOString(),
      runFolder: stack.root,
      kept: keep,
      input: stack.renderSource,
      peers: stack.plan
        ? [...new Set(stack.plan.pods.flatMap((p) => p.containers.map((c) => `${c.image} → ${c.argv[0]}`)))]
        : [],
      timings: [
        {
          label: 'render (test environment build + kubectl kustomize)',
          value: `${(stack.timings.renderMs / 1000).toFixed(1)}s`,
        },
        { label: 'network namespaces, bridge, files, DNS', value: `${(stack.timings.networkMs / 1000).toFixed(1)}s` },
        {
          label:
            'control plane up (started during the render), rendered RBAC objects and pods registered, addresses from kwok',
          value: `${((stack.timings.controlPlaneMs ?? 0) / 1000).toFixed(1)}s`,
        },
        {
          label: 'first process start → all pods ready (readiness probes, sync waves in order)',
          value: stack.elapsed(stack.timings.allReadyAt),
        },
        {
          label: 'first process start → first successful query through the gateway',
          value: stack.elapsed(stack.timings.firstQueryAt),
        },
        {
          label: 'harness start (before rendering) → all pods ready',
          value:
            stack.timings.allReadyAt === undefined
              ? 'never'
              : `${((stack.timings.allReadyAt - stack.startedAt) / 1000).toFixed(1)}s`,
        },
        {
          label: 'whole run (render to clean-up)',
          value: `${((performance.now() - stack.startedAt) / 1000).toFixed(1)}s`,
        },
      ],
      samples,
      steps,
      pods: status.map((p) => ({
        pod: p.pod,
        ip: ip.get(p.pod) ?? '',
        ready: p.readyAtMs !== undefined ? `${(p.readyAtMs / 1000).toFixed(1)}s` : 'never',
        restarts: p.containers.reduce((n, c) => n + c.restarts, 0),
        exits: p.containers.flatMap((c) => c.exits),
      })),
      notRun: [
        ...(stack.plan?.notRun ?? []).map(
          (n) =>
            `${n.kind} ${n.workload} (${n.images.join(', ')}): no peer${stack.bucketJobs.some((j) => j.job === n.workload) ? '; emulated (see changes)' : /grafana/.test(n.images.join()) ? '; its data source\'s request is sent by the test (step "Grafana\'s data source")' : ''}`,
        ),
        ...(stack.plan?.pods ?? []).flatMap((p) =>
          p.skipped.map((s) => `container ${p.name}/${s.container} (${s.image}): no peer`),
        ),
      ],
      endpoints: (stack.dns?.endpoints ?? []).map(
        (e) =>
          `${e.service}${e.headless ? ' (headless)' : ''}${e.publishNotReady ? ' (publishNotReadyAddresses)' : ''} → ${e.pods.length ? e.pods.map((p) => `${p} ${ip.get(p)}`).join(', ') : 'no ready pod: not in DNS'}`,
      ),
      changes: stack.changes,
      renderDiff: stack.renderDiff,
      notes: [
        ...stack.notes,
        `Service names resolve to the ready pods their selector picks (all selected pods when the Service sets publishNotReadyAddresses), rewritten on every readiness change (${stack.dnsUpdates} updates this run).`,
        "No kube-proxy: a ClusterIP Service name resolves to its pods' addresses (as a headless one does); Service ports equal the pods' ports here (checked, see above otherwise).",
        `Kubernetes API: a real control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok; the cluster test's harness) holds ${stack.kube?.created.length ?? 0} rendered objects and pods: ${stack.kube?.created.join(', ') ?? 'none'}. Each pod is bound to kwok node e2e-node, whose podCIDR ${stack.kube?.podCidr ?? ''} lies in the bridge's /24; kwok gave each pod its address and the pod's network namespace has that address. kwok marks a registered pod Running and Ready at once: the API server's Ready condition does not follow the readiness probes (cluster DNS does). Pods without a peer (Grafana) are not registered. The pods reach the API server at ${stack.dnsIp}:443 (KUBERNETES_SERVICE_HOST/PORT), a TCP forwarder to its loopback port, standing in for kube-proxy's \`kubernetes\` Service.`,
        "Not emulated: the images' own environment variables, Kubernetes service-link variables other than the `kubernetes` Service's, resource limits, liveness probes.",
        ...stack.buckets.map((b) => `bucket ${b.bucket}: ${b.result}`),
      ],
      failures,
      cleanup,
    };
    const text = renderReport(report);
    mkdirSync(join(repoRoot, '.cache/e2e'), { recursive: true });
    writeFileSync(join(repoRoot, '.cache/e2e/report.md'), text);
    console.log(text);
    console.log(`[e2e] report written to .cache/e2e/report.md`);
    if (!keep) stack.removeRunFolder();
  }, 120_000);

  /** Containers that exited (or restarted) at any time so far, and pods not ready now, with their logs' ends. */
  async function exitedOrNotReady(): Promise<ReportInput['failures']> {
    const out: ReportInput['failures'] = [];
    for (const p of await stack.status()) {
      for (const c of p.containers) {
        const proc = stack.procs.find((x) => x.spec.id === `${p.pod}/${c.name}`);
        if (!p.ready || c.restarts > 0)
          out.push({
            id: `${p.pod}/${c.name}`,
            reason: `${p.ready ? 'ready' : 'NOT ready'}, ${c.restarts} exit(s)${c.exits.length ? `: ${c.exits.join('; ')}` : ''}`,
            log: c.log,
            tail: proc?.tail(40) ?? '',
          });
      }
    }
    return out;
  }

  it('runs every workload whose image has a peer, from the rendered objects, with the pinned Mimir', async () => {
    await step('start the rendered workloads (peers in netns pods registered in the API server, buckets)', async () => {
      expect(stack.plan!.pods.length).toBeGreaterThan(0);
      expect(stack.bucketJobs.length).toBeGreaterThan(0);
      expect(stack.buckets.length).toBe(stack.bucketJobs.flatMap((j) => j.buckets).length);
      const ran = execFileSync(peersFile!.mimir.path, ['-version'], { encoding: 'utf8' }).split('\n')[0];
      // Outside CI a build without ../shared falls back to another Mimir: the report's first line says so.
      if (e2eRequired)
        expect(gap, 'under CI / E2E_REQUIRED=1 the Mimir run must be the pinned version').toBeUndefined();
      return `${stack.plan!.pods.length} pods; buckets ${stack.buckets.map((b) => b.bucket).join(', ')}; ${ran}${gap ? ` — ${gap}` : ''}`;
    });
  });

  it('differs from out/local only by the listed timing knobs of test/e2e/environment', async () => {
    await step('test environment = out/local + timing knobs', async () => {
      if (process.env.E2E_RENDERED)
        return `E2E_RENDERED=${process.env.E2E_RENDERED}: run as given; differences: ${stack.renderDiff.join('; ') || 'none'}`;
      const { unexpected, missing } = knobDifferences(stack.renderDiff, e2eMimirConfig);
      expect(unexpected, 'differences from out/local that are not timing knobs').toEqual([]);
      expect(missing, 'timing knobs that did not reach the rendered mimir.yaml').toEqual([]);
      return `${stack.renderDiff.length} differences, all timing knobs`;
    });
  });

  it('cluster DNS answers each Service name with its ready pods (all selected pods if it publishes not-ready addresses)', async () => {
    await step('cluster DNS (A, SRV, NXDOMAIN, readiness)', async () => {
      const ns = stack.plan!.namespace;
      const domain = stack.opts.clusterDomain;
      const ipOf = new Map(stack.plan!.pods.map((p) => [p.name, p.ip]));
      const r = stack.resolver();
      let names = 0;
      for (const e of stack.dns!.endpoints) {
        const want = e.selected
          .filter((p) => e.publishNotReady || stack.ready.has(p))
          .map((p) => ipOf.get(p)!)
          .sort();
        for (const name of [`${e.service}.${ns}.svc.${domain}`, `${e.service}.${ns}.svc`]) {
          const got = await r
            .resolve4(name)
            .catch((err: Error) => (/ENOTFOUND|ENODATA/.test(err.message) ? [] : Promise.reject(err)));
          expect(got.sort(), name).toEqual(want);
          names++;
        }
        const svc = services(stack.objects).find((x) => x.metadata?.name === e.service)!;
        for (const port of (e.headless ? svc.spec?.ports : []) ?? []) {
          const srvName = `_${port.name}._${(port.protocol ?? 'TCP').toLowerCase()}.${e.service}.${ns}.svc.${domain}`;
          const srv = await r.resolveSrv(srvName).catch(() => []);
          expect(srv.length, `SRV ${port.name} of ${e.service}`).toBe(want.length);
        }
      }
      expect(await r.resolve4(`kube-dns.kube-system.svc.${domain}`)).toEqual([stack.dnsIp]);
      await expect(r.resolve4(`no-such-service.${ns}.svc.${domain}`)).rejects.toThrow(/ENOTFOUND/);
      // Before readiness: the names of Services whose pods had just started answered with none of them,
      // unless the Service publishes not-ready addresses.
      const seen = stack.dnsObservations;
      expect(
        seen.filter((o) => !o.publishNotReady).length,
        'Services observed before their pods were ready',
      ).toBeGreaterThan(0);
      for (const o of seen)
        expect(o.answered, `${o.service} right after its pods started (wave ${o.wave})`).toEqual(
          o.publishNotReady ? o.notReady.sort() : [],
        );
      return `${names} Service names = their ready pods; SRV for headless Services; kube-dns → ${stack.dnsIp}; unknown names NXDOMAIN; before readiness: ${seen.map((o) => `${o.service} → ${o.answered.length ? o.answered.join(',') : 'none'}`).join(', ')}`;
    });
  });

  it('every component reports ready (its rendered readiness probe: Mimir /ready, MinIO health, nginx /gateway-health)', async () => {
    await step('all components ready', async () => {
      const status = await stack.status();
      const notReady = status.filter((s) => !s.ready).map((s) => s.pod);
      const probes = [
        ...new Set(
          stack.plan!.pods.flatMap((p) =>
            p.containers.map(
              (c) =>
                `${c.peer}: ${c.ready?.kind === 'http' ? `GET :${c.ready.port}${c.ready.path}` : c.ready ? `tcp :${c.ready.port}` : 'no probe'}`,
            ),
          ),
        ),
      ];
      expect(notReady, `not ready: ${notReady.join(', ')} (logs in the report)`).toEqual([]);
      expect(stack.timings.allReadyAt).toBeDefined();
      return `${status.length} pods ready after ${stack.elapsed(stack.timings.allReadyAt)}; probes ${probes.join(', ')}`;
    });
  });

  it(
    'samples written through the gateway are read back through the gateway',
    async () => {
      await step('remote write → gateway → query through gateway', async () => {
        const result = await poll(
          'the probe series through /prometheus/api/v1/query',
          patience(budget.firstQuery),
          async () => {
            const r = await query(`e2e_probe_value{run="${stack.runId}"}`);
            return r.length ? r : undefined;
          },
        );
        stack.timings.firstQueryAt ??= performance.now();
        expect(result[0].value[1]).toBe('42');
        return `e2e_probe_value{run="${stack.runId}"} = 42 after ${stack.elapsed(stack.timings.firstQueryAt)}; the harness wrote it ${stack.probeWrites} times so far`;
      });
    },
    timeout(budget.firstQuery),
  );

  it(
    'Alloy discovers every Mimir pod through the API server and its series reach the configured tenant with the configured labels',
    async () => {
      await step('Alloy: discovery (API server, RBAC) → scrape → remote write → gateway → tenant', async () => {
        // Expectations come from the rendered configuration (before any E2E_BREAK), read with the library's
        // Alloy parser; the Alloy pod runs the run's copy.
        const intent = stack.alloy!;
        const want = alloyTenant(intent);
        const ns = stack.plan!.namespace;
        const mimirPods = stack.plan!.pods.filter((p) => p.containers.some((c) => c.peer === 'mimir'));
        expect(mimirPods.length).toBeGreaterThan(0);
        const targets = mimirPods
          .map((p) => {
            const t = expectedTargets(intent, p, ns);
            expect(
              t.length,
              `scrape jobs of the rendered Alloy configuration that keep a port of ${p.name}`,
            ).toBeGreaterThan(0);
            return t;
          })
          .flat();
        const t = performance.now();
        const seen = new Map<string, Record<string, string>>();
        const missing = (): string =>
          `${targets.length - seen.size} of ${targets.length} targets have no series in tenant ${want}: ${targets
            .filter((x) => !seen.has(x.address))
            .map((x) => `${x.pod} (${x.address})`)
            .join(', ')}; Alloy's last errors: ${alloyErrors() || 'none'}`;
        // What Alloy itself says went wrong (a refused discovery, a refused write), for the failure message.
        const alloyErrors = (): string =>
          (stack.procs.find((p) => p.spec.id.startsWith(`${stack.alloyPod?.name}/`))?.tail(400) ?? '')
            .split('\n')
            // Alloy's own errors and client-go's (klog `E…`); not the memory-limit one, which only says that the
            // process runs outside a container's cgroup here.
            .filter((l) => /level=error|^E\d{4} /.test(l) && !/GOMEMLIMIT|memory limit/.test(l))
            .slice(-2)
            .join(' | ');
        await poll(
          `Alloy's series of every Mimir pod in tenant ${want}`,
          patience(budget.alloySeries),
          async () => {
            for (const x of targets) {
              if (seen.has(x.address)) continue;
              // A series the component itself exposes (every Go program's), and Alloy's own `up` of the target.
              const [own, up] = await Promise.all([
                queryAs(want, `go_goroutines{instance="${x.address}"}`),
                queryAs(want, `up{instance="${x.address}"}`),
              ]);
              if (own.length && up.length) {
                const labels = (v: Vector): Record<string, string> => {
                  const { __name__: _, ...rest } = v[0].metric;
                  return rest;
                };
                // The message spells out both sides (vitest's own diff is truncated in the report).
                const say = (what: string, got: Record<string, string>): string =>
                  `labels of ${what} scraped by Alloy from ${x.pod}: ${JSON.stringify(got)}; the configuration says ${JSON.stringify(x.labels)}`;
                expect(labels(own), say('go_goroutines', labels(own))).toEqual(x.labels);
                expect(labels(up), say('up', labels(up))).toEqual(x.labels);
                expect(up[0].value[1], `up for ${x.pod}`).toBe('1');
                seen.set(x.address, own[0].metric);
              }
            }
            // Thrown, so that a timeout names what is still missing.
            if (seen.size < targets.length) throw new Error(missing());
            return true;
          },
          2000,
        );
        // The tenant the configuration names, and no other.
        // A PromQL raw string (backticks): the regex's backslashes are not string escapes.
        const addrs = targets.map((x) => x.address.replace(/\./g, '\\.')).join('|');
        for (const other of [tenantB, `${want}-other`])
          expect(await queryAs(other, `count({instance=~\`${addrs}\`})`), `Alloy's series as tenant ${other}`).toEqual(
            [],
          );
        const jobs = [...new Set(targets.map((x) => x.labels.job))].sort();
        return `${targets.length} Mimir pods (${jobs.join(', ')}) discovered via the API server with ServiceAccount ${stack.alloyPod?.serviceAccountName}'s token, scraped and written as tenant ${want} within ${((performance.now() - t) / 1000).toFixed(1)}s; labels = the configuration's: ${Object.keys(targets[0].labels).join(', ')}; none in ${tenantB}`;
      });
    },
    timeout(budget.alloySeries),
  );

  it(
    "Grafana's data source: its own request (POST query_range with its provisioned headers and auth) returns data",
    async () => {
      await step("Grafana's data source request through the gateway", async () => {
        const text = [...stack.plan!.sources.configMaps.values()]
          .map((d) => Object.values(d).find((v) => /^datasources:/m.test(v)))
          .find(Boolean);
        if (!text) throw new Error('no rendered Grafana data source provisioning file');
        const ds = (parseYaml(text) as { datasources: GrafanaDataSource[] }).datasources.find(
          (d) => d.type === 'prometheus',
        );
        if (!ds) throw new Error('the provisioned data sources have no Prometheus data source');
        // What Grafana's Prometheus data source sends: httpHeaderNameN/ValueN, basic auth when set, and the
        // method of jsonData.httpMethod with the parameters form-encoded in the body for POST.
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(ds.jsonData ?? {})) {
          const n = /^httpHeaderName(\d+)$/.exec(k)?.[1];
          if (n && typeof v === 'string') h[v] = ds.secureJsonData?.[`httpHeaderValue${n}`] ?? '';
        }
        if (ds.basicAuth)
          h.Authorization = `Basic ${Buffer.from(`${ds.basicAuthUser ?? ''}:${ds.secureJsonData?.basicAuthPassword ?? ''}`).toString('base64')}`;
        const method = String(ds.jsonData?.httpMethod ?? 'POST');
        const url = new URL(ds.url);
        const base = `${url.protocol}//${await stack.resolve(url.hostname)}:${url.port || 80}${url.pathname.replace(/\/$/, '')}`;
        type Matrix = { resultType: string; result: { values: [number, string][] }[] };
        const ask = async (): Promise<{ status: number; body: string; data?: Matrix }> => {
          // Whole seconds, rounded up: the range must reach the newest sample, which may be younger than a second.
          const end = Math.ceil(Date.now() / 1000);
          const params = new URLSearchParams({
            query: `e2e_probe_value{run="${stack.runId}"}`,
            start: String(end - 300),
            end: String(end),
            step: '15',
          });
          const r = await http(
            method === 'POST' ? `${base}/api/v1/query_range` : `${base}/api/v1/query_range?${params}`,
            {
              method,
              headers: { ...h, ...(method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
              body: method === 'POST' ? params.toString() : undefined,
              timeoutMs: 15_000,
            },
          );
          return { ...r, data: r.status === 200 ? (JSON.parse(r.body) as { data: Matrix }).data : undefined };
        };
        // The probe series is already readable (previous step): anything but data within the budget is a failure.
        let last = await ask();
        const until = performance.now() + patience(budget.grafana);
        while (!last.data?.result.length && performance.now() < until) {
          await new Promise((r) => setTimeout(r, 1000));
          last = await ask();
        }
        expect(last.status, last.body.slice(0, 300)).toBe(200);
        const data = last.data!;
        expect(data.resultType).toBe('matrix');
        expect(data.result.length, 'series returned').toBe(1);
        expect(data.result[0].values.length).toBeGreaterThan(0);
        expect(data.result[0].values.every(([, v]) => v === '42')).toBe(true);
        return `${method} ${ds.url}/api/v1/query_range with headers ${Object.keys(h).join(', ') || '(none)'}${ds.basicAuth ? ' and basic auth' : ''} → ${data.result[0].values.length} points of the probe series`;
      });
    },
    timeout(budget.grafana, 15_000),
  );

  it(
    'a named tenant writes; a second tenant and the default tenant see none of it; two tenants in one request never reach Mimir as two',
    async () => {
      await step('tenancy through the gateway', async () => {
        const now = Date.now();
        // The old samples first: a fresh tenant's TSDB head accepts them only before it holds newer ones.
        const old = Array.from({ length: 41 }, (_, i) => ({ value: 7, timestampMs: oldAt - (40 - i) * 15_000 }));
        const w1 = await push(tenantA, [{ labels: { __name__: 'e2e_store_probe', run: stack.runId }, samples: old }]);
        expect(w1.status, `push of old samples as ${tenantA}: ${w1.body}`).toBe(200);
        const w2 = await push(tenantA, [
          { labels: { __name__: 'e2e_tenant_probe', run: stack.runId }, samples: [{ value: 1, timestampMs: now }] },
        ]);
        expect(w2.status, `push as ${tenantA}: ${w2.body}`).toBe(200);
        const seen = await poll(`e2e_tenant_probe as ${tenantA}`, patience(budget.tenantVisible), async () => {
          const r = await queryAs(tenantA, `e2e_tenant_probe{run="${stack.runId}"}`);
          return r.length ? r : undefined;
        });
        expect(seen[0].value[1]).toBe('1');
        // Another tenant, and a request without a header (the gateway's default tenant), see nothing of A.
        for (const other of [tenantB, undefined]) {
          expect(
            await queryAs(other, `{run="${stack.runId}", __name__=~"e2e_tenant_probe|e2e_store_probe"}`),
            `as ${other ?? '(no header)'}`,
          ).toEqual([]);
          expect(
            await queryAs(other, `count({__name__=~"e2e_tenant_probe|e2e_store_probe"})`),
            `as ${other ?? '(no header)'}`,
          ).toEqual([]);
        }
        // Two tenants in one header (what nginx ≥ 1.23 makes of two header lines, "a, b") and Mimir's
        // federation syntax ("a|b", federation is off): the gateway refuses both itself.
        for (const joined of [`${tenantA}, ${tenantB}`, `${tenantA}|${tenantB}`]) {
          const r = await rawHttp(`${gateway}/prometheus/api/v1/query?query=up`, {
            headers: { 'X-Scope-OrgID': joined },
          });
          expect({ status: r.status, body: r.body.trim() }, `X-Scope-OrgID: ${joined}`).toEqual({
            status: 400,
            body: TENANT_REJECTED_MESSAGE,
          });
          const p = await push(joined, [
            { labels: { __name__: 'e2e_two_tenants', run: stack.runId }, samples: [{ value: 2, timestampMs: now }] },
          ]);
          expect({ status: p.status, body: p.body.trim() }, `push with X-Scope-OrgID: ${joined}`).toEqual({
            status: 400,
            body: TENANT_REJECTED_MESSAGE,
          });
        }
        // Two header lines: nginx 1.29 (the pinned image) joins them and refuses; Debian's 1.22 reads only the
        // first, and the gateway's own X-Scope-OrgID replaces both client lines, so Mimir gets one tenant.
        const v = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
        const nginxVersion = /nginx\/(\d+)\.(\d+)/.exec(`${v.stderr}${v.stdout}`);
        const joins = nginxVersion ? Number(nginxVersion[1]) > 1 || Number(nginxVersion[2]) >= 23 : true;
        const two = await push(
          [tenantB, tenantA],
          [{ labels: { __name__: 'e2e_two_tenants', run: stack.runId }, samples: [{ value: 3, timestampMs: now }] }],
        );
        let twoLines: string;
        if (joins) {
          expect({ status: two.status, body: two.body.trim() }, 'two X-Scope-OrgID lines').toEqual({
            status: 400,
            body: TENANT_REJECTED_MESSAGE,
          });
          twoLines = 'refused (400)';
        } else {
          expect(two.status, `two X-Scope-OrgID lines: ${two.body}`).toBe(200);
          const inB = await poll(`e2e_two_tenants as ${tenantB}`, patience(budget.tenantVisible), async () => {
            const r = await queryAs(tenantB, `e2e_two_tenants{run="${stack.runId}"}`);
            return r.length ? r : undefined;
          });
          expect(inB[0].value[1]).toBe('3');
          expect(
            await queryAs(tenantA, `e2e_two_tenants{run="${stack.runId}"}`),
            `the second header's tenant ${tenantA}`,
          ).toEqual([]);
          twoLines = `stored for the first tenant only (${tenantB}), none for ${tenantA}`;
        }
        return `${tenantA} wrote (200) and reads its series; ${tenantB} and the default tenant see none of it; "a, b" and "a|b" → 400 from the gateway; two header lines (nginx ${nginxVersion?.[1]}.${nginxVersion?.[2]}): ${twoLines}`;
      });
    },
    timeout(budget.tenantVisible, budget.tenantVisible, 30_000),
  );

  it(
    "an alertmanager configuration uploaded through the gateway is stored and served by the tenant's alertmanager",
    async () => {
      await step('alertmanager config upload (/api/v1/alerts)', async () => {
        const body = `alertmanager_config: |\n  route:\n    receiver: e2e\n    group_wait: 0s\n    group_interval: 1s\n  receivers:\n    - name: e2e\n`;
        const post = await http(`${gateway}/api/v1/alerts`, {
          method: 'POST',
          headers: { ...headers(), 'Content-Type': 'application/yaml' },
          body,
        });
        expect(post.status, post.body).toBe(201);
        const get = await http(`${gateway}/api/v1/alerts`, { headers: headers() });
        expect(get.status, get.body).toBe(200);
        expect(get.body).toContain('receiver: e2e');
        // The tenant's alertmanager starts on its next configuration poll; an alert sent before that is
        // only resent after the ruler's resend delay.
        const t = performance.now();
        await poll(
          "the tenant's alertmanager serving the uploaded configuration",
          patience(budget.alertmanager),
          async () => {
            const r = await http(`${gateway}/alertmanager/api/v2/status`, { headers: headers() });
            return r.status === 200 && r.body.includes('e2e') ? r : undefined;
          },
        );
        return `POST → ${post.status}; GET returns the configuration; the tenant's alertmanager serves it after ${((performance.now() - t) / 1000).toFixed(1)}s`;
      });
    },
    timeout(budget.alertmanager),
  );

  it(
    'a rule group uploaded through the gateway is evaluated by the ruler through the query-frontend (remote mode)',
    async () => {
      await step('rule group upload → ruler evaluation via query-frontend → recorded series', async () => {
        // Only the remote-mode ruler calls the query-frontend over gRPC (httpgrpc); the gateway's queries are HTTP.
        const handle = { route: '/httpgrpc.HTTP/Handle' };
        const before = await sumOf('query-frontend', 'cortex_request_duration_seconds_count', handle);
        const group = `name: e2e-probe\nrules:\n  - record: e2e:probe_value:sum\n    expr: sum by (run) (e2e_probe_value)\n  - alert: ${alertName}\n    expr: e2e_probe_value > 0\n    labels:\n      severity: info\n`;
        const post = await http(`${gateway}/prometheus/config/v1/rules/${ruleNamespace}`, {
          method: 'POST',
          headers: { ...headers(), 'Content-Type': 'application/yaml' },
          body: group,
        });
        expect(post.status, post.body).toBe(202);
        const t = performance.now();
        const recorded = await poll('the recorded series e2e:probe_value:sum', patience(budget.ruler), async () => {
          const r = await query(`e2e:probe_value:sum{run="${stack.runId}"}`);
          return r.length ? r : undefined;
        });
        expect(recorded[0].value[1]).toBe('42');
        const after = await sumOf('query-frontend', 'cortex_request_duration_seconds_count', handle);
        const failed = await sumOf('ruler', 'cortex_ruler_queries_failed_total');
        expect(
          after - before,
          `query-frontend gRPC ${handle.route} requests during evaluation (ruler in remote mode queries through it)`,
        ).toBeGreaterThan(0);
        const mode = mimirYaml().ruler?.query_frontend?.address;
        return `POST → ${post.status}; recorded series = 42 after ${((performance.now() - t) / 1000).toFixed(1)}s; query-frontend ${handle.route} requests +${after - before}; ruler failed queries ${failed}; ruler queries ${mode ?? '(internal mode)'}`;
      });
    },
    timeout(budget.ruler),
  );

  it(
    "the rule's alert reaches the tenant's alertmanager",
    async () => {
      await step('alert in /alertmanager/api/v2/alerts', async () => {
        const t = performance.now();
        const alert = await poll(
          `alert ${alertName} in the tenant's alertmanager`,
          patience(budget.alert),
          async () => {
            const r = await http(`${gateway}/alertmanager/api/v2/alerts`, { headers: headers() });
            if (r.status !== 200) throw new Error(`${r.status}: ${r.body.slice(0, 200)}`);
            const alerts = JSON.parse(r.body) as { labels: Record<string, string>; status: { state: string } }[];
            return alerts.find((a) => a.labels.alertname === alertName && a.labels.run === stack.runId);
          },
        );
        expect(alert.labels.severity).toBe('info');
        return `${alertName} (state ${alert.status.state}) after ${((performance.now() - t) / 1000).toFixed(1)}s`;
      });
    },
    timeout(budget.alert),
  );

  it(
    'a shipped block is in the bucket, indexed by the compactor, and its data is served by the store-gateway through the gateway',
    async () => {
      await step('ingester flush → bucket → compactor bucket index → store-gateway serves a query', async () => {
        const ingesters = podsWithTarget('ingester');
        expect(ingesters.length).toBeGreaterThan(0);
        for (const p of ingesters) {
          const r = await http(`http://${p.ip}:${p.ports['http-metrics']}/ingester/flush?wait=true`, {
            method: 'POST',
            timeoutMs: budget.flush,
          });
          expect([200, 204], r.body).toContain(r.status);
        }
        const cfg = mimirYaml();
        const { bucket, s3 } = await stack.blocksBucket(cfg);
        const blocks = await poll(
          `a block of tenant ${tenantA} in bucket ${bucket}`,
          patience(budget.block),
          async () => {
            const keys = await listObjects(s3, bucket, `${tenantA}/`);
            const metas = keys.filter((k) => /^[^/]+\/[0-9A-HJKMNP-TV-Z]{26}\/meta\.json$/.test(k));
            return metas.length ? metas : undefined;
          },
        );
        const compactor = await poll(
          'the compactor counting the blocks (cortex_bucket_blocks_count)',
          patience(budget.compactor),
          async () => {
            const n = await sumOf('compactor', 'cortex_bucket_blocks_count', { user: tenantA });
            return n >= blocks.length ? n : undefined;
          },
        );
        const index = await listObjects(s3, bucket, `${tenantA}/bucket-index.json.gz`);
        expect(index).toContain(`${tenantA}/bucket-index.json.gz`);
        const loaded = await poll(
          'the store-gateway loading the blocks (cortex_bucket_store_blocks_loaded)',
          patience(budget.storeGatewayLoaded),
          async () => {
            const n = await sumOf('store-gateway', 'cortex_bucket_store_blocks_loaded');
            return n >= blocks.length ? n : undefined;
          },
        );
        // The samples 14h old: only the shipped block holds them for the querier (the ingesters are not asked
        // about that time), so an answer means the store-gateway served it.
        const series = (): Promise<number> => sumOf('store-gateway', 'cortex_bucket_store_series_result_series_sum');
        const calls = (): Promise<number> =>
          sumOf('store-gateway', 'cortex_request_duration_seconds_count', { route: '/gatewaypb.StoreGateway/Series' });
        const [series0, calls0] = [await series(), await calls()];
        const t = performance.now();
        const old = await poll(
          `e2e_store_probe at ${new Date(oldAt).toISOString()} as ${tenantA}`,
          patience(budget.storeGatewayQuery),
          async () => {
            const r = await queryAs(tenantA, `e2e_store_probe{run="${stack.runId}"}`, oldAt);
            return r.length ? r : undefined;
          },
          2000,
        );
        expect(old[0].value[1]).toBe('7');
        const [series1, calls1] = [await series(), await calls()];
        expect(calls1 - calls0, 'store-gateway Series requests while querying the old samples').toBeGreaterThan(0);
        expect(series1 - series0, 'series the store-gateway returned while querying the old samples').toBeGreaterThan(
          0,
        );
        expect(
          await queryAs(tenantB, `e2e_store_probe{run="${stack.runId}"}`, oldAt),
          `${tenantB} reading the block's time`,
        ).toEqual([]);
        return `${blocks.length} block(s) of ${tenantA} in ${bucket}; compactor cortex_bucket_blocks_count=${compactor}, bucket index present; store-gateway blocks loaded=${loaded}; e2e_store_probe at -14h = 7 after ${((performance.now() - t) / 1000).toFixed(1)}s with store-gateway Series requests +${calls1 - calls0}, series returned +${series1 - series0}`;
      });
    },
    timeout(budget.flush, budget.block, budget.compactor, budget.storeGatewayLoaded, budget.storeGatewayQuery),
  );

  // Last but one: by now every component has had work (writes, queries, rules, alerts, a flush, a compaction).
  it('every scraped workload serves metrics the fact file knows (written out with E2E_METRICS_DIR)', async () => {
    await step('metric names of every scraped workload', async () => {
      const components = await expectScrapedInFacts(stack, 'stack', log);
      return `${components.length} components, each in the fact file`;
    });
  }, 60_000);

  // Checked whether or not the start succeeded: a container that exits is named with its log either way.
  it('no container exited or restarted during the run', async () => {
    const t = performance.now();
    const name = 'no container exited or restarted';
    try {
      if (!stack.plan) throw new Error(`nothing was started: ${upError?.message ?? 'no plan'}`);
      const failures = await exitedOrNotReady();
      const text = failures.map((f) => `${f.id}: ${f.reason}; log ${f.log}\n${f.tail}`).join('\n\n');
      expect(failures.length, `containers that exited, restarted or are not ready:\n${text}`).toBe(0);
      steps.push({
        name,
        ok: true,
        ms: performance.now() - t,
        detail: `${stack.procs.length} containers (Alloy's among them) ran without an exit`,
      });
    } catch (e) {
      steps.push({ name, ok: false, ms: performance.now() - t, detail: (e as Error).message.split('\n')[0] });
      throw e;
    }
  });
});
