// `zephyr cache dir` and `zephyr cache clean`.

import { Command } from 'clipanion';
import { ZephyrCommand } from './base.js';

export class CacheDirCommand extends ZephyrCommand {
  static override paths = [['cache', 'dir']];
  static override usage = Command.Usage({ description: 'Print the path of the global cache' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { out } = await import('../ui/log.js');
    out(settings.values['cache-dir']);
  }
}

export class CacheCleanCommand extends ZephyrCommand {
  static override paths = [['cache', 'clean']];
  static override usage = Command.Usage({ description: 'Delete everything in the global cache' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { rmSync, existsSync } = await import('node:fs');
    const { log } = await import('../ui/log.js');
    const dir = settings.values['cache-dir'];
    if (!existsSync(dir)) {
      log.status(`Nothing to clean at ${dir}`);
      return;
    }
    rmSync(dir, { recursive: true, force: true });
    log.status(`Cleaned ${dir}`);
  }
}
