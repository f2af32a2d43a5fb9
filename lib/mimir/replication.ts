/** Replication factor from the replica count: upstream's 3 once there are enough pods, fewer below. */
export function replicationFactor(replicas: number): number {
  return Math.min(3, Math.max(1, replicas));
}
