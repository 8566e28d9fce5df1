// Applies a plan to an environment through the core: one call removes the
// versions being replaced and installs the new ones, journaled so that any
// failure (or a killed process, recovered on the next run) leaves the
// environment exactly as it was. Every applied change becomes a generation of
// the environment's history (history.ts).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertRunsIn, type Environment } from '../python/environment.js';
import { redact } from '../index/url.js';
import { callNative, type InstallReport, type InstallRequest, type InstallScheme, type LinkMode, type UnpackedWheel } from '../native.js';
import { messageOf } from '../ui/errors.js';
import { log } from '../ui/log.js';
import type { FetchedWheel } from './fetch.js';
import { lockEnvironment } from './env-lock.js';
import { appendGeneration, historyPath } from './history.js';
import type { InstalledDistribution } from './installed.js';

export function journalPath(env: Environment): string {
  return join(env.root, '.zephyr-journal.json');
}

/**
 * Takes the environment's lock (until this process exits), then rolls back what a killed
 * zephyr left half-done in it, if anything. Call it before reading what is installed.
 */
export async function recoverEnvironment(env: Environment): Promise<void> {
  await lockEnvironment(env);
  const journal = journalPath(env);
  if (await callNative((n) => n.recoverJournal(journal))) {
    log.warn(`an earlier zephyr run was interrupted while changing ${env.root}; its changes were rolled back`);
  }
}

/**
 * For commands that only read the environment: when a journal shows that a zephyr
 * run was interrupted while changing it, recover first (waiting for a live owner),
 * so what is read is never half an install. Without a journal, nothing is locked.
 */
export async function recoverIfInterrupted(env: Environment): Promise<void> {
  if (existsSync(journalPath(env))) await recoverEnvironment(env);
}

function schemeOf(env: Environment): InstallScheme {
  const facts = env.interpreter.facts;
  // Checked again right before changing files: the environment may have changed since it was found.
  assertRunsIn(env.root, env.interpreter);
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

/** One wheel to install: its unpacked cache folder and its origin (recorded in the history). */
export interface WheelToInstall {
  unpacked: UnpackedWheel;
  requested: boolean;
  origin: { url: string; sha256: string | null };
  /** PEP 610 `direct_url.json`, for packages installed from a URL, a path or git. */
  directUrl?: Record<string, unknown> | null;
}

/**
 * Removes `remove`, installs `install` (one journaled core call), then records
 * the change as a new generation of the environment's history, under `command`
 * (the arguments after `zephyr`). A history that cannot be written is a warning:
 * the environment has changed by then.
 */
export async function applyRecorded(
  env: Environment,
  linkMode: LinkMode,
  remove: InstalledDistribution[],
  install: WheelToInstall[],
  command: string[],
): Promise<InstallReport> {
  const report = await apply(env, {
    linkMode,
    remove: remove.map((d) => ({ name: d.name, distInfo: d.distInfo })),
    install: install.map((w) => ({ unpacked: w.unpacked.dest, requested: w.requested, directUrl: w.directUrl ?? null })),
  });
  try {
    appendGeneration(env, {
      command,
      installed: install.map((w) => ({ name: w.unpacked.name, version: w.unpacked.version, url: redact(w.origin.url), sha256: w.origin.sha256 })),
      removed: remove.map((d) => ({ name: d.name, version: d.version })),
    });
  } catch (error) {
    log.warn(`the change was made but could not be recorded in ${historyPath(env)}: ${messageOf(error)}`);
  }
  return report;
}

/** Removes distributions (exactly what their RECORD lists), journaled like an install and recorded in the history. */
export function removeDistributions(env: Environment, dists: InstalledDistribution[], command: string[]): Promise<InstallReport> {
  return applyRecorded(env, 'copy', dists, [], command);
}

export function applyPlan(env: Environment, wheels: FetchedWheel[], linkMode: LinkMode, requested: ReadonlySet<string>, command: string[]): Promise<InstallReport> {
  return applyRecorded(
    env,
    linkMode,
    wheels.flatMap((w) => (w.planned.replaces ? [w.planned.replaces] : [])),
    wheels.map((w) => ({ unpacked: w.unpacked, requested: requested.has(w.planned.package.name), origin: { url: w.file.url, sha256: w.file.hashes.sha256 ?? null }, directUrl: w.directUrl })),
    command,
  );
}
