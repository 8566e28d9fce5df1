// Project verbs on pyproject.toml: `zephyr add`, `remove`, `update`, `run`.
// Each is edit → lock → sync (src/project/change.ts); `run` syncs, then runs
// the command in the project's environment.

import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { IndexOptionsCommand } from './index-options.js';

/** Options that say which list of pyproject.toml a package goes to. */
abstract class EditingCommand extends IndexOptionsCommand {
  dev = Option.Boolean('--dev', false, { description: 'The `dev` dependency group (PEP 735)' });
  group = Option.String('--group', { description: 'A dependency group (PEP 735)' });
  optional = Option.String('--optional', { description: 'An optional dependency list (extra)' });
  frozen = Option.Boolean('--frozen', false, { description: 'Only edit pyproject.toml: do not lock or sync' });
  noSync = Option.Boolean('--no-sync', false, { description: 'Lock, but do not sync the environment' });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  protected async target(): Promise<import('../project/pyproject-edit.js').DependencyTarget> {
    const { ZephyrError } = await import('../ui/errors.js');
    const chosen = [this.dev, this.group !== undefined, this.optional !== undefined].filter(Boolean).length;
    if (chosen > 1) throw new ZephyrError('ZE_USAGE', '--dev, --group and --optional exclude each other', 'choose one list');
    if (this.optional !== undefined) return { kind: 'optional', extra: this.optional };
    if (this.group !== undefined) return { kind: 'group', group: this.group };
    if (this.dev) return { kind: 'group', group: 'dev' };
    return { kind: 'project' };
  }

  protected async report(outcome: import('../project/change.js').ChangeOutcome): Promise<void> {
    const { out, outJson, log } = await import('../ui/log.js');
    if (this.json) return outJson(outcome);
    for (const e of outcome.edits) log.status(e);
    for (const c of outcome.changes) {
      if (c.from === null) out(` + ${c.name}==${c.to}`);
      else if (c.to === null) out(` - ${c.name}==${c.from}`);
      else out(` ~ ${c.name} ${c.from} → ${c.to}`);
    }
  }
}

export class AddCommand extends EditingCommand {
  static override paths = [['add']];
  static override usage = Command.Usage({
    description: "Add dependencies to the project's pyproject.toml, then lock and sync",
    details:
      'The edit keeps the formatting and comments of pyproject.toml. A bare name gets the locked version as its lower bound. ' +
      'If the new requirements cannot be resolved or installed, nothing changes.',
    examples: [
      ['Add a package', 'zephyr add requests'],
      ['A development tool', 'zephyr add --dev pytest'],
      ['Import a requirements file', 'zephyr add -r requirements.txt'],
      ['A local project, editable', 'zephyr add --editable ../mylib'],
    ],
  });
  requirementFiles = Option.Array('-r,--requirements', [], { description: 'Add the requirements of a file (repeatable)' });
  editable = Option.Boolean('-e,--editable', false, { description: 'Add the local folders given as editable dependencies' });
  packages = Option.Rest({ name: 'PACKAGE' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { ZephyrError } = await import('../ui/errors.js');
    const { findProject } = await import('../project/pyproject.js');
    const { addToProject, localDependency } = await import('../project/change.js');
    const { existsSync, statSync } = await import('node:fs');
    const project = await findProject(process.cwd());
    // A folder (a path that exists, or anything with --editable) is a dependency from [tool.zephyr.sources].
    const isFolder = (arg: string): boolean => /^(\.{1,2}([\\/]|$)|[\\/~])/.test(arg) && existsSync(arg) && statSync(arg).isDirectory();
    const local = this.packages.filter((p) => this.editable || isFolder(p)).map((p) => localDependency(project, p, this.editable));
    const requirements = this.packages.filter((p) => !(this.editable || isFolder(p)));
    if (this.requirementFiles.length > 0) {
      const { readRequirementsFile } = await import('../resolve/requirements-file.js');
      const { log } = await import('../ui/log.js');
      for (const path of this.requirementFiles) {
        const file = readRequirementsFile(path);
        for (const r of file.requirements) {
          if (r.editable) log.warn(`${r.source.file}:${r.source.line}: editable \`-e ${r.text}\` skipped: editable path dependencies are added with their path`);
          else requirements.push(r.text);
        }
      }
    }
    if (requirements.length === 0 && local.length === 0) throw new ZephyrError('ZE_USAGE', 'nothing to add', 'name packages (zephyr add requests), a folder (zephyr add --editable ../lib) or a file (zephyr add -r requirements.txt)');
    await this.report(await addToProject(project, settings, await this.target(), requirements, { lock: !this.frozen, sync: !this.frozen && !this.noSync }, local));
  }
}

export class RemoveCommand extends EditingCommand {
  static override paths = [['remove']];
  static override usage = Command.Usage({
    description: "Remove dependencies from the project's pyproject.toml, then lock and sync",
    examples: [
      ['Remove a package', 'zephyr remove requests'],
      ['Remove a development tool', 'zephyr remove --dev pytest'],
    ],
  });
  packages = Option.Rest({ name: 'PACKAGE', required: 1 });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { findProject } = await import('../project/pyproject.js');
    const { removeFromProject } = await import('../project/change.js');
    const project = await findProject(process.cwd());
    await this.report(await removeFromProject(project, settings, await this.target(), this.packages, { lock: !this.frozen, sync: !this.frozen && !this.noSync }));
  }
}

export class UpdateCommand extends IndexOptionsCommand {
  static override paths = [['update']];
  static override usage = Command.Usage({
    description: 'Upgrade locked packages within the constraints of pyproject.toml, relock and sync; print old → new',
    examples: [
      ['Upgrade everything', 'zephyr update'],
      ['Upgrade one package', 'zephyr update requests'],
    ],
  });
  noSync = Option.Boolean('--no-sync', false, { description: 'Lock, but do not sync the environment' });
  json = Option.Boolean('--json', false, { description: 'Print the changes as JSON' });
  packages = Option.Rest({ name: 'PACKAGE' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { findProject } = await import('../project/pyproject.js');
    const { updateProject } = await import('../project/change.js');
    const { out, outJson, log } = await import('../ui/log.js');
    const project = await findProject(process.cwd());
    const outcome = await updateProject(project, settings, this.packages, { lock: true, sync: !this.noSync });
    if (this.json) return outJson(outcome.changes);
    if (outcome.changes.length === 0) log.status('No package changed');
    for (const c of outcome.changes) out(`${c.name} ${c.from ?? '(new)'} → ${c.to ?? '(removed)'}`);
  }
}

export class RunCommand extends IndexOptionsCommand {
  static override paths = [['run']];
  static override usage = Command.Usage({
    description: "Run a command in the project's environment, after making sure it matches the lock",
    details: 'The environment is synced first (near-instant when nothing changed). The command runs with the environment first on PATH and VIRTUAL_ENV set; zephyr exits with its exit code.',
    examples: [
      ['Run a script', 'zephyr run python main.py'],
      ['Run a tool of the dev group', 'zephyr run pytest -x'],
    ],
  });
  noSync = Option.Boolean('--no-sync', false, { description: 'Do not lock or sync first' });
  frozen = Option.Boolean('--frozen', false, { description: 'Sync from the lock as it is, without checking it against pyproject.toml' });
  command = Option.Proxy({ required: 1 });

  async run(): Promise<number> {
    const settings = await this.settings();
    const { findProject } = await import('../project/pyproject.js');
    const { runInProject } = await import('../project/run.js');
    const project = await findProject(process.cwd());
    if (!this.noSync) {
      const { syncProject } = await import('../project/sync.js');
      await syncProject(project, settings, { frozen: this.frozen });
    }
    return runInProject(project, this.command);
  }
}

export class TreeCommand extends IndexOptionsCommand {
  static override paths = [['tree']];
  static override usage = Command.Usage({
    description: "Show the project's locked dependencies as a tree",
    details: 'Locks first when the lock is out of date (not with --frozen). Every platform of the lock is shown; markers say where an edge applies. A subtree shown before is marked (*).',
    examples: [
      ['The whole tree', 'zephyr tree'],
      ['Who needs a package', 'zephyr tree --invert --package colors'],
    ],
  });
  depth = Option.String('-d,--depth', '255', { description: 'How deep to show the tree', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0)]) });
  invert = Option.Boolean('--invert', false, { description: 'Show who depends on each package' });
  package = Option.Array('--package', [], { description: 'Start at this package (repeatable)' });
  noDev = Option.Boolean('--no-dev', false, { description: 'Leave the dependency groups out' });
  frozen = Option.Boolean('--frozen', false, { description: 'Use the lock as it is' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { findProject } = await import('../project/pyproject.js');
    const { readLockfile, LOCK_FILENAME } = await import('../project/lockfile.js');
    const { renderTree } = await import('../project/tree.js');
    const { ZephyrError } = await import('../ui/errors.js');
    const { join } = await import('node:path');
    const { out } = await import('../ui/log.js');
    const project = await findProject(process.cwd());
    let lock: import('../project/lockfile.js').Lockfile;
    if (this.frozen) {
      const read = readLockfile(join(project.root, LOCK_FILENAME));
      if (!read) throw new ZephyrError('ZE_NO_LOCK', `${project.root} has no ${LOCK_FILENAME}`, 'run `zephyr lock` (or drop --frozen)');
      lock = read.lock;
    } else {
      const { lockProject } = await import('../project/lock.js');
      lock = (await lockProject(project, settings, {})).lock;
    }
    for (const line of renderTree(lock, { depth: this.depth, invert: this.invert, packages: this.package, noDev: this.noDev })) out(line);
  }
}
