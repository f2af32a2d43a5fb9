// Replaced by the gateway module's real configuration.
export interface GatewayConfig {
  enabled: boolean;
}
export function defaultGatewayConfig(): GatewayConfig {
  return { enabled: true };
}
