/**
 * Bad zone configurations, each refused before anything renders: what is wrong, the config path, the
 * expected form, what was found and the fix. One working three-zone environment is built alongside,
 * so a check that refused everything would fail here too.
 */
import { describe, expect, it } from 'vitest';
import { env, expectBuilt, expectRefused, type BadCase } from '../support/bad-input.js';

const three = [
  { name: 'zone-a', topologyValue: '' },
  { name: 'zone-b', topologyValue: '' },
  { name: 'zone-c', topologyValue: '' },
];

/** A working environment with three zones and `mimir` merged in. */
const zoned = (mimir: object = {}, zones: object[] = three) =>
  env({ mimir: { zoneAwareness: { zones }, ingester: { replicas: 3 }, storeGateway: { replicas: 3 }, ...mimir } });

describe('zones: refused with the path, the expected form and the fix', () => {
  it('three zones, three ingesters and three store-gateways build', async () => {
    const built = await expectBuilt(zoned());
    expect(Object.keys(built.tree.mimir.ingester)).toContain('statefulSet-zone-c');
  });

  const cases: BadCase[] = [
    {
      name: 'a zone name that is not a DNS label',
      env: zoned({}, [{ name: 'Zone_A', topologyValue: '' }, ...three.slice(1)]),
      path: 'config.mimir.zoneAwareness.zones[0].name',
      message: /invalid zone name/,
      expected: /DNS-1123 label/,
      hint: /zone-a/,
      count: 1,
    },
    {
      name: 'a zone name too long for the StatefulSet names it makes',
      env: zoned({}, [{ name: 'z'.repeat(40), topologyValue: '' }, ...three.slice(1)]),
      path: 'config.mimir.zoneAwareness.zones[0].name',
      message: /invalid zone name/,
      expected: /at most 38 characters/,
      count: 1,
    },
    {
      name: 'the same zone twice',
      env: zoned({}, [...three, { name: 'zone-b', topologyValue: '' }]),
      path: 'config.mimir.zoneAwareness.zones[3].name',
      message: /"zone-b" is listed twice \(also at zones\[1\]\)/,
      expected: /distinct/,
      hint: /rename/,
    },
    {
      name: 'a node label value that is not one',
      env: zoned({}, [{ name: 'zone-a', topologyValue: 'eu west 1a' }, ...three.slice(1)]),
      path: 'config.mimir.zoneAwareness.zones[0].topologyValue',
      message: /invalid node label value for zone "zone-a"/,
      expected: /label value/,
      hint: /kubectl get nodes -L topology\.kubernetes\.io\/zone/,
      count: 1,
    },
    {
      name: 'a topology label key that is not one',
      env: env({
        mimir: {
          zoneAwareness: { zones: three, topologyKey: 'topology kubernetes.io/zone' },
          ingester: { replicas: 3 },
          storeGateway: { replicas: 3 },
        },
      }),
      path: 'config.mimir.zoneAwareness.topologyKey',
      message: /invalid node label key/,
      expected: /label key/,
      hint: /topology\.kubernetes\.io\/zone/,
      count: 1,
    },
    {
      name: 'an ingester set zone-aware without zones',
      env: env({ mimir: { ingester: { zoneAware: true } } }),
      path: 'config.mimir.ingester.zoneAware',
      message: /ingester is set zone-aware, but no zones are configured/,
      expected: /config\.mimir\.zoneAwareness\.zones/,
      count: 1,
    },
    {
      name: 'an alertmanager opted in without zones',
      env: env({ mimir: { alertmanager: { zoneAware: true } } }),
      path: 'config.mimir.alertmanager.zoneAware',
      message: /alertmanager is set zone-aware, but no zones are configured/,
      count: 1,
    },
    {
      name: 'ingester replicas that do not split evenly into the zones',
      env: zoned({ ingester: { replicas: 4 } }),
      path: 'config.mimir.ingester.replicas',
      message: /4 ingester replicas do not split evenly into 3 zones/,
      expected: /a multiple of 3, at least 3/,
      hint: /e\.g\. 3 \(1 per zone\) or 6/,
      count: 1,
    },
    {
      name: 'fewer store-gateways than zones',
      env: zoned({ storeGateway: { replicas: 2 } }),
      path: 'config.mimir.storeGateway.replicas',
      message: /2 store-gateway replicas do not split evenly into 3 zones/,
      expected: /a multiple of 3, at least 3/,
      count: 1,
    },
    {
      name: 'four ingesters in two zones: the default replication factor 3 needs three zones',
      env: zoned({ ingester: { replicas: 4 }, storeGateway: { replicas: 2 } }, three.slice(0, 2)),
      path: 'config.mimir.ingester.replicas',
      message: /replication factor 3 of the ingester ring needs 3 zones/,
      expected: /at most 2/,
      hint: /add zones, or set config\.mimir\.ingester\.zoneAware to false/,
      count: 1,
    },
    {
      name: 'two zones: one zone down leaves a write without its quorum',
      env: zoned({ ingester: { replicas: 2 }, storeGateway: { replicas: 2 } }, three.slice(0, 2)),
      path: 'config.mimir.ingester.replicas',
      message: /with replication factor 2, a write needs 2 of 2 ingesters; when one zone is down only 1 remain/,
      expected: /at least 3/,
      hint: /configure 3 zones/,
      count: 1,
    },
    {
      name: 'replication factor 3 set in mimir.yaml with two zones',
      env: zoned(
        {
          ingester: { replicas: 2 },
          storeGateway: { replicas: 2 },
          config: { ingester: { ring: { replication_factor: 3 } } },
        },
        three.slice(0, 2),
      ),
      path: 'config.mimir.config.ingester.ring.replication_factor',
      message:
        /replication factor 3 of the ingester ring needs 3 zones; Mimir places at most one replica per zone and 2 are configured/,
      expected: /at most 2/,
      hint: /set it to 2, or add zones/,
      count: 1,
    },
    {
      name: 'one zone down breaks the write quorum (replication factor 1)',
      env: zoned({ config: { ingester: { ring: { replication_factor: 1 } } } }),
      path: 'config.mimir.config.ingester.ring.replication_factor',
      message: /a write needs 1 of 1 ingesters; when one zone is down only 0 remain, so writes fail/,
      expected: /at least 3/,
      hint: /raise the replication factor to 3/,
      count: 1,
    },
    {
      name: 'store-gateway blocks in one zone only',
      env: zoned({ config: { store_gateway: { sharding_ring: { replication_factor: 1 } } } }),
      path: 'config.mimir.config.store_gateway.sharding_ring.replication_factor',
      message: /every block is loaded in one zone only/,
      expected: /at least 2/,
      count: 1,
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expectRefused(c);
  });
});
