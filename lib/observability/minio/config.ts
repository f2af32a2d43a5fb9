// Replaced by the minio module's real configuration.
export interface MinioConfig {
  enabled: boolean;
}
export function defaultMinioConfig(): MinioConfig {
  return { enabled: true };
}
