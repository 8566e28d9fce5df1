// The dependencies of what an environment has installed: every distribution's
// Requires-Dist evaluated by the core against the environment's marker
// environment (with the extras other distributions ask for) and checked against
// the installed versions, in one call. The base of `pip check`, `pip tree` and
// `pip show`'s Requires / Required-by.

import { callNative, type DistDependencies } from '../native.js';
import type { InterpreterFacts } from '../python/interpreter.js';
import type { InstalledDistribution } from './installed.js';

export type { AppliedRequirement, DistDependencies } from '../native.js';

export async function analyzeInstalled(facts: InterpreterFacts, dists: Pick<InstalledDistribution, 'name' | 'version' | 'requiresDist'>[]): Promise<DistDependencies[]> {
  const request = {
    markerEnvironment: facts.markers,
    dists: dists.map((d) => ({ name: d.name, version: d.version, requiresDist: d.requiresDist })),
  };
  return JSON.parse(await callNative((n) => n.analyzeDependencies(JSON.stringify(request)))) as DistDependencies[];
}

/** Normalized name → the normalized names of the installed distributions that require it. */
export function requiredBy(deps: DistDependencies[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of deps) {
    for (const name of new Set(d.requires.map((r) => r.name))) {
      if (name === d.name) continue;
      const list = out.get(name) ?? [];
      list.push(d.name);
      out.set(name, list);
    }
  }
  for (const list of out.values()) list.sort();
  return out;
}
