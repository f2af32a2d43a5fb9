import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { e2eIngestMimirConfig } from './environment-ingest/main.js';
import { knobDifferences } from './harness/diff.js';
import { alloyTenant, expectedExporterLabels } from './harness/alloy.js';
import { http, metricSum, poll, rawHttp } from './harness/http.js';
import { kafkaEndOffsets, type PartitionEnd } from './harness/kafka.js';
import { getObject, listObjects } from './harness/s3.js';
import { readBackShards, remoteWriteBody, remoteWriteHeaders } from './harness/push.js';
import { e2eRequired, kafkaUnavailable, repoRoot, skipReason, scenarioStack } from './harness/stack.js';
import { failWhenRequired } from './harness/required.js';
import { expectScrapedInFacts } from './harness/metrics.js';
import { ingestStorageAlerts } from '../../lib/mimir/self-monitoring-rules/index.js';

/**
 * The ingest-storage architecture on environments/ingest, run from its rendered objects like the other
 * scenarios: the bundled single-node Kafka (KRaft) is the real Apache Kafka broker of the pinned version
 * (Maven Central's jars, test/peers/kafka/build.sh), its storage formatted by the rendered init container;
 * distributors write to it, the ingester consumes its partition from it, the ruler evaluates remotely and
 * writes its results to it. What Kafka holds is read from the broker itself (ListOffsets), what Mimir did
 * with it from Mimir's own metrics.
 */
const skip = skipReason() ?? kafkaUnavailable();
if (skip) console.warn(`[e2e-ingest] ${e2eRequired ? 'FAILING' : 'skipping'} the ingest-storage scenario: ${skip}`);

/** `expr` without parentheses that enclose all of it: `(a > 0)` is `a > 0`, `(a) / (b)` stays. */
function withoutOuterParentheses(expr: string): string {
  const e = expr.trim();
  if (!e.startsWith('(')) return e;
  let depth = 0;
  for (let i = 0; i < e.length; i++) {
    depth += e[i] === '(' ? 1 : e[i] === ')' ? -1 : 0;
    if (depth === 0) return i === e.length - 1 ? withoutOuterParentheses(e.slice(1, -1)) : e;
  }
  return e;
}

const log = (line: string): void => console.log(`[e2e-ingest +${(performance.now() / 1000).toFixed(1)}s] ${line}`);

const budget = {
  up: 360_000,
  wave: 150_000,
  restart: 120_000,
  readBack: 60_000,
  lag: 60_000,
  ruler: 90_000,
  // A job waits for its time slice (job_size 30s) and for the partition's earlier jobs, one at a time.
  block: 300_000,
  storeGateway: 90_000,
  // The exporter refreshes its topic list every minute, and Alloy scrapes every 15 s.
  kafkaMetrics: 150_000,
  // Two scrapes of each ingester series in the meta tenant, for the alerts' rates.
  alertSignals: 90_000,
} as const;
const margin = 30_000;

failWhenRequired('the ingest-storage scenario', skip);

interface Push {
  phase: 'first' | 'before' | 'during' | 'after';
  ts: number;
  /** Whether the ingester's process was down (killed, not yet restarted) when the write was sent. */
  ingesterDown: boolean;
  status: number;
  body: string;
}

interface MimirYaml {
  ingest_storage: { kafka: { address: string; topic: string; auto_create_topic_default_partitions?: number } };
  blocks_storage?: { s3?: { bucket_name?: string } };
  ruler?: { query_frontend?: { address?: string } };
}

describe.skipIf(Boolean(skip))(`ingest storage on environments/ingest${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const stack = scenarioStack({
    environment: 'test/e2e/environment-ingest',
    compareWith: join(repoRoot, 'out/ingest'),
    budget,
    log,
  });
  let upError: Error | undefined;
  let gateway = '';
  const tenant = `e2e-ingest-${stack.runId}`;
  const shards = 8;
  const seriesOf = (shard: number) => ({ __name__: 'e2e_ingest_probe', run: stack.runId, shard: String(shard) });
  const pushes: Push[] = [];
  let killedAt = 0;
  /** The ingester's partition offsets around its outage, for the lag assertion. */
  const outage = { committedBeforeKill: -1, endWhileDown: -1 };

  const up = () => {
    if (upError) throw new Error(`the stack did not come up: ${upError.message}`);
  };
  const mimirYaml = (): MimirYaml => {
    const cm = [...stack.plan!.sources.configMaps.values()].find((d) => d['mimir.yaml'])!;
    return parseYaml(cm['mimir.yaml']) as MimirYaml;
  };
  const mimirPods = (target: string) =>
    stack.plan!.pods.filter((p) => p.containers.some((c) => c.argv.includes(`-target=${target}`)));
  const ingester = () => {
    const [p] = mimirPods('ingester');
    if (!p) throw new Error('no ingester pod in the plan');
    return p;
  };
  const kafkaPod = () => {
    const p = stack.plan!.pods.find((x) => x.containers.some((c) => c.peer === 'kafka'));
    if (!p) throw new Error('no pod runs the apache/kafka image');
    return p;
  };
  const metricsOf = async (target: string): Promise<string> =>
    (
      await Promise.all(
        mimirPods(target).map(async (p) => (await http(`http://${p.ip}:${p.ports['http-metrics']}/metrics`)).body),
      )
    ).join('\n');
  const sumOf = async (target: string, name: string, labels: Record<string, string> = {}): Promise<number> =>
    metricSum(await metricsOf(target), name, labels) ?? 0;
  const topic = () => mimirYaml().ingest_storage.kafka.topic;
  const partitions = () =>
    Array.from({ length: mimirYaml().ingest_storage.kafka.auto_create_topic_default_partitions ?? 1 }, (_, i) => i);
  /** What the broker holds: the end offset of each partition of the rendered topic. */
  const kafkaEnds = async (): Promise<PartitionEnd[]> => {
    const k = kafkaPod();
    return (await kafkaEndOffsets(k.ip, k.ports.kafka, topic(), partitions())).sort(
      (a, b) => a.partition - b.partition,
    );
  };
  const totalEnd = (ends: PartitionEnd[]) => ends.reduce((n, e) => n + Math.max(0, e.endOffset), 0);

  const headers = () => ({ 'X-Scope-OrgID': tenant });
  const query = async (
    promql: string,
    asTenant = tenant,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const r = await http(`${gateway}/prometheus/api/v1/query?query=${encodeURIComponent(promql)}`, {
      headers: { 'X-Scope-OrgID': asTenant },
      timeoutMs: 15_000,
    });
    if (r.status !== 200) throw new Error(`query ${promql} → ${r.status}: ${r.body.slice(0, 300)}`);
    return (JSON.parse(r.body) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } })
      .data.result;
  };

  let value = 0;
  async function pushOne(phase: Push['phase']): Promise<void> {
    const ts = Date.now();
    const ingesterDown =
      killedAt > 0 && !stack.procs.some((p) => p.spec.id.startsWith(`${ingester().name}/`) && p.running);
    value++;
    try {
      const r = await rawHttp(`${gateway}/api/v1/push`, {
        method: 'POST',
        headers: { ...remoteWriteHeaders, ...headers() },
        body: remoteWriteBody(
          Array.from({ length: shards }, (_, i) => ({ labels: seriesOf(i), samples: [{ value, timestampMs: ts }] })),
        ),
        timeoutMs: 10_000,
      });
      pushes.push({ phase, ts, ingesterDown, status: r.status, body: r.body.slice(0, 200) });
    } catch (e) {
      pushes.push({ phase, ts, ingesterDown, status: 0, body: (e as Error).message });
    }
  }
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  async function writeFor(phase: Push['phase'], count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await pushOne(phase);
      await pause(200);
    }
  }
  /** Every sample of every push so far, read back raw through the gateway (query-frontend, querier, ingester). */
  async function readBackAll(): Promise<Map<string, number[]>> {
    return poll('every written sample read back through the gateway', budget.readBack, () =>
      readBackShards({ gateway, metric: 'e2e_ingest_probe', runId: stack.runId, headers: headers(), shards, pushes }),
    );
  }

  beforeAll(async () => {
    try {
      await stack.up();
      gateway = await stack.gatewayUrl();
      // A ready ingester's partition is PENDING until it has had an owner for
      // -ingester.partition-ring.min-partition-owners-duration (10s); distributors refuse writes until one
      // partition is ACTIVE ("InstancesCount <= 0"), in a cluster as here. Writes start once it is.
      const t = performance.now();
      const active = await poll("an ACTIVE partition in the distributor's partition ring", 60_000, async () => {
        const m = await metricsOf('distributor');
        const n = [...m.matchAll(/^\w*partition_ring_partitions\{[^}]*state="Active"[^}]*\} (\S+)$/gm)].reduce(
          (x, r) => x + Number(r[1]),
          0,
        );
        return n > 0 ? n : undefined;
      });
      log(
        `${active} ACTIVE partition(s) in the distributor's partition ring after ${((performance.now() - t) / 1000).toFixed(1)}s`,
      );
    } catch (e) {
      upError = e as Error;
      log(`stack did not come up: ${upError.stack ?? upError.message}`);
    }
  }, budget.up + margin);

  afterAll(() => stack.finish(Boolean(upError)), 120_000);

  it('differs from out/ingest only by the timing knobs of test/e2e/environment', () => {
    up();
    const { unexpected, missing } = knobDifferences(stack.renderDiff, e2eIngestMimirConfig);
    expect(unexpected, 'differences from out/ingest that are not timing knobs').toEqual([]);
    expect(missing, 'timing knobs that did not reach the rendered mimir.yaml').toEqual([]);
  });

  it('runs the bundled Kafka as rendered: storage formatted by the init container, the topic created with its partitions', async () => {
    up();
    const k = kafkaPod();
    expect(k.initContainers.map((c) => c.name)).toEqual(['format-storage']);
    const [status] = (await stack.status()).filter((s) => s.pod === k.name);
    expect(status.ready, `${k.name} ready`).toBe(true);
    // The init container ran to completion once; its storage carries the rendered cluster ID.
    const init = stack.procs.find((p) => p.spec.id === `${k.name}/format-storage`)!;
    expect(init.exits.map((e) => e.code)).toEqual([0]);
    const clusterId = k.initContainers[0].argv[k.initContainers[0].argv.indexOf('--cluster-id') + 1];
    const dataDir = k.writableDirs.find((d) => d.includes(`pvc/data-${k.name}`))!;
    expect(readFileSync(join(dataDir, 'meta.properties'), 'utf8')).toContain(`cluster.id=${clusterId}`);
    expect(readFileSync(init.spec.log, 'utf8')).toMatch(/Formatting metadata directory/);
    // Mimir's address is the rendered Service; the topic exists on the broker with every partition Mimir asks for.
    expect(mimirYaml().ingest_storage.kafka.address).toBe(
      `kafka.${stack.plan!.namespace}.svc.cluster.local:${k.ports.kafka}`,
    );
    const ends = await poll(
      `topic ${topic()} with partitions ${partitions().join(', ')} on the broker`,
      60_000,
      async () => {
        const e = await kafkaEnds();
        return e.length === partitions().length && e.every((p) => p.errorCode === 0) ? e : undefined;
      },
    );
    log(`broker: topic ${topic()} end offsets ${ends.map((e) => `${e.partition}:${e.endOffset}`).join(', ')}`);
  });

  it('samples written through the gateway go through Kafka and are read back through the gateway', async () => {
    up();
    const endsBefore = await kafkaEnds();
    const producedBefore = await sumOf('distributor', 'cortex_ingest_storage_writer_produce_records_total');
    const fetchedBefore = await sumOf('ingester', 'cortex_ingest_storage_reader_fetch_records_total');
    await writeFor('first', 5);
    expect(pushes.map((p) => p.status)).toEqual([200, 200, 200, 200, 200]);
    // Read right away: strong read consistency makes the query wait until the ingester has consumed them.
    const read = await readBackAll();
    for (let i = 0; i < shards; i++) expect(read.get(String(i)), `shard ${i}`).toEqual(pushes.map((p) => p.ts));
    const endsAfter = await kafkaEnds();
    const produced =
      (await sumOf('distributor', 'cortex_ingest_storage_writer_produce_records_total')) - producedBefore;
    const fetched = (await sumOf('ingester', 'cortex_ingest_storage_reader_fetch_records_total')) - fetchedBefore;
    expect(
      totalEnd(endsAfter) - totalEnd(endsBefore),
      'records added to the topic on the broker',
    ).toBeGreaterThanOrEqual(5);
    expect(produced, "records the distributor's Kafka client produced").toBeGreaterThanOrEqual(5);
    expect(fetched, "records the ingester's Kafka client fetched").toBeGreaterThanOrEqual(5);
    // The gRPC push path is off: the ingester received nothing from the distributor directly.
    expect(
      await sumOf('ingester', 'cortex_request_duration_seconds_count', { route: '/cortex.Ingester/Push' }),
      'pushes to the ingester over gRPC',
    ).toBe(0);
    log(
      `5 writes × ${shards} series read back; broker end offsets ${endsBefore.map((e) => e.endOffset).join('/')} → ${endsAfter.map((e) => e.endOffset).join('/')}; distributor produced +${produced}, ingester fetched +${fetched}`,
    );
  });

  it(
    'an ingester SIGKILLed while writes go on restarts, catches up from Kafka and loses nothing',
    async () => {
      up();
      const ing = ingester();
      await writeFor('before', 8);
      // The partition the ingester owns, as its reader reports it, and what it has committed to Kafka so far.
      // Alloy and the continuous test keep writing through Kafka: wait for commits past this test's writes.
      const endOfWrites = totalEnd(await kafkaEnds());
      const consumedBefore = await poll('the ingester committed what it consumed', 30_000, async () => {
        const m = await metricsOf('ingester');
        const committed = metricSum(m, 'cortex_ingest_storage_reader_last_committed_offset') ?? -1;
        return committed >= endOfWrites - 1 ? committed : undefined;
      });
      outage.committedBeforeKill = consumedBefore;
      const volume = ing.writableDirs.find((d) => d.includes(`pvc/data-${ing.name}`));
      const proc = stack.procs.find((p) => p.spec.id.startsWith(`${ing.name}/`))!;
      const exited = proc.nextExit();
      const pids = stack.signalPod(ing.name, 'SIGKILL');
      killedAt = Date.now();
      // The harness restarts it a second after the exit, like a kubelet: the first write goes out inside that
      // second however slow the machine, the rest land while it replays its partition before it is ready.
      await exited;
      log(`SIGKILL ${ing.name} (pid ${pids.join(', ')}); it had committed offset ${consumedBefore}`);
      if (process.env.E2E_BREAK === 'ingest-volume-lost' && volume) {
        for (const f of readdirSync(volume)) rmSync(join(volume, f), { recursive: true, force: true });
        log(`E2E_BREAK=ingest-volume-lost: emptied ${volume} before the restart`);
      }
      // Writes go to Kafka only: they succeed with the ingester down. Write until it is back and ready.
      const deadline = Date.now() + budget.restart;
      let during = 0;
      for (;;) {
        await pushOne('during');
        during++;
        // What the partition holds while the ingester does not run: it has to catch up at least to there.
        if (!proc.running) outage.endWhileDown = totalEnd(await kafkaEnds());
        await pause(100);
        if (during >= 10 && proc.startedAtMs > killedAt && (await stack.podReady(ing))) break;
        if (Date.now() > deadline) throw new Error(`${ing.name} was not ready again within ${budget.restart / 1000}s`);
      }
      log(`${ing.name} ready again after ${((Date.now() - killedAt) / 1000).toFixed(1)}s; ${during} writes meanwhile`);
      await writeFor('after', 8);

      expect(
        pushes.filter((p) => p.ingesterDown).length,
        'writes sent while the ingester was down',
      ).toBeGreaterThanOrEqual(1);
      const failed = pushes.filter((p) => p.status < 200 || p.status > 299);
      expect(
        failed.map((p) => `${p.phase} ${new Date(p.ts).toISOString()}: ${p.status} ${p.body}`),
        'writes that failed',
      ).toEqual([]);
      const read = await readBackAll();
      const written = pushes.map((p) => p.ts).sort((a, b) => a - b);
      for (let i = 0; i < shards; i++) expect(read.get(String(i)), `shard ${i}`).toEqual(written);

      // The restarted process replayed its partition from Kafka: its reader fetched records, and its log shows
      // it consuming the partition up to the end before it turned ready.
      expect(
        await sumOf('ingester', 'cortex_ingest_storage_reader_fetch_records_total'),
        'records the restarted ingester fetched from Kafka',
      ).toBeGreaterThan(0);
      const logFile = stack.procs.find((p) => p.spec.id.startsWith(`${ing.name}/`))!.spec.log;
      const afterKill = readFileSync(logFile, 'utf8').split('--- e2e harness:').slice(1).join('\n');
      expect(afterKill).toMatch(
        /partition reader is starting to consume partition until target and max consumer lag is honored/,
      );
      const phases = Object.fromEntries(
        (['first', 'before', 'during', 'after'] as const).map((ph) => [
          ph,
          pushes.filter((p) => p.phase === ph).length,
        ]),
      );
      log(
        `read back ${shards} series × ${written.length} samples: ${JSON.stringify(phases)}, ${pushes.filter((p) => p.ingesterDown).length} sent while ${ing.name} was down`,
      );
    },
    budget.restart + budget.readBack + margin * 2,
  );

  it(
    "the ingester's consumer lag, non-zero at its restart, returns to zero (its own offsets against the broker's)",
    async () => {
      up();
      const partition = (ends: PartitionEnd[], p: number) => ends.find((e) => e.partition === p)!;
      // Alloy keeps writing the stack's own metrics through Kafka, so the end moves on while this waits: the
      // reader must be at the end as it is, and its commits (every 5 s) past everything produced before the wait.
      const endsAtStart = await kafkaEnds();
      const seen = await poll(
        'consumed and committed offsets at the end of every partition the ingester reads',
        budget.lag,
        async () => {
          // The broker's ends first: a reader at the end has consumed at least up to them when asked after.
          const ends = await kafkaEnds();
          const m = await metricsOf('ingester');
          const lags: string[] = [];
          let zero = true;
          for (const line of m.matchAll(
            /^cortex_ingest_storage_reader_last_consumed_offset\{[^}]*partition="(\d+)"[^}]*\} (\S+)$/gm,
          )) {
            const p = Number(line[1]);
            const consumed = Number(line[2]);
            const committed =
              metricSum(m, 'cortex_ingest_storage_reader_last_committed_offset', { partition: String(p) }) ?? -1;
            const end = partition(ends, p).endOffset;
            const endAtStart = partition(endsAtStart, p).endOffset;
            lags.push(
              `partition ${p}: end ${end} (${endAtStart} when the wait began), consumed ${consumed}, committed ${committed}`,
            );
            if (consumed < end - 1 || committed < endAtStart - 1) zero = false;
          }
          if (!lags.length) throw new Error('the ingester reports no partition reader offsets');
          if (!zero) throw new Error(lags.join('; '));
          return lags.join('; ');
        },
      );
      // It returned to zero from a real lag: while the ingester was down, the partition held records past the
      // offset it had committed before the kill.
      expect(outage.committedBeforeKill, 'the kill happened').toBeGreaterThanOrEqual(0);
      const lagAtRestart = outage.endWhileDown - 1 - outage.committedBeforeKill;
      expect(lagAtRestart, 'records behind while it was down').toBeGreaterThan(0);
      log(`lag at restart ${lagAtRestart} records; now ${seen}`);
    },
    budget.lag + margin,
  );

  it(
    'a recording rule evaluated by the ruler (remote mode) is written to Kafka and becomes queryable',
    async () => {
      up();
      expect(mimirYaml().ruler?.query_frontend?.address, 'the ruler queries through the query-frontend').toMatch(
        /query-frontend/,
      );
      const producedBefore = await sumOf('ruler', 'cortex_ingest_storage_writer_produce_records_total');
      const endBefore = totalEnd(await kafkaEnds());
      const group = `name: e2e-ingest\ninterval: 5s\nrules:\n  - record: e2e:ingest_probe:count\n    expr: count by (run) (e2e_ingest_probe)\n`;
      const post = await http(`${gateway}/prometheus/config/v1/rules/e2e-ingest`, {
        method: 'POST',
        headers: { ...headers(), 'Content-Type': 'application/yaml' },
        body: group,
      });
      expect(post.status, post.body).toBe(202);
      const t = performance.now();
      const recorded = await poll('the recorded series e2e:ingest_probe:count', budget.ruler, async () => {
        const r = await query(`e2e:ingest_probe:count{run="${stack.runId}"}`);
        return r.length ? r : undefined;
      });
      expect(recorded[0].value[1]).toBe(String(shards));
      // The ruler's own Kafka client produced the rule's results (nothing else writes from the ruler), and the
      // broker's topic grew meanwhile.
      const produced = (await sumOf('ruler', 'cortex_ingest_storage_writer_produce_records_total')) - producedBefore;
      const endAfter = totalEnd(await kafkaEnds());
      expect(produced, "records the ruler's Kafka client produced").toBeGreaterThan(0);
      expect(endAfter, 'the topic on the broker grew').toBeGreaterThan(endBefore);
      log(
        `recorded series = ${recorded[0].value[1]} after ${((performance.now() - t) / 1000).toFixed(1)}s; ruler produced +${produced} records; broker end offsets ${endBefore} → ${endAfter}`,
      );
    },
    budget.ruler + margin,
  );

  // Before the block-builder's step: its flush forces a head compaction, during which the TSDB refuses the
  // reader's appends by design (MimirKubeIngesterKafkaRecordsFailing excuses it, but a compaction of this small
  // head ends between two scrapes).
  it(
    "the ingest-storage alerts read the ingester's own series in the meta tenant: each signal has a value for the ingester's pod, and none fires",
    async () => {
      up();
      const meta = alloyTenant(stack.alloy!);
      const file = [...stack.plan!.sources.configMaps.values()].find((d) => d['rules.yaml'])!['rules.yaml'];
      const rules = (parseYaml(file) as { groups: { rules: { alert?: string; expr: string }[] }[] }).groups
        .flatMap((g) => g.rules)
        .filter((r) => r.alert !== undefined && ingestStorageAlerts.includes(r.alert));
      expect(rules.map((r) => r.alert)).toEqual([...ingestStorageAlerts]);
      const pod = ingester().name;
      const seen: string[] = [];
      for (const rule of rules) {
        // Each alert is `<signal> > <threshold>`, perhaps `unless <exception> > <threshold>`: every signal
        // must exist for the pod (a selector that matches no series would never fire, or never excuse), and
        // stay at or under its threshold on a healthy stack.
        for (const part of rule.expr.split(/\s+unless\s+/)) {
          const m = /^([\s\S]+?)\s*>\s*([\d.]+)$/.exec(withoutOuterParentheses(part));
          expect(m, `${rule.alert}: <signal> > <threshold> in ${part}`).not.toBeNull();
          const [, signal, threshold] = m!;
          const series = await poll(
            `${rule.alert}'s signal ${signal} for ${pod} in the meta tenant`,
            budget.alertSignals,
            async () => {
              const r = await query(signal, meta);
              return r.some((x) => x.metric.pod === pod) ? r : undefined;
            },
            2000,
          );
          for (const x of series) {
            const v = Number(x.value[1]);
            expect(
              Number.isNaN(v) || v <= Number(threshold),
              `${rule.alert} on ${x.metric.pod}: ${signal} = ${x.value[1]}`,
            ).toBe(true);
          }
          seen.push(`${rule.alert} ${series.map((x) => x.value[1]).join(',')}`);
        }
        expect(await query(rule.expr, meta), `${rule.alert} fires`).toEqual([]);
      }
      log(`ingest-storage alert signals for ${pod}: ${seen.join('; ')}`);
    },
    budget.alertSignals * ingestStorageAlerts.length + margin,
  );

  it(
    'the block-builder builds a block from Kafka and uploads it, the ingester uploads none, and the store-gateway serves it',
    async () => {
      up();
      // A tenant of its own with one sample 14h old: older than query_ingesters_within (13h) and
      // query_store_after (12h), so only a block in the bucket can answer the query below.
      const blockTenant = `e2e-ingest-blocks-${stack.runId}`;
      const oldAt = Math.floor((Date.now() - 14 * 3600_000) / 1000) * 1000;
      const r = await rawHttp(`${gateway}/api/v1/push`, {
        method: 'POST',
        headers: { ...remoteWriteHeaders, 'X-Scope-OrgID': blockTenant },
        body: remoteWriteBody([
          { labels: { __name__: 'e2e_block_probe', run: stack.runId }, samples: [{ value: 7, timestampMs: oldAt }] },
        ]),
        timeoutMs: 10_000,
      });
      expect(r.status, r.body).toBe(200);
      const wroteAt = performance.now();

      const { bucket, s3 } = await stack.blocksBucket(mimirYaml());
      const metaKeys = (keys: string[]) => keys.filter((k) => /^[^/]+\/[0-9A-HJKMNP-TV-Z]{26}\/meta\.json$/.test(k));
      const metas = await poll(`a block of tenant ${blockTenant} in bucket ${bucket}`, budget.block, async () => {
        const keys = metaKeys(await listObjects(s3, bucket, `${blockTenant}/`));
        return keys.length ? keys : undefined;
      });
      const builtAfter = (performance.now() - wroteAt) / 1000;
      // The block's meta.json says who wrote it: the block-builder sets thanos.source to "block-builder",
      // an ingester's shipper "receive".
      const sources = async (keys: string[]) =>
        Promise.all(
          keys.map(
            async (k) =>
              (JSON.parse(await getObject(s3, bucket, k)) as { thanos?: { source?: string } }).thanos?.source ?? '',
          ),
        );
      expect(await sources(metas), `sources of ${metas.join(', ')}`).toEqual(metas.map(() => 'block-builder'));
      const [meta] = metas;
      const block = JSON.parse(await getObject(s3, bucket, meta)) as { minTime: number; maxTime: number };
      expect(block.minTime, 'the block holds the sample written').toBeLessThanOrEqual(oldAt);
      expect(block.maxTime).toBeGreaterThan(oldAt);

      // Every block in the bucket, of every tenant, comes from the block-builder: the ingester ships none
      // (it runs with -blocks-storage.tsdb.ship-interval=0), not even when told to flush (which compacts its
      // head into blocks and ships them when shipping is on), and its shipper never uploaded.
      const ing = ingester();
      const flush = await http(`http://${ing.ip}:${ing.ports['http-metrics']}/ingester/flush?wait=true`, {
        method: 'POST',
        timeoutMs: 60_000,
      });
      expect([200, 204], flush.body).toContain(flush.status);
      const allSources = await sources(metaKeys(await listObjects(s3, bucket)));
      expect(new Set(allSources), 'sources of every block in the bucket').toEqual(new Set(['block-builder']));
      expect(ing.containers[0].argv).toContain('-blocks-storage.tsdb.ship-interval=0');
      expect(await sumOf('ingester', 'cortex_ingester_shipper_uploads_total'), 'ingester shipper uploads').toBe(0);
      // The builder got its jobs from the scheduler and finished them.
      expect(
        await sumOf('block-builder', 'cortex_blockbuilder_consume_job_duration_seconds_count', { success: 'true' }),
        'jobs the block-builder finished',
      ).toBeGreaterThan(0);

      // The store-gateway loads the block (through the compactor's bucket index) and answers the query.
      await poll('the store-gateway loading the block', budget.storeGateway, async () =>
        (await sumOf('store-gateway', 'cortex_bucket_store_blocks_loaded')) > 0 ? true : undefined,
      );
      const calls = (): Promise<number> =>
        sumOf('store-gateway', 'cortex_request_duration_seconds_count', { route: '/gatewaypb.StoreGateway/Series' });
      const calls0 = await calls();
      const old = await poll(
        `e2e_block_probe at ${new Date(oldAt).toISOString()} as ${blockTenant}`,
        budget.storeGateway,
        async () => {
          const q = await http(
            `${gateway}/prometheus/api/v1/query?query=${encodeURIComponent(`e2e_block_probe{run="${stack.runId}"}`)}&time=${oldAt / 1000}`,
            { headers: { 'X-Scope-OrgID': blockTenant }, timeoutMs: 15_000 },
          );
          if (q.status !== 200) throw new Error(`query → ${q.status}: ${q.body.slice(0, 300)}`);
          const result = (JSON.parse(q.body) as { data: { result: { value: [number, string] }[] } }).data.result;
          return result.length ? result : undefined;
        },
        2000,
      );
      expect(old[0].value[1]).toBe('7');
      expect(await calls(), 'store-gateway Series requests while querying the block').toBeGreaterThan(calls0);
      log(
        `block ${meta} (source block-builder) ${builtAfter.toFixed(1)}s after the write; ${allSources.length} block(s) in the bucket, all from the block-builder; e2e_block_probe at -14h = 7 through the store-gateway`,
      );
    },
    budget.block + budget.storeGateway * 2 + margin,
  );

  it(
    "the meta tenant holds Kafka's metrics from Alloy's exporter as job <namespace>/kafka: the topic's offsets, the ingester's consumer group",
    async () => {
      up();
      const intent = stack.alloy!;
      const meta = alloyTenant(intent);
      const kafkaScrapes = intent.exporterScrapes.filter((x) => x.exporter.startsWith('prometheus.exporter.kafka.'));
      expect(
        kafkaScrapes.map((x) => x.exporter),
        'Kafka exporters in the rendered Alloy configuration',
      ).toHaveLength(1);
      const [scrape] = kafkaScrapes;
      // The exporter reads the Kafka Mimir writes through; its series carry the stack's labels.
      expect(scrape.args.kafka_uris).toEqual([mimirYaml().ingest_storage.kafka.address]);
      const labels = expectedExporterLabels(intent, scrape);
      const ns = stack.plan!.namespace;
      expect(labels).toMatchObject({ job: `${ns}/kafka`, namespace: ns, cluster: intent.externalLabels.cluster });
      // Mimir names each ingester's consumer group after the ingester (its instance ID, the pod's name); it
      // commits the offsets of the partition of its ordinal.
      const group = ingester().name;
      const partition = String(Number(/-(\d+)$/.exec(group)![1]));
      const sel = `job="${labels.job}",topic="${topic()}"`;
      const t = performance.now();
      const [committed, lag, offsets] = await poll(
        `kafka_* series of ${group}'s consumer group and of topic ${topic()} in the meta tenant`,
        budget.kafkaMetrics,
        async () => {
          const found = await Promise.all([
            query(`kafka_consumergroup_current_offset{${sel},consumergroup="${group}",partition="${partition}"}`, meta),
            query(
              `kafka_consumergroup_uncommitted_offsets{${sel},consumergroup="${group}",partition="${partition}"}`,
              meta,
            ),
            query(`kafka_topic_partition_current_offset{${sel}}`, meta),
          ]);
          return found.every((r) => r.length > 0) && found[2].length === partitions().length ? found : undefined;
        },
        2000,
      );
      const ends = await kafkaEnds();
      for (const [name, series, extra] of [
        ['kafka_consumergroup_current_offset', committed, { consumergroup: group, partition }],
        ['kafka_consumergroup_uncommitted_offsets', lag, { consumergroup: group, partition }],
      ] as const) {
        expect(series.map((x) => x.metric)).toEqual([{ __name__: name, ...labels, topic: topic(), ...extra }]);
      }
      // What the exporter saw is what the broker holds: a committed offset past the writes, at most the end.
      const end = ends.find((e) => String(e.partition) === partition)!.endOffset;
      const committedOffset = Number(committed[0].value[1]);
      expect(committedOffset, `${group}'s committed offset of partition ${partition}`).toBeGreaterThan(0);
      expect(committedOffset).toBeLessThanOrEqual(end);
      expect(Number(lag[0].value[1]), `${group}'s uncommitted offsets`).toBeGreaterThanOrEqual(0);
      expect(offsets.map((x) => x.metric.partition).sort()).toEqual(partitions().map(String));
      for (const x of offsets) {
        expect(x.metric).toEqual({
          __name__: 'kafka_topic_partition_current_offset',
          ...labels,
          topic: topic(),
          partition: x.metric.partition,
        });
        const brokerEnd = ends.find((e) => String(e.partition) === x.metric.partition)!.endOffset;
        expect(Number(x.value[1]), `partition ${x.metric.partition}'s end offset`).toBeLessThanOrEqual(brokerEnd);
      }
      // The stack's own series stay in the meta tenant.
      expect(await query(`{__name__=~"kafka_.+",job="${labels.job}"}`, tenant)).toEqual([]);
      log(
        `meta tenant after ${((performance.now() - t) / 1000).toFixed(1)}s: ${group} committed ${committedOffset} of partition ${partition} (broker end ${end}), ${lag[0].value[1]} uncommitted; topic end offsets ${offsets.map((x) => `${x.metric.partition}:${x.value[1]}`).join(', ')}`,
      );
    },
    budget.kafkaMetrics + margin,
  );

  it('no container but the killed ingester exited or restarted', async () => {
    up();
    const others = (await stack.status()).filter((s) => s.pod !== ingester().name);
    const exited = others.flatMap((s) =>
      s.containers.filter((c) => c.restarts > 0).map((c) => `${s.pod}/${c.name}: ${c.exits.join('; ')}\n${c.log}`),
    );
    expect(exited).toEqual([]);
  });

  it('every scraped workload serves metrics the fact file knows (written out with E2E_METRICS_DIR)', async () => {
    up();
    expect(await expectScrapedInFacts(stack, 'ingest', log)).toContain('kafka');
  }, 60_000);
});
