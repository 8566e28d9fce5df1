// `zephyr history` and `zephyr rollback`: the generations of the environment
// (src/install/history.ts) and going back to one of them.

import { Command, Option } from 'clipanion';
import { ZephyrCommand } from './base.js';

export class HistoryCommand extends ZephyrCommand {
  static override paths = [['history']];
  static override usage = Command.Usage({
    description: "List the generations of the environment's history",
    details: 'Every change zephyr makes to the environment (install, upgrade, uninstall, rollback) is a generation: when, by which command, what was installed (from which URL, with which SHA-256) and what was removed.',
    examples: [
      ['List the generations', 'zephyr history'],
      ['With the origin of every wheel', 'zephyr history --json'],
    ],
  });
  json = Option.Boolean('--json', false, { description: 'Print the generations as JSON' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { findEnvironment } = await import('../python/environment.js');
    const { readHistory, summarize } = await import('../install/history.js');
    const { out, outJson, log } = await import('../ui/log.js');
    const environment = await findEnvironment(process.cwd(), process.env, settings.values['cache-dir']);
    const generations = readHistory(environment);
    if (this.json) {
      outJson({ environment: environment.root, generations });
      return;
    }
    if (generations.length === 0) {
      log.status(`No history yet for ${environment.root}`);
      return;
    }
    const width = String(generations[generations.length - 1]?.generation ?? 0).length;
    for (const g of generations) {
      out(`${String(g.generation).padStart(width)}  ${g.time}  ${g.command.join(' ')}  ${summarize(g)}`.trimEnd());
    }
  }
}

export class RollbackCommand extends ZephyrCommand {
  static override paths = [['rollback']];
  static override usage = Command.Usage({
    description: 'Put the environment back to the packages of an earlier generation',
    details:
      'Replays the history up to generation N (default: the one before the latest), compares it with what is installed, and changes the difference in one journaled step. Wheels come from the global cache (downloaded again, hash-checked, from their recorded URL when missing). The rollback is itself recorded as a new generation.',
    examples: [
      ['Undo the last change', 'zephyr rollback'],
      ['Go back to generation 3', 'zephyr rollback 3'],
    ],
  });
  generation = Option.String({ name: 'N', required: false });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { findEnvironment } = await import('../python/environment.js');
    const { installedDistributions } = await import('../install/installed.js');
    const { applyRecorded, recoverEnvironment } = await import('../install/apply.js');
    const { planRollback, readHistory, replay, rollbackTarget } = await import('../install/history.js');
    const { ZephyrError } = await import('../ui/errors.js');
    const { out, outJson, log } = await import('../ui/log.js');
    let requested: number | undefined;
    if (this.generation !== undefined) {
      if (!/^-?\d+$/.test(this.generation)) {
        throw new ZephyrError('ZE_BAD_GENERATION', `"${this.generation}" is not a generation number`, 'see `zephyr history` for the generations');
      }
      requested = Number(this.generation);
    }
    const environment = await findEnvironment(process.cwd(), process.env, settings.values['cache-dir']);
    const history = readHistory(environment);
    const n = rollbackTarget(history, requested);
    await recoverEnvironment(environment);
    const installed = await installedDistributions(environment.interpreter.facts);
    const plan = planRollback(replay(history, n), installed);
    if (plan.install.length === 0 && plan.remove.length === 0) {
      if (this.json) outJson({ environment: environment.root, generation: n, installed: [], removed: [] });
      else log.status(`Nothing to do: the environment already has the packages of generation ${n}`);
      return;
    }
    const { cachedWheels } = await import('../install/history.js');
    const started = performance.now();
    const wheels = await cachedWheels(plan.install, settings, (await import('../ui/progress.js')).downloadProgress());
    const remove = [...plan.remove, ...plan.install.flatMap((i) => (i.replaces ? [i.replaces] : []))];
    const report = await applyRecorded(environment, settings.values['link-mode'], remove, wheels, ['rollback', String(n)]);
    const ms = Math.round(performance.now() - started);
    if (this.json) {
      outJson({ environment: environment.root, generation: n, ...report });
      return;
    }
    log.status(`Rolled back to generation ${n} in ${ms}ms`);
    for (const d of plan.remove) out(` - ${d.name}==${d.version}`);
    for (const i of plan.install) out(i.replaces ? ` - ${i.replaces.name}==${i.replaces.version}\n + ${i.target.name}==${i.target.version}` : ` + ${i.target.name}==${i.target.version}`);
  }
}
