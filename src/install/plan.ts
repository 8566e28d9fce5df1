// What an install changes: the resolution against what the environment has.
// Plain data, so it can be printed (--dry-run, --json) and tested.

import type { ResolvedPackage } from '../resolve/protocol.js';
import type { InstalledDistribution } from './installed.js';

export interface PlannedInstall {
  package: ResolvedPackage;
  /** The version it replaces, if one is installed. */
  replaces: InstalledDistribution | null;
}

export interface InstallPlan {
  install: PlannedInstall[];
  /** Installed and already at the resolved version. */
  keep: InstalledDistribution[];
}

/** `reinstall`: names (or all, with `true`) to install again even when the version matches. */
export function planInstall(resolved: ResolvedPackage[], installed: InstalledDistribution[], reinstall: boolean | ReadonlySet<string>): InstallPlan {
  const have = new Map(installed.map((d) => [d.name, d]));
  const plan: InstallPlan = { install: [], keep: [] };
  for (const p of resolved) {
    const current = have.get(p.name) ?? null;
    const again = reinstall === true || (reinstall !== false && reinstall.has(p.name));
    if (current && current.version === p.version && !again) plan.keep.push(current);
    else plan.install.push({ package: p, replaces: current });
  }
  return plan;
}
