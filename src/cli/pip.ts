// The pip-compatible surface: `zephyr pip compile` (pip-tools / `uv pip
// compile`) and `zephyr pip install --dry-run`.

import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { ZephyrCommand } from './base.js';
import { IndexOptionsCommand } from './index-options.js';
import type { FlagValues } from '../settings/load.js';
import { LINK_MODES, PRERELEASE_MODES, RESOLUTION_MODES } from '../settings/schema.js';

/** Options every resolving pip command has. */
abstract class ResolvingCommand extends IndexOptionsCommand {
  requirementFiles = Option.Array('-r,--requirement', [], { description: 'Read requirements from a file (repeatable)' });
  constraintFiles = Option.Array('-c,--constraint', [], { description: 'Constrain versions with a file (repeatable)' });
  overrideFiles = Option.Array('--override', [], { description: 'Override versions everywhere with a file (repeatable)' });
  noIndex = Option.Boolean('--no-index', false, { description: 'Use only --find-links' });
  pythonVersion = Option.String('--python-version', { description: 'Resolve for this Python version (e.g. 3.9)' });
  pythonPlatform = Option.String('--python-platform', { description: 'Resolve for this platform (linux, macos, windows, x86_64-manylinux_2_28, …)' });
  prerelease = Option.String('--prerelease', { validator: t.isEnum(PRERELEASE_MODES), description: 'When pre-releases may be chosen' });
  pre = Option.Boolean('--pre', false, { description: 'Allow pre-releases (same as --prerelease allow)' });
  resolution = Option.String('--resolution', { validator: t.isEnum(RESOLUTION_MODES), description: 'highest, lowest or lowest-direct' });
  upgrade = Option.Boolean('-U,--upgrade', false, { description: 'Ignore earlier pins and installed versions' });
  upgradePackage = Option.Array('-P,--upgrade-package', [], { description: 'Allow upgrading this package (repeatable)' });
  excludeNewer = Option.String('--exclude-newer', { description: 'Ignore files uploaded after this date' });
  noBinary = Option.Array('--no-binary', [], { description: 'Do not use wheels for these packages (:all: for every one)' });
  onlyBinary = Option.Array('--only-binary', [], { description: 'Use only wheels for these packages (:all: for every one)' });
  noBuild = Option.Boolean('--no-build', false, { description: 'Never use source distributions' });
  editable = Option.Array('-e,--editable', [], { description: 'Install a project folder in editable mode (PEP 660; repeatable)' });
  noBuildIsolation = Option.Boolean('--no-build-isolation', false, { description: 'Build with the packages of the environment instead of an isolated one' });
  noBuildIsolationPackage = Option.Array('--no-build-isolation-package', [], { description: 'Build this package without isolation (repeatable)' });
  buildConstraint = Option.Array('--build-constraint', [], { description: 'Constrain build requirements with a file (repeatable)' });
  configSettings = Option.Array('-C,--config-settings', [], { description: 'KEY=VALUE passed to the build backend (repeatable)' });
  keepBuildEnv = Option.Boolean('--keep-build-env', false, { description: 'Keep the temporary build environments (for debugging)' });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  protected override settingFlags(): FlagValues {
    return {
      ...super.settingFlags(),
      ...this.flag('prerelease', this.prerelease, '--prerelease'),
      ...this.flag('resolution', this.resolution, '--resolution'),
      ...this.flag('exclude-newer', this.excludeNewer, '--exclude-newer'),
    };
  }

  protected common(packages: string[], interpreter: import('../python/discover.js').Found, preferences: { name: string; version: string }[]): import('../resolve/session.js').ResolveRequest {
    return {
      inputs: { packages, editables: this.editable, requirementFiles: this.requirementFiles, constraintFiles: this.constraintFiles, overrideFiles: this.overrideFiles, noIndex: this.noIndex },
      interpreter,
      pythonVersion: this.pythonVersion,
      pythonPlatform: this.pythonPlatform,
      pre: this.pre,
      upgrade: this.upgrade,
      upgradePackages: this.upgradePackage,
      noBinary: this.noBinary.flatMap((v) => v.split(',')),
      onlyBinary: this.onlyBinary.flatMap((v) => v.split(',')),
      noBuild: this.noBuild,
      preferences,
      build: { isolation: !this.noBuildIsolation, noIsolationPackages: this.noBuildIsolationPackage, keepBuildEnv: this.keepBuildEnv, configSettings: this.configSettings, constraintFiles: this.buildConstraint },
    };
  }
}

export class PipCompileCommand extends ResolvingCommand {
  static override paths = [['pip', 'compile']];
  static override usage = Command.Usage({
    description: 'Resolve requirements into pinned versions (like pip-compile and `uv pip compile`)',
    details: 'Reads requirements files (requirements.in), resolves them for the interpreter (or --python-version / --python-platform) and prints the pinned set, with `# via` annotations. Pins already in the output file are kept unless --upgrade / --upgrade-package.',
    examples: [
      ['Pin requirements.in into requirements.txt', 'zephyr pip compile requirements.in -o requirements.txt'],
      ['With hashes, for Python 3.10', 'zephyr pip compile requirements.in --generate-hashes --python-version 3.10'],
    ],
  });
  sources = Option.Rest({ name: 'SRC_FILE' });
  outputFile = Option.String('-o,--output-file', { description: 'Write the pinned requirements here (and keep its pins)' });
  generateHashes = Option.Boolean('--generate-hashes', false, { description: 'Add --hash lines for every file of each pinned version' });
  noAnnotate = Option.Boolean('--no-annotate', false, { description: 'Leave out the `# via` comments' });
  noHeader = Option.Boolean('--no-header', false, { description: 'Leave out the header comment' });
  universal = Option.Boolean('--universal', false, { description: 'Resolve for every platform and every Python from --python-version up; pins carry markers' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { findPython, effectiveRequest } = await import('../python/discover.js');
    const { runResolution } = await import('../resolve/session.js');
    const { pinsOf } = await import('../resolve/inputs.js');
    const { directPin, pinned, pinnedUniversal, renderRequirementsTxt } = await import('../resolve/render.js');
    const { outJson } = await import('../ui/log.js');
    const { ZephyrError } = await import('../ui/errors.js');
    if (this.sources.length === 0 && this.requirementFiles.length === 0) {
      throw new ZephyrError('ZE_USAGE', 'no requirements file given', 'run `zephyr pip compile requirements.in`');
    }
    const interpreter = await findPython(effectiveRequest(settings.values.python, process.cwd()), process.env, process.cwd(), settings.values['cache-dir']);
    const preferences = this.outputFile && !this.upgrade ? pinsOf(this.outputFile) : [];
    const request = this.common([], interpreter, preferences);
    request.inputs.requirementFiles = [...this.sources, ...this.requirementFiles];
    if (this.universal) request.universal = true;
    const { resolution, inputs, source } = await runResolution(request, settings);
    const packages = this.universal ? pinnedUniversal(resolution, inputs.requirements) : pinned(resolution, inputs.requirements);
    for (const p of packages) {
      const from = source?.direct.get(p.name);
      if (from !== undefined) p.direct = directPin(p.name, from);
    }
    if (this.json) {
      outJson({ packages });
      return;
    }
    const text = renderRequirementsTxt(packages, {
      command: ['zephyr', 'pip', 'compile', ...process.argv.slice(4).filter((a) => !/^--?(v+|q+|verbose|quiet)$/.test(a))].join(' '),
      header: !this.noHeader,
      annotate: !this.noAnnotate,
      generateHashes: this.generateHashes,
    });
    if (this.outputFile) {
      const { writeFileSync, renameSync } = await import('node:fs');
      const tmp = `${this.outputFile}.zephyr-tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, this.outputFile);
    }
    // As uv: the pins go to stdout too, unless they went to a file and -q was given.
    if (!this.outputFile || this.quiet === 0) process.stdout.write(text);
  }
}

export class PipInstallCommand extends ResolvingCommand {
  static override paths = [['pip', 'install'], ['install']];
  static override usage = Command.Usage({
    description: 'Install packages into the environment (VIRTUAL_ENV, else the nearest .venv)',
    details: 'Resolves the packages together with what is installed (kept when it still satisfies, unless --upgrade), downloads the wheels into the global cache, and installs them in one journaled step: a failure leaves the environment as it was.',
    examples: [
      ['Install a package', 'zephyr pip install requests'],
      ['From a requirements file', 'zephyr pip install -r requirements.txt'],
      ['See what would change', 'zephyr pip install --dry-run requests'],
    ],
  });
  packages = Option.Rest({ name: 'PACKAGE' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Resolve and show what would change, without installing' });
  reinstall = Option.Boolean('--reinstall,--force-reinstall', false, { description: 'Install again even what is already at the resolved version' });
  linkMode = Option.String('--link-mode', { validator: t.isEnum(LINK_MODES), description: 'clone, hardlink, copy or symlink (files from the cache)' });
  noDeps = Option.Boolean('--no-deps', false, { description: 'Install only the named packages, none of their dependencies' });
  compileBytecode = Option.Boolean('--compile-bytecode', false, { description: 'Compile the installed .py files to bytecode with the environment\'s interpreter' });
  system = Option.Boolean('--system', false, { description: 'Install into the interpreter found on PATH instead of a virtual environment' });
  breakSystemPackages = Option.Boolean('--break-system-packages', false, { description: 'With --system: change an externally managed (PEP 668) interpreter anyway' });
  target = Option.String('-t,--target', { description: 'Install into this folder (a flat folder of packages)' });
  prefix = Option.String('--prefix', { description: 'Install under this prefix (its lib/…/site-packages and bin)' });

  protected override settingFlags(): FlagValues {
    return { ...super.settingFlags(), ...this.flag('link-mode', this.linkMode, '--link-mode') };
  }

  async run(): Promise<void> {
    const settings = await this.settings();
    const { targetEnvironment } = await import('../install/target-env.js');
    const { installedDistributions } = await import('../install/installed.js');
    const { planInstall } = await import('../install/plan.js');
    const { runResolution } = await import('../resolve/session.js');
    const { out, outJson, log } = await import('../ui/log.js');
    const environment = await targetEnvironment({ system: this.system, breakSystemPackages: this.breakSystemPackages, target: this.target, prefix: this.prefix, python: settings.values.python, cacheDir: settings.values['cache-dir'] });
    const { applyPlan, recoverEnvironment } = await import('../install/apply.js');
    if (!this.dryRun) await recoverEnvironment(environment);
    const installed = await installedDistributions(environment.interpreter.facts);
    const request = this.common(this.packages, { ...environment.interpreter, origin: 'requested' }, installed);
    const resolveFor = this.noDeps ? (await import('../install/no-deps.js')).resolveWithoutDependencies : runResolution;
    await resolveFor(request, settings, async ({ resolution, source }, client) => {
      // Source folders (local, git, editable) are installed again each time: their version says nothing of their files.
      const fromFolders = source ? [...source.direct.values()].filter((d) => d.tree !== null).map((d) => d.name) : [];
      const plan = planInstall(resolution.packages, installed, this.reinstall || new Set(fromFolders));
      const changes = plan.install.map((p) => ({ name: p.package.name, version: p.package.version, installed: p.replaces?.version ?? null }));
      if (this.dryRun) {
        if (this.json) outJson({ environment: environment.root, install: changes });
        else if (changes.length === 0) log.status('Would make no changes');
        else {
          log.status(`Would install ${changes.length} package${changes.length === 1 ? '' : 's'}`);
          for (const c of changes) out(c.installed ? ` - ${c.name}==${c.installed}\n + ${c.name}==${c.version}` : ` + ${c.name}==${c.version}`);
        }
        return;
      }
      if (plan.install.length === 0) {
        if (this.json) outJson({ environment: environment.root, installed: [], removed: [] });
        else log.status('Nothing to install: the environment already satisfies the requirements');
        return;
      }
      const { fetchWheels } = await import('../install/fetch.js');
      const started = performance.now();
      const { downloadProgress } = await import('../ui/progress.js');
      const wheels = await fetchWheels(plan.install, resolution.files, client, settings.values['cache-dir'], source, downloadProgress());
      const requested = new Set(resolution.packages.filter((p) => p.requestedByRoot).map((p) => p.name));
      const report = await applyPlan(environment, wheels, settings.values['link-mode'], requested, process.argv.slice(2));
      if (this.compileBytecode) await (await import('../install/bytecode.js')).compileBytecode(environment, report.installed);
      const ms = Math.round(performance.now() - started);
      if (this.json) {
        outJson({ environment: environment.root, ...report });
        return;
      }
      log.status(`Installed ${report.installed.length} package${report.installed.length === 1 ? '' : 's'} in ${ms}ms`);
      for (const c of changes) out(c.installed ? ` - ${c.name}==${c.installed}\n + ${c.name}==${c.version}` : ` + ${c.name}==${c.version}`);
    });
  }
}

export class PipUninstallCommand extends ZephyrCommand {
  static override paths = [['pip', 'uninstall']];
  static override usage = Command.Usage({
    description: 'Remove packages from the environment: exactly the files their RECORD lists',
    examples: [['Remove a package', 'zephyr pip uninstall requests']],
  });
  packages = Option.Rest({ name: 'PACKAGE', required: 1 });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });
  system = Option.Boolean('--system', false, { description: 'Remove from the interpreter found on PATH instead of a virtual environment' });
  breakSystemPackages = Option.Boolean('--break-system-packages', false, { description: 'With --system: change an externally managed (PEP 668) interpreter anyway' });
  target = Option.String('-t,--target', { description: 'Remove from this folder (as installed with --target)' });
  prefix = Option.String('--prefix', { description: 'Remove from this prefix (as installed with --prefix)' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { targetEnvironment } = await import('../install/target-env.js');
    const { installedDistributions } = await import('../install/installed.js');
    const { removeDistributions, recoverEnvironment } = await import('../install/apply.js');
    const { out, outJson, log } = await import('../ui/log.js');
    const environment = await targetEnvironment({ system: this.system, breakSystemPackages: this.breakSystemPackages, target: this.target, prefix: this.prefix, python: settings.values.python, cacheDir: settings.values['cache-dir'] });
    await recoverEnvironment(environment);
    const installed = new Map((await installedDistributions(environment.interpreter.facts)).map((d) => [d.name, d]));
    const { normalizeName } = await import('../index/names.js');
    const wanted = this.packages.map(normalizeName);
    const missing = wanted.filter((n) => !installed.has(n));
    for (const name of missing) log.warn(`${name} is not installed in ${environment.root}`);
    const remove = wanted.flatMap((n) => {
      const d = installed.get(n);
      return d ? [d] : [];
    });
    if (remove.length === 0) {
      if (this.json) outJson({ environment: environment.root, removed: [] });
      return;
    }
    const report = await removeDistributions(environment, remove, process.argv.slice(2));
    if (this.json) {
      outJson({ environment: environment.root, removed: report.removed });
      return;
    }
    log.status(`Uninstalled ${remove.length} package${remove.length === 1 ? '' : 's'}`);
    for (const d of remove) out(` - ${d.name}==${d.version}`);
  }
}

export class PipListCommand extends ZephyrCommand {
  static override paths = [['pip', 'list']];
  static override usage = Command.Usage({
    description: 'List the packages installed in the environment',
    examples: [['Packages with a newer version on the index', 'zephyr pip list --outdated']],
  });
  json = Option.Boolean('--json', false, { description: 'Print the list as JSON' });
  outdated = Option.Boolean('-o,--outdated', false, { description: 'Only packages with a newer version on the index, with that version' });
  pre = Option.Boolean('--pre', false, { description: 'Count pre-releases as newer versions (--outdated)' });
  indexUrl = Option.String('-i,--index-url', { description: 'The package index (PEP 503/691) (--outdated)' });
  extraIndexUrl = Option.Array('--extra-index-url', { description: 'More indexes (--outdated)' });
  findLinks = Option.Array('-f,--find-links', { description: 'Folders or pages with distributions (--outdated)' });
  offline = Option.Boolean('--offline', { description: 'Use only cached index responses (--outdated)' });
  allowInsecureHost = Option.Array('--allow-insecure-host', { description: 'Allow plain HTTP to this host' });
  system = Option.Boolean('--system', false, { description: 'List the interpreter found on PATH instead of a virtual environment' });
  target = Option.String('-t,--target', { description: 'List this folder (as installed with --target)' });
  prefix = Option.String('--prefix', { description: 'List this prefix (as installed with --prefix)' });

  protected override settingFlags(): FlagValues {
    return {
      ...this.flag('index-url', this.indexUrl, '--index-url'),
      ...this.flag('extra-index-url', this.extraIndexUrl, '--extra-index-url'),
      ...this.flag('find-links', this.findLinks, '--find-links'),
      ...this.flag('offline', this.offline, '--offline'),
      ...this.flag('allow-insecure-host', this.allowInsecureHost, '--allow-insecure-host'),
    };
  }

  async run(): Promise<void> {
    const settings = await this.settings();
    const { targetEnvironment } = await import('../install/target-env.js');
    const { installedDistributions } = await import('../install/installed.js');
    const { out, outJson } = await import('../ui/log.js');
    const environment = await targetEnvironment({ system: this.system, target: this.target, prefix: this.prefix, python: settings.values.python, cacheDir: settings.values['cache-dir'], readOnly: true });
    await (await import('../install/apply.js')).recoverIfInterrupted(environment);
    const installed = await installedDistributions(environment.interpreter.facts);
    if (this.outdated) return this.listOutdated(installed, environment.interpreter.facts, settings);
    const list = installed.map((d) => ({ name: d.name, version: d.version }));
    if (this.json) {
      outJson(list);
      return;
    }
    const width = Math.max(7, ...list.map((d) => d.name.length));
    out(`${'Package'.padEnd(width)} Version`);
    out(`${'-'.repeat(width)} -------`);
    for (const d of list) out(`${d.name.padEnd(width)} ${d.version}`);
  }

  private async listOutdated(
    installed: import('../install/installed.js').InstalledDistribution[],
    facts: import('../python/interpreter.js').InterpreterFacts,
    settings: import('../settings/load.js').Settings,
  ): Promise<void> {
    const { inputsAndClient } = await import('../install/index-client.js');
    const { outdatedPackages } = await import('../install/outdated.js');
    const { renderTable } = await import('../install/table.js');
    const { out, outJson } = await import('../ui/log.js');
    const { client } = await inputsAndClient({ packages: [], requirementFiles: [], constraintFiles: [], overrideFiles: [], noIndex: false }, settings, facts);
    try {
      const rows = await outdatedPackages(client, facts, installed, this.pre || settings.values.prerelease === 'allow');
      // The keys of pip's and uv's `--outdated --format json`.
      if (this.json) outJson(rows.map((r) => ({ name: r.name, version: r.version, latest_version: r.latest, latest_filetype: r.type })));
      else if (rows.length > 0) for (const line of renderTable(['Package', 'Version', 'Latest', 'Type'], rows.map((r) => [r.name, r.version, r.latest, r.type]))) out(line);
    } finally {
      await client.close();
    }
  }
}

export class PipFreezeCommand extends ZephyrCommand {
  static override paths = [['pip', 'freeze']];
  static override usage = Command.Usage({ description: 'Print the installed packages as pinned requirements' });
  system = Option.Boolean('--system', false, { description: 'The interpreter found on PATH instead of a virtual environment' });
  target = Option.String('-t,--target', { description: 'This folder (as installed with --target)' });
  prefix = Option.String('--prefix', { description: 'This prefix (as installed with --prefix)' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { targetEnvironment } = await import('../install/target-env.js');
    const { installedDistributions } = await import('../install/installed.js');
    const { out } = await import('../ui/log.js');
    const environment = await targetEnvironment({ system: this.system, target: this.target, prefix: this.prefix, python: settings.values.python, cacheDir: settings.values['cache-dir'], readOnly: true });
    await (await import('../install/apply.js')).recoverIfInterrupted(environment);
    const { freezeLine } = await import('../install/freeze.js');
    for (const d of await installedDistributions(environment.interpreter.facts)) out(freezeLine(d));
  }
}
