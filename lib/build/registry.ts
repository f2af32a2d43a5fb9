/**
 * The registry: every component of the stack, group by group. Render, the build's checks, error
 * context, the stack view components consult and the README's component table all come from here.
 * Adding a component: its own folder (module with a descriptor) and one line in its group's list.
 */
import { stackViewOf, type AnyComponent, type StackView } from '../core/registry.js';
import { mimirComponents } from '../mimir/index.js';
import { observabilityComponents } from '../observability/index.js';
import type { StackConfig } from './config.js';

export const registry = { mimir: mimirComponents, observability: observabilityComponents } as const;

/** Every descriptor, in tree order. */
export const components: readonly AnyComponent[] = [...mimirComponents, ...observabilityComponents];

/** What every component may ask about the others for this config. */
export function stackView(c: StackConfig): StackView {
  return stackViewOf(components, c);
}

/** The README's component table (`npm run docs:components` checks it is current). */
export function componentTable(): string {
  const rows = components.map((d) => `| \`${d.group}.${d.key}\` | ${d.description} | \`config.${d.config}\` |`);
  return ['| tree path | what it is | config |', '|---|---|---|', ...rows].join('\n');
}
