/**
 * The Kubernetes object types the library renders. Plain data shapes from `kubernetes-models`
 * (interfaces only: no class instance ever reaches the tree).
 */
export type { IDeployment as Deployment } from 'kubernetes-models/apps/v1/Deployment';
export type { IStatefulSet as StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
export type { IService as Service } from 'kubernetes-models/v1/Service';
export type { IServicePort as ServicePort } from 'kubernetes-models/v1/ServicePort';
export type { IConfigMap as ConfigMap } from 'kubernetes-models/v1/ConfigMap';
export type { ISecret as Secret } from 'kubernetes-models/v1/Secret';
export type { INamespace as Namespace } from 'kubernetes-models/v1/Namespace';
export type { IServiceAccount as ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
export type { IPersistentVolumeClaim as PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
export type { IContainer as Container } from 'kubernetes-models/v1/Container';
export type { IContainerPort as ContainerPort } from 'kubernetes-models/v1/ContainerPort';
export type { IEnvVar as EnvVar } from 'kubernetes-models/v1/EnvVar';
export type { IProbe as Probe } from 'kubernetes-models/v1/Probe';
export type { IVolume as Volume } from 'kubernetes-models/v1/Volume';
export type { IVolumeMount as VolumeMount } from 'kubernetes-models/v1/VolumeMount';
export type { IPodSpec as PodSpec } from 'kubernetes-models/v1/PodSpec';
export type { IPodTemplateSpec as PodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
export type { IResourceRequirements as ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
export type { ISecurityContext as SecurityContext } from 'kubernetes-models/v1/SecurityContext';
export type { IPodSecurityContext as PodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
export type { IAffinity as Affinity } from 'kubernetes-models/v1/Affinity';
export type { IToleration as Toleration } from 'kubernetes-models/v1/Toleration';
export type { ITopologySpreadConstraint as TopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';
export type { IPodDisruptionBudget as PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
export type { IRole as Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
export type { IRoleBinding as RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
export type { IClusterRole as ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
export type { IClusterRoleBinding as ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
export type { IPolicyRule as PolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
export type { IJob as Job } from 'kubernetes-models/batch/v1/Job';
export type { IIngress as Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
export type { INetworkPolicy as NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
export type { IHorizontalPodAutoscaler as HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
export type { IScaledObject as ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';

/** Any object the tree may hold: typed by apiVersion/kind where we render it, open for additions. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** `group → component → key → object`; keys are stable so overrides can address any field. */
export type Component = Record<string, KubeObject>;
export type Group = Record<string, Component>;
export type Tree = Record<string, Group>;
/**
 * What tree walkers accept: the typed rendered tree (whose groups are interfaces, without an index
 * signature) as well as a plain `Tree`. Each group maps component keys to components of objects.
 */
export type TreeLike = { readonly [group: string]: object | undefined };

/** Kinds that live in a namespace; everything else we render is cluster-scoped. */
export const clusterScopedKinds: ReadonlySet<string> = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

export function objectId(o: KubeObject): string {
  const ns = o.metadata?.namespace;
  return `${o.apiVersion} ${o.kind} ${ns ? `${ns}/` : ''}${o.metadata?.name ?? '<unnamed>'}`;
}
