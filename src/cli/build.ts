// `zephyr build [PATH]`: an sdist and a wheel of a project (PEP 517), into
// `dist/` (or --out-dir). Like `python -m build`, the wheel is built from the
// sdist when both are asked for, so a broken sdist shows up here.

import { Command, Option } from 'clipanion';
import { ZephyrCommand } from './base.js';
import type { FlagValues } from '../settings/load.js';

export class BuildCommand extends ZephyrCommand {
  static override paths = [['build']];
  static override usage = Command.Usage({
    description: 'Build an sdist and a wheel of a project (PEP 517) into dist/',
    details: 'Runs the build backend named in pyproject.toml ([build-system]) in an isolated environment whose requirements zephyr installs from the configured indexes. Without --sdist or --wheel, builds both, the wheel from the sdist.',
    examples: [
      ['Build the project in this folder', 'zephyr build'],
      ['Only a wheel, somewhere else', 'zephyr build ./pkg --wheel --out-dir wheels'],
    ],
  });
  projectPath = Option.String({ required: false, name: 'PATH' });
  sdist = Option.Boolean('--sdist', false, { description: 'Build an sdist' });
  wheel = Option.Boolean('--wheel', false, { description: 'Build a wheel' });
  outDir = Option.String('-o,--out-dir', { description: 'Where to write them (default: PATH/dist)' });
  python = Option.String('-p,--python', { description: 'Interpreter to build with' });
  indexUrl = Option.String('-i,--index-url', { description: 'The package index for build requirements' });
  extraIndexUrl = Option.Array('--extra-index-url', { description: 'More indexes' });
  findLinks = Option.Array('-f,--find-links', { description: 'Folders or pages with distributions' });
  noIndex = Option.Boolean('--no-index', false, { description: 'Use only --find-links' });
  noBuildIsolation = Option.Boolean('--no-build-isolation', false, { description: 'Build with the packages of the interpreter instead of an isolated environment' });
  buildConstraint = Option.Array('--build-constraint', [], { description: 'Constrain build requirements with a file (repeatable)' });
  configSettings = Option.Array('-C,--config-settings', [], { description: 'KEY=VALUE passed to the build backend (repeatable)' });
  keepBuildEnv = Option.Boolean('--keep-build-env', false, { description: 'Keep the temporary build environments (for debugging)' });
  offline = Option.Boolean('--offline', { description: 'Use only cached index responses' });
  json = Option.Boolean('--json', false, { description: 'Print the written files as JSON' });

  protected override settingFlags(): FlagValues {
    return {
      ...this.flag('index-url', this.indexUrl, '--index-url'),
      ...this.flag('extra-index-url', this.extraIndexUrl, '--extra-index-url'),
      ...this.flag('find-links', this.findLinks, '--find-links'),
      ...this.flag('python', this.python, '--python'),
      ...this.flag('offline', this.offline, '--offline'),
    };
  }

  async run(): Promise<void> {
    const settings = await this.settings();
    const { resolve, join, basename } = await import('node:path');
    const { existsSync } = await import('node:fs');
    const { ZephyrError } = await import('../ui/errors.js');
    const { out, outJson, log } = await import('../ui/log.js');
    const tree = resolve(this.projectPath ?? '.');
    if (!existsSync(join(tree, 'pyproject.toml')) && !existsSync(join(tree, 'setup.py'))) {
      throw new ZephyrError('ZE_NOT_A_PROJECT', `${tree} has neither pyproject.toml nor setup.py`, 'run it in a project folder, or give its path');
    }
    const outDir = resolve(this.outDir ?? join(tree, 'dist'));
    const { findPython, effectiveRequest } = await import('../python/discover.js');
    const interpreter = await findPython(effectiveRequest(settings.values.python, tree), process.env, tree, settings.values['cache-dir']);
    const { inputsAndClient } = await import('../install/index-client.js');
    const { client } = await inputsAndClient({ packages: [], requirementFiles: [], constraintFiles: [], overrideFiles: [], noIndex: this.noIndex }, settings, interpreter.facts);
    const { createBuildContext } = await import('../build/context.js');
    const { parseExcludeNewer } = await import('../resolve/session.js');
    const source = createBuildContext({
      client,
      interpreter,
      settings,
      choices: { prerelease: settings.values.prerelease, resolution: settings.values.resolution, noBinary: [], onlyBinary: [], excludeNewer: parseExcludeNewer(settings.values['exclude-newer']) },
      build: { isolation: !this.noBuildIsolation, keepBuildEnv: this.keepBuildEnv, configSettings: this.configSettings, constraintFiles: this.buildConstraint },
      noBuild: false,
    });
    const builds = source.builds;
    const both = this.sdist === this.wheel;
    const label = { name: basename(tree), what: tree };
    const written: { kind: 'sdist' | 'wheel'; path: string }[] = [];
    try {
      let sdist: string | undefined;
      if (this.sdist || both) {
        sdist = await builds.sdistOfTree(tree, outDir, label);
        written.push({ kind: 'sdist', path: sdist });
      }
      if (this.wheel || both) {
        const from = sdist === undefined ? tree : await builds.unpack(sdist, label);
        const wheel = await builds.wheelOfTree(from, label, null);
        const { BuildSession } = await import('../build/session.js');
        written.push({ kind: 'wheel', path: BuildSession.copyInto(wheel, outDir) });
      }
    } finally {
      builds.cleanup();
      await client.close();
    }
    if (this.json) {
      outJson({ outDir, files: written });
      return;
    }
    log.status(`Built ${written.map((w) => basename(w.path)).join(' and ')} into ${outDir}`);
    for (const w of written) out(w.path);
  }
}
