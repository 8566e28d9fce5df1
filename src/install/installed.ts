// What an environment has installed: the `*.dist-info` folders of its
// site-packages, read by the core in one call (name and version from METADATA,
// with the fields `pip show` prints).

import { normalizeName } from '../index/names.js';
import { callNative, type InstalledDistribution as NativeDistribution } from '../native.js';
import type { InterpreterFacts } from '../python/interpreter.js';

export interface InstalledDistribution extends Omit<NativeDistribution, 'name'> {
  /** Normalized name (PEP 503). */
  name: string;
  /** The name as its METADATA spells it. */
  displayName: string;
}

/** Site-packages folders of an interpreter: purelib, then platlib when it differs. */
export function sitePackagesOf(facts: InterpreterFacts): string[] {
  return [...new Set([facts.paths.purelib, facts.paths.platlib].filter((d): d is string => typeof d === 'string'))];
}

/** Every distribution, sorted by name; the first of a name wins (purelib before platlib). */
export async function installedDistributions(facts: InterpreterFacts): Promise<InstalledDistribution[]> {
  const raw = JSON.parse(await callNative((n) => n.readInstalled(sitePackagesOf(facts)))) as NativeDistribution[];
  const found = new Map<string, InstalledDistribution>();
  for (const d of raw) {
    const name = normalizeName(d.name);
    if (!found.has(name)) found.set(name, { ...d, name, displayName: d.name });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
