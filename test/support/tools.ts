/**
 * Suites that need a tool on this machine (kubectl, nginx, Go, ../shared). Under CI (`CI` set) or with
 * `E2E_REQUIRED=1` they always run, so a missing tool fails them; elsewhere they are skipped with the
 * reason in their title, which the runner reports — never a test that returns early and passes.
 */
export const toolsRequired: boolean = Boolean(process.env.CI) || process.env.E2E_REQUIRED === '1';

export interface ToolGate {
  /** Whether the suite runs: the tool is there, or it is required. */
  run: boolean;
  /** Appended to the suite title: the reason it is skipped, or nothing. */
  note: string;
  /** A message for the assertion that the tool is present, for suites that check it up front. */
  missing: string;
}

export function needs(tool: string, available: boolean, install: string): ToolGate {
  const missing = `${tool} is not available on this machine (${install}); under CI${process.env.CI ? '' : ' or E2E_REQUIRED=1'} that fails the suite`;
  if (available) return { run: true, note: '', missing };
  if (toolsRequired) return { run: true, note: ` (required: ${tool} missing)`, missing };
  return { run: false, note: ` (skipped: needs ${tool} — ${install})`, missing };
}
