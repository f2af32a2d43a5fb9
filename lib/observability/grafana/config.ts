import type { ResourceSpec } from '../../core/k8s/container.js';

/** Grafana behind the gateway, with Mimir (and its Alertmanager) provisioned as data sources. */
export interface GrafanaConfig {
  enabled: boolean;
  resources: ResourceSpec;
  /**
   * The URL users open Grafana at (`GF_SERVER_ROOT_URL`). The gateway serves Grafana from its root;
   * a path other than `/` makes Grafana serve from that sub-path.
   */
  rootUrl: string;
  /** Let visitors in without logging in, as viewers. Handy on a local cluster; off elsewhere. */
  anonymousAccess: boolean;
  /** Secret with the admin user name and password. */
  adminSecret: { secretName: string; userKey: string; passwordKey: string };
  /**
   * Render the admin Secret with a fixed, publicly known development password. For local clusters
   * only; every other environment creates the Secret itself and lists it in `existingSecrets`.
   */
  developmentCredentials: boolean;
  /**
   * `jsonData.prometheusVersion` of the Mimir data source: one of the values Grafana offers for
   * Mimir. `2.9.1` is its newest ("> 2.9.x"), which covers Mimir 3.
   */
  prometheusVersion: string;
}

export function defaultGrafanaConfig(): GrafanaConfig {
  return {
    enabled: true,
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    rootUrl: 'http://localhost:8080/',
    anonymousAccess: false,
    adminSecret: { secretName: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
    developmentCredentials: false,
    prometheusVersion: '2.9.1',
  };
}
