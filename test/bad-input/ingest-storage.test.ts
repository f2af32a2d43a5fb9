/**
 * Ingest-storage configs the build refuses before anything renders, each with the config path, the
 * expected form, what was found and the fix. Working ingest-storage environments (bundled, external,
 * three zones) are built alongside, so a rule that refused everything would fail here too.
 */
import { describe, expect, it } from 'vitest';
import { env, expectBuilt, expectRefused, type BadCase } from '../support/bad-input.js';

const three = [
  { name: 'zone-a', topologyValue: '' },
  { name: 'zone-b', topologyValue: '' },
  { name: 'zone-c', topologyValue: '' },
];

/** Ingest storage with the bundled Kafka, `mimir` and `observability` merged in. */
const ingest = (mimir: object = {}, observability: object = {}, extra: object = {}) =>
  env({
    mimir: { architecture: 'ingest-storage', ...mimir },
    observability: { kafka: { enabled: true }, ...observability },
    ...extra,
  });

const external = (kafka: object, extra: object = {}) =>
  env({
    mimir: { architecture: 'ingest-storage', ingestStorage: { kafka: { source: 'external', ...kafka } } },
    ...extra,
  });

/** Three zones of `perZone` ingesters each. */
const zoned = (perZone: number, mimir: object = {}, zones = three) =>
  ingest({
    zoneAwareness: { zones },
    ingester: { replicas: perZone * zones.length },
    storeGateway: { replicas: zones.length },
    ...mimir,
  });

describe('ingest storage: refused with the path, the expected form and the fix', () => {
  it('the bundled Kafka, an external Kafka with SASL, and three zones of three ingesters build', async () => {
    await expectBuilt(ingest());
    await expectBuilt(
      external(
        { address: 'kafka.example.com:9093', sasl: { secretName: 'kafka-sasl' } },
        { existingSecrets: ['kafka-sasl'] },
      ),
    );
    const built = await expectBuilt(zoned(3, { ingestStorage: { kafka: { partitions: 3 } } }));
    expect(Object.keys(built.tree.mimir.ingester)).toContain('statefulSet-zone-c');
  });

  it("two zones build: writes go to Kafka, so classic's ingester write quorum does not apply", async () => {
    const built = await expectBuilt(zoned(1, { storeGateway: { replicas: 2 } }, three.slice(0, 2)));
    expect(Object.keys(built.tree.mimir.ingester)).toContain('statefulSet-zone-b');
    await expectRefused({
      name: 'the same zones under classic',
      env: env({
        mimir: {
          zoneAwareness: { zones: three.slice(0, 2) },
          ingester: { replicas: 2 },
          storeGateway: { replicas: 2 },
        },
      }),
      path: 'config.mimir.ingester.replicas',
      message: /a write needs 2 of 2 ingesters/,
    });
  });

  const cases: BadCase[] = [
    {
      name: 'the ruler evaluating rules itself',
      env: ingest({ ruler: { mode: 'internal' } }),
      path: 'config.mimir.ruler.mode',
      message: /ingest storage needs the ruler in remote mode/,
      expected: /"remote"/,
      hint: /mode: "remote"/,
      count: 1,
    },
    {
      name: 'fewer partitions than ingesters',
      env: ingest({ ingestStorage: { kafka: { partitions: 2 } } }),
      path: 'config.mimir.ingestStorage.kafka.partitions',
      message: /2 partitions for 3 ingesters: .*ingester pods 2…2 would own partitions the topic does not have/,
      expected: /at least 3/,
      hint: /partitions to 3 or more/,
      count: 1,
    },
    {
      name: 'fewer partitions than ingesters per zone',
      env: zoned(4, { ingestStorage: { kafka: { partitions: 3 } } }),
      path: 'config.mimir.ingestStorage.kafka.partitions',
      message: /3 partitions for 4 ingesters per zone/,
      expected: /at least 4 \(the ingesters per zone\)/,
      count: 1,
    },
    {
      name: 'fewer partitions set in mimir.yaml than ingesters',
      env: ingest({ config: { ingest_storage: { kafka: { auto_create_topic_default_partitions: 1 } } } }),
      path: 'config.mimir.config.ingest_storage.kafka.auto_create_topic_default_partitions',
      message: /1 partition for 3 ingesters/,
      expected: /at least 3/,
      count: 1,
    },
    {
      name: "the broker's default partition count (-1), which the build cannot check",
      env: ingest({ config: { ingest_storage: { kafka: { auto_create_topic_default_partitions: -1 } } } }),
      path: 'config.mimir.config.ingest_storage.kafka.auto_create_topic_default_partitions',
      message: /broker's default partition count/,
      expected: /at least 3/,
      count: 1,
    },
    {
      name: 'a Kafka client ID with a space and a slash',
      env: ingest({ ingestStorage: { kafka: { clientId: 'mimir prod/eu' } } }),
      path: 'config.mimir.ingestStorage.kafka.clientId',
      message: /the Kafka client ID contains " ", "\/"/,
      expected: /at most 255 characters of a-z A-Z 0-9 \. _ - = ,/,
      hint: /letters, digits/,
      count: 1,
    },
    {
      name: 'a Kafka client ID longer than 255 characters',
      env: ingest({ ingestStorage: { kafka: { clientId: 'a'.repeat(256) } } }),
      path: 'config.mimir.ingestStorage.kafka.clientId',
      message: /is 256 characters long; Kafka clients send at most 255/,
      count: 1,
    },
    {
      name: 'a Kafka client ID set as a flag of one component',
      env: ingest({ distributor: { flags: { 'ingest-storage.kafka.client-id': 'dist:1' } } }),
      path: 'config.mimir.distributor.flags["ingest-storage.kafka.client-id"]',
      message: /contains ":"/,
      count: 1,
    },
    {
      name: 'zone-aware ingesters on one zone',
      env: zoned(1, { storeGateway: { replicas: 1, zoneAware: false } }, three.slice(0, 1)),
      path: 'config.mimir.zoneAwareness.zones',
      message: /ingest storage runs zone-aware ingesters on 2 or 3 zones .* 1 is configured/,
      expected: /2 or 3 zones/,
      hint: /add a zone/,
    },
    {
      name: 'partitions that wait for more owners than there are zones',
      env: zoned(1, { config: { ingester: { partition_ring: { min_partition_owners_count: 4 } } } }),
      path: 'config.mimir.config.ingester.partition_ring.min_partition_owners_count',
      message: /a partition becomes ACTIVE only with 4 owners, but each partition has 3/,
      expected: /at most 3/,
      hint: /set it to 3/,
      count: 1,
    },
    {
      name: 'the bundled Kafka not rendered',
      env: ingest({}, { kafka: { enabled: false } }),
      path: 'config.observability.kafka.enabled',
      message:
        /the bundled Kafka, but it is not rendered: .*kafka\.mimir\.svc\.cluster\.local:9092 would name no Service/,
      expected: /true/,
      hint: /observability\.kafka\.enabled: true/,
      count: 1,
    },
    {
      name: 'an external Kafka without an address',
      env: external({ address: '' }),
      path: 'config.mimir.ingestStorage.kafka.address',
      message: /an external Kafka without an address/,
      expected: /host:port/,
      count: 1,
    },
    {
      name: 'an external Kafka written as a list',
      env: external({ address: 'k1.example.com:9092,k2.example.com:9092' }),
      path: 'config.mimir.ingestStorage.kafka.address',
      message: /not host:port/,
      hint: /one bootstrap address/,
      count: 1,
    },
    {
      name: 'an external Kafka written as a URL',
      env: external({ address: 'kafka://k1.example.com:9092' }),
      path: 'config.mimir.ingestStorage.kafka.address',
      message: /not host:port/,
      hint: /without a scheme/,
      count: 1,
    },
    {
      name: 'an address beside the bundled Kafka',
      env: ingest({ ingestStorage: { kafka: { address: 'kafka.example.com:9092' } } }),
      path: 'config.mimir.ingestStorage.kafka.address',
      message: /the bundled Kafka is used: the address would be ignored/,
      count: 1,
    },
    {
      name: 'SASL for the bundled Kafka',
      env: ingest(
        { ingestStorage: { kafka: { sasl: { secretName: 'kafka-sasl' } } } },
        {},
        { existingSecrets: ['kafka-sasl'] },
      ),
      path: 'config.mimir.ingestStorage.kafka.sasl.secretName',
      message: /listens without SASL/,
      count: 1,
    },
    {
      name: 'a KRaft cluster ID kafka-storage.sh refuses',
      env: ingest({}, { kafka: { enabled: true, clusterId: 'not-a-uuid' } }),
      path: 'config.observability.kafka.clusterId',
      message: /refuses this KRaft cluster ID/,
      expected: /base64url/,
      hint: /random-uuid/,
      count: 1,
    },
    {
      name: 'a heap in Kubernetes units',
      env: ingest({}, { kafka: { enabled: true, heap: '256Mi' } }),
      path: 'config.observability.kafka.heap',
      message: /not a Java memory size/,
      hint: /256m/,
      count: 1,
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expectRefused(c);
  });

  it('problems of several rules are reported together', async () => {
    const { buildEnvironment } = await import('../../lib/build/pipeline.js');
    const result = await buildEnvironment(
      ingest({ ruler: { mode: 'internal' }, ingestStorage: { kafka: { partitions: 1, clientId: 'a b' } } }),
      'environments/bad/main.ts',
    );
    expect(result.problems.map((p) => p.path).sort()).toEqual([
      'config.mimir.ingestStorage.kafka.clientId',
      'config.mimir.ingestStorage.kafka.partitions',
      'config.mimir.ruler.mode',
    ]);
  });
});
