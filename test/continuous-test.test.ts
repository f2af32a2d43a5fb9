/**
 * Mimir's continuous test as a component: its flags (facts the reference files do not hold, checked here
 * against the pinned Mimir's own `-help-all`), the addresses and credentials it gets from the gateway's
 * endpoint, restricted pod security, and the build's checks of its tenant and addresses.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type StackConfig } from '../lib/build/config.js';
import { render } from '../lib/build/render.js';
import { moduleRules } from '../lib/build/rules.js';
import type { Deployment, KubeObject, TreeLike } from '../lib/core/k8s/types.js';
import type { Problem } from '../lib/core/problems.js';
import { flatten } from '../lib/core/tree.js';
import { CONTINUOUS_TEST_FLAGS } from '../scripts/generate-mimir-reference.js';
import { buildDir } from './support/environments.js';
import { needs } from './support/tools.js';

type Objects = Record<string, Record<string, Record<string, KubeObject>>>;
const source = 'environments/test/main.ts';

function stack(edit: (c: StackConfig) => void = () => {}): StackConfig {
  const c = defaultConfig();
  c.existingSecrets = ['storage-credentials', 'grafana-admin', 'gateway-basic-auth', 'gateway-client-credentials'];
  c.mimir.continuousTest.enabled = true;
  edit(c);
  return c;
}
const deploymentOf = (t: Objects) => t.mimir.continuousTest?.deployment as unknown as Deployment | undefined;
const check = (c: StackConfig, tree: TreeLike): Problem[] => {
  const ctx = { entries: flatten(tree), source, existingSecrets: new Set(c.existingSecrets) };
  return moduleRules(c).flatMap((r) => r(ctx));
};

describe('the continuous-test component', () => {
  it('is off by default; on, it writes and reads through the gateway as its own tenant', () => {
    expect(deploymentOf(render(defaultConfig()) as unknown as Objects)).toBeUndefined();
    const d = deploymentOf(render(stack()) as unknown as Objects)!;
    const k = d.spec!.template.spec!.containers[0];
    expect(k.args).toEqual([
      '-config.expand-env=true',
      '-config.file=/etc/mimir/mimir.yaml',
      '-target=continuous-test',
      '-tests.read-endpoint=http://gateway.mimir.svc.cluster.local:8080/prometheus',
      '-tests.run-interval=5m',
      '-tests.tenant-id=mimir-continuous-test',
      '-tests.write-endpoint=http://gateway.mimir.svc.cluster.local:8080',
      '-tests.write-read-series-test.num-series=1000',
    ]);
    expect(k.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(k.readinessProbe?.httpGet?.path).toBe('/ready');
    expect(k.env?.map((e) => e.name)).toEqual(['GOMAXPROCS']);
  });

  it("with the gateway's basic auth, sends the client credentials the kubelet puts into its flags", () => {
    const d = deploymentOf(
      render(stack((c) => (c.observability.gateway.basicAuth.enabled = true))) as unknown as Objects,
    )!;
    const k = d.spec!.template.spec!.containers[0];
    expect(k.args).toEqual(
      expect.arrayContaining([
        '-tests.basic-auth-user=$(MIMIR_GATEWAY_USERNAME)',
        '-tests.basic-auth-password=$(MIMIR_GATEWAY_PASSWORD)',
      ]),
    );
    expect(k.env).toEqual(
      expect.arrayContaining([
        {
          name: 'MIMIR_GATEWAY_USERNAME',
          valueFrom: { secretKeyRef: { name: 'gateway-client-credentials', key: 'username' } },
        },
        {
          name: 'MIMIR_GATEWAY_PASSWORD',
          valueFrom: { secretKeyRef: { name: 'gateway-client-credentials', key: 'password' } },
        },
      ]),
    );
    const c = stack((x) => (x.observability.gateway.basicAuth.enabled = true));
    expect(check(c, render(c))).toEqual([]);
  });

  it('runs in local (one replica, within its budget) and production', async () => {
    for (const dir of ['environments/local', 'environments/production']) {
      const built = await buildDir(dir);
      expect(deploymentOf(built.tree as unknown as Objects)?.spec?.replicas, dir).toBeGreaterThanOrEqual(1);
    }
  });

  it('the build refuses a tenant Mimir rejects and an address naming no rendered Service', () => {
    const bad = stack((c) => (c.mimir.continuousTest.tenant = 'a|b'));
    expect(check(bad, render(bad))).toEqual([
      expect.objectContaining({
        path: 'config.mimir.continuousTest.tenant',
        message: expect.stringContaining('"a|b"'),
      }),
    ]);
    const c = stack();
    const tree = render(c) as unknown as Objects;
    const args = deploymentOf(tree)!.spec!.template.spec!.containers[0].args!;
    const i = args.findIndex((a) => a.startsWith('-tests.write-endpoint='));
    args[i] = '-tests.write-endpoint=http://gatewy.mimir.svc.cluster.local:8080';
    expect(check(c, tree)).toEqual([
      expect.objectContaining({
        path: 'mimir.continuousTest.deployment',
        pointer: `/spec/template/spec/containers/0/args/${i}`,
        message: expect.stringContaining('names Service "gatewy"'),
        hint: 'did you mean `gateway`?',
      }),
    ]);
    // The flag check against Mimir's facts knows its flags, and their types.
    const typo = stack(
      (c) => (c.mimir.continuousTest.flags = { 'tests.run-intervall': '1m', 'tests.write-batch-size': 'many' }),
    );
    const messages = check(typo, render(typo)).map((p) => p.message);
    expect(messages.some((m) => m.includes('tests.run-intervall'))).toBe(true);
    expect(messages.some((m) => m.includes('tests.write-batch-size'))).toBe(true);
  });
});

const mimirBin = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mimir-kube/mimir-3.0.2/bin/mimir');
const mimir = needs(`Mimir 3.0.2 (${mimirBin})`, existsSync(mimirBin), 'bash test/e2e/peers/build.sh');

describe.runIf(mimir.run)(`the continuous test's flags are the pinned Mimir's${mimir.note}`, () => {
  it('CONTINUOUS_TEST_FLAGS lists exactly the -tests.* flags of `mimir -help-all`, with their types', () => {
    expect(existsSync(mimirBin), mimir.missing).toBe(true);
    const help = spawnSync(mimirBin, ['-help-all'], { encoding: 'utf8' });
    const text = `${help.stdout}${help.stderr}`;
    const listed = Object.fromEntries(
      [...text.matchAll(/^ {2}-(tests\.[\w.-]+)(?: (\w+))?$/gm)].map((m) => [
        m[1],
        m[2] === undefined ? 'boolean' : m[2] === 'value' ? 'string' : m[2],
      ]),
    );
    expect(Object.keys(listed).length).toBeGreaterThan(10);
    expect(listed).toEqual(CONTINUOUS_TEST_FLAGS);
  });
});
