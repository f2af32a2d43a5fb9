import type { KubeClient, Obj } from './client.js';

/** The provisioner name test StorageClasses carry; claims of other classes are left alone. */
export const PROVISIONER = 'provisioner.mimir-kube.test/fake';

/**
 * kwok fakes nodes and pods but no storage, so nothing would ever bind a claim. This is the part of
 * an external provisioner (sigs.k8s.io/sig-storage-lib-external-provisioner) that binding needs, and
 * nothing more: for each Pending claim that kube-controller-manager's PV controller has handed to
 * PROVISIONER (annotation `volume.kubernetes.io/storage-provisioner`) and, for WaitForFirstConsumer
 * classes, that the scheduler has placed (`volume.kubernetes.io/selected-node`), it creates one
 * PersistentVolume of the requested size, access modes and class, pre-bound to the claim and pinned
 * to the selected node's zone. The PV controller then binds the pair, and the scheduler's volume
 * binding step lets the pod through — the same path a real CSI provisioner takes. The volume is a
 * hostPath that nothing mounts (kwok runs no containers). Released volumes of this provisioner are
 * deleted, as reclaimPolicy Delete asks. It never touches a claim whose class is unknown to it, so a
 * claim naming a StorageClass the cluster lacks stays Pending, as on a real cluster.
 */
export class Provisioner {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  readonly provisioned: string[] = [];
  readonly errors: string[] = [];

  constructor(private readonly client: KubeClient) {}

  start(intervalMs = 500): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const [claims, volumes, classes] = await Promise.all([
        this.client.list('/api/v1/persistentvolumeclaims'),
        this.client.list('/api/v1/persistentvolumes'),
        this.client.list('/apis/storage.k8s.io/v1/storageclasses'),
      ]);
      const ours = new Set(classes.filter((c) => c.provisioner === PROVISIONER).map((c) => c.metadata.name));
      const claimed = new Set(volumes.map((v) => (v.spec?.claimRef as { uid?: string } | undefined)?.uid));
      for (const pvc of claims) {
        if ((pvc.status as { phase?: string } | undefined)?.phase !== 'Pending' || claimed.has(pvc.metadata.uid))
          continue;
        const ann = pvc.metadata.annotations ?? {};
        const cls = pvc.spec?.storageClassName as string | undefined;
        if (ann['volume.kubernetes.io/storage-provisioner'] !== PROVISIONER || !cls || !ours.has(cls)) continue;
        const sc = classes.find((c) => c.metadata.name === cls) as Obj & { volumeBindingMode?: string };
        const selectedNode = ann['volume.kubernetes.io/selected-node'];
        if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !selectedNode) continue;
        await this.provision(pvc, cls, selectedNode);
      }
      for (const pv of volumes) {
        const phase = (pv.status as { phase?: string } | undefined)?.phase;
        if (phase === 'Released' && pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] === PROVISIONER) {
          await this.client.delete(`/api/v1/persistentvolumes/${pv.metadata.name}`).catch(() => undefined);
        }
      }
    } catch (err) {
      this.errors.push(err instanceof Error ? err.message : String(err));
    } finally {
      this.running = false;
    }
  }

  private async provision(pvc: Obj, storageClassName: string, selectedNode: string | undefined): Promise<void> {
    const spec = pvc.spec as {
      accessModes?: string[];
      resources?: { requests?: { storage?: string } };
      volumeMode?: string;
    };
    let zone: string | undefined;
    if (selectedNode) {
      const node = await this.client.get(`/api/v1/nodes/${selectedNode}`);
      zone = node.metadata.labels?.['topology.kubernetes.io/zone'];
    }
    const name = `pvc-${pvc.metadata.uid}`;
    const pv = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
      spec: {
        capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
        accessModes: spec.accessModes ?? ['ReadWriteOnce'],
        volumeMode: spec.volumeMode ?? 'Filesystem',
        storageClassName,
        persistentVolumeReclaimPolicy: 'Delete',
        claimRef: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: pvc.metadata.namespace,
          name: pvc.metadata.name,
          uid: pvc.metadata.uid,
        },
        hostPath: { path: `/var/lib/mimir-kube-test/${name}`, type: 'DirectoryOrCreate' },
        ...(zone
          ? {
              nodeAffinity: {
                required: {
                  nodeSelectorTerms: [
                    { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] }] },
                  ],
                },
              },
            }
          : {}),
      },
    };
    try {
      await this.client.create('/api/v1/persistentvolumes', pv);
      this.provisioned.push(
        `${pvc.metadata.namespace}/${pvc.metadata.name} → ${name} (${storageClassName}${zone ? `, ${zone}` : ''})`,
      );
    } catch (err) {
      // 409: created by the previous tick while the PV controller had not yet bound it.
      if (!(err instanceof Error && /HTTP 409/.test(err.message))) throw err;
    }
  }
}
