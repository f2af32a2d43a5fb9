import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One network namespace per pod on a Linux bridge (see test/e2e/README.md, "Networking"): each pod has its
 * own `eth0` and address, so every process listens on the ports the rendered config says, and
 * `ip netns exec` gives it its own resolv.conf and hosts file from /etc/netns/<ns>/.
 */
export interface NetworkNames {
  bridge: string;
  /** First three octets of the /24, e.g. `10.244.0`. */
  subnet: string;
}

export const ip = (...args: string[]): string =>
  execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export function bridgeIp(n: NetworkNames): string {
  return `${n.subnet}.1`;
}

/** Another interface already holding an address of the subnet would take the routes: refuse rather than guess. */
export function subnetConflict(n: NetworkNames): string | undefined {
  const lines = ip('-o', '-4', 'addr', 'show').split('\n');
  const clash = lines.find((l) => l.includes(` ${n.subnet}.`) && !l.split(/\s+/)[1]?.startsWith(n.bridge));
  return clash
    ? `address range ${n.subnet}.0/24 is already used: ${clash.trim()} (set E2E_SUBNET=a.b.c to use another /24)`
    : undefined;
}

export function createBridge(n: NetworkNames): void {
  ip('link', 'add', n.bridge, 'type', 'bridge');
  ip('addr', 'add', `${bridgeIp(n)}/24`, 'dev', n.bridge);
  ip('link', 'set', n.bridge, 'up');
}

export interface PodNet {
  netns: string;
  veth: string;
  ip: string;
}

export function addPodNamespace(n: NetworkNames, p: PodNet, files: { resolvConf: string; hosts: string }): void {
  const tmp = `${p.veth}p`;
  ip('netns', 'add', p.netns);
  ip('link', 'add', p.veth, 'type', 'veth', 'peer', 'name', tmp);
  ip('link', 'set', tmp, 'netns', p.netns);
  ip('-n', p.netns, 'link', 'set', tmp, 'name', 'eth0');
  ip('-n', p.netns, 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0');
  ip('-n', p.netns, 'link', 'set', 'eth0', 'up');
  ip('-n', p.netns, 'link', 'set', 'lo', 'up');
  ip('link', 'set', p.veth, 'master', n.bridge, 'up');
  const etc = join('/etc/netns', p.netns);
  mkdirSync(etc, { recursive: true });
  writeFileSync(join(etc, 'resolv.conf'), files.resolvConf);
  writeFileSync(join(etc, 'hosts'), files.hosts);
}

/** Processes still running inside a namespace (by the kernel's record, not by name). */
export function netnsPids(netns: string): number[] {
  try {
    return ip('netns', 'pids', netns).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function deletePodNamespace(netns: string): string[] {
  const errors: string[] = [];
  for (const pid of netnsPids(netns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  try {
    ip('netns', 'del', netns);
  } catch (e) {
    errors.push(`ip netns del ${netns}: ${(e as Error).message}`);
  }
  rmSync(join('/etc/netns', netns), { recursive: true, force: true });
  return errors;
}

export function deleteBridge(n: NetworkNames): string[] {
  try {
    ip('link', 'del', n.bridge);
    return [];
  } catch (e) {
    const msg = (e as Error).message;
    return /Cannot find device/.test(msg) ? [] : [`ip link del ${n.bridge}: ${msg}`];
  }
}

export function bridgeExists(n: NetworkNames): boolean {
  try {
    ip('link', 'show', n.bridge);
    return true;
  } catch {
    return false;
  }
}
