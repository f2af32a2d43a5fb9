import type { StackConfig } from '../../config.js';
import type { Component } from '../../k8s/types.js';

// Replaced by the grafana component.
export function grafana(_c: StackConfig): Component {
  return {};
}
