import { describe, it } from 'vitest';
import { e2eRequired } from './stack.js';

/** Under CI or E2E_REQUIRED=1 a scenario that cannot run here is a failing test, never a skip. */
export function failWhenRequired(scenario: string, skip: string | undefined): void {
  if (!skip || !e2eRequired) return;
  describe(`${scenario} under E2E_REQUIRED=1 / CI`, () => {
    it(`cannot run here: ${skip}`, () => {
      throw new Error(`E2E_REQUIRED=1 (or CI) is set and ${scenario} cannot run: ${skip}`);
    });
  });
}
