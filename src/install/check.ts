// `pip check`: every installed distribution's requirements that apply in this
// environment must be installed at a version they allow.

import type { DistDependencies } from './dependencies.js';

export interface DependencyProblem {
  /** The requiring distribution (normalized name) and its version. */
  package: string;
  version: string;
  /** `name[extras]specifier` or `name @ url`, without the marker. */
  requirement: string;
  /** The required distribution and its installed version (null: not installed). */
  requires: string;
  installed: string | null;
}

function requirementText(r: DistDependencies['requires'][number]): string {
  const extras = r.extras.length > 0 ? `[${r.extras.join(',')}]` : '';
  return r.url !== null ? `${r.name}${extras} @ ${r.url}` : `${r.name}${extras}${r.specifier}`;
}

export function dependencyProblems(deps: DistDependencies[]): DependencyProblem[] {
  const out: DependencyProblem[] = [];
  for (const d of deps) {
    for (const r of d.requires) {
      if (r.satisfied) continue;
      out.push({ package: d.name, version: d.version, requirement: requirementText(r), requires: r.name, installed: r.installed });
    }
  }
  return out;
}

/** pip's sentences: `a 1.0 requires b>=2, but you have b 1.0.` / `a 1.0 requires b, which is not installed.` */
export function describeProblem(p: DependencyProblem): string {
  return p.installed === null
    ? `${p.package} ${p.version} requires ${p.requirement}, which is not installed.`
    : `${p.package} ${p.version} requires ${p.requirement}, but you have ${p.requires} ${p.installed}.`;
}
