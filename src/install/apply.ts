// Applies a plan to an environment through the core: one call removes the
// versions being replaced and installs the new ones, journaled so that any
// failure (or a killed process, recovered on the next run) leaves the
// environment exactly as it was.

import { join } from 'node:path';
import type { Environment } from '../python/environment.js';
import { callNative, type InstallReport, type InstallRequest, type InstallScheme, type LinkMode } from '../native.js';
import { log } from '../ui/log.js';
import type { FetchedWheel } from './fetch.js';
import type { InstalledDistribution } from './installed.js';

export function journalPath(env: Environment): string {
  return join(env.root, '.zephyr-journal.json');
}

/** Rolls back what a killed zephyr left half-done in this environment, if anything. */
export async function recoverEnvironment(env: Environment): Promise<void> {
  const journal = journalPath(env);
  if (await callNative((n) => n.recoverJournal(journal))) {
    log.warn(`an earlier zephyr run was interrupted while changing ${env.root}; its changes were rolled back`);
  }
}

function schemeOf(env: Environment): InstallScheme {
  const facts = env.interpreter.facts;
  const paths = facts.paths;
  return {
    purelib: paths.purelib ?? '',
    platlib: paths.platlib ?? paths.purelib ?? '',
    scripts: paths.scripts ?? join(env.root, 'bin'),
    data: paths.data ?? env.root,
    headers: join(env.root, 'include', 'site', `python${facts.version_info[0]}.${facts.version_info[1]}`),
  };
}

async function apply(env: Environment, request: Pick<InstallRequest, 'linkMode' | 'remove' | 'install'>): Promise<InstallReport> {
  const full: InstallRequest = { scheme: schemeOf(env), python: env.interpreter.path, installer: 'zephyr', journal: journalPath(env), ...request };
  const report = JSON.parse(await callNative((n) => n.applyInstallPlan(JSON.stringify(full)))) as InstallReport;
  for (const warning of report.warnings) log.warn(warning);
  return report;
}

/** Removes distributions (exactly what their RECORD lists), journaled like an install. */
export function removeDistributions(env: Environment, dists: InstalledDistribution[]): Promise<InstallReport> {
  return apply(env, { linkMode: 'copy', remove: dists.map((d) => ({ name: d.name, distInfo: d.distInfo })), install: [] });
}

export async function applyPlan(env: Environment, wheels: FetchedWheel[], linkMode: LinkMode, requested: ReadonlySet<string>): Promise<InstallReport> {
  return apply(env, {
    linkMode,
    remove: wheels.flatMap((w) => (w.planned.replaces ? [{ name: w.planned.replaces.name, distInfo: w.planned.replaces.distInfo }] : [])),
    install: wheels.map((w) => ({ unpacked: w.unpacked.dest, requested: requested.has(w.planned.package.name), directUrl: null })),
  });
}
