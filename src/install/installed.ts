// What an environment has installed: the `*.dist-info` folders of its
// site-packages (name and version from the folder name, as PEP 427 names them).

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeName as normalize } from '../index/names.js';
import type { InterpreterFacts } from '../python/interpreter.js';

export interface InstalledDistribution {
  name: string;
  version: string;
  /** Absolute path of its `.dist-info` folder. */
  distInfo: string;
}


export function installedDistributions(facts: InterpreterFacts): InstalledDistribution[] {
  const dirs = [...new Set([facts.paths.purelib, facts.paths.platlib].filter((d): d is string => typeof d === 'string'))];
  const found = new Map<string, InstalledDistribution>();
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const m = /^(.+?)-([^-]+)\.dist-info$/.exec(entry);
      if (!m?.[1] || !m[2]) continue;
      const name = normalize(m[1]);
      if (!found.has(name)) found.set(name, { name, version: m[2], distInfo: join(dir, entry) });
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
