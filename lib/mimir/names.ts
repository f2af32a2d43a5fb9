import type { MimirStackConfig } from './config.js';
import { serviceHost } from '../core/config.js';

/** Mimir's own name of each component: its `-target`, its workload and its Service. */
export const targets = {
  distributor: 'distributor',
  ingester: 'ingester',
  querier: 'querier',
  queryFrontend: 'query-frontend',
  queryScheduler: 'query-scheduler',
  storeGateway: 'store-gateway',
  compactor: 'compactor',
  alertmanager: 'alertmanager',
  overridesExporter: 'overrides-exporter',
  ruler: 'ruler',
  continuousTest: 'continuous-test',
  blockBuilder: 'block-builder',
  blockBuilderScheduler: 'block-builder-scheduler',
} as const;

/** Object names of the components that are not a Mimir target of their own name. */
export const names = {
  rulerQueryFrontend: 'ruler-query-frontend',
  rulerQueryScheduler: 'ruler-query-scheduler',
  rulerQuerier: 'ruler-querier',
  gossipRing: 'gossip-ring',
  configMap: 'mimir-config',
  runtimeConfigMap: 'mimir-runtime-config',
} as const;

export const ports = { http: 8080, grpc: 9095, gossip: 7946 } as const;
export const portNames = { http: 'http-metrics', grpc: 'grpc', gossip: 'gossip-ring' } as const;

/** The headless Service that frontends and queriers resolve (DNS) to find every scheduler pod. */
export function schedulerDiscoveryService(scheduler: string): string {
  return `${scheduler}-discovery`;
}

/** The headless Service a gRPC client balances over (`dns:///`), one address per pod. */
export function headlessService(name: string): string {
  return `${name}-headless`;
}

export function grpcAddress(c: MimirStackConfig, service: string): string {
  return `${serviceHost(c, service)}:${ports.grpc}`;
}

export function httpUrl(c: MimirStackConfig, service: string, path = ''): string {
  return `http://${serviceHost(c, service)}:${ports.http}${path}`;
}

/** Keys of the files in the ConfigMaps; the rules find mimir.yaml and runtime.yaml by them. */
export const files = {
  mimir: 'mimir.yaml',
  runtime: 'runtime.yaml',
  fallbackAlertmanager: 'alertmanager-fallback.yaml',
} as const;
