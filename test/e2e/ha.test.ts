import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { e2eMimirConfig } from './environment/main.js';
import { knobDifferences } from './harness/diff.js';
import { http, metricSum, poll, rawHttp } from './harness/http.js';
import { readBackShards, remoteWriteBody, remoteWriteHeaders } from './harness/push.js';
import { e2eRequired, repoRoot, skipReason, scenarioStack } from './harness/stack.js';
import { failWhenRequired } from './harness/required.js';

/**
 * Zone failover on environments/local-ha, run from its rendered objects like the main scenario: three
 * zones of ingesters (replication factor 3) and store-gateways. One zone's ingester is killed with
 * SIGKILL while a writer goes on; no write may fail after the kill, every sample written before, during
 * and after must be read back, and the killed ingester must come back from its volume (its WAL replayed)
 * and answer queries for its series again. The rollout-operator is not run here: it needs an API server
 * (the cluster test applies it), and no rollout happens in this scenario.
 */
const skip = skipReason();
if (skip) console.warn(`[e2e-ha] ${e2eRequired ? 'FAILING' : 'skipping'} the zone failover scenario: ${skip}`);

const log = (line: string): void => console.log(`[e2e-ha +${(performance.now() / 1000).toFixed(1)}s] ${line}`);

const killed = 'ingester-zone-a-0';
const budget = { up: 420_000, wave: 150_000, restart: 150_000, readBack: 60_000 } as const;
const margin = 30_000;

failWhenRequired('the zone failover scenario', skip);

interface Push {
  phase: 'before' | 'during' | 'after';
  ts: number;
  /** Whether the killed ingester's process was down (killed, not yet restarted) when the write was sent. */
  ingesterDown: boolean;
  status: number;
  body: string;
}

describe.skipIf(Boolean(skip))(`zone failover on local-ha${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const stack = scenarioStack({
    environment: 'test/e2e/environment-ha',
    compareWith: join(repoRoot, 'out/local-ha'),
    budget,
    log,
  });
  let upError: Error | undefined;
  let gateway = '';
  const tenant = `e2e-ha-${stack.runId}`;
  // Twelve series per write, so that every ingester owns some of them whatever the ring's tokens.
  const shards = 12;
  const seriesOf = (shard: number) => ({ __name__: 'e2e_ha_probe', run: stack.runId, shard: String(shard) });
  const pushes: Push[] = [];
  let killedAt = 0;
  let restartedAt = 0;

  const pod = (name: string) => {
    const p = stack.plan!.pods.find((x) => x.name === name);
    if (!p) throw new Error(`no pod ${name} in the plan: ${stack.plan!.pods.map((x) => x.name).join(', ')}`);
    return p;
  };
  const metricsOf = async (name: string): Promise<string> =>
    (await http(`http://${pod(name).ip}:${pod(name).ports['http-metrics']}/metrics`)).body;
  const queryStreams = async (): Promise<number> =>
    metricSum(await metricsOf(killed), 'cortex_request_duration_seconds_count', {
      route: '/cortex.Ingester/QueryStream',
    }) ?? 0;

  let value = 0;
  async function pushOne(phase: Push['phase']): Promise<void> {
    const ts = Date.now();
    const ingesterDown = killedAt > 0 && !stack.procs.some((p) => p.spec.id.startsWith(`${killed}/`) && p.running);
    value++;
    try {
      const r = await rawHttp(`${gateway}/api/v1/push`, {
        method: 'POST',
        headers: { ...remoteWriteHeaders, 'X-Scope-OrgID': tenant },
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
      await pause(250);
    }
  }

  beforeAll(async () => {
    try {
      await stack.up();
      gateway = await stack.gatewayUrl();
    } catch (e) {
      upError = e as Error;
      log(`stack did not come up: ${upError.stack ?? upError.message}`);
    }
  }, budget.up + margin);

  afterAll(() => stack.finish(Boolean(upError)), 120_000);

  const up = () => {
    if (upError) throw new Error(`the stack did not come up: ${upError.message}`);
  };

  it('differs from out/local-ha only by the timing knobs of test/e2e/environment', () => {
    up();
    const { unexpected, missing } = knobDifferences(stack.renderDiff, e2eMimirConfig);
    expect(unexpected, 'differences from out/local-ha that are not timing knobs').toEqual([]);
    expect(missing, 'timing knobs that did not reach the rendered mimir.yaml').toEqual([]);
  });

  it('runs one ingester and one store-gateway per zone, each registered in its zone of the ring', async () => {
    up();
    const names = stack.plan!.pods.map((p) => p.name);
    for (const z of ['a', 'b', 'c'])
      expect(names).toEqual(expect.arrayContaining([`ingester-zone-${z}-0`, `store-gateway-zone-${z}-0`]));
    const cm = [...stack.plan!.sources.configMaps.values()].find((d) => d['mimir.yaml'])!;
    const yaml = parseYaml(cm['mimir.yaml']) as { ingester: { ring: Record<string, unknown> } };
    expect(yaml.ingester.ring).toMatchObject({ zone_awareness_enabled: true });
    const distributor = stack.plan!.pods.find((p) => p.name.startsWith('distributor'))!;
    const ring = await poll('every ingester zone in the ring', 60_000, async () => {
      const r = await http(`http://${distributor.ip}:${distributor.ports['http-metrics']}/ingester/ring`);
      return ['zone-a', 'zone-b', 'zone-c'].every((z) => r.body.includes(z)) ? r.body : undefined;
    });
    expect(ring).toContain(killed);
  });

  it(
    'writes go on while one zone’s ingester is SIGKILLed, and every sample written before, during and after is read back',
    async () => {
      up();
      await writeFor('before', 12);
      const volume = pod(killed).writableDirs.find((d) => d.includes(`pvc/data-${killed}`));
      const pids = stack.signalPod(killed, 'SIGKILL');
      killedAt = Date.now();
      log(`SIGKILL ${killed} (pid ${pids.join(', ')})`);
      if (process.env.E2E_BREAK === 'ha-volume-lost' && volume) {
        for (const f of readdirSync(volume)) rmSync(join(volume, f), { recursive: true, force: true });
        log(`E2E_BREAK=ha-volume-lost: emptied ${volume} before the restart`);
      }
      // Write through the outage until the ingester is back and ready (at least five seconds of it).
      const deadline = Date.now() + budget.restart;
      let during = 0;
      for (;;) {
        await pushOne('during');
        during++;
        await pause(250);
        if (during >= 20 && (await stack.podReady(pod(killed)))) break;
        if (Date.now() > deadline) throw new Error(`${killed} was not ready again within ${budget.restart / 1000}s`);
      }
      restartedAt = Date.now();
      log(`${killed} ready again after ${((restartedAt - killedAt) / 1000).toFixed(1)}s; ${during} writes meanwhile`);
      await writeFor('after', 12);

      // The outage is real: some writes went out while the killed ingester's process did not run at all.
      expect(
        pushes.filter((p) => p.ingesterDown).length,
        'writes sent while the ingester was down',
      ).toBeGreaterThanOrEqual(2);
      const failed = pushes.filter((p) => p.ts >= killedAt && (p.status < 200 || p.status > 299));
      expect(
        failed.map((p) => `${p.phase} ${new Date(p.ts).toISOString()}: ${p.status} ${p.body}`),
        'writes that failed after the kill',
      ).toEqual([]);
      expect(pushes.filter((p) => p.status < 200 || p.status > 299).map((p) => `${p.phase}: ${p.status}`)).toEqual([]);

      // Every raw sample of the series, through the gateway (queriers, ingesters of every zone, store-gateways).
      const written = pushes.map((p) => p.ts).sort((a, b) => a - b);
      const read = await poll('every written sample read back', budget.readBack, () =>
        readBackShards({
          gateway,
          metric: 'e2e_ha_probe',
          runId: stack.runId,
          headers: { 'X-Scope-OrgID': tenant },
          shards,
          pushes,
        }),
      );
      for (let i = 0; i < shards; i++) expect(read.get(String(i)), `shard ${i}`).toEqual(written);
      const phases = Object.fromEntries(
        (['before', 'during', 'after'] as const).map((ph) => [ph, pushes.filter((p) => p.phase === ph).length]),
      );
      log(
        `read back ${shards} series × ${written.length} samples: ${JSON.stringify(phases)}, ${pushes.filter((p) => p.ingesterDown).length} sent while ${killed} was down`,
      );
    },
    budget.up + budget.restart + budget.readBack + margin,
  );

  it('the killed ingester restarted from its volume, replayed its WAL and serves its series again', async () => {
    up();
    expect(killedAt, 'the kill happened').toBeGreaterThan(0);
    const [status] = (await stack.status()).filter((s) => s.pod === killed);
    expect(status.containers[0].exits.join('; ')).toMatch(/SIGKILL/);
    expect(status.ready).toBe(true);
    // Its log after the kill: the ingester found this tenant's TSDB on its volume and replayed its WAL while
    // opening it (Mimir logs "opening existing TSDBs" … "successfully opened existing TSDBs" only for TSDBs
    // it finds on disk; a TSDB created fresh by a later write replays an empty WAL outside that span).
    const logFile = stack.procs.find((p) => p.spec.id.startsWith(`${killed}/`))!.spec.log;
    const afterKill = readFileSync(logFile, 'utf8').split('--- e2e harness:').slice(1).join('\n');
    const opening = /opening existing TSDBs([\s\S]*?)successfully opened existing TSDBs/.exec(afterKill)?.[1];
    expect(opening, 'the restarted ingester opened TSDBs it found on its volume').toBeDefined();
    const replayed = opening!
      .split('\n')
      .filter((l) => l.includes(`user=${tenant}`))
      .join('\n');
    expect(replayed, `the WAL of tenant ${tenant} replayed from the volume`).toMatch(
      /Replaying WAL, this may take a while/,
    );
    expect(replayed).toMatch(/WAL segment loaded/);

    // Its head holds the series from before the kill (only the WAL on its volume could have put them there).
    const firstBefore = Math.min(...pushes.filter((p) => p.phase === 'before').map((p) => p.ts));
    const tsdb = await http(`http://${pod(killed).ip}:${pod(killed).ports['http-metrics']}/ingester/tsdb/${tenant}`, {
      headers: { Accept: 'application/json' },
    });
    expect(tsdb.status, tsdb.body.slice(0, 200)).toBe(200);
    const head = (JSON.parse(tsdb.body) as { Head: { NumSeries: number; MinTime: string } }).Head;
    const minTime = Number(/\((\d+)\)/.exec(head.MinTime)?.[1] ?? NaN);
    expect(head.NumSeries, 'every series of this test (each zone holds all of them)').toBeGreaterThanOrEqual(shards);
    expect(minTime, `head min time ${head.MinTime} covers the first sample before the kill`).toBeLessThanOrEqual(
      firstBefore,
    );

    // And it answers queries again: a query through the gateway reaches it and returns the samples from before.
    // With zones and `-querier.minimize-ingester-requests` (on by default), a querier asks only as many zones as
    // quorum needs, picked at random per query; so one query may skip this zone. Up to 10 queries reach it
    // unless the querier avoids it (a chance of (1/3)^10 when it is healthy).
    const before = await queryStreams();
    let after = before;
    let queries = 0;
    while (after <= before && queries < 10) {
      queries++;
      const r = await http(
        `${gateway}/prometheus/api/v1/query?query=${encodeURIComponent(`sum(count_over_time(e2e_ha_probe{run="${stack.runId}"}[30m]))`)}`,
        { headers: { 'X-Scope-OrgID': tenant }, timeoutMs: 15_000 },
      );
      expect(r.status).toBe(200);
      expect(
        Number((JSON.parse(r.body) as { data: { result: { value: [number, string] }[] } }).data.result[0].value[1]),
      ).toBe(pushes.length * shards);
      after = await queryStreams();
    }
    expect(after, `${killed} received one of ${queries} queries`).toBeGreaterThan(before);
    log(`QueryStream calls on ${killed} since its restart: ${before} before, ${after} after ${queries} queries`);
  }, 60_000);

  it('no other container exited or restarted', async () => {
    up();
    const others = (await stack.status()).filter((s) => s.pod !== killed);
    const exited = others.flatMap((s) =>
      s.containers.filter((c) => c.restarts > 0).map((c) => `${s.pod}/${c.name}: ${c.exits.join('; ')}\n${c.log}`),
    );
    expect(exited).toEqual([]);
  });
});
