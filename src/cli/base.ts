// The base of every zephyr command: verbosity flags, settings, and turning
// thrown errors into a clear message with a hint and a non-zero exit code.

import { Command, Option } from 'clipanion';
import type { FlagValues, Settings } from '../settings/load.js';
import type { SettingKey, SettingValue } from '../settings/schema.js';
import { setVerbosity } from '../ui/log.js';
import { reportError } from './report.js';

export { reportError };

export abstract class ZephyrCommand extends Command {
  verbose = Option.Counter('-v,--verbose', 0, { description: 'Show more output (-vv for debug details)' });
  quiet = Option.Counter('-q,--quiet', 0, { description: 'Show less output (-qq for errors only)' });
  cacheDir = Option.String('--cache-dir', { description: 'Path of the global cache' });
  noConfig = Option.Boolean('--no-config', false, { description: 'Ignore config files (pyproject.toml, ~/.zephyr/config.toml)' });

  abstract run(): Promise<number | void>;

  /** Settings flags this command adds; commands override to contribute theirs. */
  protected settingFlags(): FlagValues {
    return {};
  }

  protected flag(key: SettingKey, value: SettingValue, flag: string): FlagValues {
    return value === undefined ? {} : { [key]: { value, flag } };
  }

  private cachedSettings: Settings | undefined;

  protected async settings(): Promise<Settings> {
    if (this.cachedSettings) return this.cachedSettings;
    const { loadSettings } = await import('../settings/load.js');
    this.cachedSettings = loadSettings({
      cwd: process.cwd(),
      env: process.env,
      noConfig: this.noConfig,
      flags: { ...this.flag('cache-dir', this.cacheDir, '--cache-dir'), ...this.settingFlags() },
    });
    if (this.cachedSettings.indexes.length > 0) {
      const { registerNamedIndexes } = await import('../index/auth.js');
      registerNamedIndexes(this.cachedSettings.indexes, process.env);
    }
    return this.cachedSettings;
  }

  async execute(): Promise<number> {
    setVerbosity(this.verbose, this.quiet);
    try {
      return (await this.run()) ?? 0;
    } catch (err) {
      return reportError(err);
    }
  }
}
