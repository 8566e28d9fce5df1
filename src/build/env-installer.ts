// Installing build requirements into an isolated build environment with
// zephyr's own resolver and installer, from the same indexes as the command
// that needs the build (sdists among them are built by the same session).

import type { LinkMode } from '../native.js';
import { resolve } from '../resolve/driver.js';
import type { SolverOptions } from '../resolve/protocol.js';
import { sha256Text } from './cache-keys.js';
import type { BuildEnvInstaller } from './session.js';
import type { BuildingSource } from './source.js';

export function buildEnvInstaller(base: SolverOptions, source: () => BuildingSource, cacheDir: string, linkMode: LinkMode): BuildEnvInstaller {
  return {
    async resolve(requirements, constraints) {
      const options: SolverOptions = { ...base, requirements, constraints, overrides: [], preferences: [], upgradeAll: false, upgradePackages: [] };
      if (requirements.length === 0) return { key: sha256Text('[]'), install: () => Promise.resolve() };
      const resolution = await resolve(options, source());
      const pins = resolution.packages.map((p) => `${p.name}==${p.version}`).sort();
      return {
        key: sha256Text(JSON.stringify(pins)),
        async install(env) {
          // Loaded when a build environment is made: most resolutions never make one.
          const { applyPlan } = await import('../install/apply.js');
          const { fetchWheels } = await import('../install/fetch.js');
          const { planInstall } = await import('../install/plan.js');
          const plan = planInstall(resolution.packages, [], false);
          const wheels = await fetchWheels(plan.install, resolution.files, source().client, cacheDir, source());
          await applyPlan(env, wheels, linkMode, new Set(), ['build-environment', ...pins]);
        },
      };
    },
  };
}
