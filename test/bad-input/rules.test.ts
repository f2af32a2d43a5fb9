/**
 * Bad input, rule by rule: every case is an environment a user could write, refused with the source and
 * path named, the expected form and a hint, and no stack trace. In process through the pipeline (the
 * CLI's own path, minus the spawn); `cli.test.ts` beside this runs a representative subset for real.
 */
import { describe, expect, it } from 'vitest';
import { DELETE, add, byName } from '../../lib/core/merge.js';
import { compareQuantities, parseQuantityExact } from '../../lib/core/quantity.js';
import { formatProblems } from '../../lib/core/problems.js';
import { totalRequests } from '../../lib/build/summary.js';
import { imageProblem } from '../../lib/build/validate/images.js';
import { nameProblem } from '../../lib/build/validate/name-formats.js';
import { tenantIdProblem } from '../../lib/mimir/tenant-id.js';
import { s3EndpointProblem } from '../../lib/mimir/storage-endpoint.js';
import { env, expectBuilt, expectRefused, type BadCase } from '../support/bad-input.js';

const querierFlags = (flags: Record<string, string | number | boolean>) => env({ mimir: { querier: { flags } } });
const querierResources = (resources: object) => env({ mimir: { querier: { resources } } });
const QUERIER = 'mimir.querier.deployment';

describe('quantities: the API server grammar, exactly', () => {
  const legal: [string | number, number][] = [
    ['1Pi', 2 ** 50],
    ['1Ei', 2 ** 60],
    ['1e9', 1e9],
    ['1E9', 1e9],
    ['1e+3', 1000],
    ['5e-3', 0.005],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['.5', 0.5],
    ['5.', 5],
    ['+2', 2],
    ['500m', 0.5],
    ['2k', 2000],
    ['3M', 3e6],
    ['1P', 1e15],
    ['1E', 1e18],
    ['0', 0],
    [1073741824, 2 ** 30],
  ];
  it.each(legal)('%j is %d', (q, value) => {
    const r = parseQuantityExact(q);
    expect(r.error).toBeUndefined();
    expect(r.quantity!.value).toBeCloseTo(value, 6);
  });

  const illegal: [string, RegExp | undefined][] = [
    ['1K', /k \(decimal\) or Ki/],
    ['1GB', /G or Gi/],
    ['1gi', /Gi/],
    ['1MiB', /Mi/],
    ['10 Gi', /spaces/],
    ['Gi', undefined],
    ['', undefined],
    ['1.2.3', undefined],
    ['1e', undefined],
    ['1e1.5', undefined],
    ['0x10', undefined],
    ['1Y', undefined],
    ['1da', undefined],
    ['1u', undefined],
  ];
  it.each(illegal)('%j is refused', (q, hint) => {
    const r = parseQuantityExact(q);
    expect(r.quantity).toBeUndefined();
    expect(r.error).toMatch(/not a quantity/);
    if (hint) expect(r.error === undefined ? undefined : r.hint).toMatch(hint);
  });

  it('compares exactly: 100m equals 0.1, 1Gi is more than 1G, 1e9 equals 1G', () => {
    const q = (s: string) => parseQuantityExact(s).quantity!;
    expect(compareQuantities(q('100m'), q('0.1'))).toBe(0);
    expect(compareQuantities(q('1Gi'), q('1G'))).toBe(1);
    expect(compareQuantities(q('1e9'), q('1G'))).toBe(0);
    expect(compareQuantities(q('999Mi'), q('1Gi'))).toBe(-1);
  });

  it('memory 1Pi and 1e9 build, and the requests summary counts them (it used to throw after writing)', async () => {
    for (const memory of ['1Pi', '1e9']) {
      const built = await expectBuilt(env({ mimir: { ingester: { resources: { requests: { cpu: '1', memory } } } } }));
      expect(totalRequests(built.tree).memoryBytes).toBeGreaterThanOrEqual(memory === '1Pi' ? 2 ** 50 : 1e9);
    }
  });

  const cases: BadCase[] = [
    {
      name: 'memory request 1GB',
      env: querierResources({ requests: { cpu: '1', memory: '1GB' } }),
      path: QUERIER,
      pointer: /resources\/requests\/memory$/,
      message: /invalid memory quantity: "1GB" is not a quantity/,
      expected: /Ki, Mi, Gi/,
      hint: /G or Gi.*config\.mimir\.querier\.resources/,
      count: 1,
    },
    {
      name: 'cpu 1K',
      env: querierResources({ requests: { cpu: '1K', memory: '1Gi' } }),
      path: QUERIER,
      pointer: /requests\/cpu$/,
      message: /invalid cpu quantity/,
      hint: /k \(decimal\)/,
      count: 1,
    },
    {
      name: 'negative memory',
      env: querierResources({ requests: { cpu: '1', memory: '-1Gi' } }),
      path: QUERIER,
      message: /memory must not be negative/,
      count: 1,
    },
    {
      name: 'pod-level limit 1GB (override)',
      env: env(
        {},
        {
          mimir: {
            querier: {
              deployment: { spec: { template: { spec: { resources: add({ limits: { memory: '1GB' } }) } } } },
            },
          },
        },
      ),
      path: QUERIER,
      pointer: '/spec/template/spec/resources/limits/memory',
      message: /invalid memory quantity/,
      count: 1,
    },
    {
      name: 'volume size with a space',
      env: env({ mimir: { ingester: { storage: { size: '10 Gi' } } } }),
      path: 'mimir.ingester.statefulSet',
      pointer: /volumeClaimTemplates\/0\/spec\/resources\/requests\/storage$/,
      message: /invalid storage quantity/,
      hint: /spaces.*config\.mimir\.ingester\.storage\.size/,
      count: 1,
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expectRefused(c);
  });
});

describe('resources: a limit below its request', () => {
  const cases: BadCase[] = [
    {
      name: 'memory limit below request',
      env: env({
        mimir: { ingester: { resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '1Gi' } } } },
      }),
      path: 'mimir.ingester.statefulSet',
      pointer: /limits\/memory$/,
      message: /memory limit 1Gi .* below its request 2Gi/,
      expected: /at least 2Gi/,
      hint: /config\.mimir\.ingester\.resources/,
      count: 1,
    },
    {
      name: 'cpu limit below request (500m < 1)',
      env: querierResources({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '500m' } }),
      path: QUERIER,
      pointer: /limits\/cpu$/,
      message: /cpu limit 500m .* below its request 1/,
      count: 1,
    },
    {
      name: 'limit 1G below request 1Gi (decimal vs binary)',
      env: querierResources({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1G' } }),
      path: QUERIER,
      message: /below its request 1Gi/,
      count: 1,
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expectRefused(c);
  });

  it('a limit equal to its request, written differently (1024Mi = 1Gi), builds', async () => {
    await expectBuilt(
      querierResources({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } }),
    );
  });
});

describe('names: every length limit by kind', () => {
  const limits: [string, number, RegExp][] = [
    ['Namespace', 63, /DNS-1123 label/],
    ['Service', 63, /DNS-1035 label/],
    ['StatefulSet', 52, /controller-revision-hash/],
    ['Job', 63, /label value/],
    ['CronJob', 52, /timestamp/],
    ['Deployment', 253, /subdomain/],
    ['ConfigMap', 253, /subdomain/],
    ['Secret', 253, /subdomain/],
    ['PersistentVolumeClaim', 253, /subdomain/],
    ['Application', 253, /subdomain/],
  ];
  it.each(limits)('%s: %d characters pass, one more is refused', (kind, max, why) => {
    expect(nameProblem(kind, 'a'.repeat(max))).toBeUndefined();
    const p = nameProblem(kind, 'a'.repeat(max + 1));
    expect(p?.message).toContain(`more than ${max}`);
    expect(`${p?.expected} ${p?.hint}`).toMatch(why);
  });
  it('formats: a Service starts with a letter, a Namespace has no dots, a ConfigMap may', () => {
    expect(nameProblem('Service', '1web')?.message).toBe('invalid Service name');
    expect(nameProblem('Namespace', 'a.b')?.message).toBe('invalid Namespace name');
    expect(nameProblem('ConfigMap', 'a.b')).toBeUndefined();
    expect(nameProblem('Deployment', 'Web')?.hint).toBe('e.g. "web"');
  });

  const cases: BadCase[] = [
    {
      name: 'namespace of 70 characters (config)',
      env: env({ namespace: 'a'.repeat(70) }),
      path: 'config.namespace',
      message: /70 characters long, more than 63/,
      expected: /DNS-1123 label/,
      count: 1,
    },
    {
      name: 'uppercase namespace: one problem, not one per object',
      env: env({ namespace: 'Mimir' }),
      path: 'config.namespace',
      message: /invalid namespace name/,
      hint: /"mimir"/,
      count: 1,
    },
    {
      name: 'Argo CD namespace with an underscore',
      env: env({ gitops: { argocdNamespace: 'argo_cd' } }),
      path: 'config.gitops.argocdNamespace',
      message: /invalid namespace name/,
      hint: /"argo-cd"/,
      count: 1,
    },
    {
      name: 'Namespace object renamed to 64 characters (override)',
      env: env({}, { cluster: { namespace: { namespace: { metadata: { name: 'n'.repeat(64) } } } } }),
      path: 'cluster.namespace.namespace',
      pointer: '/metadata/name',
      message: /Namespace name is 64 characters long/,
      count: 1,
    },
    {
      name: 'one object moved to an uppercase namespace (override)',
      env: env({}, { mimir: { distributor: { pdb: { metadata: { namespace: 'Mimir' } } } } }),
      path: 'mimir.distributor.pdb',
      pointer: '/metadata/namespace',
      message: /invalid namespace/,
      expected: /DNS-1123 label/,
      hint: /"mimir"/,
    },
    {
      name: 'StatefulSet renamed to 53 characters',
      env: env({}, { mimir: { ingester: { statefulSet: { metadata: { name: 'i'.repeat(53) } } } } }),
      path: 'mimir.ingester.statefulSet',
      pointer: '/metadata/name',
      message: /StatefulSet name is 53 characters long, more than 52/,
      hint: /controller-revision-hash/,
      count: 1,
    },
    {
      name: 'environment name of 300 characters (no ENAMETOOLONG)',
      env: env({}, undefined, 'a'.repeat(300)),
      path: 'name',
      message: /300 characters long; its Argo CD Application/,
      expected: /at most 247/,
      count: 1,
    },
    {
      name: 'environment name making an Application name over 253 characters',
      env: env({}, undefined, 'a'.repeat(248)),
      path: 'name',
      message: /exceed the 253 characters/,
      count: 1,
    },
    {
      name: 'environment name with capitals',
      env: env({}, undefined, 'Staging'),
      path: 'name',
      message: /invalid environment name/,
      hint: /"staging"/,
      count: 1,
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expectRefused(c);
  });

  it('an environment name of 247 characters builds (its Application has 253)', async () => {
    await expectBuilt(env({}, undefined, 'a'.repeat(247)));
  });
});

describe('images: non-empty, well-formed, with a tag or a digest', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  it.each([
    'grafana/mimir:3.0.2',
    'registry.example.com:5000/grafana/mimir:3.0.2',
    `grafana/mimir@${digest}`,
    `grafana/mimir:3.0.2@${digest}`,
    'localhost/x:y',
  ])('%s is accepted', (image) => {
    expect(imageProblem(image)).toBeUndefined();
  });
  it.each([
    ['', /empty/],
    ['grafana/mimir', /neither a tag nor a digest/],
    ['Grafana/Mimir:3.0.2', /lowercase/],
    ['grafana/mimir:3.0.2 ', /spaces/],
    ['grafana/mimir@sha256:abc', /not a valid image reference/],
    ['grafana/mimir:', /not a valid image reference/],
  ])('%j is refused', (image, why) => expect(imageProblem(image)).toMatch(why));

  const cases: BadCase[] = [
    {
      name: 'empty Mimir image: one problem listing every container',
      env: env({ images: { mimir: '' } }),
      path: /^mimir\./,
      pointer: /containers\/0\/image$/,
      message: /the image is empty/,
      expected: /tag or a digest/,
      hint: /config\.images/,
      count: 1,
    },
    {
      name: 'image without a tag',
      env: env({ images: { mimir: 'grafana/mimir' } }),
      path: /^mimir\./,
      message: /neither a tag nor a digest/,
      count: 1,
    },
  ];
  it.each(cases)('$name', async (c) => {
    const p = await expectRefused(c);
    expect(p.also?.length).toBeGreaterThanOrEqual(9);
  });
});

describe("flags: values by type from Mimir's reference", () => {
  const cases: BadCase[] = [
    {
      name: 'int',
      env: querierFlags({ 'querier.max-concurrent': 'lots' }),
      path: QUERIER,
      message: /`-querier.max-concurrent` .* takes an integer/,
      expected: /integer/,
      hint: /config\.mimir\.querier\.flags/,
    },
    {
      name: 'duration',
      env: querierFlags({ 'querier.timeout': '5 minutes' }),
      path: QUERIER,
      message: /`-querier.timeout` .* takes a duration/,
      expected: /`15m`/,
    },
    {
      name: 'boolean',
      env: querierFlags({ 'querier.shuffle-sharding-ingesters-enabled': 'yes' }),
      path: QUERIER,
      message: /takes a boolean/,
    },
    {
      name: 'enum -log.level',
      env: querierFlags({ 'log.level': 'verbose' }),
      path: QUERIER,
      message: /`-log.level` .* takes one of `debug`, `info`, `warn`, `error`/,
      expected: /one of `debug`, `info`, `warn`, `error`/,
      count: 1,
    },
    {
      name: 'enum -log.format, with a suggestion',
      env: querierFlags({ 'log.format': 'jsn' }),
      path: QUERIER,
      message: /takes one of `logfmt`, `json`/,
      hint: /did you mean `json`/,
      count: 1,
    },
    {
      name: 'enum in mimir.yaml (server.log_level)',
      env: env({ mimir: { config: { server: { log_level: 'verbose' } } } }),
      path: 'mimir.config.configMap',
      pointer: 'server.log_level',
      message: /must be one of `debug`/,
      count: 1,
    },
    {
      name: 'enum: a backend Mimir does not have',
      env: env({ mimir: { config: { common: { storage: { backend: 'minio' } } } } }),
      path: 'mimir.config.configMap',
      message: /`backend` in mimir.yaml must be one of `s3`, `gcs`/,
      count: 1,
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expectRefused({ hint: /./, ...c });
  });

  it('every value Mimir lists is accepted, and an unset enum ("") where its default is unset', async () => {
    await expectBuilt(
      querierFlags({ 'log.level': 'debug', 'log.format': 'json', 'querier.store-gateway-client.grpc-compression': '' }),
    );
  });
});

describe('listen ports versus container ports, probes and Services', () => {
  const cases: BadCase[] = [
    {
      name: '-server.grpc-listen-port equal to the HTTP port',
      env: env({ mimir: { distributor: { flags: { 'server.grpc-listen-port': 8080 } } } }),
      path: 'mimir.distributor.deployment',
      pointer: /args\/\d+$/,
      message: /HTTP and gRPC on the same port 8080/,
      expected: /different ports/,
      hint: /config\.mimir\.distributor\.flags/,
      count: 1,
    },
    {
      name: '-server.http-listen-port not matching the container port',
      env: env({ mimir: { distributor: { flags: { 'server.http-listen-port': 8081 } } } }),
      path: 'mimir.distributor.deployment',
      message: /listens for HTTP on 8081, but the container declares no port 8081/,
      expected: /container port 8081/,
      count: 1,
    },
    {
      name: '-server.grpc-listen-port not matching the container port',
      env: env({ mimir: { querier: { flags: { 'server.grpc-listen-port': 9096 } } } }),
      path: QUERIER,
      message: /listens for gRPC on 9096/,
      count: 1,
    },
    {
      name: '-memberlist.bind-port not matching the gossip port of a ring member',
      env: env({ mimir: { ingester: { flags: { 'memberlist.bind-port': 7947 } } } }),
      path: 'mimir.ingester.statefulSet',
      message: /listens for memberlist gossip on 7947/,
      count: 1,
    },
    {
      name: 'server.http_listen_port in mimir.yaml: one problem for every component',
      env: env({ mimir: { config: { server: { http_listen_port: 8081 } } } }),
      path: /^mimir\./,
      message: /listens for HTTP on 8081/,
      hint: /config\.mimir\.config/,
      count: 1,
    },
    {
      name: 'container port and flag moved, probe left behind',
      env: env(
        { mimir: { querier: { flags: { 'server.http-listen-port': 8081 } } } },
        {
          mimir: {
            querier: {
              deployment: {
                spec: {
                  template: {
                    spec: {
                      containers: byName({
                        querier: {
                          ports: byName({ 'http-metrics': { containerPort: 8081 } }),
                          readinessProbe: { httpGet: { port: 8080 } },
                        },
                      }),
                    },
                  },
                },
              },
            },
          },
        },
      ),
      path: QUERIER,
      pointer: /readinessProbe\/httpGet\/port$/,
      message: /readinessProbe calls port 8080, but Mimir serves HTTP on 8081/,
      count: 1,
    },
    {
      name: 'container port and flag moved, Service still targets 8080 by number',
      env: env(
        { mimir: { querier: { flags: { 'server.http-listen-port': 8081 } } } },
        {
          mimir: {
            querier: {
              deployment: {
                spec: {
                  template: {
                    spec: {
                      containers: byName({ querier: { ports: byName({ 'http-metrics': { containerPort: 8081 } }) } }),
                    },
                  },
                },
              },
              service: { spec: { ports: byName({ 'http-metrics': { targetPort: 8080 } }) } },
            },
          },
        },
      ),
      path: 'mimir.querier.service',
      message: /8080/,
      noExpected: true,
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expectRefused({ hint: /./, ...c });
  });

  it('flag, container port, probes and Service moved together build', async () => {
    await expectBuilt(
      env(
        { mimir: { querier: { flags: { 'server.http-listen-port': 8081 } } } },
        {
          mimir: {
            querier: {
              deployment: {
                spec: {
                  template: {
                    spec: {
                      containers: byName({ querier: { ports: byName({ 'http-metrics': { containerPort: 8081 } }) } }),
                    },
                  },
                },
              },
            },
          },
        },
      ),
    );
  });
});

describe("tenant IDs: Mimir's rules", () => {
  it.each(['anonymous', 'team-a', "a.b_c!*'()", 'x'.repeat(150)])('%s is accepted', (id) =>
    expect(tenantIdProblem(id)).toBeUndefined(),
  );
  it.each([
    ['', /empty/],
    ['team a', /" "/],
    ['a/b', /"\/"/],
    ['a|b', /"\|"/],
    ['.', /"\." or "\.\."/],
    ['..', /"\." or "\.\."/],
    ['__mimir_cluster', /keeps for itself/],
    ['x'.repeat(151), /longer than 150/],
  ])('%j is refused', (id, why) => expect(tenantIdProblem(id)).toMatch(why));

  const cases: BadCase[] = [
    {
      name: 'a tenant of config.mimir.tenants with a space and a slash',
      env: env({ mimir: { tenants: { 'team a/b': { ingestion_rate: 1 } } } }),
      path: 'config.mimir.tenants["team a/b"]',
      message: /characters Mimir does not accept in a tenant ID: " " "\/"/,
      expected: /150 characters/,
      count: 1,
    },
    {
      name: 'the default tenant with "|"',
      env: env({ defaultTenant: 'a|b' }),
      path: 'config.defaultTenant',
      message: /default tenant "a\|b" has characters/,
      count: 1,
    },
    {
      name: 'a tenant added to the runtime overrides file through an override',
      env: env(
        {},
        {
          mimir: {
            config: {
              runtimeConfigMap: {
                data: { 'runtime.yaml': 'overrides:\n  "__mimir_cluster":\n    ingestion_rate: 1\n' },
              },
            },
          },
        },
      ),
      path: 'mimir.config.runtimeConfigMap',
      pointer: '/data/runtime.yaml',
      message: /tenant ID "__mimir_cluster" in overrides is the name Mimir keeps/,
      count: 1,
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expectRefused(c);
  });
});

describe('S3 endpoint: host[:port], never a URL', () => {
  it.each(['s3.eu-west-1.amazonaws.com', 'minio.storage.svc:9000', '10.0.0.1:9000'])('%s is accepted', (e) =>
    expect(s3EndpointProblem(e)).toBeUndefined(),
  );
  it('a scheme is refused with the host and the insecure setting to use instead', () => {
    expect(s3EndpointProblem('https://s3.amazonaws.com/')?.hint).toBe(
      'write `s3.amazonaws.com` and set config.storage.insecure: false (plain HTTP off)',
    );
    expect(s3EndpointProblem('http://minio:9000')?.hint).toBe(
      'write `minio:9000` and set config.storage.insecure: true (plain HTTP on)',
    );
    expect(s3EndpointProblem('s3.amazonaws.com/bucket')?.message).toMatch(/has a path/);
  });

  const cases: BadCase[] = [
    {
      name: 'config.storage.endpoint with https://',
      env: env({
        storage: { endpoint: 'https://s3.eu-west-1.amazonaws.com' },
        existingSecrets: ['storage-credentials'],
      }),
      path: 'config.storage.endpoint',
      message: /written with a scheme \(https:\/\/\)/,
      expected: /host\[:port\]/,
      hint: /`s3\.eu-west-1\.amazonaws\.com`/,
      count: 1,
    },
    {
      name: "an endpoint with a scheme in Mimir's YAML",
      env: env({ mimir: { config: { blocks_storage: { s3: { endpoint: 'http://minio:9000' } } } } }),
      path: 'mimir.config.configMap',
      message: /blocks_storage\.s3\.endpoint: the S3 endpoint is written with a scheme/,
      count: 1,
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expectRefused(c);
  });
});

describe('DELETE of a whole component or object, in an environment', () => {
  it('a whole component', async () => {
    const built = await expectBuilt(env({}, { mimir: { overridesExporter: DELETE } }));
    expect(built.tree.mimir.overridesExporter).toBeUndefined();
  });
  it('one object of a component', async () => {
    const built = await expectBuilt(env({}, { mimir: { distributor: { pdb: DELETE } } }));
    expect(Object.keys(built.tree.mimir.distributor)).not.toContain('pdb');
  });
  it('a whole component other components need: refused by the references it leaves dangling, not by the schema', async () => {
    await expectRefused({
      name: 'grafana deleted',
      env: env({}, { observability: { grafana: DELETE } }),
      path: 'observability.gateway.configMap',
      message: /names Service "grafana" .* which is not rendered/,
      noExpected: true,
    });
  });
  it('add() of a whole new object at the component level passes the schema too', async () => {
    const built = await expectBuilt(
      env(
        {},
        {
          mimir: {
            distributor: {
              extra: add({
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name: 'extra', namespace: 'mimir' },
                data: { a: 'b' },
              }),
            },
          },
        },
      ),
    );
    expect(Reflect.get(built.tree.mimir.distributor, 'extra')).toBeDefined();
  });
  it('DELETE of something the tree does not have is still an error with a suggestion', async () => {
    await expectRefused({
      name: 'DELETE of a typo',
      env: env({}, { mimir: { overridesExporterr: DELETE } }),
      path: 'overrides.mimir.overridesExporterr',
      message: /nothing to DELETE/,
      hint: /did you mean `overridesExporter`/,
      noExpected: true,
      count: 1,
    });
  });
});

describe('messages: grouped by cause, allowed values listed', () => {
  it('one missing Secret is one problem listing every user', async () => {
    const p = await expectRefused({
      name: 'no storage Secret',
      env: { name: 'bad', config: { observability: { grafana: { developmentCredentials: true } } } },
      path: /^mimir\./,
      message: /^Secret "storage-credentials" does not exist in namespace mimir$/,
      expected: /Secret named "storage-credentials"/,
      hint: /existingSecrets/,
      count: 1,
    });
    const places = [p, ...(p.also ?? [])];
    expect(places.length).toBeGreaterThanOrEqual(10);
    expect(new Set(places.map((q) => q.path))).toContain('mimir.ingester.statefulSet');
    expect(formatProblems([p]).match(/Secret "storage-credentials"/g)).toHaveLength(1);
  });

  it('an enum error lists the allowed values and suggests the nearest', async () => {
    await expectRefused({
      name: 'ruler mode typo',
      env: env({ mimir: { ruler: { mode: 'remot' } } }),
      path: 'config.mimir.ruler.mode',
      message: /not one of the allowed values/,
      expected: /one of "internal", "remote"/,
      hint: /did you mean `remote`/,
      count: 1,
    });
  });
});
