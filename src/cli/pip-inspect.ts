// Inspecting the environment like pip does: `zephyr pip show`, `zephyr pip
// check` and `zephyr pip tree`. Each reads what is installed (one core call),
// analyzes the dependencies (one core call) and prints.

import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { ZephyrCommand } from './base.js';
import type { Environment } from '../python/environment.js';
import type { InstalledDistribution } from '../install/installed.js';
import type { DistDependencies } from '../install/dependencies.js';

interface Inspected {
  environment: Environment;
  installed: InstalledDistribution[];
  deps: DistDependencies[];
}

/** The options of every inspecting command: which environment. */
abstract class InspectCommand extends ZephyrCommand {
  system = Option.Boolean('--system', false, { description: 'The interpreter found on PATH instead of a virtual environment' });
  target = Option.String('-t,--target', { description: 'A folder installed with --target' });
  prefix = Option.String('--prefix', { description: 'A prefix installed with --prefix' });

  protected async inspect(): Promise<Inspected> {
    const settings = await this.settings();
    return inspectEnvironment({ system: this.system, target: this.target, prefix: this.prefix, python: settings.values.python, cacheDir: settings.values['cache-dir'] });
  }
}

async function inspectEnvironment(options: import('../install/target-env.js').TargetOptions): Promise<Inspected> {
  const { targetEnvironment } = await import('../install/target-env.js');
  const { installedDistributions } = await import('../install/installed.js');
  const { analyzeInstalled } = await import('../install/dependencies.js');
  const environment = await targetEnvironment({ ...options, readOnly: true });
  await (await import('../install/apply.js')).recoverIfInterrupted(environment);
  const installed = await installedDistributions(environment.interpreter.facts);
  const deps = await analyzeInstalled(environment.interpreter.facts, installed);
  const { log } = await import('../ui/log.js');
  for (const d of deps) for (const bad of d.invalid) log.warn(`${d.name} ${d.version} has an invalid requirement: ${bad}`);
  return { environment, installed, deps };
}

export class PipShowCommand extends InspectCommand {
  static override paths = [['pip', 'show']];
  static override usage = Command.Usage({
    description: 'Show information about installed packages',
    examples: [
      ['About one package', 'zephyr pip show requests'],
      ['With the files it installed', 'zephyr pip show --files requests'],
    ],
  });
  packages = Option.Rest({ name: 'PACKAGE', required: 1 });
  files = Option.Boolean('-f,--files', false, { description: 'List the files of each package (as its RECORD lists them)' });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  async run(): Promise<number> {
    const { normalizeName } = await import('../index/names.js');
    const { requiredBy } = await import('../install/dependencies.js');
    const { showDistribution, renderShown } = await import('../install/show.js');
    const { out, outJson, log } = await import('../ui/log.js');
    const { installed, deps } = await this.inspect();
    const byName = new Map(installed.map((d) => [d.name, d]));
    const depsByName = new Map(deps.map((d) => [d.name, d]));
    const requirers = requiredBy(deps);
    const wanted = [...new Set(this.packages.map(normalizeName))];
    const missing = wanted.filter((n) => !byName.has(n));
    const shown = wanted.flatMap((n) => {
      const dist = byName.get(n);
      if (!dist) return [];
      const by = (requirers.get(n) ?? []).flatMap((r) => byName.get(r) ?? []);
      return [showDistribution(dist, depsByName.get(n), by, this.files)];
    });
    if (missing.length > 0) log.warn(`Package(s) not found: ${missing.join(', ')}`);
    if (this.json) outJson(shown);
    else out(shown.map((s) => renderShown(s).join('\n')).join('\n---\n'));
    return shown.length === 0 ? 1 : 0;
  }
}

export class PipCheckCommand extends InspectCommand {
  static override paths = [['pip', 'check']];
  static override usage = Command.Usage({
    description: 'Check that the requirements of every installed package are installed at allowed versions',
    details: 'Each Requires-Dist is evaluated against the environment (markers, and the extras that installed packages ask for). Exits with 1 when a requirement is missing or not satisfied.',
  });
  json = Option.Boolean('--json', false, { description: 'Print the problems as JSON' });

  async run(): Promise<number> {
    const { dependencyProblems, describeProblem } = await import('../install/check.js');
    const { out, outJson } = await import('../ui/log.js');
    const { environment, deps } = await this.inspect();
    const problems = dependencyProblems(deps);
    if (this.json) outJson({ environment: environment.root, problems });
    else if (problems.length === 0) out('No broken requirements found.');
    else for (const p of problems) out(describeProblem(p));
    return problems.length === 0 ? 0 : 1;
  }
}

export class PipTreeCommand extends InspectCommand {
  static override paths = [['pip', 'tree']];
  static override usage = Command.Usage({
    description: 'Show the installed packages as a dependency tree',
    examples: [
      ['The whole environment', 'zephyr pip tree'],
      ['What requires a package', 'zephyr pip tree --invert --package urllib3'],
    ],
  });
  depth = Option.String('-d,--depth', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0)]), description: 'Levels to show below each root' });
  invert = Option.Boolean('--invert', false, { description: 'Show who requires each package' });
  packages = Option.Array('--package', [], { description: 'Start the tree at this package (repeatable)' });
  showRequired = Option.Boolean('--show-version-specifiers', false, { description: 'Show the version each requirement asks for' });
  json = Option.Boolean('--json', false, { description: 'Print the tree as JSON' });

  async run(): Promise<number> {
    const { normalizeName } = await import('../index/names.js');
    const { dependencyTree, renderTree } = await import('../install/tree.js');
    const { ZephyrError } = await import('../ui/errors.js');
    const { out, outJson } = await import('../ui/log.js');
    const { deps } = await this.inspect();
    const roots = this.packages.map(normalizeName);
    const have = new Set(deps.map((d) => d.name));
    const unknown = roots.filter((r) => !have.has(r));
    if (unknown.length > 0) {
      throw new ZephyrError('ZE_NOT_INSTALLED', `not installed in this environment: ${unknown.join(', ')}`, 'see `zephyr pip list` for what is installed');
    }
    const tree = dependencyTree(deps, { depth: this.depth, invert: this.invert, packages: roots });
    if (this.json) outJson(tree);
    else if (tree.length > 0) out(renderTree(tree, this.showRequired).join('\n'));
    return 0;
  }
}
