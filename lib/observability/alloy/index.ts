import type { StackConfig } from '../../config.js';
import type { Component } from '../../k8s/types.js';

// Replaced by the alloy component.
export function alloy(_c: StackConfig): Component {
  return {};
}
