// `pip list --outdated`: the latest version of every installed package that
// could be installed here, asked of the index concurrently (one client, its
// shared pool) and chosen by the core in one call (tags, Requires-Python,
// yanked, pre-releases).

import type { IndexClient } from '../index/index.js';
import { callNative } from '../native.js';
import type { InterpreterFacts } from '../python/interpreter.js';
import { resolveTarget } from '../resolve/target.js';
import type { InstalledDistribution } from './installed.js';

export interface OutdatedRow {
  name: string;
  version: string;
  latest: string;
  /** Whether the latest version comes as a wheel for this environment or only as an sdist. */
  type: 'wheel' | 'sdist';
}

/** Output of the core's `latestVersions` per project. */
export interface LatestVersion {
  name: string;
  latest: string | null;
  kind: 'wheel' | 'sdist' | null;
  outdated: boolean;
  /** The file to install for `latest`: the best compatible wheel, else the sdist. */
  filename: string | null;
}

export interface LatestQuery {
  name: string;
  installed?: string;
  specifier?: string;
  files: { filename: string; requiresPython: string | null; yanked: boolean }[];
}

export async function latestVersions(facts: InterpreterFacts, pythonVersion: string | undefined, pre: boolean, projects: LatestQuery[]): Promise<LatestVersion[]> {
  const target = resolveTarget(facts, pythonVersion, undefined);
  const request = { tags: target.tags, pythonVersion: target.pythonVersion, pre, projects };
  return JSON.parse(await callNative((n) => n.latestVersions(JSON.stringify(request)))) as LatestVersion[];
}

/** Installed packages with a newer installable version on the index (projects no index has are left out). */
export async function outdatedPackages(client: IndexClient, facts: InterpreterFacts, installed: InstalledDistribution[], pre: boolean): Promise<OutdatedRow[]> {
  const pages = await client.getProjects(installed.map((d) => d.name));
  const latest = await latestVersions(
    facts,
    undefined,
    pre,
    installed.map((d) => ({
      name: d.name,
      installed: d.version,
      files: (pages.get(d.name)?.files ?? []).map((f) => ({ filename: f.filename, requiresPython: f.requiresPython, yanked: f.yanked })),
    })),
  );
  return latest.flatMap((l, i) => {
    const d = installed[i];
    if (!d || !l.outdated || l.latest === null || l.kind === null) return [];
    return [{ name: d.name, version: d.version, latest: l.latest, type: l.kind }];
  });
}
