// The resolution recipe shared by `pip compile` and `pip install --dry-run`:
// settings → interpreter → target → inputs → index client → solve.

import type { IndexClient } from '../index/index.js';
import { callNative } from '../native.js';
import type { Found } from '../python/discover.js';
import type { Settings } from '../settings/load.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { resolve, type Resolution } from './driver.js';
import { gatherInputs, type InputArgs, type RequirementSource, type ResolveInputs } from './inputs.js';
import type { PrereleaseMode, SolverOptions } from './protocol.js';
import { resolveTarget, type PlatformTarget, type ResolveTarget } from './target.js';
import type { BuildingSource } from '../build/source.js';
import type { DirectReference } from '../build/direct.js';
import type { BuildRequest } from '../build/context.js';

export interface ResolveRequest {
  inputs: InputArgs;
  interpreter: Found;
  pythonVersion: string | undefined;
  pythonPlatform: string | undefined;
  /** `--pre` on the command line. */
  pre: boolean;
  upgrade: boolean;
  upgradePackages: string[];
  noBinary: string[];
  onlyBinary: string[];
  noBuild: boolean;
  preferences: { name: string; version: string }[];
  /** Resolve for every platform and every Python of `requiresPython` (default: `>=` the target's minor version). */
  universal?: boolean;
  requiresPython?: string | null;
  /** How sdists and source requirements are built (defaults: isolated, nothing kept). */
  build?: BuildRequest;
}

export interface ResolveOutcome {
  resolution: Resolution;
  inputs: ResolveInputs;
  target: ResolveTarget;
  /** The package source with its build session and the requirements that point to sources (absent: nothing can be built, as with --no-deps). */
  source?: BuildingSource;
}

/** `--exclude-newer`: an RFC 3339 timestamp or a date (`2024-03-01`). */
export function parseExcludeNewer(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new ZephyrError('ZE_BAD_DATE', `exclude-newer: \`${text}\` is not a date`, 'give a date like 2024-03-01 or a timestamp like 2024-03-01T12:00:00Z');
  }
  return ms;
}

async function checkSyntax(sources: RequirementSource[]): Promise<void> {
  if (sources.length === 0) return;
  const errors = await callNative((n) => n.checkRequirements(sources.map((s) => s.requirement)));
  errors.forEach((message, i) => {
    const source = sources[i];
    if (message === '' || !source) return;
    const where = source.location ? `${source.location}: ` : '';
    throw new ZephyrError('ZE_BAD_REQUIREMENT', `${where}invalid requirement \`${source.requirement}\`\n${message}`, 'requirements follow PEP 508, e.g. `requests>=2.31` or `black[d]==24.1.0; python_version >= "3.9"`');
  });
}

/**
 * Resolves; `use`, when given, runs with the outcome and the index client before the
 * client's connections are closed (to download what was resolved, with the same pool).
 */
export async function runResolution(
  request: ResolveRequest,
  settings: Settings,
  use?: (outcome: ResolveOutcome, client: IndexClient) => Promise<void>,
): Promise<ResolveOutcome> {
  const { defaultIndexFor } = await import('../settings/default-index.js');
  const facts = request.interpreter.facts;
  const inputs = await gatherInputs(request.inputs, settings, async () => {
    const found = await defaultIndexFor(facts);
    log.debug(`default index from ${found.from}`);
    return found.url;
  });
  const { directReference } = await import('../build/direct.js');
  const direct = new Map<RequirementSource, DirectReference>();
  for (const r of inputs.requirements) {
    const ref = directReference(r.requirement, r.editable === true, process.cwd());
    if (ref !== null) direct.set(r, ref);
  }
  await checkSyntax([...inputs.requirements.filter((r) => !direct.has(r)), ...inputs.constraints, ...inputs.overrides]);
  if (inputs.requirements.length === 0) {
    throw new ZephyrError('ZE_NO_REQUIREMENTS', 'nothing to resolve: no requirements were given', 'name packages, or give a requirements file with -r');
  }
  let platform: PlatformTarget | undefined;
  if (request.pythonPlatform !== undefined) {
    const text = request.pythonPlatform;
    platform = JSON.parse(await callNative((n) => n.platformTarget(text))) as PlatformTarget;
  }
  const target = resolveTarget(facts, request.pythonVersion, platform);
  log.debug(`resolving for ${target.label}`);
  const prerelease: PrereleaseMode = request.pre || inputs.pre ? 'allow' : settings.values.prerelease;
  const solverOptions = (): SolverOptions => ({
    requirements: inputs.requirements.map((r) => r.requirement),
    constraints: inputs.constraints.map((r) => r.requirement),
    overrides: inputs.overrides.map((r) => r.requirement),
    markerEnvironment: target.markers,
    tags: target.tags,
    pythonVersion: target.pythonVersion,
    prerelease,
    resolution: settings.values.resolution,
    preferences: request.preferences,
    upgradeAll: request.upgrade,
    upgradePackages: request.upgradePackages,
    noBinary: [...request.noBinary, ...inputs.noBinary],
    onlyBinary: [...request.onlyBinary, ...inputs.onlyBinary],
    noBuild: request.noBuild ? [':all:'] : [],
    excludeNewer: parseExcludeNewer(settings.values['exclude-newer']),
    ...(request.universal === true ? { universal: true, requiresPython: request.requiresPython ?? `>=${target.pythonVersion.split('.').slice(0, 2).join('.')}` } : {}),
  });
  const { indexClientFor } = await import('../index/from-settings.js');
  const client = indexClientFor(inputs, settings);
  const { createBuildContext, DEFAULT_BUILD_REQUEST } = await import('../build/context.js');
  const { checkRequirementHashes, prepareDirect, solverRequirement } = await import('../build/direct.js');
  const options = solverOptions();
  const source = createBuildContext({
    client,
    interpreter: request.interpreter,
    settings,
    choices: { prerelease: options.prerelease, resolution: options.resolution, noBinary: options.noBinary, onlyBinary: options.onlyBinary, excludeNewer: options.excludeNewer },
    build: request.build ?? DEFAULT_BUILD_REQUEST,
    noBuild: request.noBuild,
  });
  const builds = source.builds;
  const started = performance.now();
  try {
    await Promise.all(
      [...direct].map(async ([r, ref]) => {
        const prepared = await prepareDirect(ref, builds, (file) => client.download(file));
        checkRequirementHashes(prepared, r.hashes, r.location ?? r.origin);
        source.addDirect(prepared);
        r.requirement = solverRequirement(ref, prepared);
      }),
    );
    const resolution = await resolve(solverOptions(), source);
    const ms = Math.round(performance.now() - started);
    const stats = client.stats();
    log.status(`Resolved ${resolution.packages.length} package${resolution.packages.length === 1 ? '' : 's'} in ${ms}ms`);
    log.debug(`${stats.requests} requests, ${stats.cacheHits} cache hits, ${stats.revalidated} revalidated, ${resolution.rounds} solver rounds`);
    const outcome: ResolveOutcome = { resolution, inputs, target, source };
    if (use) await use(outcome, client);
    return outcome;
  } finally {
    builds.cleanup();
    await client.close();
  }
}
