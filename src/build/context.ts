// One build context per command: the build session (src/build/session.ts)
// and the package source it resolves build requirements from, wired to the
// command's index client and settings.

import type { IndexClient } from '../index/index.js';
import { normalizeName } from '../index/names.js';
import type { Interpreter } from '../python/interpreter.js';
import type { SolverOptions } from '../resolve/protocol.js';
import { emptyRequirementsFile, readRequirementsFile } from '../resolve/requirements-file.js';
import { resolveTarget } from '../resolve/target.js';
import type { Settings } from '../settings/load.js';
import { buildEnvInstaller } from './env-installer.js';
import { BuildSession, parseConfigSettings } from './session.js';
import { BuildingSource } from './source.js';

/** Build options of a command (flags). */
export interface BuildRequest {
  isolation: boolean;
  /** `--no-build-isolation-package NAME`. */
  noIsolationPackages?: string[];
  keepBuildEnv: boolean;
  /** `-C KEY=VALUE`. */
  configSettings: string[];
  /** `--build-constraint FILE`. */
  constraintFiles: string[];
}

export const DEFAULT_BUILD_REQUEST: BuildRequest = { isolation: true, keepBuildEnv: false, configSettings: [], constraintFiles: [] };

export interface BuildContextArgs {
  client: IndexClient;
  /** The interpreter builds are for (the target environment's). */
  interpreter: Interpreter;
  settings: Settings;
  /** How build requirements are chosen (the command's own choices). */
  choices: Pick<SolverOptions, 'prerelease' | 'resolution' | 'noBinary' | 'onlyBinary' | 'excludeNewer'>;
  build: BuildRequest;
  noBuild: boolean;
}

export function createBuildContext(args: BuildContextArgs): BuildingSource {
  const { settings } = args;
  const buildConstraints = args.build.constraintFiles.flatMap((f) => readRequirementsFile(f, {}, emptyRequirementsFile(), true).constraints.map((l) => l.text));
  // Build requirements are resolved for the interpreter itself, whatever target the command has.
  const target = resolveTarget(args.interpreter.facts, undefined, undefined);
  const base: SolverOptions = {
    ...args.choices,
    requirements: [],
    constraints: [],
    overrides: [],
    markerEnvironment: target.markers,
    tags: target.tags,
    pythonVersion: target.pythonVersion,
    preferences: [],
    upgradeAll: false,
    upgradePackages: [],
    noBuild: [],
  };
  let source: BuildingSource | undefined;
  const builds = new BuildSession(
    args.interpreter,
    {
      cacheDir: settings.values['cache-dir'],
      isolation: args.build.isolation,
      noIsolation: new Set((args.build.noIsolationPackages ?? []).map(normalizeName)),
      keepBuildEnv: args.build.keepBuildEnv,
      configSettings: parseConfigSettings(args.build.configSettings),
      buildConstraints,
      noBuild: args.noBuild,
    },
    buildEnvInstaller(
      base,
      () => {
        if (source === undefined) throw new Error('the build source is not ready');
        return source;
      },
      settings.values['cache-dir'],
      settings.values['link-mode'],
    ),
  );
  source = new BuildingSource(args.client, builds);
  return source;
}

/** A build context with the settings' own choices and default build options (sync, build environments of projects). */
export function settingsBuildContext(client: IndexClient, interpreter: Interpreter, settings: Settings, excludeNewer: number | null): BuildingSource {
  return createBuildContext({
    client,
    interpreter,
    settings,
    choices: { prerelease: settings.values.prerelease, resolution: settings.values.resolution, noBinary: [], onlyBinary: [], excludeNewer },
    build: DEFAULT_BUILD_REQUEST,
    noBuild: false,
  });
}
