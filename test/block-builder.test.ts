/**
 * The block-builder and block-builder-scheduler as components: off by default; on (under ingest storage), the
 * builder dials the scheduler's gRPC Service, keeps its scratch space on its data volume, and the ingesters stop
 * shipping blocks. Their flags are hidden from Mimir's reference and `-help-all`, so the facts list them by hand:
 * here every one of them, with a value of its type, goes to the pinned Mimir binary, which must accept it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type StackConfig } from '../lib/build/config.js';
import { render } from '../lib/build/render.js';
import { moduleRules } from '../lib/build/rules.js';
import type { Deployment, KubeObject, Service, StatefulSet, TreeLike } from '../lib/core/k8s/types.js';
import type { Problem } from '../lib/core/problems.js';
import { flatten } from '../lib/core/tree.js';
import facts from '../lib/mimir/reference/mimir-3.0.json' with { type: 'json' };
import { BLOCK_BUILDER_FLAGS } from '../scripts/generate-mimir-reference.js';
import { buildDir } from './support/environments.js';
import { needs } from './support/tools.js';

type Objects = Record<string, Record<string, Record<string, KubeObject>>>;
const source = 'environments/test/main.ts';

function stack(edit: (c: StackConfig) => void = () => {}): StackConfig {
  const c = defaultConfig();
  c.existingSecrets = ['storage-credentials', 'grafana-admin'];
  c.mimir.architecture = 'ingest-storage';
  c.mimir.ruler.mode = 'remote';
  c.observability.kafka.enabled = true;
  c.mimir.blockBuilder.enabled = true;
  c.mimir.blockBuilderScheduler.enabled = true;
  edit(c);
  return c;
}
const tree = (c: StackConfig) => render(c) as unknown as Objects;
const args = (t: Objects, key: string) =>
  (t.mimir[key].deployment as unknown as Deployment).spec!.template.spec!.containers[0].args!;
const ingesterArgs = (t: Objects) =>
  (t.mimir.ingester.statefulSet as unknown as StatefulSet).spec!.template.spec!.containers[0].args!;
const check = (c: StackConfig, t: TreeLike): Problem[] => {
  const ctx = { entries: flatten(t), source, existingSecrets: new Set(c.existingSecrets) };
  return moduleRules(c).flatMap((r) => r(ctx));
};

describe('the block-builder and its scheduler', () => {
  it('are off by default, and the ingesters then ship their blocks', () => {
    const t = tree(defaultConfig());
    expect(t.mimir.blockBuilder).toBeUndefined();
    expect(t.mimir.blockBuilderScheduler).toBeUndefined();
    expect(ingesterArgs(t).some((a) => a.startsWith('-blocks-storage.tsdb.ship-interval'))).toBe(false);
  });

  it("on, the builder dials the scheduler's gRPC port and builds on its data volume; the ingesters ship nothing", () => {
    const c = stack();
    const t = tree(c);
    expect(args(t, 'blockBuilder')).toEqual([
      '-block-builder.data-dir=/data/block-builder',
      '-block-builder.scheduler.address=block-builder-scheduler.mimir.svc.cluster.local:9095',
      '-config.expand-env=true',
      '-config.file=/etc/mimir/mimir.yaml',
      '-runtime-config.file=/etc/mimir-runtime/runtime.yaml',
      '-target=block-builder',
    ]);
    const builder = (t.mimir.blockBuilder.deployment as unknown as Deployment).spec!.template.spec!;
    expect(builder.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(builder.containers[0].env?.map((e) => e.name)).toEqual(
      expect.arrayContaining(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']),
    );
    expect(builder.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    // Without a tenant on the block-builders' calls, the scheduler runs without multitenancy (Mimir 3.0.2).
    expect(args(t, 'blockBuilderScheduler')).toEqual([
      '-auth.multitenancy-enabled=false',
      '-config.expand-env=true',
      '-config.file=/etc/mimir/mimir.yaml',
      '-target=block-builder-scheduler',
    ]);
    // One scheduler at a time, also during a rollout: the old one stops before the new one starts.
    const scheduler = t.mimir.blockBuilderScheduler.deployment as unknown as Deployment;
    expect(scheduler.spec!.replicas).toBe(1);
    expect(scheduler.spec!.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
    const service = t.mimir.blockBuilderScheduler.service as unknown as Service;
    expect(service.metadata!.name).toBe('block-builder-scheduler');
    expect(service.spec!.ports).toContainEqual(expect.objectContaining({ name: 'grpc', port: 9095 }));
    expect(Object.keys(t.mimir.blockBuilder)).toEqual(['deployment', 'service', 'pdb']);
    expect(ingesterArgs(t)).toContain('-blocks-storage.tsdb.ship-interval=0');
    expect(check(c, t as unknown as TreeLike)).toEqual([]);
  });

  it('with ingestersShipBlocks, the ingesters keep uploading beside the block-builder', () => {
    const t = tree(stack((c) => (c.mimir.blockBuilder.ingestersShipBlocks = true)));
    expect(ingesterArgs(t).some((a) => a.startsWith('-blocks-storage.tsdb.ship-interval'))).toBe(false);
  });

  it('the flag check knows their flags and types, and reports a misspelt one', () => {
    const c = stack((x) => {
      x.mimir.blockBuilderScheduler.flags = {
        'block-builder-scheduler.job-sise': '30m',
        'block-builder-scheduler.max-jobs-per-partition': 'many',
      };
      x.mimir.blockBuilder.flags = { 'block-builder.scheduler.grpc-client-config.grpc-max-send-msg-size': 1024 };
    });
    const messages = check(c, render(c) as TreeLike).map((p) => p.message);
    expect(messages.some((m) => m.includes('block-builder-scheduler.job-sise'))).toBe(true);
    expect(messages.some((m) => m.includes('block-builder-scheduler.max-jobs-per-partition'))).toBe(true);
    expect(messages.some((m) => m.includes('grpc-max-send-msg-size'))).toBe(false);
  });

  it('environments/ingest runs both, and its ingesters ship no blocks', async () => {
    const { tree: t } = await buildDir('environments/ingest');
    const o = t as unknown as Objects;
    expect(o.mimir.blockBuilder?.deployment).toBeDefined();
    expect(o.mimir.blockBuilderScheduler?.deployment).toBeDefined();
    expect(ingesterArgs(o)).toContain('-blocks-storage.tsdb.ship-interval=0');
  });
});

/** Every `block-builder*` flag of the facts, as a nested tree flattened. */
function factFlags(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const name = prefix ? `${prefix}.${k}` : k;
      if (typeof v === 'string') out.push([name, v]);
      else walk(v as Record<string, unknown>, name);
    }
  };
  walk((facts as { flags: Record<string, unknown> }).flags, '');
  return out.filter(([n]) => n.startsWith('block-builder'));
}

const mimirBin = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mimir-kube/mimir-3.0.2/bin/mimir');
const mimir = needs(`Mimir 3.0.2 (${mimirBin})`, existsSync(mimirBin), 'bash test/e2e/peers/build.sh');

describe.runIf(mimir.run)(`the block-builder's flags are the pinned Mimir's${mimir.note}`, () => {
  const valueOf: Record<string, string> = { string: 'x', int: '3', duration: '7s', boolean: 'true', float: '1.5' };
  // grpcclient's window sizes parse as byte sizes with a unit (the descriptor calls them int, for every client).
  const value = (name: string, type: string) => (/window-size$/.test(name) ? '3KiB' : valueOf[type]);

  it('the facts hold every hand-listed flag and the gRPC client flags', () => {
    const names = factFlags().map(([n]) => n);
    for (const n of Object.keys(BLOCK_BUILDER_FLAGS)) expect(names).toContain(n);
    expect(names.filter((n) => n.startsWith('block-builder.scheduler.grpc-client-config.')).length).toBeGreaterThan(15);
  });

  it('the binary accepts every one with a value of its type, and refuses a wrong type or a wrong name', () => {
    expect(existsSync(mimirBin), mimir.missing).toBe(true);
    const flags = factFlags().map(([n, t]) => `-${n}=${value(n, t)}`);
    const ok = spawnSync(mimirBin, [...flags, '-version'], { encoding: 'utf8' });
    expect(`${ok.stderr}`, flags.join(' ')).not.toMatch(/flag|invalid/);
    expect(ok.status).toBe(0);
    // The same call tells a wrong type and an unknown name apart, so the check above can fail.
    const typed = spawnSync(mimirBin, ['-block-builder-scheduler.job-size=soon', '-version'], { encoding: 'utf8' });
    expect(typed.status).not.toBe(0);
    const unknown = spawnSync(mimirBin, ['-block-builder.no-such-flag=1', '-version'], { encoding: 'utf8' });
    expect(unknown.stderr).toMatch(/flag provided but not defined/);
  });
});
