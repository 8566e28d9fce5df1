// `pip install --no-deps`: the named packages only, as pip does. Each
// requirement (with its constraints) picks the latest version that fits this
// environment, or keeps the installed one when it satisfies (unless
// --upgrade); nothing they depend on is looked at. The outcome has the shape of
// a solver's, so the install recipe after it is the same.

import { normalizeName } from '../index/names.js';
import type { DistFile } from '../index/types.js';
import type { ResolvedPackage } from '../resolve/protocol.js';
import type { ResolveOutcome, ResolveRequest } from '../resolve/session.js';
import { resolveTarget } from '../resolve/target.js';
import type { Settings } from '../settings/load.js';
import type { IndexClient } from '../index/index.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { analyzeInstalled, type AppliedRequirement } from './dependencies.js';
import { inputsAndClient } from './index-client.js';
import { installedDistributions } from './installed.js';
import { latestVersions } from './outdated.js';

const ROOT = '<requirements>';
const CONSTRAINTS = '<constraints>';

function binaryAllowed(name: string, filename: string, noBinary: string[], onlyBinary: string[]): boolean {
  const hit = (list: string[]): boolean => list.includes(':all:') || list.includes(name);
  const wheel = filename.endsWith('.whl');
  return wheel ? !hit(noBinary) : !hit(onlyBinary);
}

/** Same contract as `runResolution`, without following any dependency. */
export async function resolveWithoutDependencies(
  request: ResolveRequest,
  settings: Settings,
  use: (outcome: ResolveOutcome, client: IndexClient) => Promise<void>,
): Promise<ResolveOutcome> {
  const facts = request.interpreter.facts;
  if (request.pythonPlatform !== undefined) {
    throw new ZephyrError('ZE_USAGE', '--python-platform cannot be used with --no-deps', 'install for the environment\'s own platform');
  }
  const { inputs, client } = await inputsAndClient(request.inputs, settings, facts);
  try {
    if (inputs.requirements.length === 0) {
      throw new ZephyrError('ZE_NO_REQUIREMENTS', 'nothing to install: no requirements were given', 'name packages, or give a requirements file with -r');
    }
    const installed = await installedDistributions(facts);
    const analyzed = await analyzeInstalled(facts, [
      ...installed.map((d) => ({ ...d, requiresDist: [] })),
      { ...placeholder(ROOT), requiresDist: inputs.requirements.map((r) => r.requirement) },
      { ...placeholder(CONSTRAINTS), requiresDist: [...inputs.constraints, ...inputs.overrides].map((r) => r.requirement) },
    ]);
    const root = analyzed.find((d) => d.name === ROOT);
    const constraints = analyzed.find((d) => d.name === CONSTRAINTS);
    const bad = [...(root?.invalid ?? []), ...(constraints?.invalid ?? [])][0];
    if (bad !== undefined) throw new ZephyrError('ZE_BAD_REQUIREMENT', `invalid requirement\n${bad}`, 'requirements follow PEP 508, e.g. `requests>=2.31`');
    const wanted = new Map<string, AppliedRequirement[]>();
    for (const r of root?.requires ?? []) {
      if (r.url !== null) {
        throw new ZephyrError('ZE_UNSUPPORTED', `direct URL requirements are not supported yet: ${r.requirement}`, 'name the package and a version instead');
      }
      wanted.set(r.name, [...(wanted.get(r.name) ?? []), r]);
    }
    for (const c of constraints?.requires ?? []) {
      const list = wanted.get(c.name);
      if (list) list.push(c);
    }
    const upgrade = (name: string): boolean => request.upgrade || request.upgradePackages.map(normalizeName).includes(name);
    // An installed version that satisfies is kept (looked up only for its file, for --reinstall).
    const lookup: { name: string; specifier: string; keep: string | null }[] = [];
    for (const [name, reqs] of wanted) {
      const have = reqs[0]?.installed ?? null;
      const keep = have !== null && reqs.every((r) => r.satisfied) && !upgrade(name) ? have : null;
      lookup.push({ name, keep, specifier: keep !== null ? `==${keep}` : reqs.map((r) => r.specifier).filter((s) => s !== '').join(',') });
    }
    const pages = await client.getProjects(lookup.map((l) => l.name));
    const noBinary = [...request.noBinary, ...inputs.noBinary];
    const onlyBinary = [...request.onlyBinary, ...inputs.onlyBinary];
    const files = new Map<string, DistFile[]>();
    for (const l of lookup) {
      const page = pages.get(l.name);
      if (!page && l.keep !== null) continue;
      if (!page) throw new ZephyrError('ZE_NOT_FOUND', `${l.name} was not found on the package index`, 'check the name, or the --index-url');
      files.set(l.name, page.files.filter((f) => binaryAllowed(l.name, f.filename, noBinary, onlyBinary)));
    }
    const pre = request.pre || inputs.pre || settings.values.prerelease === 'allow';
    const latest = await latestVersions(
      facts,
      request.pythonVersion,
      pre,
      lookup.map((l) => ({ name: l.name, specifier: l.specifier, files: (files.get(l.name) ?? []).map((f) => ({ filename: f.filename, requiresPython: f.requiresPython, yanked: f.yanked })) })),
    );
    const packages: ResolvedPackage[] = latest.map((l, i) => {
      const spec = lookup[i]?.specifier ?? '';
      const keep = lookup[i]?.keep ?? null;
      const file = (files.get(l.name) ?? []).find((f) => f.filename === l.filename);
      // Kept but no longer on the index: nothing to fetch unless --reinstall (which then says the file is missing).
      if (keep !== null && (l.latest === null || !file)) return { name: l.name, version: keep, filename: '', url: '', extras: [], dependencies: [], requestedByRoot: true };
      if (l.latest === null || !file) {
        throw new ZephyrError(
          'ZE_NO_MATCHING_VERSION',
          `no version of ${l.name}${spec} can be installed in this environment (Python ${resolveTarget(facts, request.pythonVersion, undefined).pythonVersion})`,
          'check the version, its Requires-Python, and the wheels it has for this platform',
        );
      }
      return { name: l.name, version: keep ?? l.latest, filename: file.filename, url: file.url, extras: [], dependencies: [], requestedByRoot: true };
    });
    packages.sort((a, b) => a.name.localeCompare(b.name));
    log.status(`Selected ${packages.length} package${packages.length === 1 ? '' : 's'} (without dependencies)`);
    const outcome: ResolveOutcome = {
      resolution: { packages, files, hashes: new Map(), rounds: 0, versionFiles: new Map(), root: [], forks: [] },
      inputs,
      target: resolveTarget(facts, request.pythonVersion, undefined),
    };
    await use(outcome, client);
    return outcome;
  } finally {
    await client.close();
  }
}

function placeholder(name: string): { name: string; version: string } {
  return { name, version: '0' };
}
