/**
 * Every rendered Alloy configuration checked by the real Alloy the image pins (v1.11.3, built from
 * `../shared/peers/alloy-v1.11.3/` by `test/peers/alloy/build.sh`, i.e. `npm run peers:alloy`, with the
 * components `test/peers/alloy/components.txt` lists registered: those the configurations use).
 *
 * For every environment under environments/, the input is exactly what deploys: `kubectl kustomize
 * out/<env>`, the Alloy container's args, the ConfigMap key mounted at the path `alloy run` is given,
 * and the container's env (Secret keys the output holds resolved; Secrets the cluster provides get a
 * named stand-in value). Then:
 *
 * - `alloy validate <file>` accepts it. A refusal fails the test with Alloy's own diagnostics.
 *   Note what this Alloy's validate does (internal/validator): it parses the file, resolves every
 *   component and block name against the registry, checks attribute and block names, required
 *   attributes and blocks, references between components and cycles. It does NOT evaluate values:
 *   `scrape_interval = "15x"`, `role = "podz"` or an unset `sys.env(...)` pass `alloy validate` (see
 *   the last describe block, which pins that down so the limit stays visible). The env is still given
 *   as the pod has it so the command sees what the container would.
 * - `alloy fmt <file>` prints it unchanged: our syntax builder writes Alloy's canonical form.
 * - The container's args parse with `alloy run`'s own flag parser: `alloy <args as deployed> --help`
 *   makes cobra parse every flag (an unknown flag or a bad value is an error, with Alloy's message)
 *   and then print the help instead of running.
 *
 * When the binary is absent the tests skip, saying why (and whether ../shared is there to build it);
 * under CI or E2E_REQUIRED=1 they fail instead.
 *
 * Seeing it fail on a scratch copy (besides the in-file cases below, which break copies on purpose):
 *
 *   rsync -a --exclude node_modules ./ /tmp/scratch && ln -s "$PWD/node_modules" /tmp/scratch/
 *   sed -i 's/\tscrape_interval = "15s"/\tscrape_intervall = "15s"/' /tmp/scratch/out/base/observability/alloy/configmap-alloy/config.alloy
 *   (cd /tmp/scratch && MIMIR_KUBE_SHARED=/work/shared npx vitest run test/alloy-real.test.ts)
 *
 * fails the `alloy validate` test of every environment whose overlay keeps the base file, with
 * Alloy's `unrecognized attribute name "scrape_intervall"` at …/etc/alloy/config.alloy:<line>:<col>.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { labelKeys } from '../lib/core/k8s/meta.js';
import { loadEnvironment } from '../lib/build/load.js';
import { scrapeJobs } from '../lib/observability/alloy/index.js';
import { stackView } from '../lib/build/registry.js';
import type { KubeObject } from '../lib/core/k8s/types.js';
import {
  ALLOY_VERSION,
  alloyContainers,
  alloyUnavailable,
  PEER_REQUIRED,
  runAlloy,
  SHARED_DIR,
  type AlloyContainer,
  type AlloyRun,
} from './support/alloy.js';
import { httpGet, podsOf, startAlloy, startFakeApiServer, waitFor } from './support/alloy-run.js';
import { loopbackAddress, startKafkaStandIn, type KafkaStandIn } from './support/kafka-stand-in.js';
import { buildDir, environmentDirs } from './support/environments.js';
import { hasKustomizeV5, kustomizeBuild } from './support/kustomize.js';

const unavailable = alloyUnavailable();
if (unavailable && !PEER_REQUIRED) console.warn(`alloy-real tests skipped: ${unavailable}`);
const skip = unavailable !== undefined && !PEER_REQUIRED;
// Titles carry a short reason; the full one (with the command that fixes it) is printed above.
const suffix = skip
  ? ` (skipped: no Alloy ${ALLOY_VERSION} binary${existsSync(SHARED_DIR) ? ', npm run peers:alloy builds it' : ` and no ${SHARED_DIR} to build it from`})`
  : '';

const tmp = mkdtempSync(join(tmpdir(), 'alloy-real-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes the config at its in-container path under a fresh root, so Alloy's messages name that path. */
function stage(label: string, containerPath: string, text: string): { root: string; file: string } {
  const root = join(tmp, label.replace(/[^\w.-]+/g, '_'));
  const file = join(root, containerPath);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return { root, file };
}

function output(r: AlloyRun): string {
  return [r.stderr.trim(), r.stdout.trim(), r.error?.message].filter(Boolean).join('\n');
}

function requirePeer(): void {
  if (unavailable) throw new Error(`the real Alloy is required here (CI or E2E_REQUIRED=1) but: ${unavailable}`);
}

function validate(
  c: Pick<AlloyContainer, 'configPath' | 'configText' | 'env'>,
  label: string,
): AlloyRun & { file: string } {
  const { root, file } = stage(label, c.configPath, c.configText);
  return { ...runAlloy(['validate', file], { env: c.env, cwd: root }), file };
}

function fmt(c: Pick<AlloyContainer, 'configPath' | 'configText'>, label: string): AlloyRun {
  const { root, file } = stage(`${label}-fmt`, c.configPath, c.configText);
  return runAlloy(['fmt', file], { cwd: root });
}

/** `alloy <args> --help`: cobra parses every flag before it sees --help, then prints the help and exits 0. */
function parseArgs(args: readonly string[]): AlloyRun {
  return runAlloy([...args, '--help'], { cwd: tmp });
}

/** The environment's output folder: out/<name> (the name may differ from the folder's). */
async function outDirOf(envDir: string): Promise<string> {
  const { loaded, problems } = await loadEnvironment(envDir, { typeCheck: false });
  if (!loaded) throw new Error(`${envDir}: ${problems.map((p) => p.message).join('; ')}`);
  return join('out', loaded.environment.name);
}

describe(`every rendered Alloy configuration, checked by Alloy ${ALLOY_VERSION}`, async () => {
  it.runIf(PEER_REQUIRED && unavailable !== undefined)(
    'the real Alloy is present (required under CI / E2E_REQUIRED=1)',
    requirePeer,
  );

  const kustomizeOk = await hasKustomizeV5();
  it('kubectl embeds Kustomize v5 or newer (the deployed objects come from `kubectl kustomize`)', () => {
    expect(kustomizeOk).toBe(true);
  });

  for (const envDir of environmentDirs) {
    describe(envDir, async () => {
      const out = await outDirOf(envDir);
      let containers: AlloyContainer[] = [];
      let objects: KubeObject[] = [];
      if (kustomizeOk) {
        objects = await kustomizeBuild(out);
        containers = alloyContainers(objects);
      }

      it(`${out} deploys an Alloy container (or this environment disabled Alloy on purpose)`, () => {
        // An environment without Alloy has no Alloy Deployment at all; one with a Deployment but no
        // recognised container means the image pin or the args changed shape under this test.
        const deployments = objects.filter((o) => o.kind === 'Deployment' && o.metadata?.name === 'alloy');
        expect(containers.length).toBe(deployments.length);
      });

      for (const c of containers) {
        const label = `${basename(out)}-${c.container.name}`;
        describe(`${out} › ${c.where} (${c.configSource})`, () => {
          it(`runs the pinned image ${c.image}`, () => {
            expect(
              c.image.endsWith(`:${ALLOY_VERSION}`),
              `the image is ${c.image}; this test checks with Alloy ${ALLOY_VERSION}`,
            ).toBe(true);
          });

          it.skipIf(skip)(`alloy validate accepts ${c.configPath}${suffix}`, () => {
            requirePeer();
            const r = validate(c, label);
            const standIns = c.standIns.length ? `\n(env stand-ins: ${c.standIns.join(', ')})` : '';
            expect(
              r.status,
              `alloy validate ${c.configPath} (${c.configSource}) refused it:\n${output(r)}${standIns}`,
            ).toBe(0);
          });

          it.skipIf(skip)(`is in alloy fmt's canonical form${suffix}`, () => {
            requirePeer();
            const r = fmt(c, label);
            expect(r.status, `alloy fmt failed:\n${output(r)}`).toBe(0);
            expect(c.configText, `${c.configSource} differs from \`alloy fmt\`'s output`).toBe(r.stdout);
          });

          it.skipIf(skip)(`its args parse with \`alloy run\`'s flags: ${c.args.join(' ')}${suffix}`, () => {
            requirePeer();
            const r = parseArgs(c.args);
            expect(r.status, `alloy ${c.args.join(' ')} --help refused the args:\n${output(r)}`).toBe(0);
            // The help printed is `run`'s: the args selected the subcommand they meant to.
            expect(r.stdout).toMatch(/^Usage:\n\s+\S*alloy run \[flags\] path/m);
          });
        });
      }
    });
  }
});

/**
 * The checks above can fail: the same functions, given broken copies of a rendered configuration,
 * report Alloy's own message. Built from out/local so they follow what the library renders.
 */
describe(`the Alloy checks fail with Alloy's message on a broken copy${suffix}`, async () => {
  const kustomizeOk = await hasKustomizeV5();
  const [c] = kustomizeOk ? alloyContainers(await kustomizeBuild(await outDirOf('environments/local'))) : [];

  it.skipIf(skip || !c)('an unknown attribute in a block', () => {
    requirePeer();
    const broken = {
      ...c!,
      configText: c!.configText.replace('\tscrape_interval = "15s"', '\tscrape_intervall = "15s"'),
    };
    expect(broken.configText).not.toBe(c!.configText);
    const r = validate(broken, 'broken-attr');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('unrecognized attribute name "scrape_intervall"');
    expect(r.stderr).toContain(`${r.file}:`);
  });

  it.skipIf(skip || !c)('a reference to a component that does not exist', () => {
    requirePeer();
    const broken = {
      ...c!,
      configText: c!.configText.replace(
        'forward_to      = [prometheus.remote_write.mimir.receiver]',
        'forward_to      = [prometheus.remote_write.mimirr.receiver]',
      ),
    };
    expect(broken.configText).not.toBe(c!.configText);
    const r = validate(broken, 'broken-ref');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/prometheus\.remote_write\.mimirr/);
  });

  it.skipIf(skip || !c)('an unknown component', () => {
    requirePeer();
    const broken = {
      ...c!,
      configText: `${c!.configText}\nprometheus.scrapee "extra" {\n\ttargets    = []\n\tforward_to = []\n}\n`,
    };
    const r = validate(broken, 'broken-component');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('prometheus.scrapee');
  });

  it.skipIf(skip || !c)('a configuration off the canonical form', () => {
    requirePeer();
    const broken = {
      ...c!,
      configText: c!.configText.replace('\tscrape_interval = "15s"', '\tscrape_interval   = "15s"'),
    };
    expect(broken.configText).not.toBe(c!.configText);
    expect(fmt(broken, 'broken-fmt').stdout).not.toBe(broken.configText);
  });

  it.skipIf(skip || !c)('an unknown flag in the args', () => {
    requirePeer();
    const r = parseArgs([...c!.args, '--server.http.listen-adr=0.0.0.0:1']);
    expect(r.status).not.toBe(0);
    expect(output(r)).toContain('unknown flag: --server.http.listen-adr');
  });

  it.skipIf(skip || !c)('a bad flag value in the args', () => {
    requirePeer();
    const r = parseArgs([...c!.args, '--stability.level=stable']);
    expect(r.status).not.toBe(0);
    expect(output(r)).toContain('--stability.level');
  });

  // What `alloy validate` does not catch, pinned so that the limit stays known: it checks structure,
  // not values. If a later Alloy starts evaluating values, this test fails and the header above
  // should be updated.
  it.skipIf(skip || !c)('values are not evaluated by alloy validate (a bad duration passes)', () => {
    requirePeer();
    const broken = {
      ...c!,
      configText: c!.configText.replace('\tscrape_interval = "15s"', '\tscrape_interval = "15x"'),
    };
    expect(broken.configText).not.toBe(c!.configText);
    expect(validate(broken, 'bad-value').status).toBe(0);
  });
});

/** Alloy's JSON encoding of a value (`encoding/alloyjson`), as its web API returns exports. */
type AlloyJson = { type: string; value?: unknown; key?: string };

function decodeAlloyJson(v: AlloyJson): unknown {
  switch (v.type) {
    case 'array':
      return (v.value as AlloyJson[]).map(decodeAlloyJson);
    case 'object':
      return Object.fromEntries(
        (v.value as { key: string; value: AlloyJson }[]).map((f) => [f.key, decodeAlloyJson(f.value)]),
      );
    default:
      return v.value;
  }
}

interface ComponentInfo {
  localID: string;
  health?: { state: string; message: string };
  exports?: { name: string; value: AlloyJson }[];
}

/**
 * `alloy run` as the pod runs it: the deployed args (config path, storage path and listen address
 * rewritten, and listed), the deployed env, a service-account token and CA at the in-cluster paths and
 * KUBERNETES_SERVICE_HOST/PORT pointing at a stand-in API server that serves one pod per rendered
 * workload. Unlike `alloy validate`, this evaluates every value (durations, regexes, URLs, sys.env):
 * Alloy exits when its initial load fails. Then the targets Alloy's own relabelling makes are compared
 * with what the library says each scrape job selects (lib scrapeJobs).
 */
describe(`alloy run with the deployed args and env, against a stand-in API server${suffix}`, async () => {
  const unshareOk =
    spawnSync('unshare', [...(process.getuid?.() === 0 ? [] : ['--map-root-user']), '--mount', 'true']).status === 0;
  const runSkip = skip || !unshareOk;
  const runSuffix = skip
    ? ''
    : unshareOk
      ? ''
      : ' (skipped: `unshare --mount` is not permitted here, so the service-account token cannot be placed where client-go reads it)';
  if (!skip && !unshareOk) console.warn(`alloy-real: ${runSuffix.trim()}`);
  const kustomizeOk = await hasKustomizeV5();
  // Under CI a run that cannot happen here fails instead of skipping.
  it.runIf(PEER_REQUIRED && !skip && (!unshareOk || !kustomizeOk))(
    '`unshare --mount` and kubectl with Kustomize v5 are available (required under CI / E2E_REQUIRED=1)',
    () => {
      throw new Error(
        `the real Alloy run is required here (CI or E2E_REQUIRED=1) but:${unshareOk ? '' : ' `unshare --mount` is not permitted;'}${kustomizeOk ? '' : ' kubectl with Kustomize v5 is missing;'}`,
      );
    },
  );

  for (const envDir of environmentDirs) {
    it.skipIf(runSkip || !kustomizeOk)(
      `${envDir}: starts, every component healthy, discovery and relabelling as the library says${runSuffix}`,
      async () => {
        requirePeer();
        const built = await buildDir(envDir);
        const out = join('out', built.name);
        const objects = await kustomizeBuild(out);
        const pods = podsOf(objects);
        for (const c of alloyContainers(objects)) {
          const dir = join(tmp, `run-${built.name}-${c.container.name}`);
          const ns = c.where.split(' ')[1]!.split('/')[0]!;
          const api = await startFakeApiServer(join(dir, 'api'), pods);
          // Alloy's Kafka exporter connects while Alloy loads its configuration: a stand-in broker answers at
          // the rendered bootstrap address (its name resolved to a loopback address of its own).
          const exporters = stackView(built.config).exporters();
          const kafkas: { address: string; broker: KafkaStandIn }[] = [];
          for (const x of exporters.filter((e) => e.exporter === 'kafka')) {
            const [host, port] = x.addresses[0]!.split(':');
            const broker = await startKafkaStandIn(loopbackAddress(), Number(port), {
              host: host!,
              port: Number(port),
            });
            kafkas.push({ address: x.addresses[0]!, broker });
          }
          const alloy = await startAlloy(
            c,
            api,
            dir,
            ns,
            Object.fromEntries(kafkas.map((k) => [k.address.split(':')[0]!, k.broker.host])),
          );
          console.info(
            `${out} › ${c.where}: harness changes: ${alloy.rewritten.join('; ')}${c.standIns.length ? `; env stand-ins: ${c.standIns.join(', ')}` : ''}`,
          );
          try {
            await waitFor(alloy, 'GET /-/ready answers 200', async () =>
              (await httpGet(alloy.httpAddr, '/-/ready')).status === 200 ? true : undefined,
            );
            const list = await waitFor(alloy, 'every component reports healthy', async () => {
              const r = await httpGet(alloy.httpAddr, '/api/v0/web/components');
              if (r.status !== 200) return undefined;
              const components = JSON.parse(r.body) as ComponentInfo[];
              return components.every((x) => x.health?.state === 'healthy') ? components : undefined;
            });
            expect(list.length).toBeGreaterThan(0);

            // Discovery asked the API server with the pod's token, in the namespaces and with the selector configured.
            // Healthy comes before the informer's first LIST: wait for it rather than race it.
            const listed = () =>
              api.requests.filter((r) => r.path.endsWith('/pods') && r.query.get('watch') !== 'true');
            await waitFor(alloy, 'a pod list reaches the API server', async () =>
              listed().length > 0 ? true : undefined,
            );
            const podLists = listed();
            expect(podLists.length, `no pod list reached the API server; alloy's log:\n${alloy.log()}`).toBeGreaterThan(
              0,
            );
            for (const r of podLists) expect(r.authorization).toBe(`Bearer ${api.token}`);
            expect(new Set(podLists.map((r) => r.path))).toEqual(
              new Set([`/api/v1/namespaces/${built.config.namespace}/pods`]),
            );
            expect(new Set(podLists.map((r) => r.query.get('labelSelector')))).toEqual(
              new Set([`${labelKeys.partOf}=${built.config.partOf}`]),
            );

            // Each exporter reached the address the library rendered, and its target carries the stack's labels.
            for (const { address, broker } of kafkas) {
              expect(
                broker.requests.filter((r) => r.apiKey === 3 && r.answered).length,
                `metadata requests from Alloy's Kafka exporter to ${address}; requests seen: ${JSON.stringify(broker.requests)}`,
              ).toBeGreaterThan(0);
            }
            for (const x of exporters) {
              const r = await httpGet(alloy.httpAddr, `/api/v0/web/components/discovery.relabel.${x.name}`);
              expect(r.status, r.body).toBe(200);
              const output = (JSON.parse(r.body) as ComponentInfo).exports?.find((e) => e.name === 'output');
              const targets = decodeAlloyJson(output!.value) as Record<string, string>[];
              expect(
                targets.map((t) => ({ job: t.job, namespace: t.namespace, instance: t.instance })),
                `discovery.relabel.${x.name}: the ${x.exporter} exporter's target`,
              ).toEqual([{ job: `${ns}/${x.name}`, namespace: ns, instance: x.addresses[0] }]);
            }

            // Each scrape job's targets, as Alloy computes them, are the pods and ports the library means.
            for (const job of scrapeJobs(stackView(built.config))) {
              const expected = pods
                .filter(
                  (p) => p.labels[labelKeys.name] === job.app && p.labels[labelKeys.partOf] === built.config.partOf,
                )
                .flatMap((p) =>
                  p.containers.flatMap((ct) =>
                    ct.ports
                      .filter((port) => port.name === job.port)
                      .map((port) => ({
                        __address__: `${p.ip}:${port.containerPort}`,
                        job: `${p.namespace}/${p.labels[job.jobLabel]}`,
                        namespace: p.namespace,
                        pod: p.name,
                        container: ct.name,
                      })),
                  ),
                );
              expect(expected.length, `the library's scrape job ${job.name} selects no rendered pod`).toBeGreaterThan(
                0,
              );
              const id = `discovery.relabel.${job.name}`;
              // Discovery's informer fills the relabel output after its first list: poll for a while.
              let raw: Record<string, string>[] = [];
              for (const deadline = Date.now() + 20_000; ;) {
                const r = await httpGet(alloy.httpAddr, `/api/v0/web/components/${id}`);
                expect(r.status, `${id}: ${r.body}`).toBe(200);
                const info = JSON.parse(r.body) as ComponentInfo;
                const output = info.exports?.find((e) => e.name === 'output');
                expect(output, `${id} exports no output`).toBeDefined();
                raw = decodeAlloyJson(output!.value) as Record<string, string>[];
                if (raw.length >= expected.length || Date.now() > deadline) break;
                await new Promise((resolve) => setTimeout(resolve, 250));
              }
              const targets = raw.map((t) => ({
                __address__: t.__address__,
                job: t.job,
                namespace: t.namespace,
                pod: t.pod,
                container: t.container,
              }));
              const key = (t: Record<string, string | undefined>) => JSON.stringify(t);
              expect(targets.map(key).sort(), `${id}: Alloy's targets vs the library's scrape job ${job.name}`).toEqual(
                expected.map(key).sort(),
              );
            }
          } finally {
            await alloy.stop();
            await api.close();
            for (const k of kafkas) await k.broker.close();
          }
        }
      },
    );
  }
});
