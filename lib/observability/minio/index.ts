import type { StackConfig } from '../../config.js';
import type { Component } from '../../k8s/types.js';

// Replaced by the minio component.
export function minio(_c: StackConfig): Component {
  return {};
}
