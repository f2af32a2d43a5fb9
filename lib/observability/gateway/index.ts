import type { StackConfig } from '../../config.js';
import type { Component } from '../../k8s/types.js';

// Replaced by the gateway component.
export function gateway(_c: StackConfig): Component {
  return {};
}
