/**
 * Argo CD sync waves: lower waves are applied first; `kubectl apply -k` ignores them, so every step
 * also retries on its own. A leaf module, so component modules can use it without importing
 * `render.ts` (which imports every component, and a cycle through it leaves imports undefined).
 */
export const syncWaves = { namespace: '-5', storage: '-1', buckets: '0', mimir: '1', edge: '2' } as const;

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

export function syncWave(wave: (typeof syncWaves)[keyof typeof syncWaves]): Record<string, string> {
  return { [SYNC_WAVE_ANNOTATION]: wave };
}
