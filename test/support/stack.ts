import type { StackConfig } from '../../lib/build/config.js';
import { stackView } from '../../lib/build/registry.js';
import type { StackView } from '../../lib/core/registry.js';

/** A component's render or checks take the config and the stack view the registry builds from it. */
export function withStack(c: StackConfig): [StackConfig, StackView] {
  return [c, stackView(c)];
}
