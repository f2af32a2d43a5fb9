// Replaced by the alloy module's real configuration.
export interface AlloyConfig {
  enabled: boolean;
}
export function defaultAlloyConfig(): AlloyConfig {
  return { enabled: true };
}
