/**
 * Zone-aware replication: which components are split into one StatefulSet per zone, the Mimir settings
 * that tell each ring about it, and the config problems that would otherwise surface as a ring that
 * cannot place its replicas (or loses writes when one zone goes down).
 */
import type { JsonObject, MimirStackConfig, MimirZonedComponentConfig } from './config.js';
import type { Problem } from '../core/problems.js';
import { replicationFactor } from './replication.js';
import { targets } from './names.js';

/** The components that can be zone-aware, with the ring each registers in. */
export const zonedComponents = {
  ingester: {
    target: targets.ingester,
    /** Flags of the ring, without the leading dash. */
    flagPrefix: 'ingester.ring',
    /** Path of the ring in mimir.yaml. */
    yamlPath: ['ingester', 'ring'],
  },
  storeGateway: {
    target: targets.storeGateway,
    flagPrefix: 'store-gateway.sharding-ring',
    yamlPath: ['store_gateway', 'sharding_ring'],
  },
  alertmanager: {
    target: targets.alertmanager,
    flagPrefix: 'alertmanager.sharding-ring',
    yamlPath: ['alertmanager', 'sharding_ring'],
  },
} as const;

export type ZonedComponent = keyof typeof zonedComponents;

/** The label every pod of a zone-aware component carries; the rollout-operator groups StatefulSets by it. */
export const rolloutGroupLabel = 'rollout-group';
/** The rollout-operator finds the pods of a StatefulSet by this label of its pod template. */
export const rolloutNameLabel = 'name';
export { zoneLabel } from '../core/k8s/meta.js';
/** How many pods of one StatefulSet of the group the rollout-operator restarts at once. */
export const rolloutMaxUnavailableAnnotation = 'rollout-max-unavailable';

function settingsOf(c: MimirStackConfig, key: ZonedComponent): MimirZonedComponentConfig {
  return c.mimir[key];
}

/** Whether a component renders one StatefulSet per zone. */
export function isZoneAware(c: MimirStackConfig, key: ZonedComponent): boolean {
  const setting = settingsOf(c, key).zoneAware;
  const zones = c.mimir.zoneAwareness.zones.length;
  if (key === 'alertmanager' && !c.mimir.alertmanager.enabled) return false;
  return setting === 'auto' ? zones > 0 : setting === true && zones > 0;
}

/** Whether any component is zone-aware (the rollout-operator runs then). */
export function anyZoneAware(c: MimirStackConfig): boolean {
  return (Object.keys(zonedComponents) as ZonedComponent[]).some((k) => isZoneAware(c, k));
}

/** Name of a component's StatefulSet (and headless Service) in one zone, e.g. `ingester-zone-a`. */
export function zonedName(name: string, zone: string): string {
  return `${name}-${zone}`;
}

/** Replicas of each zone's StatefulSet: the component's total, split evenly. */
export function replicasPerZone(c: MimirStackConfig, key: ZonedComponent): number {
  const zones = c.mimir.zoneAwareness.zones.length;
  return zones === 0 ? settingsOf(c, key).replicas : Math.floor(settingsOf(c, key).replicas / zones);
}

function at(doc: JsonObject, path: readonly string[]): unknown {
  let v: unknown = doc;
  for (const k of path) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject)[k] : undefined;
  return v;
}

/**
 * The replication factor the ring runs with, and the config path it comes from: `config.mimir.config`
 * when it sets one, the library's default (from the replica count) otherwise.
 */
export function effectiveReplicationFactor(
  c: MimirStackConfig,
  key: ZonedComponent,
): { value: number; path: string; set: boolean } {
  const yamlPath = [...zonedComponents[key].yamlPath, 'replication_factor'];
  const set = at(c.mimir.config, yamlPath);
  if (typeof set === 'number') return { value: set, path: `config.mimir.config.${yamlPath.join('.')}`, set: true };
  return { value: replicationFactor(settingsOf(c, key).replicas), path: `config.mimir.${key}.replicas`, set: false };
}

/** mimir.yaml settings for every zone-aware ring: clients (distributors, queriers, rulers) must know too. */
export function zoneAwarenessYaml(c: MimirStackConfig): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(zonedComponents) as ZonedComponent[]) {
    if (!isZoneAware(c, key)) continue;
    const [section, ring] = zonedComponents[key].yamlPath;
    out[section] = { [ring]: { zone_awareness_enabled: true } };
  }
  return out;
}

/** The flag that puts one zone's pods in their zone of the ring. */
export function zoneFlag(key: ZonedComponent, zone: string): Record<string, string> {
  return { [`${zonedComponents[key].flagPrefix}.instance-availability-zone`]: zone };
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelKey =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** `store-gateway-<zone>` names a StatefulSet whose pods carry `controller-revision-hash: <name>-<10 chars>` (≤ 63). */
const maxZoneName = 63 - 'store-gateway-'.length - 11;

/**
 * Everything about zones that is wrong in the config itself: zone names, the topology label, components
 * asked to be zone-aware without zones, replicas that do not split evenly, a replication factor the
 * zones cannot hold, and a write quorum that one zone's loss would break. Each names the config path,
 * what is expected, what was found and how to fix it.
 */
export function zoneProblems(c: MimirStackConfig, source: string): Problem[] {
  const out: Problem[] = [];
  const z = c.mimir.zoneAwareness;
  const zones = z.zones;
  const seen = new Map<string, number>();
  zones.forEach((zone, i) => {
    const path = `config.mimir.zoneAwareness.zones[${i}].name`;
    if (typeof zone.name !== 'string' || !dns1123Label.test(zone.name) || zone.name.length > maxZoneName) {
      out.push({
        source,
        path,
        message: `invalid zone name: it becomes part of object names (ingester-<zone>) and of Mimir's ring`,
        expected: `a DNS-1123 label of at most ${maxZoneName} characters: lowercase letters, digits and "-", starting and ending with a letter or digit`,
        found: JSON.stringify(zone.name),
        hint: 'e.g. "zone-a"',
      });
    } else if (seen.has(zone.name)) {
      out.push({
        source,
        path,
        message: `zone "${zone.name}" is listed twice (also at zones[${seen.get(zone.name)}]); its StatefulSets would collide`,
        expected: 'distinct zone names',
        found: JSON.stringify(zone.name),
        hint: 'remove the duplicate or rename it, e.g. "zone-b"',
      });
    } else seen.set(zone.name, i);
    if (
      typeof zone.topologyValue !== 'string' ||
      !labelValue.test(zone.topologyValue) ||
      zone.topologyValue.length > 63
    ) {
      out.push({
        source,
        path: `config.mimir.zoneAwareness.zones[${i}].topologyValue`,
        message: `invalid node label value for zone "${zone.name}": it is matched against the ${z.topologyKey} label of nodes`,
        expected:
          'a label value (at most 63 letters, digits, "-", "_", "."; starting and ending with a letter or digit), or "" for no node affinity',
        found: JSON.stringify(zone.topologyValue),
        hint: `the value your nodes carry, e.g. kubectl get nodes -L ${z.topologyKey}`,
      });
    }
  });
  if (zones.length > 0 && (!labelKey.test(z.topologyKey) || z.topologyKey.length > 316)) {
    out.push({
      source,
      path: 'config.mimir.zoneAwareness.topologyKey',
      message: 'invalid node label key for zone placement',
      expected: 'a label key, optionally prefixed by a DNS subdomain and "/"',
      found: JSON.stringify(z.topologyKey),
      hint: 'the default is "topology.kubernetes.io/zone"',
    });
  }
  for (const key of Object.keys(zonedComponents) as ZonedComponent[]) {
    const settings = settingsOf(c, key);
    if (settings.zoneAware === true && zones.length === 0) {
      out.push({
        source,
        path: `config.mimir.${key}.zoneAware`,
        message: `${zonedComponents[key].target} is set zone-aware, but no zones are configured`,
        expected: 'zones in config.mimir.zoneAwareness.zones, or zoneAware "auto" or false',
        found: 'zoneAware: true, zones: []',
        hint: 'list the zones, e.g. zoneAwareness: { zones: [{ name: "zone-a", topologyValue: "" }, …] }',
      });
      continue;
    }
    if (!isZoneAware(c, key)) continue;
    const n = zones.length;
    const target = zonedComponents[key].target;
    if (settings.replicas < n || settings.replicas % n !== 0) {
      const lower = Math.max(n, settings.replicas - (settings.replicas % n));
      out.push({
        source,
        path: `config.mimir.${key}.replicas`,
        message: `${settings.replicas} ${target} replicas do not split evenly into ${n} zones (one StatefulSet per zone, each the same size)`,
        expected: `a multiple of ${n}, at least ${n}`,
        found: String(settings.replicas),
        hint: `e.g. ${lower} (${lower / n} per zone) or ${lower + n}`,
      });
      continue;
    }
    const rf = effectiveReplicationFactor(c, key);
    if (rf.value > n) {
      out.push({
        source,
        path: rf.path,
        message: `replication factor ${rf.value} of the ${target} ring needs ${rf.value} zones; Mimir places at most one replica per zone and ${n} ${n === 1 ? 'is' : 'are'} configured`,
        expected: `a replication factor of at most ${n}`,
        found: String(rf.value),
        hint: rf.set
          ? `set it to ${n}, or add zones`
          : `add zones, or set ${rf.path.replace('replicas', 'zoneAware')} to false`,
      });
      continue;
    }
    if (key === 'ingester') {
      // Each zone holds at most one replica of a series; a write needs a quorum of floor(RF/2)+1 of them.
      const quorum = Math.floor(rf.value / 2) + 1;
      if (rf.value - 1 < quorum) {
        out.push({
          source,
          path: rf.path,
          message: `with replication factor ${rf.value}, a write needs ${quorum} of ${rf.value} ingesters; when one zone is down only ${rf.value - 1} remain, so writes fail`,
          expected: 'a replication factor of at least 3 (and at least 3 zones)',
          found: `replication factor ${rf.value} over ${n} zone${n === 1 ? '' : 's'}`,
          hint: n >= 3 ? 'raise the replication factor to 3' : 'configure 3 zones (replication factor 3)',
        });
      }
    } else if (key === 'storeGateway' && rf.value < 2) {
      out.push({
        source,
        path: rf.path,
        message: `with replication factor ${rf.value}, every block is loaded in one zone only; when that zone is down its blocks cannot be queried`,
        expected: 'a replication factor of at least 2',
        found: String(rf.value),
        hint: 'raise the replication factor to the number of zones',
      });
    }
  }
  return out;
}
