/**
 * The real Grafana Alloy for the tests: where `test/peers/alloy/build.sh` caches the version
 * `lib/versions.json` pins, whether the suite must have it, and how an Alloy container of a
 * `kubectl kustomize` output reads its configuration (args, mounted ConfigMap, env).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import type { ConfigMap, Container, Deployment, KubeObject, Secret, VolumeMount } from '../../lib/core/k8s/types.js';
import { defaultConfig } from '../../lib/build/config.js';

const ROOT = resolve(import.meta.dirname, '../..');

const PINNED_IMAGE = defaultConfig().images.alloy;
/** The Alloy version the image pin names, e.g. `v1.11.3`. */
export const ALLOY_VERSION: string = PINNED_IMAGE.slice(PINNED_IMAGE.lastIndexOf(':') + 1);
export const ALLOY_IMAGE_REPOSITORY: string = PINNED_IMAGE.slice(0, PINNED_IMAGE.lastIndexOf(':'));

/** The shared folder the peer is built from (`../shared` beside the repository, or MIMIR_KUBE_SHARED). */
export const SHARED_DIR: string = process.env.MIMIR_KUBE_SHARED ?? resolve(ROOT, '../shared');

const CACHE_ROOT = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mimir-kube');
export const ALLOY_BIN: string = join(CACHE_ROOT, `alloy-${ALLOY_VERSION}`, 'bin', 'alloy');

/** Under CI or E2E_REQUIRED=1 a missing peer fails the suite instead of skipping it. */
export const PEER_REQUIRED: boolean = Boolean(process.env.CI) || process.env.E2E_REQUIRED === '1';

/**
 * Why the real Alloy cannot be used here, or undefined when it can. A cached binary of the pinned
 * version is enough (the build script keyed it by the tarball's sha256); `../shared` matters only to
 * build it.
 */
export function alloyUnavailable(): string | undefined {
  if (!existsSync(ALLOY_BIN)) {
    return existsSync(SHARED_DIR)
      ? `no Alloy ${ALLOY_VERSION} binary at ${ALLOY_BIN}: run \`npm run peers:alloy\` (builds it from ${SHARED_DIR}/peers/alloy-${ALLOY_VERSION}/, ~7 min cold)`
      : `no Alloy ${ALLOY_VERSION} binary at ${ALLOY_BIN}, and ${SHARED_DIR} (which holds its source) is absent`;
  }
  const v = runAlloy(['--version']);
  const first = v.stdout.split('\n')[0] ?? '';
  if (v.status !== 0) return `${ALLOY_BIN} --version failed: ${v.stderr.trim() || v.error?.message}`;
  if (!first.includes(`version ${ALLOY_VERSION} `)) {
    return `${ALLOY_BIN} is not Alloy ${ALLOY_VERSION} (it says: ${first}); rebuild with \`npm run peers:alloy\``;
  }
  return undefined;
}

export interface AlloyRun {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

export function runAlloy(
  args: readonly string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): AlloyRun {
  const r: SpawnSyncReturns<string> = spawnSync(ALLOY_BIN, args, {
    encoding: 'utf8',
    // Only what the pod would have, plus PATH/HOME so the binary behaves as in a container shell.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', ...opts.env },
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** One Alloy container of a rendered output, with the configuration it loads. */
export interface AlloyContainer {
  /** `Deployment mimir/alloy › container alloy` */
  where: string;
  container: Container;
  image: string;
  /** The container's args, as deployed. */
  args: string[];
  /** The path of the configuration file inside the container (the positional argument of `alloy run`). */
  configPath: string;
  /** Its content: the data key of the mounted ConfigMap, as `kubectl kustomize` emits it. */
  configText: string;
  /** `ConfigMap mimir/alloy-86489b2t54 › config.alloy` */
  configSource: string;
  /** The container's env as the kubelet would set it: literal values and Secret keys resolved. */
  env: Record<string, string>;
  /**
   * Env vars whose Secret the output does not hold (an `existingSecrets` entry the cluster provides):
   * they get a stand-in value, named here so a report can say so.
   */
  standIns: string[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** The Alloy containers of a `kubectl kustomize` output: those running the pinned image's repository. */
export function alloyContainers(objects: readonly KubeObject[]): AlloyContainer[] {
  const found: AlloyContainer[] = [];
  for (const o of objects) {
    if (!WORKLOAD_KINDS.has(o.kind)) continue;
    const pod = (o as Deployment).spec?.template.spec;
    if (!pod) continue;
    for (const c of pod.containers) {
      const image = c.image ?? '';
      if (!image.startsWith(`${ALLOY_IMAGE_REPOSITORY}:`)) continue;
      const where = `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name} › container ${c.name}`;
      const args = [...(c.args ?? [])];
      const positional = runPositional(args);
      if (!positional) throw new Error(`${where}: args ${JSON.stringify(args)} are not \`run <config file> [flags]\``);
      const { text, source } = mountedFile(objects, o, c.volumeMounts ?? [], positional, where);
      const { env, standIns } = containerEnv(objects, o, c, where);
      found.push({
        where,
        container: c,
        image,
        args,
        configPath: positional,
        configText: text,
        configSource: source,
        env,
        standIns,
      });
    }
  }
  return found;
}

/** `alloy run <path> --flag=value ...`: the configuration path, or undefined when the args have another shape. */
function runPositional(args: readonly string[]): string | undefined {
  if (args[0] !== 'run') return undefined;
  return args.slice(1).find((a) => !a.startsWith('-'));
}

function byKindName<T>(
  objects: readonly KubeObject[],
  kind: string,
  namespace: string | undefined,
  name: string,
): T | undefined {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name && o.metadata?.namespace === namespace) as
    T | undefined;
}

/** The content of the file at `path` in the container: the ConfigMap key its volume mount projects there. */
function mountedFile(
  objects: readonly KubeObject[],
  workload: KubeObject,
  mounts: readonly VolumeMount[],
  path: string,
  where: string,
): { text: string; source: string } {
  const mount = mounts
    .filter((m) => path.startsWith(m.mountPath.endsWith('/') ? m.mountPath : `${m.mountPath}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) throw new Error(`${where}: no volume mount holds ${path}`);
  const pod = (workload as Deployment).spec!.template.spec!;
  const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
  const cmName = volume?.configMap?.name;
  if (!cmName) throw new Error(`${where}: ${path} is on volume ${mount.name}, which is not a ConfigMap`);
  let key = posix.relative(mount.mountPath, path);
  if (mount.subPath) key = posix.join(mount.subPath, key);
  const item = volume.configMap?.items?.find((i) => i.path === key);
  if (volume.configMap?.items && !item)
    throw new Error(`${where}: ConfigMap volume ${mount.name} projects no item at ${key}`);
  if (item) key = item.key;
  const cm = byKindName<ConfigMap>(objects, 'ConfigMap', workload.metadata?.namespace, cmName);
  const text = cm?.data?.[key];
  if (text === undefined)
    throw new Error(`${where}: ConfigMap ${workload.metadata?.namespace}/${cmName} has no key ${key}`);
  return { text, source: `ConfigMap ${workload.metadata?.namespace}/${cmName} › ${key}` };
}

function containerEnv(
  objects: readonly KubeObject[],
  workload: KubeObject,
  c: Container,
  where: string,
): { env: Record<string, string>; standIns: string[] } {
  const env: Record<string, string> = {};
  const standIns: string[] = [];
  const ns = workload.metadata?.namespace;
  for (const e of c.env ?? []) {
    if (e.value !== undefined) {
      env[e.name] = e.value;
    } else if (e.valueFrom?.secretKeyRef) {
      const { name, key } = e.valueFrom.secretKeyRef;
      const secret = byKindName<Secret>(objects, 'Secret', ns, name!);
      const value =
        secret?.stringData?.[key] ??
        (secret?.data?.[key] !== undefined ? Buffer.from(secret.data[key]!, 'base64').toString('utf8') : undefined);
      if (value !== undefined) {
        env[e.name] = value;
      } else {
        env[e.name] = `stand-in for Secret ${name} key ${key}`;
        standIns.push(`${e.name} (Secret ${ns}/${name} › ${key}, provided by the cluster)`);
      }
    } else if (e.valueFrom?.configMapKeyRef) {
      const { name, key } = e.valueFrom.configMapKeyRef;
      const value = byKindName<ConfigMap>(objects, 'ConfigMap', ns, name!)?.data?.[key];
      if (value === undefined)
        throw new Error(
          `${where}: env ${e.name} reads ConfigMap ${ns}/${name} › ${key}, which the output does not hold`,
        );
      env[e.name] = value;
    } else if (e.valueFrom?.fieldRef) {
      // The downward API: stand-ins of the right shape (a name, an address).
      const field = e.valueFrom.fieldRef.fieldPath;
      env[e.name] =
        field === 'metadata.namespace'
          ? (ns ?? 'default')
          : field.endsWith('IP')
            ? '10.0.0.1'
            : `stand-in for ${field}`;
      standIns.push(`${e.name} (fieldRef ${field})`);
    } else {
      throw new Error(
        `${where}: env ${e.name} has a source this test does not resolve: ${JSON.stringify(e.valueFrom)}`,
      );
    }
  }
  return { env, standIns };
}

/** Reads a file relative to the repository root. */
export function repoFile(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}
