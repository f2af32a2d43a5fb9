import type { StackConfig } from '../core/config.js';
import { alloy } from './alloy/index.js';
import { gateway } from './gateway/index.js';
import { grafana } from './grafana/index.js';
import { minio } from './minio/index.js';

/** The neighbours of Mimir: object storage, the gateway on 8080, Grafana and Alloy. A disabled one renders nothing. */
export function observability(c: StackConfig) {
  const o = c.observability;
  return {
    ...(o.minio.enabled ? { minio: minio(c) } : {}),
    ...(o.gateway.enabled ? { gateway: gateway(c) } : {}),
    ...(o.grafana.enabled ? { grafana: grafana(c) } : {}),
    ...(o.alloy.enabled ? { alloy: alloy(c) } : {}),
  };
}
