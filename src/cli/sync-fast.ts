// The `zephyr sync` fast path: a plain `zephyr sync [-v|-q] [--frozen] [--no-config] [--offline]` whose environment
// already matches the lock (src/project/sync-fingerprint.ts) answers without
// loading clipanion, the settings or the core. Bundled on its own
// (scripts/bundle.mjs) like venv-fast.js; anything else returns false and the
// full command runs.

import { syncIsNoop } from '../project/sync-fingerprint.js';

/** True when the arguments are those the fast path knows and the sync has nothing to do. */
export function runSyncFast(argv: readonly string[], started: number): boolean {
  let quiet = 0;
  let frozen = false;
  for (const arg of argv.slice(1)) {
    if (/^-q+$/.test(arg)) quiet += arg.length - 1;
    else if (arg === '--quiet') quiet += 1;
    else if (arg === '--frozen') frozen = true;
    // Options that cannot change what an up-to-date environment needs.
    else if (!/^-v+$/.test(arg) && arg !== '--verbose' && arg !== '--no-config' && arg !== '--offline') return false;
  }
  if (syncIsNoop(process.cwd(), frozen ? { frozen } : {}) === undefined) return false;
  if (quiet === 0) {
    const text = `The environment is up to date (${Math.round(performance.now() - started)}ms)\n`;
    process.getBuiltinModule('node:fs').writeSync(2, text);
  }
  return true;
}
