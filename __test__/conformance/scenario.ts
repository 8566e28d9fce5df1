// packse scenario files (format: ../shared/conformance/README.md) as typed data.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'smol-toml';
import type { PackageSpec } from '../helpers/dist-builder.js';

export interface Scenario {
  name: string;
  file: string;
  description: string;
  requires: string[];
  /** The root's Requires-Python (universal scenarios resolve from its lower bound up). */
  requiresPython: string | undefined;
  packages: PackageSpec[];
  options: {
    universal: boolean;
    python?: string;
    pythonPlatform?: string;
    prereleases: boolean;
    noBinary: string[];
    noBuild: string[];
    requiredEnvironments: string[];
  };
  environment: { python: string; additionalPython: string[] };
  expected: { satisfiable: boolean; packages: Record<string, string> | undefined; explanation?: string };
}

type Table = Record<string, unknown>;
const table = (v: unknown): Table => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Table) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function readScenario(file: string, root: string): Scenario {
  const data = parse(readFileSync(file, 'utf8')) as Table;
  const packages: PackageSpec[] = [];
  for (const [name, pkg] of Object.entries(table(data.packages))) {
    for (const [version, raw] of Object.entries(table(table(pkg).versions))) {
      const v = table(raw);
      const extras: Record<string, string[]> = {};
      for (const [extra, reqs] of Object.entries(table(v.extras))) extras[extra] = strings(reqs);
      const spec: PackageSpec = { name, version, requires: strings(v.requires), extras };
      const requiresPython = str(v.requires_python);
      if (requiresPython) spec.requiresPython = requiresPython;
      if (Array.isArray(v.wheel_tags)) spec.wheelTags = strings(v.wheel_tags);
      if (v.wheel === false) spec.wheel = false;
      if (v.sdist === false) spec.sdist = false;
      if (v.yanked === true) spec.yanked = true;
      packages.push(spec);
    }
  }
  const opts = table(data.resolver_options);
  const env = table(data.environment);
  const expected = table(data.expected);
  const expectedPackages = expected.packages === undefined ? undefined : Object.fromEntries(Object.entries(table(expected.packages)).map(([k, v]) => [k, String(v)]));
  const explanation = str(expected.explanation);
  return {
    name: str(data.name) ?? relative(root, file),
    file,
    description: str(data.description) ?? '',
    requires: strings(table(data.root).requires),
    requiresPython: str(table(data.root).requires_python),
    packages,
    options: {
      universal: opts.universal === true,
      ...(str(opts.python) ? { python: str(opts.python) } : {}),
      ...(str(opts.python_platform) ? { pythonPlatform: str(opts.python_platform) } : {}),
      prereleases: opts.prereleases === true,
      noBinary: strings(opts.no_binary),
      noBuild: strings(opts.no_build),
      requiredEnvironments: strings(opts.required_environments),
    },
    environment: { python: str(env.python) ?? '3.12', additionalPython: strings(env.additional_python) },
    expected: { satisfiable: expected.satisfiable === true, packages: expectedPackages, ...(explanation ? { explanation } : {}) },
  };
}

/** Every *.toml under `dir`, sorted. */
export function scenarioFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith('.toml')) out.push(p);
    }
  };
  walk(dir);
  return out;
}
