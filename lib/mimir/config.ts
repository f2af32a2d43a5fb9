// Replaced by the Mimir module's real configuration type.
export interface MimirConfig {
  enabled: boolean;
}
export function defaultMimirConfig(): MimirConfig {
  return { enabled: true };
}
