import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { http, metricSum, poll } from './harness/http.js';
import { renderReport, type ReportInput, type StepResult } from './harness/report.js';
import { listObjects } from './harness/s3.js';
import { services } from './harness/manifest.js';
import { repoRoot, skipReason, Stack } from './harness/stack.js';

const skip = skipReason();
if (skip) console.warn(`[e2e] skipping the end-to-end suite: ${skip}`);

/** The fields of the rendered mimir.yaml the scenario reads. */
interface MimirYaml {
  ruler?: { query_frontend?: { address?: string } };
  blocks_storage?: { s3?: { bucket_name?: string } };
}

const log = (line: string): void => console.log(`[e2e +${(performance.now() / 1000).toFixed(1)}s] ${line}`);

describe.skipIf(Boolean(skip))(`the rendered stack, run on this machine${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const stack = new Stack({
    rendered: process.env.E2E_RENDERED,
    clusterDomain: process.env.E2E_CLUSTER_DOMAIN ?? 'cluster.local',
    subnet: process.env.E2E_SUBNET ?? '10.244.0',
    stopTimeoutSeconds: 10,
    readyTimeoutMs: 90_000,
    log,
  });
  let upError: Error | undefined;
  const steps: StepResult[] = [];
  const samples: { label: string; value: string }[] = [];
  let gateway = '';
  let tenant = '';
  const ruleNamespace = 'e2e';
  const alertName = 'E2EProbeFiring';

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
  const headers = (): Record<string, string> => ({ 'X-Scope-OrgID': tenant });
  const query = async (promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const r = await http(`${gateway}/prometheus/api/v1/query?query=${encodeURIComponent(promql)}`, { headers: headers() });
    if (r.status !== 200) throw new Error(`query ${promql} → ${r.status}: ${r.body.slice(0, 300)}`);
    return (JSON.parse(r.body) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
  };
  const mimirYaml = (): MimirYaml => {
    for (const data of stack.plan!.sources.configMaps.values()) if (data['mimir.yaml']) return parseYaml(data['mimir.yaml']) as MimirYaml;
    throw new Error('no ConfigMap with mimir.yaml in the rendered objects');
  };
  const podsWithTarget = (target: string) => stack.plan!.pods.filter((p) => p.containers.some((c) => c.argv.includes(`-target=${target}`)));
  const metricsOf = async (target: string): Promise<string[]> =>
    Promise.all(podsWithTarget(target).map(async (p) => (await http(`http://${p.ip}:${p.ports['http-metrics']}/metrics`)).body));

  beforeAll(async () => {
    try {
      await stack.up();
      // Clients reach the stack the way Alloy does: the gateway URL and tenant of Alloy's remote_write.
      const rw = new URL(stack.alloy!.remoteWrite.url);
      gateway = `http://${await stack.resolve(rw.hostname)}:${rw.port || 80}`;
      tenant = stack.alloy!.remoteWrite.headers['X-Scope-OrgID'] ?? 'anonymous';
    } catch (e) {
      upError = e as Error;
      log(`stack did not come up: ${upError.stack ?? upError.message}`);
    }
  });

  afterAll(async () => {
    // Totals for the report while everything still runs.
    if (!upError && gateway) {
      try {
        const m = await stack.writerMetrics();
        samples.push({ label: 'samples written by the writer (prometheus_remote_storage_samples_total)', value: String(metricSum(m, 'prometheus_remote_storage_samples_total') ?? 'n/a') });
        const failed = metricSum(m, 'prometheus_remote_storage_samples_failed_total');
        const why = failed ? stack.writer!.tail(400).split('\n').find((l) => l.includes('non-recoverable error')) : undefined;
        samples.push({ label: 'samples the writer failed to send (prometheus_remote_storage_samples_failed_total)', value: `${failed ?? 'n/a'}${why ? ` — first error: ${/err="(.*?)( \(sampled.*)?"?$/.exec(why)?.[1] ?? why}` : ''}` });
        // Every raw sample of every series the writer sent (a range selector returns them all).
        const raw = await http(`${gateway}/prometheus/api/v1/query?query=${encodeURIComponent('{__name__=~".+",__name__!~"e2e:.+|ALERTS.*"}[1h]')}`, { headers: headers(), timeoutMs: 30_000 });
        const matrix = (JSON.parse(raw.body) as { data?: { result: { values: unknown[] }[] } }).data?.result ?? [];
        samples.push({ label: 'samples read back through the gateway (every series except recording-rule output, raw samples of the last hour)', value: raw.status === 200 ? `${matrix.reduce((n, s) => n + s.values.length, 0)} in ${matrix.length} series` : `${raw.status}: ${raw.body.slice(0, 200)}` });
        const probe = await query(`count_over_time(e2e_probe_value{run="${stack.runId}"}[1h])`);
        samples.push({ label: `probe samples read back / probe scrapes served (run ${stack.runId})`, value: `${probe[0]?.value[1] ?? 0} / ${stack.probeScrapes}` });
      } catch (e) {
        samples.push({ label: 'sample totals', value: `could not be read: ${(e as Error).message}` });
      }
    }
    const status = stack.plan ? await stack.status() : [];
    const failures: ReportInput['failures'] = [];
    for (const p of status) {
      for (const c of p.containers) {
        const proc = stack.procs.find((x) => x.spec.id === `${p.pod}/${c.name}`);
        if (!p.ready || c.restarts > 0) failures.push({ id: `${p.pod}/${c.name}`, reason: `${p.ready ? 'ready' : 'NOT ready'}, ${c.restarts} exit(s)${c.exits.length ? `: ${c.exits.join('; ')}` : ''}`, log: c.log, tail: proc?.tail(40) ?? '' });
      }
    }
    if (stack.writer && stack.writer.exits.length) failures.push({ id: 'e2e-writer/prometheus', reason: `${stack.writer.exits.length} exit(s)`, log: stack.writer.spec.log, tail: stack.writer.tail(40) });
    const failed = Boolean(upError) || steps.some((s) => !s.ok) || failures.length > 0;
    const keep = failed || process.env.E2E_KEEP === '1';
    const cleanup = await stack.down();
    const ip = new Map(stack.plan?.pods.map((p) => [p.name, p.ip]) ?? []);
    const report: ReportInput = {
      date: new Date().toISOString(),
      runFolder: stack.root,
      kept: keep,
      input: stack.renderSource,
      peers: stack.plan
        ? [...new Set(stack.plan.pods.flatMap((p) => p.containers.map((c) => `${c.image} → ${c.argv[0]}`)))]
        : [],
      timings: [
        { label: 'render (test environment build + kubectl kustomize)', value: `${(stack.timings.renderMs / 1000).toFixed(1)}s` },
        { label: 'network namespaces, bridge, files, DNS', value: `${(stack.timings.networkMs / 1000).toFixed(1)}s` },
        { label: 'first process start → all pods ready (readiness probes, sync waves in order)', value: stack.elapsed(stack.timings.allReadyAt) },
        { label: 'first process start → first successful query through the gateway', value: stack.elapsed(stack.timings.firstQueryAt) },
        { label: 'harness start (before rendering) → all pods ready', value: stack.timings.allReadyAt === undefined ? 'never' : `${((stack.timings.allReadyAt - stack.startedAt) / 1000).toFixed(1)}s` },
        { label: 'whole run (render to clean-up)', value: `${((performance.now() - stack.startedAt) / 1000).toFixed(1)}s` },
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
        ...(stack.plan?.notRun ?? []).map((n) => `${n.kind} ${n.workload} (${n.images.join(', ')}): no peer${stack.bucketJobs.some((j) => j.job === n.workload) ? '; emulated (see changes)' : /alloy/.test(n.images.join()) ? '; stood in for by the writer (see changes)' : ''}`),
        ...(stack.plan?.pods ?? []).flatMap((p) => p.skipped.map((s) => `container ${p.name}/${s.container} (${s.image}): no peer`)),
      ],
      endpoints: (stack.dns?.endpoints ?? []).map((e) => `${e.service}${e.headless ? ' (headless)' : ''} → ${e.pods.length ? e.pods.map((p) => `${p} ${ip.get(p)}`).join(', ') : 'no running pod: not in DNS'}`),
      changes: stack.changes,
      renderDiff: stack.renderDiff,
      notes: [
        ...stack.notes,
        'Service names resolve to every selected pod whether ready or not (DNS is written once; Kubernetes lists only ready endpoints unless publishNotReadyAddresses).',
        'No kube-proxy: a ClusterIP Service name resolves to its pods\' addresses (as a headless one does); Service ports equal the pods\' ports here (checked, see above otherwise).',
        'Not emulated: the images\' own environment variables, Kubernetes service-link variables, resource limits, liveness probes.',
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
  });

  it('runs every workload whose image has a peer, from the rendered objects', async () => {
    await step('start the rendered workloads (peers in netns pods, buckets, writer)', async () => {
      expect(stack.plan!.pods.length).toBeGreaterThan(0);
      expect(stack.bucketJobs.length).toBeGreaterThan(0);
      expect(stack.buckets.length).toBe(stack.bucketJobs.flatMap((j) => j.buckets).length);
      return `${stack.plan!.pods.length} pods; buckets ${stack.buckets.map((b) => b.bucket).join(', ')}`;
    });
  });

  it('cluster DNS answers each Service name with the addresses of the pods its selector picks', async () => {
    await step('cluster DNS (A, SRV, NXDOMAIN)', async () => {
      const ns = stack.plan!.namespace;
      const domain = stack.opts.clusterDomain;
      const ipOf = new Map(stack.plan!.pods.map((p) => [p.name, p.ip]));
      const r = stack.resolver();
      let names = 0;
      for (const e of stack.dns!.endpoints.filter((x) => x.pods.length)) {
        const want = e.pods.map((p) => ipOf.get(p)!).sort();
        for (const name of [`${e.service}.${ns}.svc.${domain}`, `${e.service}.${ns}.svc`]) {
          expect((await r.resolve4(name)).sort(), name).toEqual(want);
          names++;
        }
        const svc = services(stack.objects).find((x) => x.metadata?.name === e.service)!;
        for (const port of (e.headless ? svc.spec?.ports : []) ?? []) {
          const srv = await r.resolveSrv(`_${port.name}._${(port.protocol ?? 'TCP').toLowerCase()}.${e.service}.${ns}.svc.${domain}`);
          expect(srv.length, `SRV ${port.name} of ${e.service}`).toBe(e.pods.length);
        }
      }
      expect(await r.resolve4(`kube-dns.kube-system.svc.${domain}`)).toEqual([stack.dnsIp]);
      await expect(r.resolve4(`no-such-service.${ns}.svc.${domain}`)).rejects.toThrow(/ENOTFOUND/);
      return `${names} Service names; SRV for headless Services; kube-dns → ${stack.dnsIp}; unknown names NXDOMAIN`;
    });
  });

  it('every component reports ready (its rendered readiness probe: Mimir /ready, MinIO health, nginx /gateway-health)', async () => {
    await step('all components ready', async () => {
      const status = await stack.status();
      const notReady = status.filter((s) => !s.ready).map((s) => s.pod);
      const probes = [...new Set(stack.plan!.pods.flatMap((p) => p.containers.map((c) => `${c.peer}: ${c.ready?.kind === 'http' ? `GET :${c.ready.port}${c.ready.path}` : c.ready ? `tcp :${c.ready.port}` : 'no probe'}`)))];
      expect(notReady, `not ready: ${notReady.join(', ')} (logs in the report)`).toEqual([]);
      expect(stack.timings.allReadyAt).toBeDefined();
      return `${status.length} pods ready after ${stack.elapsed(stack.timings.allReadyAt)}; probes ${probes.join(', ')}`;
    });
  });

  it('samples written through the gateway are read back through the gateway', async () => {
    await step('remote write → gateway → query through gateway', async () => {
      const result = await poll('the probe series through /prometheus/api/v1/query', patience(60_000), async () => {
        const r = await query(`e2e_probe_value{run="${stack.runId}"}`);
        return r.length ? r : undefined;
      });
      stack.timings.firstQueryAt ??= performance.now();
      expect(result[0].value[1]).toBe('42');
      const sent = await poll('the writer reporting sent samples', patience(30_000), async () => {
        const n = metricSum(await stack.writerMetrics(), 'prometheus_remote_storage_samples_total');
        return n && n > 0 ? n : undefined;
      });
      const up = await query('count by (job) (up == 1)');
      return `e2e_probe_value{run="${stack.runId}"} = 42 after ${stack.elapsed(stack.timings.firstQueryAt)}; writer sent ${sent} samples so far; scrape jobs with data: ${up.map((x) => x.metric.job).sort().join(', ')}`;
    });
  });

  it("an alertmanager configuration uploaded through the gateway is stored and served by the tenant's alertmanager", async () => {
    await step('alertmanager config upload (/api/v1/alerts)', async () => {
      const body = `alertmanager_config: |\n  route:\n    receiver: e2e\n    group_wait: 0s\n    group_interval: 1s\n  receivers:\n    - name: e2e\n`;
      const post = await http(`${gateway}/api/v1/alerts`, { method: 'POST', headers: { ...headers(), 'Content-Type': 'application/yaml' }, body });
      expect(post.status, post.body).toBe(201);
      const get = await http(`${gateway}/api/v1/alerts`, { headers: headers() });
      expect(get.status, get.body).toBe(200);
      expect(get.body).toContain('receiver: e2e');
      // The tenant's alertmanager starts on its next configuration poll; an alert sent before that is
      // only resent after the ruler's resend delay.
      const t = performance.now();
      await poll("the tenant's alertmanager serving the uploaded configuration", patience(60_000), async () => {
        const r = await http(`${gateway}/alertmanager/api/v2/status`, { headers: headers() });
        return r.status === 200 && r.body.includes('e2e') ? r : undefined;
      });
      return `POST → ${post.status}; GET returns the configuration; the tenant's alertmanager serves it after ${((performance.now() - t) / 1000).toFixed(1)}s`;
    });
  });

  it('a rule group uploaded through the gateway is evaluated by the ruler (remote mode) and its recorded series is queryable', async () => {
    await step('rule group upload → ruler evaluation → recorded series', async () => {
      const group = `name: e2e-probe\nrules:\n  - record: e2e:probe_value:sum\n    expr: sum by (run) (e2e_probe_value)\n  - alert: ${alertName}\n    expr: e2e_probe_value > 0\n    labels:\n      severity: info\n`;
      const post = await http(`${gateway}/prometheus/config/v1/rules/${ruleNamespace}`, { method: 'POST', headers: { ...headers(), 'Content-Type': 'application/yaml' }, body: group });
      expect(post.status, post.body).toBe(202);
      const t = performance.now();
      const recorded = await poll('the recorded series e2e:probe_value:sum', patience(90_000), async () => {
        const r = await query(`e2e:probe_value:sum{run="${stack.runId}"}`);
        return r.length ? r : undefined;
      });
      expect(recorded[0].value[1]).toBe('42');
      const mode = mimirYaml().ruler?.query_frontend?.address;
      return `POST → ${post.status}; recorded series = 42 after ${((performance.now() - t) / 1000).toFixed(1)}s; ruler queries ${mode ?? '(internal mode)'}`;
    });
  });

  it("the rule's alert reaches the tenant's alertmanager", async () => {
    await step('alert in /alertmanager/api/v2/alerts', async () => {
      const t = performance.now();
      const alert = await poll(`alert ${alertName} in the tenant's alertmanager`, patience(90_000), async () => {
        const r = await http(`${gateway}/alertmanager/api/v2/alerts`, { headers: headers() });
        if (r.status !== 200) throw new Error(`${r.status}: ${r.body.slice(0, 200)}`);
        const alerts = JSON.parse(r.body) as { labels: Record<string, string>; status: { state: string } }[];
        return alerts.find((a) => a.labels.alertname === alertName && a.labels.run === stack.runId);
      });
      expect(alert.labels.severity).toBe('info');
      return `${alertName} (state ${alert.status.state}) after ${((performance.now() - t) / 1000).toFixed(1)}s`;
    });
  });

  it('a block the ingester ships is in the bucket and known to the compactor and the store-gateway', async () => {
    await step('ingester flush → bucket → compactor bucket index → store-gateway', async () => {
      const ingesters = podsWithTarget('ingester');
      expect(ingesters.length).toBeGreaterThan(0);
      for (const p of ingesters) {
        const r = await http(`http://${p.ip}:${p.ports['http-metrics']}/ingester/flush?wait=true`, { method: 'POST', timeoutMs: 60_000 });
        expect([200, 204], r.body).toContain(r.status);
      }
      const cfg = mimirYaml();
      const bucket = cfg.blocks_storage?.s3?.bucket_name;
      if (!bucket) throw new Error('mimir.yaml sets no blocks_storage.s3.bucket_name');
      const job = stack.bucketJobs[0];
      const url = new URL(job.endpoint);
      const s3 = { endpoint: `${url.protocol}//${await stack.resolve(url.hostname)}:${url.port || 80}`, accessKeyId: job.accessKeyId, secretAccessKey: job.secretAccessKey, region: 'us-east-1' };
      const blocks = await poll(`a block of tenant ${tenant} in bucket ${bucket}`, patience(60_000), async () => {
        const keys = await listObjects(s3, bucket, `${tenant}/`);
        const metas = keys.filter((k) => /^[^/]+\/[0-9A-HJKMNP-TV-Z]{26}\/meta\.json$/.test(k));
        return metas.length ? metas : undefined;
      });
      const compactor = await poll('the compactor counting the block (cortex_bucket_blocks_count)', patience(60_000), async () => {
        const n = (await metricsOf('compactor')).map((m) => metricSum(m, 'cortex_bucket_blocks_count', { user: tenant }) ?? 0).reduce((a, b) => a + b, 0);
        return n >= blocks.length ? n : undefined;
      });
      const index = await listObjects(s3, bucket, `${tenant}/bucket-index.json.gz`);
      expect(index).toContain(`${tenant}/bucket-index.json.gz`);
      const storeGateway = await poll('the store-gateway loading the block (cortex_bucket_store_blocks_loaded)', patience(60_000), async () => {
        const n = (await metricsOf('store-gateway')).map((m) => metricSum(m, 'cortex_bucket_store_blocks_loaded') ?? 0).reduce((a, b) => a + b, 0);
        return n >= 1 ? n : undefined;
      });
      return `${blocks.length} block(s) in ${bucket} (${blocks.map((k) => k.split('/')[1]).join(', ')}); compactor cortex_bucket_blocks_count=${compactor}, bucket index present; store-gateway cortex_bucket_store_blocks_loaded=${storeGateway}`;
    });
  });
});
