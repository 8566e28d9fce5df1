// `zephyr lock` and `zephyr sync`: the project's universal lock, and its
// environment made to match it.

import { Command, Option } from 'clipanion';
import { IndexOptionsCommand } from './index-options.js';

export class LockCommand extends IndexOptionsCommand {
  static override paths = [['lock']];
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });
  static override usage = Command.Usage({
    description: 'Resolve the project for every platform and Python it supports and write zephyr.lock',
    details: 'Universal resolution: dependencies keep their markers, and where requirements under different markers need different versions the resolution forks per marker region. Versions already in the lock are kept unless --upgrade / --upgrade-package.',
    examples: [
      ['Lock the project', 'zephyr lock'],
      ['Fail if the lock is out of date (CI)', 'zephyr lock --check'],
      ['Upgrade one package', 'zephyr lock -P requests'],
    ],
  });
  check = Option.Boolean('--check', false, { description: 'Exit non-zero if the lock is out of date (writes nothing)' });
  locked = Option.Boolean('--locked', false, { description: 'Fail if the lock would change (writes nothing)' });
  upgrade = Option.Boolean('-U,--upgrade', false, { description: 'Ignore the versions in the existing lock' });
  upgradePackage = Option.Array('-P,--upgrade-package', [], { description: 'Allow upgrading this package (repeatable)' });

  async run(): Promise<number> {
    const settings = await this.settings();
    const { findProject } = await import('../project/pyproject.js');
    const { lockProject } = await import('../project/lock.js');
    const { log, out, outJson } = await import('../ui/log.js');
    const project = await findProject(process.cwd());
    const outcome = await lockProject(project, settings, { upgrade: this.upgrade, upgradePackages: this.upgradePackage, check: this.check, locked: this.locked });
    if (this.json) {
      outJson({ lock: outcome.lockPath, changed: outcome.changed, packages: outcome.packages, before: outcome.before });
      return 0;
    }
    if (this.check || this.locked) {
      log.status(`${outcome.lockPath} is up to date`);
      return 0;
    }
    const n = outcome.packages.length;
    log.status(outcome.changed ? `Locked ${n} package${n === 1 ? '' : 's'} into ${outcome.lockPath}` : `${outcome.lockPath} is up to date (${n} package${n === 1 ? '' : 's'})`);
    if (outcome.before) {
      const old = new Map<string, string[]>();
      for (const p of outcome.before) old.set(p.name, [...(old.get(p.name) ?? []), p.version]);
      for (const p of outcome.packages) {
        const was = old.get(p.name);
        if (!was) out(` + ${p.name}==${p.version}`);
        else if (!was.includes(p.version) && was.length === 1) out(` ~ ${p.name} ${was[0] ?? ''} -> ${p.version}`);
      }
      const now = new Set(outcome.packages.map((p) => p.name));
      for (const [name, versions] of old) if (!now.has(name)) out(` - ${name}==${versions.join(', ')}`);
    }
    return 0;
  }
}

export class SyncCommand extends IndexOptionsCommand {
  static override paths = [['sync']];
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });
  static override usage = Command.Usage({
    description: "Make the project's .venv match zephyr.lock exactly",
    details: 'Installs what is missing, upgrades what differs and removes what the lock does not have, picking this platform\'s wheel from the lock and verifying every hash. Locks first when the lock is missing or out of date with pyproject.toml (unless --frozen or --locked).',
    examples: [
      ['Sync the environment', 'zephyr sync'],
      ['In CI: the lock must be up to date', 'zephyr sync --locked'],
      ['Without the dev group, with an extra', 'zephyr sync --no-dev --extra cli'],
    ],
  });
  frozen = Option.Boolean('--frozen', false, { description: 'Use the lock as it is, without checking it against pyproject.toml' });
  locked = Option.Boolean('--locked', false, { description: 'Fail if the lock is out of date' });
  noDev = Option.Boolean('--no-dev', false, { description: 'Leave out the dev dependency group' });
  group = Option.Array('--group', [], { description: 'Also install this dependency group (repeatable)' });
  extra = Option.Array('--extra', [], { description: 'Also install this extra of the project (repeatable)' });
  allExtras = Option.Boolean('--all-extras', false, { description: 'Install every extra of the project' });

  async run(): Promise<number> {
    const started = performance.now();
    const { syncIsNoop, syncProject } = await import('../project/sync.js');
    const { log, out, outJson } = await import('../ui/log.js');
    const opts = { frozen: this.frozen, locked: this.locked, noDev: this.noDev, groups: this.group, extras: this.extra, allExtras: this.allExtras };
    // Nothing to do: answered from the fingerprint, before settings, TOML or the native core load.
    const unchanged = syncIsNoop(process.cwd(), opts);
    if (unchanged !== undefined) {
      if (this.json) outJson({ environment: unchanged, noop: true, installed: [], removed: [], packages: [], createdEnvironment: false });
      else log.status(`The environment is up to date (${Math.round(performance.now() - started)}ms)`);
      return 0;
    }
    const settings = await this.settings();
    const { findProject } = await import('../project/pyproject.js');
    const project = await findProject(process.cwd());
    const outcome = await syncProject(project, settings, opts);
    if (this.json) {
      outJson(outcome);
      return 0;
    }
    const ms = Math.round(performance.now() - started);
    if (outcome.noop) {
      log.status(`The environment is up to date (${ms}ms)`);
      return 0;
    }
    log.status(`Synced ${outcome.environment} in ${ms}ms`);
    const removed = new Map(outcome.removed.map((p) => [p.name, p.version]));
    for (const p of outcome.installed) {
      const was = removed.get(p.name);
      out(was ? ` - ${p.name}==${was}\n + ${p.name}==${p.version}` : ` + ${p.name}==${p.version}`);
      removed.delete(p.name);
    }
    for (const [name, version] of removed) out(` - ${name}==${version}`);
    return 0;
  }
}
